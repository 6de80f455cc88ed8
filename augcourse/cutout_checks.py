"""Visible checks of the Cutout exercises: centered_box, apply_cutout, cutout."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from augcourse.check_tools import (
    call_quietly,
    calls_in_order,
    changed_box,
    check_box_cases,
    describe_call,
    expect_array,
    expect_unchanged,
    passed,
)
from augcourse.diagnoses import unreached_centre_mistake
from augcourse.failures import fail, visible_check

# --- Cutout -------------------------------------------------------------------


# centered_box's mistakes of the bank, by key (their words are in augcourse/hints.py).
NOT_CLIPPED = "box_not_clipped"
SHIFTED = "box_shifted_inside"
HW_SWAPPED = "height_width_swapped"
ODD_SHORT = "odd_size_one_short"
CORNER = "centre_used_as_corner"
CY_CX_SWAPPED = "cy_cx_swapped"


@visible_check
def check_centered_box(centered_box: Callable) -> None:
    """centered_box on a few fixed cases: centre, corner, non-square, odd size."""
    cases = [
        ((32, 32, 16, 16, 16, 16), (8, 24, 8, 24), {(16, 32, 16, 32): CORNER}),
        (
            (32, 32, 0, 0, 16, 16),
            (0, 8, 0, 8),
            {(-8, 8, -8, 8): NOT_CLIPPED, (0, 16, 0, 16): SHIFTED},
        ),
        (
            (6, 10, 5, 9, 4, 4),
            (3, 6, 7, 10),
            {
                (3, 6, 6, 6): HW_SWAPPED,
                (3, 7, 6, 6): HW_SWAPPED,
                (6, 6, 3, 7): CY_CX_SWAPPED,
                (3, 7, 7, 11): NOT_CLIPPED,
                (2, 6, 6, 10): SHIFTED,
                (5, 6, 9, 10): CORNER,
            },
        ),
        ((9, 9, 4, 4, 3, 3), (3, 6, 3, 6), {(3, 5, 3, 5): ODD_SHORT, (4, 7, 4, 7): CORNER}),
        (
            (5, 8, 1, 6, 2, 3),
            (0, 2, 5, 8),
            {(5, 5, 0, 3): CY_CX_SWAPPED, (0, 2, 5, 5): HW_SWAPPED, (0, 2, 5, 7): ODD_SHORT},
        ),
    ]
    check_box_cases("centered_box", centered_box, cases)
    passed("centered_box gives the right clipped boxes.")


@visible_check
def check_apply_cutout(apply_cutout: Callable) -> None:
    """apply_cutout zeroes exactly the box, in every channel, on a copy of the right dtype."""
    for dtype in (np.float32, np.uint8):
        image = np.arange(1, 1 + 2 * 4 * 5).reshape(2, 4, 5).astype(dtype)
        original = image.copy()
        box = (1, 3, 2, 4)
        call = describe_call("apply_cutout", f"<(2, 4, 5) {np.dtype(dtype)} image of 1..40>", box)
        result = expect_array(
            call,
            call_quietly(apply_cutout, image, box),
            (2, 4, 5),
            dtype,
            ("apply_cutout", "dtype_changed"),
        )
        expect_unchanged(call, "image", original, image, ("apply_cutout", "input_modified"))
        zero_positions = {(1, 2), (1, 3), (2, 2), (2, 3)}
        for channel in range(2):
            zeros = {
                (int(r), int(c)) for r, c in zip(*np.nonzero(result[channel] == 0), strict=True)
            }
            if zeros != zero_positions:
                key = None
                if channel > 0 and not zeros:
                    key = "one_channel_masked"
                elif len(zeros) == 20 - 4:
                    key = "mask_inverted"
                elif zeros == {(2, 1), (3, 1), (2, 2), (3, 2)}:
                    key = "rows_columns_swapped"
                elif len(zeros) > 4:
                    key = "bottom_right_inclusive"
                fail(
                    call,
                    f"zeros in channel {channel} at (row, col) {sorted(zero_positions)}",
                    f"zeros at {sorted(zeros)}",
                    mistake=("apply_cutout", key) if key else None,
                )
        outside = np.ones((4, 5), bool)
        outside[1:3, 2:4] = False
        if not np.array_equal(result[:, outside], original[:, outside]):
            fail(call, "pixels outside the box unchanged", "some of them changed")
    passed("apply_cutout zeroes exactly the box in every channel, on a copy.")


@visible_check
def check_cutout(cutout: Callable) -> None:
    """cutout masks one clipped square per call, reaches every border, and is reproducible."""
    height, width, size = 6, 8, 4
    image = np.full((3, height, width), 7.0, dtype=np.float32)
    original = image.copy()
    borders, boxes = set(), set()
    seeds = range(300)
    # Each seed is called twice in a row: the second time must give the same result.
    results = calls_in_order(
        cutout, [(image, size, np.random.default_rng(seed)) for seed in seeds for _ in range(2)]
    )
    for seed in seeds:
        call = describe_call(
            "cutout", "<(3, 6, 8) image of 7s>", size, f"np.random.default_rng({seed})"
        )
        result = expect_array(call, next(results), image.shape, image.dtype)
        expect_unchanged(call, "image", original, image, ("cutout", "input_modified"))
        box, problem = changed_box(image, result)
        if problem:
            fail(call, "one square set to 0 in every channel", problem)
        if box is None:
            fail(call, "a square of zeros", "nothing changed", mistake=("cutout", "nothing_masked"))
        boxes.add(box)
        top, bottom, left, right = box
        if not (result[:, top:bottom, left:right] == 0).all():
            fail(
                call,
                "the square set to 0",
                "other values inside the square",
                mistake=("cutout", "square_not_zero"),
            )
        if bottom - top > size or right - left > size:
            fail(call, f"a square at most {size} x {size}", f"{bottom - top} x {right - left}")
        if bottom - top < size or right - left < size:
            borders.update(
                side
                for side, touches in [
                    ("top", top == 0),
                    ("bottom", bottom == height),
                    ("left", left == 0),
                    ("right", right == width),
                ]
                if touches
            )
        again = next(results)
        if not np.array_equal(result, again):
            fail(
                call,
                "the same result for the same seed",
                "a different result",
                mistake=("cutout", "global_random"),
            )
    missing = {"top", "bottom", "left", "right"} - borders
    if missing:
        if len(boxes) == 1:
            key = "centre_fixed"
        elif missing in ({"right"}, {"bottom"}):
            key = "height_width_swapped"
        else:
            key = "centre_kept_from_border"
        fail(
            "cutout over 300 seeds on a 6 x 8 image, size 4",
            "squares clipped at every border",
            f"never clipped at the {', '.join(sorted(missing))}",
            mistake=("cutout", key),
        )
    # With size 1 the square is the centre itself: every pixel must be a centre sometimes.
    # A right cutout misses one of the 12 in 400 seeds with chance 12 * (11/12)**400 < 1e-14.
    tiny = np.ones((1, 3, 4))
    masked = np.zeros((3, 4), dtype=bool)
    for result in calls_in_order(
        cutout, [(tiny, 1, np.random.default_rng(seed)) for seed in range(400)]
    ):
        result = np.asarray(result)
        if result.shape == tiny.shape:
            masked |= result[0] == 0
    if not masked.all():
        never = [(int(r), int(c)) for r, c in zip(*np.nonzero(~masked), strict=True)]
        key = unreached_centre_mistake(masked)
        fail(
            "cutout(<(1, 3, 4) image of 1s>, 1, rng) over seeds 0 to 399",
            "every pixel masked sometimes (with size 1 the square is its centre)",
            f"never masked at (row, col) {never}: the centre never reaches them",
            "draw cy = rng.integers(H) and cx = rng.integers(W): every row and column, "
            "the last ones included, can be the centre.",
            mistake=("cutout", key) if key else None,
        )
    passed(
        "cutout masks one clipped square, reaches every border, every pixel can be its "
        "centre, and it is reproducible."
    )
