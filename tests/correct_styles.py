"""Correct learner solutions written in other styles than the reference.

Grading promises full marks to any correct implementation: loops instead of slicing,
other ways of drawing from rng, other dtype handling. Each function here is written as
a learner would write it in the notebook (plain names, `np` and `math` only), so its
source can also be pasted into a notebook by the end-to-end tests.
"""

import inspect

import numpy as np

from autograder.exercises.registry import learner_functions
from autograder.pipeline.course import ASSIGNMENT


def centered_box(height, width, cy, cx, box_h, box_w):
    top = max(0, cy - box_h // 2)
    bottom = min(height, max(0, cy - box_h // 2 + box_h))
    left = max(0, cx - box_w // 2)
    right = min(width, max(0, cx - box_w // 2 + box_w))
    return (min(top, height), bottom, min(left, width), right)


def apply_cutout(image, box):
    top, bottom, left, right = box
    rows = np.arange(image.shape[1])[:, None]
    cols = np.arange(image.shape[2])[None, :]
    inside = (rows >= top) & (rows < bottom) & (cols >= left) & (cols < right)
    return np.where(inside[None], np.zeros((), image.dtype), image).astype(image.dtype)


def cutout(image, size, rng):
    # Draws the column first, then the row, with other Generator methods.
    cx = int(rng.random() * image.shape[2])
    cy = int(rng.choice(image.shape[1]))
    return apply_cutout(image, centered_box(image.shape[1], image.shape[2], cy, cx, size, size))


def cutmix_box(height, width, lam, cy, cx):
    ratio = np.sqrt(1.0 - lam)
    return centered_box(height, width, cy, cx, int(height * ratio), int(width * ratio))


def paste_patch(target, source, box):
    top, bottom, left, right = box
    result = np.empty_like(target)
    result[...] = target
    for row in range(top, bottom):
        for col in range(left, right):
            result[:, row, col] = source[:, row, col]
    return result


def patch_ratio(box, height, width):
    top, bottom, left, right = box
    return np.float64((bottom - top) / height * (right - left) / width)


def mix_labels(label1, label2, patch_ratio):
    return label1 + patch_ratio * (label2 - label1)


def cutmix(image1, label1, image2, label2, alpha, rng):
    height, width = image1.shape[1], image1.shape[2]
    cy, cx = (int(v) for v in rng.integers(0, [height, width]))
    lam = float(rng.beta(alpha, alpha))
    box = cutmix_box(height, width, lam, cy, cx)
    return paste_patch(image1, image2, box), mix_labels(
        label1, label2, patch_ratio(box, height, width)
    )


def cutmix_batch(images, labels, alpha, rng):
    count, _, height, width = images.shape
    partners = rng.permutation(count)
    lam = rng.beta(alpha, alpha)
    box = cutmix_box(height, width, lam, int(rng.integers(height)), int(rng.integers(width)))
    ratio = patch_ratio(box, height, width)
    mixed = np.stack([paste_patch(images[i], images[j], box) for i, j in enumerate(partners)])
    mixed_labels = np.stack(
        [mix_labels(labels[i], labels[j], ratio) for i, j in enumerate(partners)]
    )
    return mixed.astype(images.dtype), mixed_labels


def cutmix_labels(label1, label2, patch_ratio):
    weights = np.array([1 - patch_ratio, patch_ratio])
    return weights @ np.stack([label1, label2])


def test_cutmix_labels(fn):
    label1 = np.array([1.0, 0.0, 0.0])
    label2 = np.array([0.0, 1.0, 0.0])
    for ratio in (0.3, 0.8):
        got = fn(label1, label2, ratio)
        expected = np.array([1 - ratio, ratio, 0.0])
        assert np.allclose(got, expected), f"expected {expected}, got {got}"


LEARNER_FUNCTIONS = learner_functions(ASSIGNMENT)


def other_style_answers() -> dict[str, str]:
    """Answer cells for a whole submission in this style (multiple choice in lower case)."""
    from autograder.exercises.answers import ANSWERS

    answers = {
        name: inspect.getsource(globals()[name])
        for name in [*LEARNER_FUNCTIONS, "test_cutmix_labels"]
    }
    answers["label_mix_ratio"] = "label_mix_ratio = 1 - 16 * 16 / (32 * 32)\n"
    answers["mixed_label"] = "mixed_label = [0.75, 0.25, 0.0]\n"
    answers["output_shape"] = "output_shape = np.zeros((3, 32, 32)).shape\n"
    for question, key in ANSWERS.items():
        answers[question] = f"{question} = '{key.letter.lower()}'\n"
    return answers
