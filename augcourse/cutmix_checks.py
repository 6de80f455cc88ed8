"""Visible checks of the CutMix exercises: cutmix_box, paste_patch, patch_ratio, cutmix."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from augcourse import draws
from augcourse.check_tools import (
    call_quietly,
    calls_in_order,
    changed_box,
    check_box_cases,
    describe_call,
    expect_array,
    expect_unchanged,
    observe_draws,
    passed,
)
from augcourse.diagnoses import draws_mistake, label_mixture_mistake
from augcourse.failures import fail, visible_check

# --- CutMix ---------------------------------------------------------------------


@visible_check
def check_cutmix_box(cutmix_box: Callable) -> None:
    """cutmix_box on fixed cases: the 25% patch, non-square, a corner."""
    # (arguments, the right box, {a wrong box: the key of the bank's mistake that gives it})
    cases = [
        (
            (32, 32, 0.75, 16, 16),
            (8, 24, 8, 24),
            {(3, 30, 3, 30): "sqrt_lam", (12, 20, 12, 20): "no_square_root"},
        ),
        ((20, 40, 0.75, 10, 20), (5, 15, 10, 30), {(0, 20, 15, 25): "height_width_swapped"}),
        ((32, 32, 0.75, 0, 31), (0, 8, 23, 32), {(-8, 8, 23, 39): "box_not_clipped"}),
        # int() truncates 10 * sqrt(0.95) = 9.75 to 9; round() gives 10.
        ((10, 10, 0.05, 5, 5), (1, 10, 1, 10), {(0, 10, 0, 10): "rounded"}),
        ((10, 10, 0.0, 5, 5), (0, 10, 0, 10), {}),
        ((10, 10, 1.0, 5, 5), (5, 5, 5, 5), {}),
    ]
    check_box_cases("cutmix_box", cutmix_box, cases)
    passed("cutmix_box gives the right boxes, sides truncated by int().")


@visible_check
def check_paste_patch(paste_patch: Callable) -> None:
    """paste_patch copies source's box into a copy of target, in every channel."""
    target = np.arange(2 * 4 * 5).reshape(2, 4, 5).astype(np.float64)
    source = -1.0 - np.arange(2 * 4 * 5).reshape(2, 4, 5)
    originals = target.copy(), source.copy()
    box = (1, 3, 0, 2)
    call = describe_call("paste_patch", "<(2, 4, 5) target of 0..39>", "<source of -1..-40>", box)
    result = expect_array(
        call, call_quietly(paste_patch, target, source, box), (2, 4, 5), target.dtype
    )
    expect_unchanged(call, "target", originals[0], target, ("paste_patch", "input_modified"))
    expect_unchanged(call, "source", originals[1], source)
    expected = target.copy()
    expected[:, 1:3, 0:2] = source[:, 1:3, 0:2]
    if not np.array_equal(result, expected):
        key = None
        if np.array_equal(result[1], target[1]):
            key = "one_channel_pasted"
        elif (result[:, 1:3, 0:2] == source[:, 0:2, 0:2]).all():
            key = "patch_from_corner"
        elif (result < 0).sum() > 8:
            key = "roles_swapped"
        fail(
            call,
            f"channel 0:\n{expected[0]}",
            f"channel 0:\n{result[0]}",
            mistake=("paste_patch", key) if key else None,
        )
    passed("paste_patch copies the box from source into a copy of target.")


@visible_check
def check_patch_ratio(patch_ratio: Callable) -> None:
    """patch_ratio is the box's share of the image's area."""
    cases = [
        (((8, 24, 8, 24), 32, 32), 0.25),
        (((0, 8, 0, 8), 32, 32), 0.0625),
        (((0, 5, 0, 10), 10, 20), 0.25),
    ]
    # A wrong ratio -> the mistake that gives it (on the last case a square image and one side
    # only both give 0.5).
    keys = {
        0.75: "kept_share",
        0.9375: "kept_share",
        0.0: "integer_division",
        0.5: "not_the_share_of_the_area",
    }
    for args, expected in cases:
        call = describe_call("patch_ratio", *args)
        got = call_quietly(patch_ratio, *args)
        try:
            value = float(got)
        except (TypeError, ValueError):
            fail(call, expected, got, "return a number (a float).")
        if not np.isclose(value, expected, rtol=1e-9, atol=0):
            key = keys.get(round(value, 6))
            fail(call, expected, got, mistake=("patch_ratio", key) if key else None)
    passed("patch_ratio gives the box's share of the area.")


