"""Visible checks that learners run after each exercise.

Each check uses small fixed inputs and, on failure, raises `CheckFailed` (an
AssertionError) whose message says what was called, what was expected, what
came back and, where the answer matches a common slip, the likely mistake (in the
words of augcourse/hints.py, which the hidden checks use too).

This module's path is frozen: released notebooks import it (`from augcourse import checks`).
The tools the checks share live in augcourse/failures.py (how a check fails),
augcourse/check_tools.py (calling and inspecting) and augcourse/label_tests.py (judging a
learner's test); the names notebooks and the hidden checks use are imported here too.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from augcourse import draws
from augcourse.check_tools import (
    RECORDED_MARK,
    Box,
    as_box,
    call_quietly,
    changed_box,
    describe,
    describe_call,
    expect_array,
    expect_unchanged,
    passed,
    recorded,
)
from augcourse.diagnoses import draws_mistake, label_mixture_mistake, unreached_centre_mistake
from augcourse.failures import (
    MESSAGE_WIDTH,
    CheckFailed,
    check_failed,
    fail,
    message_lines,
    take_deferred,
    visible_check,
)
from augcourse.label_tests import (
    VISIBLE_WRONG_CUTMIX_LABELS,
    LentFunction,
    RecordedCalls,
    buggy_cutmix_labels,
    first_line,
    lent_right_cutmix_labels,
    missed_wrong_hint,
    require_right_functions_pass,
)

__all__ = [
    "MESSAGE_WIDTH",
    "RECORDED_MARK",
    "VISIBLE_WRONG_CUTMIX_LABELS",
    "Box",
    "CheckFailed",
    "LentFunction",
    "RecordedCalls",
    "as_box",
    "buggy_cutmix_labels",
    "call_quietly",
    "changed_box",
    "check_failed",
    "describe",
    "describe_call",
    "expect_array",
    "expect_unchanged",
    "fail",
    "lent_right_cutmix_labels",
    "message_lines",
    "missed_wrong_hint",
    "passed",
    "recorded",
    "require_right_functions_pass",
    "take_deferred",
    "visible_check",
]


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
    for args, expected, keys in cases:
        call = describe_call("centered_box", *args)
        got = call_quietly(centered_box, *args)
        box = as_box(got)
        if box != expected:
            key = keys.get(box)
            fail(call, expected, got, mistake=("centered_box", key) if key else None)
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
    for seed in range(300):
        call = describe_call(
            "cutout", "<(3, 6, 8) image of 7s>", size, f"np.random.default_rng({seed})"
        )
        result = expect_array(
            call,
            call_quietly(cutout, image, size, np.random.default_rng(seed)),
            image.shape,
            image.dtype,
        )
        expect_unchanged(call, "image", original, image, ("cutout", "input_modified"))
        box, problem = changed_box(image, result)
        if problem:
            fail(call, "one square set to 0 in every channel", problem)
        if box is None:
            fail(
                call,
                "a square of zeros",
                "nothing changed",
                "set the square to 0 (on an image of 7s, filling it with the mean changes nothing).",
            )
        boxes.add(box)
        top, bottom, left, right = box
        if not (result[:, top:bottom, left:right] == 0).all():
            fail(
                call,
                "the square set to 0",
                "other values inside the square",
                "Cutout sets the square to 0 (not to the image's mean or another value).",
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
        again = call_quietly(cutout, image, size, np.random.default_rng(seed))
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
    for seed in range(400):
        result = np.asarray(call_quietly(cutout, tiny, 1, np.random.default_rng(seed)))
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
    for args, expected, keys in cases:
        call = describe_call("cutmix_box", *args)
        got = call_quietly(cutmix_box, *args)
        box = as_box(got)
        if box != expected:
            key = keys.get(box)
            fail(call, expected, got, mistake=("cutmix_box", key) if key else None)
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
    # A wrong ratio -> the bank's mistake that gives it. On the last case a square image and
    # one side only both give 0.5, so that value gets a hint that covers both.
    keys = {0.75: "kept_share", 0.9375: "kept_share", 0.0: "integer_division"}
    hints = {0.5: "divide by height * width, and multiply both sides of the box."}
    for args, expected in cases:
        call = describe_call("patch_ratio", *args)
        got = call_quietly(patch_ratio, *args)
        try:
            value = float(got)
        except (TypeError, ValueError):
            fail(call, expected, got, "return a number (a float).")
        if not np.isclose(value, expected, rtol=1e-9, atol=0):
            key = keys.get(round(value, 6))
            fail(
                call,
                expected,
                got,
                hints.get(round(value, 6)),
                mistake=("patch_ratio", key) if key else None,
            )
    passed("patch_ratio gives the box's share of the area.")


def _check_label_mixer(name: str, fn: Callable) -> None:
    label1, label2 = np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0])
    for ratio, expected in [
        (0.3, [0.7, 0.3, 0.0]),
        (0.25, [0.75, 0.25, 0.0]),
        (0.0, [1.0, 0.0, 0.0]),
    ]:
        originals = label1.copy(), label2.copy()
        call = describe_call(name, label1, label2, ratio)
        got = call_quietly(fn, label1, label2, ratio)
        expect_unchanged(call, "label1", originals[0], label1, (name, "label1_modified"))
        expect_unchanged(call, "label2", originals[1], label2)
        if np.shape(got) != (3,) or not np.allclose(got, expected, rtol=1e-9, atol=1e-12):
            key, hint = _label_mixer_diagnosis(name, got, expected)
            fail(call, expected, got, hint, mistake=(name, key) if key else None)


# What a label mixer's wrong result shows -> its key in the bank, per learner function (the
# reversed-ratio bug is cutmix_labels' name for swapped weights).
LABEL_MIXER_KEYS = {
    "mix_labels": {"swapped": "weights_swapped", "not_summing_to_one": "not_a_mixture"},
    "cutmix_labels": {
        "swapped": "reversed_ratio",
        "label1_only": "label1_only",
        "half_and_half": "half_and_half",
        "not_summing_to_one": "weights_not_summing_to_one",
    },
}


def _label_mixer_diagnosis(name: str, got, expected: list[float]) -> tuple[str | None, str | None]:
    """(key of the bank's mistake, or a hint) of a label mixer, from what it returned for
    label1 = [1, 0, 0] and label2 = [0, 1, 0]."""
    if np.shape(got) != (3,):
        return None, "return an array of the labels' shape."
    got = np.asarray(got, dtype=float)
    keys = LABEL_MIXER_KEYS[name]
    if np.allclose(got, [expected[1], expected[0], 0.0]):
        return keys["swapped"], None
    if np.allclose(got, [1.0, 0.0, 0.0]):
        return keys.get(
            "label1_only"
        ), "only label1 is returned: mix in label2 with weight patch_ratio."
    if np.allclose(got, [0.5, 0.5, 0.0]):
        return keys.get("half_and_half"), (
            "the labels are mixed half and half: the weights must follow patch_ratio."
        )
    if not np.isclose(got.sum(), 1.0):
        return keys["not_summing_to_one"], None
    return None, None


@visible_check
def check_mix_labels(mix_labels: Callable) -> None:
    """mix_labels weights label1 by 1 - patch_ratio and label2 by patch_ratio."""
    _check_label_mixer("mix_labels", mix_labels)
    passed("mix_labels mixes the labels by the patch's share.")


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
    for seed in range(100):
        call = describe_call(
            "cutmix", "<image1 (3, 6, 8)>", label1, "<image2>", label2, 1.0, f"rng({seed})"
        )
        got = call_quietly(cutmix, image1, label1, image2, label2, 1.0, np.random.default_rng(seed))
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
        again = call_quietly(
            cutmix, image1, label1, image2, label2, 1.0, np.random.default_rng(seed)
        )
        if not np.array_equal(again[0], image):
            fail(
                call,
                "the same result for the same seed",
                "a different one",
                mistake=("cutmix", "global_random"),
            )
    seen = _draws_observed(
        lambda im1, im2, alpha, rng: call_quietly(cutmix, im1, label1, im2, label2, alpha, rng)[0]
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


def _draws_observed(paste: Callable) -> draws.Observed:
    """What augcourse/draws.py observes of `paste(image1, image2, alpha, rng)`, which
    returns image1 with a patch of image2 pasted, on a 4 x 4 image."""
    image1, image2 = _image_pair((1, *draws.IMAGE))

    def paste_box(alpha: float, seed: int):
        result = np.asarray(paste(image1, image2, alpha, np.random.default_rng(seed)))
        return changed_box(image1, result)[0] if result.shape == image1.shape else None

    return draws.observe(paste_box)


@visible_check
def check_cutmix_batch(cutmix_batch: Callable) -> None:
    """cutmix_batch: one box for the batch, partners from a permutation, labels follow."""
    count, height, width = 4, 5, 7
    # Every pixel of image n holds a value that encodes n, so the partner can be read back.
    images = np.stack([np.full((2, height, width), 10.0 * (n + 1)) for n in range(count)])
    labels = np.eye(count)
    originals = images.copy(), labels.copy()
    for seed in range(60):
        call = describe_call(
            "cutmix_batch",
            "<images (4, 2, 5, 7), image n filled with 10(n+1)>",
            "np.eye(4)",
            1.0,
            f"rng({seed})",
        )
        got = call_quietly(cutmix_batch, images, labels, 1.0, np.random.default_rng(seed))
        if not (isinstance(got, tuple) and len(got) == 2):
            fail(call, "a tuple (images, labels)", type(got).__name__)
        mixed, mixed_labels = got
        mixed = expect_array(call, mixed, images.shape, images.dtype)
        expect_unchanged(call, "images", originals[0], images, ("cutmix_batch", "input_modified"))
        expect_unchanged(call, "labels", originals[1], labels)
        if np.shape(mixed_labels) != labels.shape:
            fail(call, f"labels of shape {labels.shape}", f"shape {np.shape(mixed_labels)}")
        boxes = set()
        for i in range(count):
            box, problem = changed_box(images[i], mixed[i])
            if problem:
                fail(call, f"image {i}: one box pasted in every channel", problem)
            if box is not None:
                boxes.add(box)
        if len(boxes) > 1:
            fail(
                call,
                "one box for the whole batch",
                f"boxes {sorted(boxes)}",
                mistake=("cutmix_batch", "box_per_image"),
            )
        for i in range(count):
            box = next(iter(boxes)) if boxes else None
            share, partner = 0.0, i
            if box is not None:
                top, bottom, left, right = box
                partner = int(round(mixed[i, 0, top, left] / 10.0)) - 1
                share = (bottom - top) * (right - left) / (height * width)
            expected = (1 - share) * labels[i] + share * labels[partner]
            if not np.allclose(mixed_labels[i], expected, atol=1e-9):
                key, hint = _batch_label_diagnosis(
                    np.asarray(mixed_labels[i], float), i, partner, share
                )
                fail(
                    call + f"\n  image {i} got its patch from image {partner}",
                    expected,
                    mixed_labels[i],
                    hint,
                    mistake=("cutmix_batch", key) if key else None,
                )
    _check_batch_draws(cutmix_batch)
    passed(
        "cutmix_batch uses one box, partners from a random permutation, and labels that "
        "follow the images; lam follows Beta(alpha, alpha) and the centre reaches every pixel."
    )


def _batch_label_diagnosis(
    got: np.ndarray, i: int, partner: int, share: float
) -> tuple[str | None, str | None]:
    """(key of the bank's mistake, or a hint) for image i's wrong label, when the labels are
    one-hot (np.eye)."""
    others = [k for k in range(len(got)) if k not in (i, partner)]
    if share > 0 and np.allclose(got, np.eye(len(got))[i]):
        return None, (
            f"image {i}'s label was not mixed, though image {partner} gave it a patch: mix "
            "labels[i] with labels[perm[i]], the label of the image its patch came from."
        )
    if i != partner and np.allclose(got[others], 0) and np.isclose(got[i] + got[partner], 1):
        if np.isclose(got[partner], 1 - share):
            return (
                None,
                "the label weights are swapped: image i keeps 1 - patch_ratio of its label.",
            )
        return "lam_not_readjusted", None
    for other in others:
        if np.allclose(got, (1 - share) * np.eye(len(got))[i] + share * np.eye(len(got))[other]):
            return "labels_not_permuted", None
    return None, "mix labels[i] with labels[perm[i]] by the pasted share."


def _check_batch_draws(cutmix_batch: Callable) -> None:
    """lam and centres as any right CutMix draws them, and partners from a permutation."""
    count = 8
    images = np.stack([np.full((1, *draws.IMAGE), 10.0 * (n + 1)) for n in range(count)])
    labels = np.eye(count)
    partners: set[tuple[int, ...]] = set()

    def paste_box(alpha: float, seed: int):
        got = call_quietly(cutmix_batch, images, labels, alpha, np.random.default_rng(seed))
        mixed = np.asarray(got[0])
        for i in range(count):
            box = changed_box(images[i], mixed[i])[0]
            if box is not None:
                top, _, left, _ = box
                partners.add(tuple(int(round(v / 10.0)) - 1 for v in mixed[:, 0, top, left]))
                return box
        return None  # nothing pasted (or every image was its own partner)

    call = (
        f"cutmix_batch(<{count} images (1, 4, 4), image n filled with 10(n+1)>, np.eye({count}), "
        f"alpha, rng) at alpha 0.2, 4 and 1, seeds 0 to {draws.ALPHA_DRAWS - 1}"
    )
    seen = draws.observe(paste_box)
    found = seen.problem()
    if found:
        key = draws_mistake("cutmix_batch", seen)
        fail(
            call,
            "patch sizes from Beta(alpha, alpha), centres over every pixel",
            *found,
            mistake=("cutmix_batch", key) if key else None,
        )
    not_permutations = [p for p in partners if sorted(p) != list(range(count))]
    if not_permutations:
        fail(
            call,
            "partners that are a permutation of the batch",
            f"partners {list(not_permutations[0])}: some image gives its patch twice",
            "draw perm = rng.permutation(N): every image gives its patch to exactly one other.",
        )
    if len(partners) == 1:
        fail(
            call,
            "partners that change from draw to draw (a random permutation)",
            f"the same partners {list(next(iter(partners)))} every time: partners are not a "
            "random permutation",
            mistake=("cutmix_batch", "partners_rolled"),
        )


# --- The 25% patch -----------------------------------------------------------------


@visible_check
def check_label_mix_ratio(label_mix_ratio) -> None:
    """The share of image 1 that stays when the patch covers 25% of the area."""
    if not isinstance(label_mix_ratio, (int, float, np.number)):
        fail("label_mix_ratio", 0.75, repr(label_mix_ratio), "assign a number.")
    if not np.isclose(float(label_mix_ratio), 0.75):
        hint = None
        if np.isclose(float(label_mix_ratio), 0.25):
            hint = "that is the patch's share; label_mix_ratio is the share kept from image 1."
        fail("label_mix_ratio", 0.75, label_mix_ratio, hint)
    passed("label_mix_ratio is the share kept from image 1.")


@visible_check
def check_mixed_label(mixed_label) -> None:
    """The label of the 25%-patch example."""
    if np.shape(mixed_label) != (3,) or not np.allclose(mixed_label, [0.75, 0.25, 0.0]):
        hint = None
        if np.shape(mixed_label) == (3,) and np.allclose(mixed_label, [0.25, 0.75, 0.0]):
            hint = "the weights are reversed: label1's image keeps 75% of its pixels."
        fail("mixed_label", [0.75, 0.25, 0.0], mixed_label, hint)
    passed("mixed_label is right.")


@visible_check
def check_output_shape(output_shape) -> None:
    """CutMix keeps the image's shape."""
    if tuple(np.atleast_1d(output_shape).tolist()) != (3, 32, 32):
        fail(
            "output_shape",
            (3, 32, 32),
            output_shape,
            "pasting a patch does not change the image's shape.",
        )
    passed("output_shape is right.")


# --- The reversed-ratio bug ---------------------------------------------------------


@visible_check
def check_test_cutmix_labels(test_cutmix_labels: Callable) -> None:
    """Your test passes right cutmix_labels (three styles) and fails (AssertionError) the
    reversed-ratio snippet and two other wrong versions."""
    require_right_functions_pass(test_cutmix_labels)
    for name, wrong in VISIBLE_WRONG_CUTMIX_LABELS.items():
        recorded = RecordedCalls(wrong, name)
        try:
            call_quietly(test_cutmix_labels, recorded)
        except AssertionError:
            continue
        except NotImplementedError:
            raise
        except Exception as error:
            fail(
                f"test_cutmix_labels(<{name}>)",
                "AssertionError (the function is wrong)",
                f"{type(error).__name__}: {first_line(error)}",
                "check the function's result with assert, so a wrong one raises AssertionError.",
            )
        fail(
            f"test_cutmix_labels(<{name}>)",
            "AssertionError (the function is wrong)",
            "no error: your test passed it",
            missed_wrong_hint(recorded),
        )
    passed(
        "your test passes right functions and catches the reversed-ratio bug and two other "
        "wrong versions."
    )


@visible_check
def check_cutmix_labels(cutmix_labels: Callable) -> None:
    """The fixed cutmix_labels: label1 keeps 1 - patch_ratio."""
    _check_label_mixer("cutmix_labels", cutmix_labels)
    passed("cutmix_labels is fixed.")


# --- Multiple choice -------------------------------------------------------------------


@visible_check
def check_choice(answer, choices: str = "ABCD") -> None:
    """A multiple-choice answer is one of the offered letters (its correctness is graded later)."""
    if not (isinstance(answer, str) and answer.strip().upper() in set(choices)):
        fail(
            "your answer",
            f'one of the letters {", ".join(choices)} as a string, e.g. "A"',
            repr(answer),
        )
    recorded(f"answer {answer.strip().upper()!r} recorded; judged when graded.")
