"""Hidden checks of the Cutout exercises: centered_box, apply_cutout, cutout."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import numpy as np

from augcourse.check_tools import describe_call
from augcourse.diagnoses import unreached_centre_mistake
from autograder.checks import inputs
from autograder.checks.common import failure, grading_rng, run_many
from autograder.checks.compare import (
    describe_image_args,
    grade_deterministic,
    same_array,
    same_box,
)
from autograder.checks.graders import grader
from autograder.checks.pictures import difference, show_comparison
from autograder.checks.randomness import check_image_result, check_reproducible
from autograder.exercises import reference


@grader("centered_box")
def grade_centered_box(centered_box: Callable) -> None:
    """centered_box against the reference: every border, odd sizes, non-square images."""
    rng = grading_rng()
    cases = []
    for height, width in [(32, 32), (5, 8), (8, 5), (1, 1), (7, 3)]:
        for box_h, box_w in [(1, 1), (2, 3), (3, 2), (4, 4), (5, 5), (16, 16), (0, 2)]:
            for cy in sorted({0, 1, height // 2, height - 2, height - 1} & set(range(height))):
                for cx in sorted({0, 1, width // 2, width - 2, width - 1} & set(range(width))):
                    cases.append((height, width, cy, cx, box_h, box_w))
    for _ in range(200):
        height, width = (int(v) for v in rng.integers(1, 41, size=2))
        cases.append(
            (
                height,
                width,
                int(rng.integers(height)),
                int(rng.integers(width)),
                int(rng.integers(0, 46)),
                int(rng.integers(0, 46)),
            )
        )
    grade_deterministic("centered_box", centered_box, cases, same_box)


@grader("apply_cutout")
def grade_apply_cutout(apply_cutout: Callable) -> None:
    """apply_cutout against the reference on several shapes, dtypes and boxes."""
    rng = grading_rng()
    cases = []
    for shape in inputs.IMAGE_SHAPES:
        for dtype in inputs.IMAGE_DTYPES:
            image = inputs.image(shape, dtype, rng)
            cases += [(image, box) for box in inputs.boxes(shape[1], shape[2], rng, 4)]
    grade_deterministic("apply_cutout", apply_cutout, cases, same_array, describe_image_args)


@lru_cache(maxsize=64)
def _cutout_boxes(height: int, width: int, size: int, swapped: bool = False) -> frozenset:
    """Every box that Cutout can produce (centre over all pixels, clipped)."""
    rows, cols = (width, height) if swapped else (height, width)
    return frozenset(
        reference.centered_box(height, width, cy, cx, size, size)
        for cy in range(rows)
        for cx in range(cols)
    )


CENTRE_TEST_SHAPE, CENTRE_TEST_DRAWS = (1, 3, 4), 400  # misses a pixel: < 12 * (11/12)**400


def _check_every_pixel_is_a_centre(cutout: Callable, base_seed: int) -> None:
    """With size 1 the square is its centre: every pixel must be masked in some draw."""
    image = np.ones(CENTRE_TEST_SHAPE)
    calls = [(image, 1, np.random.default_rng(base_seed + k)) for k in range(CENTRE_TEST_DRAWS)]
    masked = np.zeros(CENTRE_TEST_SHAPE[1:], dtype=bool)
    for result, _ in run_many(cutout, calls):
        if not isinstance(result, np.ndarray) or result.shape != image.shape:
            return  # the checks below say what is wrong with the result itself
        masked |= result[0] == 0
    if masked.all() or not masked.any():
        return  # nothing masked at all: the checks below say what the result is instead
    height, width = CENTRE_TEST_SHAPE[1:]
    never = {(int(r), int(c)) for r, c in zip(*np.nonzero(~masked), strict=True)}
    key = unreached_centre_mistake(masked)
    raise failure(
        f"cutout(<(1, {height}, {width}) image of 1s>, 1, rng) over {CENTRE_TEST_DRAWS} seeds",
        [
            "  expected: every pixel masked in some draw (with size 1 the square is its centre)",
            f"  got:      never masked at (row, col) {sorted(never)}: the centre never reaches them",
        ],
        ("cutout", key) if key else None,
        "draw cy = rng.integers(H) and cx = rng.integers(W).",
    )


@grader("cutout")
def grade_cutout(cutout: Callable) -> None:
    """cutout by its properties: one clipped square of zeros, every position reachable, rng only."""
    rng = grading_rng()
    base_seed = int(rng.integers(2**31))
    configs = [
        ((3, 5, 6), 3, np.float32, 700),
        ((1, 7, 4), 2, np.uint8, 700),
        ((2, 9, 6), 5, np.float64, 1200),
        ((3, 32, 32), 16, np.float64, 40),
        ((3, 8, 8), 20, np.uint8, 40),
    ]
    _check_every_pixel_is_a_centre(cutout, base_seed)
    for shape, size, dtype, draw_count in configs:
        image = inputs.image(shape, dtype, rng)
        height, width = shape[1:]
        valid = _cutout_boxes(height, width, size)
        seen = set()
        calls = [(image, size, np.random.default_rng(base_seed + k)) for k in range(draw_count)]
        for k, (result, modified) in enumerate(run_many(cutout, calls)):
            seed = base_seed + k
            call = describe_call(
                "cutout", f"<{np.dtype(dtype)} image {shape}>", size, f"rng(seed={seed})"
            )
            box = check_image_result("cutout", call, image, result, modified)
            if box is None:
                raise failure(
                    call, ["  expected: a square set to 0", "  got:      an unchanged image"]
                )
            if box not in valid:
                show_comparison(
                    {"input": image, "yours": result, "changed pixels": difference(image, result)}
                )
                swapped = box in _cutout_boxes(height, width, size, swapped=True)
                raise failure(
                    call,
                    [
                        f"  expected: a {size} x {size} square centred on a pixel, clipped to the {height} x {width} image",
                        f"  got:      zeros in rows {box[0]}:{box[1]}, columns {box[2]}:{box[3]}",
                    ],
                    ("cutout", "height_width_swapped") if swapped else None,
                    "use centered_box(H, W, cy, cx, size, size) with cy in [0, H) and cx in [0, W).",
                )
            top, bottom, left, right = box
            if not (result[:, top:bottom, left:right] == 0).all():
                mean = np.asarray(image.mean()).astype(image.dtype)
                filled_with_mean = (result[:, top:bottom, left:right] == mean).all()
                raise failure(
                    call,
                    ["  expected: the square set to 0", "  got:      other values"],
                    ("cutout", "filled_with_mean") if filled_with_mean else None,
                    "set the square to 0.",
                )
            seen.add(box)
            if k < 10:
                check_reproducible("cutout", cutout, (image, size), seed, result)
        if draw_count >= 700 and seen != valid:
            missing = valid - seen
            clipped = all(
                (bottom - top, right - left) != (size, size) for top, bottom, left, right in missing
            )
            raise failure(
                f"cutout on a {height} x {width} image with size {size}, {draw_count} draws",
                [
                    "  expected: every clipped position of the square to occur",
                    f"  got:      {len(missing)} of {len(valid)} positions never occur, e.g. {sorted(missing)[0]}",
                ],
                ("cutout", "centre_kept_from_border") if clipped else None,
                "draw cy uniformly from all rows and cx from all columns.",
            )