def _image_pair(shape: tuple, dtype=np.float64) -> tuple[np.ndarray, np.ndarray]:
    """Two images whose pixels all differ from each other (so a paste is visible)."""
    size = int(np.prod(shape))
    image1 = (np.arange(size) % 100 + 1).reshape(shape).astype(dtype)
    image2 = image1 + 100
    return image1, image2


@visible_check
def check_cutmix(cutmix: Callable) -> None:
    """cutmix pastes one box of image2 into image1 and mixes labels by the pasted share."""
    image1, image2 = _image_pair((3, 6, 8))
    label1, label2 = np.array([1.0, 0.0, 0.0]), np.array([0.0, 0.0, 1.0])
    originals = [a.copy() for a in (image1, label1, image2, label2)]
    seeds = range(100)
    # Each seed is called twice in a row: the second time must give the same result.
    results = calls_in_order(
        cutmix,
        [
            (image1, label1, image2, label2, 1.0, np.random.default_rng(seed))
            for seed in seeds
            for _ in range(2)
        ],
    )
    for seed in seeds:
        call = describe_call(
            "cutmix", "<image1 (3, 6, 8)>", label1, "<image2>", label2, 1.0, f"rng({seed})"
        )
        got = next(results)
        if not (isinstance(got, tuple) and len(got) == 2):
            fail(call, "a tuple (image, label)", type(got).__name__)
        image, label = got
        image = expect_array(call, image, image1.shape, image1.dtype)
        for name, before, after in zip(
            ("image1", "label1", "image2", "label2"),
            originals,
            (image1, label1, image2, label2),
            strict=True,
        ):
            known = ("cutmix", "input_modified") if name == "image1" else None
            expect_unchanged(call, name, before, after, known)
        box, problem = changed_box(image1, image)
        if problem:
            fail(call, "one box of image2 pasted in every channel", problem)
        share = 0.0
        if box is not None:
            top, bottom, left, right = box
            if not np.array_equal(
                image[:, top:bottom, left:right], image2[:, top:bottom, left:right]
            ):
                fail(call, "the box holds image2's pixels from the same place", "other pixels")
            share = (bottom - top) * (right - left) / (6 * 8)
        expected = (1 - share) * label1 + share * label2
        if np.shape(label) != (3,) or not np.allclose(label, expected, atol=1e-9):
            key = None
            if np.shape(label) == (3,):
                key = label_mixture_mistake(label, label1, label2, share)
            fail(
                call + f"\n  pasted box {box} covers {share:.4f} of the image",
                expected,
                label,
                "the label weight must be the share of pixels actually pasted (from the "
                "clipped box), not lam.",
                mistake=("cutmix", key) if key else None,
            )
        again = next(results)
        if not np.array_equal(again[0], image):
            fail(
                call,
                "the same result for the same seed",
                "a different one",
                mistake=("cutmix", "global_random"),
            )
    # On a 4 x 4 image, the box pasted is where image1 changed.
    draw1, draw2 = _image_pair((1, *draws.IMAGE))
    seen = observe_draws(
        cutmix,
        lambda alpha, rng: (draw1, label1, draw2, label2, alpha, rng),
        lambda got: _pasted_box(draw1, np.asarray(got[0])),
    )
    found = seen.problem()
    if found:
        key = draws_mistake("cutmix", seen)
        fail(
            f"cutmix on a 4 x 4 image at alpha 0.2, 4 and 1, seeds 0 to {draws.ALPHA_DRAWS - 1}",
            "patch sizes drawn from Beta(alpha, alpha) and centres over every pixel",
            found[0],
            found[1],
            mistake=("cutmix", key) if key else None,
        )
    passed(
        "cutmix pastes one box and mixes the labels by the pasted share; lam follows "
        "Beta(alpha, alpha) and the centre reaches every pixel."
    )


def _pasted_box(image: np.ndarray, result: np.ndarray):
    """The box of `image` that changed in `result`, or None (nothing, or another shape)."""
    return changed_box(image, result)[0] if result.shape == image.shape else None
