"""Reference implementation of every learner function in the course (see docs/spec.md).

This module is the instructor's: learners never receive it, and nothing in
`notebooks/` may import it. Hidden checks compare learner outputs with it.

Conventions (shared with the notebooks):
    image:  (C, H, W) array, channels first; any numeric dtype.
    images: (N, C, H, W) batch.
    label:  (K,) float array of class weights; labels: (N, K).
    box:    (top, bottom, left, right) ints, half-open rows top:bottom and
            columns left:right, already clipped to the image.
    rng:    numpy.random.Generator; the only source of randomness.

Every function returns new arrays and leaves its arguments untouched.
"""

from __future__ import annotations

import math

import numpy as np

Box = tuple[int, int, int, int]


# --- Cutout (DeVries & Taylor, 2017) -----------------------------------------


def centered_box(height: int, width: int, cy: int, cx: int, box_h: int, box_w: int) -> Box:
    """Box of size (box_h, box_w) centred on (cy, cx), clipped to the image.

    Unclipped, the box is exactly box_h x box_w (the paper's code is one pixel
    short for odd sizes). Near a border the box is cut, not shifted, so the
    centre can be any pixel.

    Returns:
        (top, bottom, left, right) as Python ints, 0 <= top <= bottom <= height,
        0 <= left <= right <= width.
    """
    top = cy - box_h // 2
    left = cx - box_w // 2
    bottom = top + box_h
    right = left + box_w
    return (
        _clip(top, height),
        _clip(bottom, height),
        _clip(left, width),
        _clip(right, width),
    )


def _clip(value: int, upper: int) -> int:
    return int(min(max(value, 0), upper))


def apply_cutout(image: np.ndarray, box: Box) -> np.ndarray:
    """Copy of image (C, H, W) with the box set to 0 in every channel.

    Zero is the dataset mean when images are normalised, as in the paper.
    Returns an array of the input's shape and dtype.
    """
    top, bottom, left, right = box
    result = np.array(image, copy=True)
    result[..., top:bottom, left:right] = 0
    return result


def cutout(image: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    """Cutout: zero a size x size square centred on a uniformly drawn pixel.

    The centre ranges over every pixel, so squares near a border are clipped
    (the paper's behaviour). image: (C, H, W); returns the same shape and dtype.
    """
    height, width = np.shape(image)[-2:]
    cy = int(rng.integers(height))
    cx = int(rng.integers(width))
    return apply_cutout(image, centered_box(height, width, cy, cx, size, size))


# --- CutMix (Yun et al., 2019) -----------------------------------------------


def cutmix_box(height: int, width: int, lam: float, cy: int, cx: int) -> Box:
    """CutMix box: each side scaled by sqrt(1 - lam), centred on (cy, cx), clipped.

    lam is the share of image 1 meant to stay, so the patch is meant to cover
    1 - lam of the area (before clipping).
    """
    cut_ratio = math.sqrt(1.0 - lam)
    cut_h = int(height * cut_ratio)
    cut_w = int(width * cut_ratio)
    return centered_box(height, width, cy, cx, cut_h, cut_w)


def paste_patch(target: np.ndarray, source: np.ndarray, box: Box) -> np.ndarray:
    """Copy of target whose box holds source's pixels from the same box.

    target, source: (C, H, W) (or batches (N, C, H, W)) of the same shape.
    Returns target's shape and dtype.
    """
    top, bottom, left, right = box
    result = np.array(target, copy=True)
    result[..., top:bottom, left:right] = source[..., top:bottom, left:right]
    return result


def patch_ratio(box: Box, height: int, width: int) -> float:
    """Share of the image's area (height x width) that the box covers, in [0, 1]."""
    top, bottom, left, right = box
    return float((bottom - top) * (right - left) / (height * width))


def mix_labels(label1: np.ndarray, label2: np.ndarray, patch_ratio: float) -> np.ndarray:
    """(1 - patch_ratio) * label1 + patch_ratio * label2.

    label1 belongs to the image that receives the patch; shapes (K,) or (N, K).
    """
    label1 = np.asarray(label1)
    label2 = np.asarray(label2)
    mixed = (1.0 - patch_ratio) * label1 + patch_ratio * label2
    return mixed.astype(np.result_type(label1, label2, np.float32), copy=False)


def cutmix(
    image1: np.ndarray,
    label1: np.ndarray,
    image2: np.ndarray,
    label2: np.ndarray,
    alpha: float,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """CutMix two examples: paste a patch of image2 into image1 and mix labels.

    lam ~ Beta(alpha, alpha); centre uniform over all pixels; the label weight
    comes from the box as clipped, not from lam (the paper's code re-adjusts
    lam "to exactly match pixel ratio").

    image1, image2: (C, H, W); label1, label2: (K,).
    Returns (image (C, H, W), label (K,)).
    """
    height, width = np.shape(image1)[-2:]
    lam = rng.beta(alpha, alpha)
    cy = int(rng.integers(height))
    cx = int(rng.integers(width))
    box = cutmix_box(height, width, lam, cy, cx)
    image = paste_patch(image1, image2, box)
    label = mix_labels(label1, label2, patch_ratio(box, height, width))
    return image, label


def cutmix_batch(
    images: np.ndarray, labels: np.ndarray, alpha: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """CutMix a batch as the paper's training loop does.

    One lam and one box for the whole batch; partners perm = rng.permutation(N);
    image i receives the box from image perm[i], and its label is mixed with
    labels[perm[i]] by the clipped area.

    images: (N, C, H, W); labels: (N, K). Returns arrays of the same shapes.
    """
    count = len(images)
    height, width = np.shape(images)[-2:]
    lam = rng.beta(alpha, alpha)
    partners = rng.permutation(count)
    cy = int(rng.integers(height))
    cx = int(rng.integers(width))
    box = cutmix_box(height, width, lam, cy, cx)
    mixed_images = paste_patch(images, np.asarray(images)[partners], box)
    mixed_labels = mix_labels(labels, np.asarray(labels)[partners], patch_ratio(box, height, width))
    return mixed_images, mixed_labels


# --- The reversed-ratio bug ---------------------------------------------------


def cutmix_labels(label1: np.ndarray, label2: np.ndarray, patch_ratio: float) -> np.ndarray:
    """The fixed version of the course's buggy snippet: label1 keeps 1 - patch_ratio."""
    return mix_labels(label1, label2, patch_ratio)


# --- The 25% patch (worked example) -------------------------------------------


def worked_example() -> dict:
    """The seed's worked example, computed by really pasting a 16 x 16 patch.

    Two (3, 32, 32) images with labels [1, 0, 0] and [0, 1, 0]; the patch covers
    25% of the area (lam = 0.75 gives a 16 x 16 box away from the borders).
    """
    image1 = np.zeros((3, 32, 32))
    image2 = np.ones((3, 32, 32))
    label1 = np.array([1.0, 0.0, 0.0])
    label2 = np.array([0.0, 1.0, 0.0])
    box = cutmix_box(32, 32, 0.75, 16, 16)
    ratio = patch_ratio(box, 32, 32)
    image = paste_patch(image1, image2, box)
    return {
        "label_mix_ratio": 1.0 - ratio,
        "mixed_label": mix_labels(label1, label2, ratio),
        "output_shape": image.shape,
    }
