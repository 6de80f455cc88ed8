"""Hidden checks of the CutMix exercises: cutmix_box, paste_patch, patch_ratio, cutmix."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import numpy as np

from augcourse import draws
from augcourse.check_tools import changed_box, describe, describe_call
from autograder.checks import inputs
from autograder.checks.common import failure, grading_rng, run_many
from autograder.checks.compare import (
    describe_image_args,
    grade_deterministic,
    same_array,
    same_box,
    same_label,
    same_number,
)
from autograder.checks.graders import grader
from autograder.checks.labels import label_diagnosis
from autograder.checks.pictures import show_comparison
from autograder.checks.randomness import (
    check_image_result,
    check_reproducible,
    draws_failure,
    draws_observed,
)
from autograder.exercises import reference


@grader("cutmix_box")
def grade_cutmix_box(cutmix_box: Callable) -> None:
    """cutmix_box against the reference: many lam values, every border, non-square images."""
    rng = grading_rng()
    cases = []
    for height, width in [(32, 32), (20, 40), (40, 20), (7, 5), (1, 9)]:
        for lam in (0.0, 0.1, 0.3, 0.5, 0.75, 0.9, 1.0):
            for cy in sorted({0, height // 2, height - 1}):
                for cx in sorted({0, width // 2, width - 1}):
                    cases.append((height, width, lam, cy, cx))
    while len(cases) < 500:
        height, width = (int(v) for v in rng.integers(1, 65, size=2))
        lam = float(rng.random())
        cases.append((height, width, lam, int(rng.integers(height)), int(rng.integers(width))))
    cases = [c for c in cases if inputs.stable_lam(c[2], c[0], c[1])]
    grade_deterministic("cutmix_box", cutmix_box, cases, same_box)


@grader("paste_patch")
def grade_paste_patch(paste_patch: Callable) -> None:
    """paste_patch against the reference on several shapes, dtypes and boxes."""
    rng = grading_rng()
    cases = []
    for shape in inputs.IMAGE_SHAPES:
        for dtype in inputs.IMAGE_DTYPES:
            target = inputs.image(shape, dtype, rng)
            source = target + 100  # every pixel differs from target's
            cases += [(target, source, box) for box in inputs.boxes(shape[1], shape[2], rng, 4)]
    grade_deterministic("paste_patch", paste_patch, cases, same_array, describe_image_args)


@grader("patch_ratio")
def grade_patch_ratio(patch_ratio: Callable) -> None:
    """patch_ratio against the reference on boxes of square and non-square images."""
    rng = grading_rng()
    cases = []
    for height, width in [(32, 32), (10, 20), (20, 10), (1, 7), (9, 5)]:
        cases += [(box, height, width) for box in inputs.boxes(height, width, rng, 10)]
    grade_deterministic("patch_ratio", patch_ratio, cases, same_number)


# --- boxes any right CutMix can paste -----------------------------------------------------


@lru_cache(maxsize=32)
def _cutmix_sides(height: int, width: int) -> frozenset:
    """Every (cut_h, cut_w) that cutmix_box can give for lam in [0, 1]."""
    ratios = np.sqrt(1 - np.linspace(0, 1, 20001))
    return frozenset((int(height * r), int(width * r)) for r in ratios) | {(height, width), (0, 0)}


@lru_cache(maxsize=32)
def cutmix_boxes(height: int, width: int) -> frozenset:
    """Every box that cutmix_box can give on a height x width image, any lam and centre."""
    return frozenset(
        reference.centered_box(height, width, cy, cx, cut_h, cut_w)
        for cut_h, cut_w in _cutmix_sides(height, width)
        for cy in range(height)
        for cx in range(width)
    )


def _clipped_sides(box: tuple, height: int, width: int) -> set[str]:
    """The borders at which a CutMix box was certainly clipped.

    A box that does not touch the left or right border has its unclipped width, which
    tells which heights cutmix_box could have given it; a smaller height means the box
    was cut at the top or bottom border that it touches (and likewise across).
    """
    top, bottom, left, right = box
    box_h, box_w = bottom - top, right - left
    sides = _cutmix_sides(height, width)
    clipped = set()
    if left > 0 and right < width and box_w > 0:
        heights = [cut_h for cut_h, cut_w in sides if cut_w == box_w]
        if heights and box_h < min(heights):
            clipped |= {"top"} if top == 0 else set()
            clipped |= {"bottom"} if bottom == height else set()
    if top > 0 and bottom < height and box_h > 0:
        widths = [cut_w for cut_h, cut_w in sides if cut_h == box_h]
        if widths and box_w < min(widths):
            clipped |= {"left"} if left == 0 else set()
            clipped |= {"right"} if right == width else set()
    return clipped


# --- cutmix -------------------------------------------------------------------------------


@grader("cutmix")
def grade_cutmix(cutmix: Callable) -> None:
    """cutmix by its properties: one clipped box of image2, the label from the pasted share, rng only."""
    rng = grading_rng()
    base_seed = int(rng.integers(2**31))
    _check_cutmix_draws(cutmix, rng)
    configs = [
        ((3, 12, 15), np.float64, 1.0, 500),
        ((1, 5, 5), np.uint8, 0.5, 200),
        ((2, 7, 4), np.float32, 2.0, 200),
        ((3, 32, 32), np.float32, 1.0, 40),
    ]
    for shape, dtype, alpha, draw_count in configs:
        height, width = shape[1:]
        image1 = inputs.image(shape, dtype, rng)
        image2 = image1 + 100
        num_classes = 4
        label1, label2 = inputs.label(num_classes, rng), inputs.label(num_classes, rng)
        valid = cutmix_boxes(height, width)
        clipped_sides = set()
        args = (image1, label1, image2, label2, alpha)
        calls = [(*args, np.random.default_rng(base_seed + k)) for k in range(draw_count)]
        for k, (got, modified) in enumerate(run_many(cutmix, calls)):
            seed = base_seed + k
            call = describe_call(
                "cutmix",
                f"<{np.dtype(dtype)} image1 {shape}>",
                label1,
                "<image2>",
                label2,
                alpha,
                f"rng(seed={seed})",
            )
            if not modified and not (isinstance(got, tuple) and len(got) == 2):
                raise failure(
                    call, ["  expected: a tuple (image, label)", f"  got:      {got!r:.200}"]
                )
            image, label = got if isinstance(got, tuple) else (got, None)
            box = check_image_result("cutmix", call, image1, image, modified)
            share = 0.0
            if box is not None:
                _check_pasted_box(call, box, image1, image2, image, valid)
                top, bottom, left, right = box
                share = (bottom - top) * (right - left) / (height * width)
                clipped_sides |= _clipped_sides(box, height, width)
            expected = reference.mix_labels(label1, label2, share)
            if not same_label(expected, label):
                mistake, hint = label_diagnosis("cutmix", label, label1, label2, share)
                raise failure(
                    call + f"\n  the pasted box {box} covers {share:.4f} of the image",
                    [
                        f"  expected label: {describe(expected)}",
                        f"  got:            {describe(label) if label is not None else None}",
                    ],
                    mistake,
                    hint,
                )
            if k < 10:
                check_reproducible("cutmix", cutmix, args, seed, got)
        if draw_count >= 500 and clipped_sides != {"top", "bottom", "left", "right"}:
            missing = {"top", "bottom", "left", "right"} - clipped_sides
            raise failure(
                f"cutmix on a {height} x {width} image, {draw_count} draws",
                [
                    "  expected: boxes clipped at every border",
                    f"  got:      never clipped at the {', '.join(sorted(missing))}",
                ],
                ("cutmix", "centre_kept_from_border"),
            )


def _check_cutmix_draws(cutmix: Callable, rng: np.random.Generator) -> None:
    """augcourse.draws' properties on a 4 x 4 image (lam from Beta(alpha, alpha), centres
    over every pixel)."""
    image1 = inputs.image((1, *draws.IMAGE), np.float64, rng)
    image2 = image1 + 100
    label1, label2 = inputs.label(3, rng), inputs.label(3, rng)

    def pasted(result):
        image = result[0] if isinstance(result, tuple) and len(result) == 2 else None
        if not isinstance(image, np.ndarray) or image.shape != image1.shape:
            return None
        return changed_box(image1, image)[0]

    seen = draws_observed(
        cutmix, lambda alpha, rng: (image1, label1, image2, label2, alpha, rng), pasted
    )
    found = draws_failure("cutmix", seen, "cutmix on a 4 x 4 image at alpha 0.2, 4 and 1")
    if found:
        raise found


def _check_pasted_box(call: str, box, image1, image2, image, valid: frozenset) -> None:
    """The pasted box holds image2's pixels from the same place, and cutmix_box can give it."""
    top, bottom, left, right = box
    if not np.array_equal(image[:, top:bottom, left:right], image2[:, top:bottom, left:right]):
        raise failure(
            call,
            [
                "  expected: the box to hold image2's pixels from the same place",
                "  got:      other pixels",
            ],
            None,
            "paste image2[:, top:bottom, left:right].",
        )
    if box not in valid:
        height, width = image1.shape[1:]
        show_comparison({"image1": image1, "image2": image2, "yours": image})
        raise failure(
            call,
            [
                f"  expected: a box from cutmix_box({height}, {width}, lam, cy, cx)",
                f"  got:      box {box}",
            ],
            None,
            "build the box with cutmix_box and a centre drawn over every pixel.",
        )
