"""Visible checks that learners run after each exercise.

Each check uses small fixed inputs and, on failure, raises `CheckFailed` (an
AssertionError) whose message says what was called, what was expected, what
came back and, where the answer matches a common slip, the likely mistake.

Learner functions are called through `call_quietly`, so a warning that a correct
answer happens to emit is reported as a note and never turns a passing check into
a failing one (nbgrader scores a test cell 0 when anything reaches stderr).
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import sys
import textwrap
import warnings
from collections.abc import Callable

import numpy as np

from augcourse import draws

Box = tuple[int, int, int, int]


class CheckFailed(AssertionError):
    """A check found a wrong answer; the message explains what and why.

    mistake: "function:key" of the bank's mistake the check recognised (autograder's hidden
    checks name it; the table of results reads it), or None.
    """

    def __init__(self, message: str = "", mistake: str | None = None):
        super().__init__(message)
        self.mistake = mistake


MESSAGE_WIDTH = 80  # nbgrader's Validate cuts lines at 87 characters, after a 4-space indent


def message_lines(failure: BaseException) -> list[str]:
    """A check's failure as the learner reads it: the message first, each line at most
    MESSAGE_WIDTH characters (continuations aligned under the text), no traceback."""
    lines = []
    for number, line in enumerate(f"{type(failure).__name__}: {failure}".splitlines()):
        label = re.match(r"^(\s*[a-z][a-z ]*:\s+)", line) if number else None
        indent = " " * len(label.group(1)) if label else "    "
        lines += textwrap.wrap(
            line,
            MESSAGE_WIDTH,
            subsequent_indent=indent,
            break_long_words=True,
            break_on_hyphens=False,
            drop_whitespace=True,
        ) or [""]
    return lines


def _show_failures_as_messages() -> None:
    """In IPython, show a CheckFailed as its message only: the frames would be the course's
    check code, which says nothing to the learner (an error raised by the learner's own
    code keeps its traceback, without the checks' frames: see __tracebackhide__)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None or getattr(shell, "_course_failures_as_messages", False):
        return

    def show(shell, etype, value, tb, tb_offset=None):
        lines = message_lines(value)
        shell._showtraceback(etype, value, lines)
        return lines

    shell.set_custom_exc((CheckFailed,), show)
    shell._course_failures_as_messages = True


# While nbgrader autogrades, a failing visible check waits for the hidden checks that follow
# it in the same cell: they name the mistake more precisely, and raise this failure if
# they themselves pass. Everywhere else (a learner running the cell, Validate) it raises.
_deferred: list[CheckFailed] = []


def visible_check(check: Callable) -> Callable:
    """Mark a visible check: raise at once, or defer to the hidden checks while autograding."""

    @functools.wraps(check)
    def run(*args, **kwargs):
        __tracebackhide__ = True  # noqa: F841  (IPython hides this frame in tracebacks)
        _deferred.clear()
        try:
            return check(*args, **kwargs)
        except CheckFailed as failure:
            if os.environ.get("NBGRADER_EXECUTION") != "autograde":
                _show_failures_as_messages()
                raise
            _deferred.append(failure)
            return None
        except Exception as error:  # raised by the learner's code: show where, in their cell
            raise error.with_traceback(_without_course_frames(error.__traceback__)) from None

    return run


_PACKAGE = os.path.dirname(os.path.abspath(__file__))


def _without_course_frames(tb):
    """The traceback from the first frame that is not the course's own check code."""
    while tb is not None and os.path.abspath(tb.tb_frame.f_code.co_filename).startswith(_PACKAGE):
        tb = tb.tb_next
    return tb


def take_deferred() -> CheckFailed | None:
    """The visible check's failure that waits for the hidden checks, if any (and forget it)."""
    failure = _deferred[0] if _deferred else None
    _deferred.clear()
    return failure


# --- calling learner code -----------------------------------------------------


def call_quietly(fn: Callable, *args):
    """Call fn(*args); warnings and stderr become notes on stdout instead of errors."""
    __tracebackhide__ = True  # noqa: F841  (an error in fn points into the learner's cell)
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stderr(sys.stdout):
        warnings.simplefilter("always")
        result = fn(*args)
    for warning in caught[:3]:
        print(f"Note: {_name(fn)} warned: {warning.category.__name__}: {warning.message}")
    return result


def _name(fn: Callable) -> str:
    return getattr(fn, "__name__", "your function")


def describe_call(fn_name: str, *args) -> str:
    """`name(arg, ...)` with arrays shown by shape and dtype."""
    return f"{fn_name}({', '.join(describe(a) for a in args)})"


def describe(value) -> str:
    """Short readable form of a value: small arrays in full, large ones by shape and dtype."""
    if isinstance(value, np.ndarray):
        if value.size <= 12:
            return f"np.array({np.array2string(value, separator=', ')}, dtype={value.dtype})"
        return f"<array shape={value.shape} dtype={value.dtype}>"
    if isinstance(value, np.random.Generator):
        return "rng"
    return repr(value)


def fail(call: str, expected, got, mistake: str | None = None) -> None:
    """Raise CheckFailed with the standard expected / got / likely-mistake message."""
    lines = [call, f"  expected: {expected}", f"  got:      {got}"]
    if mistake:
        lines.append(f"  likely mistake: {mistake}")
    raise CheckFailed("\n".join(lines))


def passed(what: str) -> None:
    print(f"✓ {what}")


RECORDED_MARK = "•"  # an answer the visible check cannot judge: never a ✓


def recorded(what: str) -> None:
    print(f"{RECORDED_MARK} {what}")


# --- shared inspections of results (used by visible and hidden checks) --------------


def as_box(value) -> Box | None:
    """The value as a (top, bottom, left, right) tuple of ints, or None if it is not one."""
    try:
        items = list(value)
    except TypeError:
        return None
    if len(items) != 4:
        return None
    try:
        if any(float(v) != int(v) for v in items):
            return None
        return tuple(int(v) for v in items)
    except (TypeError, ValueError, OverflowError):
        return None


def changed_box(before: np.ndarray, after: np.ndarray) -> tuple[Box | None, str | None]:
    """The rectangle where `after` differs from `before`, for (C, H, W) or (N, C, H, W).

    Returns (box, problem): box is None when nothing changed; problem describes why
    the changes are not one rectangle covering every channel, or is None.
    """
    differs = np.asarray(before) != np.asarray(after)
    per_pixel = differs.reshape(-1, *differs.shape[-2:])
    if not per_pixel.any():
        return None, None
    if not (per_pixel == per_pixel[0]).all():
        return None, "the changed pixels are not the same in every channel"
    mask = per_pixel[0]
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    box = (int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1)
    if not mask[box[0] : box[1], box[2] : box[3]].all():
        return box, "the changed pixels do not form one filled rectangle"
    return box, None


def expect_array(call: str, result, shape: tuple, dtype) -> np.ndarray:
    """Fail unless result is an ndarray of the given shape and dtype; return it."""
    if not isinstance(result, np.ndarray):
        fail(call, f"a numpy array of shape {shape}", f"{type(result).__name__}", None)
    if result.shape != shape:
        fail(call, f"shape {shape}", f"shape {result.shape}")
    if dtype is not None and result.dtype != dtype:
        fail(
            call,
            f"dtype {np.dtype(dtype)}",
            f"dtype {result.dtype}",
            "return an array of the input's dtype (work on image.copy()).",
        )
    return result


def expect_unchanged(call: str, name: str, original: np.ndarray, after: np.ndarray) -> None:
    """Fail if an argument was modified in place."""
    if not np.array_equal(original, after):
        fail(
            call,
            f"{name} left unchanged",
            f"{name} was modified",
            f"work on a copy (e.g. result = {name}.copy()) and return it.",
        )


# --- Cutout -------------------------------------------------------------------


NOT_CLIPPED = "the box is not clipped: clip each side to [0, height] or [0, width]."
SHIFTED = "the box is shifted inside the image; Cutout clips it instead."
HW_SWAPPED = "height and width are swapped: rows are clipped to height, columns to width."
ODD_SHORT = "for odd sizes use bottom = top + box_h (the paper's code is one pixel short)."
CORNER = "(cy, cx) is the centre of the box, not its top-left corner."
CY_CX_SWAPPED = "cy is the row and cx the column."


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
    for args, expected, hints in cases:
        call = describe_call("centered_box", *args)
        got = call_quietly(centered_box, *args)
        box = as_box(got)
        if box != expected:
            fail(call, expected, got, hints.get(box) or None)
    passed("centered_box gives the right clipped boxes.")


@visible_check
def check_apply_cutout(apply_cutout: Callable) -> None:
    """apply_cutout zeroes exactly the box, in every channel, on a copy of the right dtype."""
    for dtype in (np.float32, np.uint8):
        image = np.arange(1, 1 + 2 * 4 * 5).reshape(2, 4, 5).astype(dtype)
        original = image.copy()
        box = (1, 3, 2, 4)
        call = describe_call("apply_cutout", f"<(2, 4, 5) {np.dtype(dtype)} image of 1..40>", box)
        result = expect_array(call, call_quietly(apply_cutout, image, box), (2, 4, 5), dtype)
        expect_unchanged(call, "image", original, image)
        zero_positions = {(1, 2), (1, 3), (2, 2), (2, 3)}
        for channel in range(2):
            zeros = {
                (int(r), int(c)) for r, c in zip(*np.nonzero(result[channel] == 0), strict=True)
            }
            if zeros != zero_positions:
                hint = None
                if channel > 0 and not zeros:
                    hint = (
                        "only the first channel was masked: use image[:, top:bottom, left:right]."
                    )
                elif len(zeros) == 20 - 4:
                    hint = "the mask is inverted: zero the box and keep everything outside it."
                elif zeros == {(2, 1), (3, 1), (2, 2), (3, 2)}:
                    hint = "rows and columns are swapped: rows are top:bottom, columns left:right."
                elif len(zeros) > 4:
                    hint = "the box is half-open: row `bottom` and column `right` are not in it."
                fail(
                    call,
                    f"zeros in channel {channel} at (row, col) {sorted(zero_positions)}",
                    f"zeros at {sorted(zeros)}",
                    hint,
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
        expect_unchanged(call, "image", original, image)
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
                "draw every random number from rng, not from np.random.",
            )
    missing = {"top", "bottom", "left", "right"} - borders
    if missing:
        if len(boxes) == 1:
            hint = "the square is always in the same place: draw its centre at random."
        elif missing in ({"right"}, {"bottom"}):
            hint = (
                "height and width are swapped: cy ranges over the rows (H = image.shape[1]), "
                "cx over the columns (W = image.shape[2])."
            )
        else:
            hint = "draw the centre over every pixel (cy in [0, H), cx in [0, W)) and let the box be clipped."
        fail(
            "cutout over 300 seeds on a 6 x 8 image, size 4",
            "squares clipped at every border",
            f"never clipped at the {', '.join(sorted(missing))}",
            hint,
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
        fail(
            "cutout(<(1, 3, 4) image of 1s>, 1, rng) over seeds 0 to 399",
            "every pixel masked sometimes (with size 1 the square is its centre)",
            f"never masked at (row, col) {never}: the centre never reaches them",
            "draw cy = rng.integers(H) and cx = rng.integers(W): every row and column, "
            "the last ones included, can be the centre.",
        )
    passed(
        "cutout masks one clipped square, reaches every border, every pixel can be its "
        "centre, and it is reproducible."
    )


# --- CutMix ---------------------------------------------------------------------


@visible_check
def check_cutmix_box(cutmix_box: Callable) -> None:
    """cutmix_box on fixed cases: the 25% patch, non-square, a corner."""
    cases = [
        (
            (32, 32, 0.75, 16, 16),
            (8, 24, 8, 24),
            {
                (
                    3,
                    30,
                    3,
                    30,
                ): "the side uses sqrt(lam); the patch covers 1 - lam, so use sqrt(1 - lam).",
                (12, 20, 12, 20): "each side must be scaled by sqrt(1 - lam), not by 1 - lam.",
            },
        ),
        (
            (20, 40, 0.75, 10, 20),
            (5, 15, 10, 30),
            {(0, 20, 15, 25): "height and width are swapped: cut_h comes from the height."},
        ),
        ((32, 32, 0.75, 0, 31), (0, 8, 23, 32), {(-8, 8, 23, 39): "the box is not clipped."}),
        (
            (10, 10, 0.05, 5, 5),
            (1, 10, 1, 10),
            {
                (0, 10, 0, 10): "the side is int(H * sqrt(1 - lam)): int() truncates 9.75 to 9, "
                "round() gives 10."
            },
        ),
        ((10, 10, 0.0, 5, 5), (0, 10, 0, 10), {}),
        ((10, 10, 1.0, 5, 5), (5, 5, 5, 5), {}),
    ]
    for args, expected, hints in cases:
        call = describe_call("cutmix_box", *args)
        got = call_quietly(cutmix_box, *args)
        box = as_box(got)
        if box != expected:
            fail(call, expected, got, hints.get(box) or None)
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
    expect_unchanged(call, "target", originals[0], target)
    expect_unchanged(call, "source", originals[1], source)
    expected = target.copy()
    expected[:, 1:3, 0:2] = source[:, 1:3, 0:2]
    if not np.array_equal(result, expected):
        hint = None
        if np.array_equal(result[1], target[1]):
            hint = "only the first channel was pasted."
        elif (result[:, 1:3, 0:2] == source[:, 0:2, 0:2]).all():
            hint = "the patch must come from the same box in source, not from its corner."
        elif (result < 0).sum() > 8:
            hint = "target and source are swapped: the result looks like target with source inside the box."
        fail(call, f"channel 0:\n{expected[0]}", f"channel 0:\n{result[0]}", hint)
    passed("paste_patch copies the box from source into a copy of target.")


@visible_check
def check_patch_ratio(patch_ratio: Callable) -> None:
    """patch_ratio is the box's share of the image's area."""
    cases = [
        (((8, 24, 8, 24), 32, 32), 0.25),
        (((0, 8, 0, 8), 32, 32), 0.0625),
        (((0, 5, 0, 10), 10, 20), 0.25),
    ]
    hints = {
        0.75: "that is the share kept; the ratio is the box's area over the image's area.",
        0.9375: "that is the share kept; the ratio is the box's area over the image's area.",
        0.0: "integer division (//) rounds down to 0: use /.",
        0.5: "divide by height * width, and multiply both sides of the box.",
    }
    for args, expected in cases:
        call = describe_call("patch_ratio", *args)
        got = call_quietly(patch_ratio, *args)
        try:
            value = float(got)
        except (TypeError, ValueError):
            fail(call, expected, got, "return a number (a float).")
        if not np.isclose(value, expected, rtol=1e-9, atol=0):
            fail(call, expected, got, hints.get(round(value, 6)))
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
        expect_unchanged(call, "label1", originals[0], label1)
        expect_unchanged(call, "label2", originals[1], label2)
        if np.shape(got) != (3,) or not np.allclose(got, expected, rtol=1e-9, atol=1e-12):
            fail(call, expected, got, _label_mixer_hint(got, expected, ratio))


def _label_mixer_hint(got, expected: list[float], ratio: float) -> str | None:
    """The likely mistake of a label mixer, from what it returned for label1 = [1, 0, 0] and
    label2 = [0, 1, 0]."""
    if np.shape(got) != (3,):
        return "return an array of the labels' shape."
    got = np.asarray(got, dtype=float)
    if np.allclose(got, [expected[1], expected[0], 0.0]):
        return "the label weights are swapped: label1 should get 1 - patch_ratio."
    if np.allclose(got, [1.0, 0.0, 0.0]):
        return "only label1 is returned: mix in label2 with weight patch_ratio."
    if np.allclose(got, [0.5, 0.5, 0.0]):
        return "the labels are mixed half and half: the weights must follow patch_ratio."
    if not np.isclose(got.sum(), 1.0):
        return (
            f"the weights add up to {got.sum():g}, not 1: use "
            "(1 - patch_ratio) * label1 + patch_ratio * label2."
        )
    return None


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
            expect_unchanged(call, name, before, after)
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
            hint = "the label weight must be the share of pixels actually pasted (from the clipped box), not lam."
            if np.shape(label) == (3,) and np.allclose(
                label, share * label1 + (1 - share) * label2, atol=1e-9
            ):
                hint = "the label weights are swapped: label1 should get 1 - patch_ratio."
            fail(
                call + f"\n  pasted box {box} covers {share:.4f} of the image",
                expected,
                label,
                hint,
            )
        again = call_quietly(
            cutmix, image1, label1, image2, label2, 1.0, np.random.default_rng(seed)
        )
        if not np.array_equal(again[0], image):
            fail(
                call, "the same result for the same seed", "a different one", "draw only from rng."
            )
    found = _draws_problem(
        lambda im1, im2, alpha, rng: call_quietly(cutmix, im1, label1, im2, label2, alpha, rng)[0]
    )
    if found:
        fail(
            f"cutmix on a 4 x 4 image at alpha 0.2, 4 and 1, seeds 0 to {draws.ALPHA_DRAWS - 1}",
            "patch sizes drawn from Beta(alpha, alpha) and centres over every pixel",
            found[0],
            found[1],
        )
    passed(
        "cutmix pastes one box and mixes the labels by the pasted share; lam follows "
        "Beta(alpha, alpha) and the centre reaches every pixel."
    )


def _draws_problem(paste: Callable) -> tuple[str, str] | None:
    """The properties of augcourse/draws.py for `paste(image1, image2, alpha, rng)`, which
    returns image1 with a patch of image2 pasted, on a 4 x 4 image."""
    image1, image2 = _image_pair((1, *draws.IMAGE))

    def paste_box(alpha: float, seed: int):
        result = np.asarray(paste(image1, image2, alpha, np.random.default_rng(seed)))
        return changed_box(image1, result)[0] if result.shape == image1.shape else None

    return draws.observe(paste_box).problem()


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
        expect_unchanged(call, "images", originals[0], images)
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
                "draw one lam and one box per batch, as the paper does.",
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
                hint = _batch_label_hint(np.asarray(mixed_labels[i], float), i, partner, share)
                fail(
                    call + f"\n  image {i} got its patch from image {partner}",
                    expected,
                    mixed_labels[i],
                    hint,
                )
    _check_batch_draws(cutmix_batch)
    passed(
        "cutmix_batch uses one box, partners from a random permutation, and labels that "
        "follow the images; lam follows Beta(alpha, alpha) and the centre reaches every pixel."
    )


def _batch_label_hint(got: np.ndarray, i: int, partner: int, share: float) -> str:
    """The likely mistake in image i's label, when the labels are one-hot (np.eye)."""
    others = [k for k in range(len(got)) if k not in (i, partner)]
    if share > 0 and np.allclose(got, np.eye(len(got))[i]):
        return (
            f"image {i}'s label was not mixed, though image {partner} gave it a patch: mix "
            "labels[i] with labels[perm[i]], the label of the image its patch came from."
        )
    if i != partner and np.allclose(got[others], 0) and np.isclose(got[i] + got[partner], 1):
        if np.isclose(got[partner], 1 - share):
            return "the label weights are swapped: image i keeps 1 - patch_ratio of its label."
        return (
            "the label is mixed with the right partner but by the wrong weight: use the share "
            "of pixels actually pasted, patch_ratio(box, H, W) of the clipped box, not 1 - lam."
        )
    for other in others:
        if np.allclose(got, (1 - share) * np.eye(len(got))[i] + share * np.eye(len(got))[other]):
            return (
                f"the label is mixed with image {other}'s label, but the patch came from image "
                f"{partner}: mix labels[i] with labels[perm[i]]."
            )
    return "mix labels[i] with labels[perm[i]] by the pasted share."


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
    found = draws.observe(paste_box).problem()
    if found:
        fail(call, "patch sizes from Beta(alpha, alpha), centres over every pixel", *found)
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
            "draw perm = rng.permutation(N), not a fixed shift such as np.roll.",
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


class LentFunction:
    """A right cutmix_labels that a check lends to the learner's test; it stops working when
    the check returns (`revoke`), so it cannot stand in for the learner's own answer."""

    def __init__(self, function: Callable, style: str):
        self._function = function
        self.style = style

    def __call__(self, label1, label2, patch_ratio):
        if self._function is None:
            raise RuntimeError(
                "this right cutmix_labels was lent to your test by a check and no longer works"
            )
        return self._function(label1, label2, patch_ratio)

    def revoke(self) -> None:
        self._function = None


@contextlib.contextmanager
def lent_right_cutmix_labels():
    """Right cutmix_labels in three styles, for judging a learner's test (visible and hidden
    checks lend the same ones). They keep the labels' dtype and differ from each other only by
    float64 rounding, so a test that compares with np.allclose or
    numpy.testing.assert_allclose at its defaults passes them all."""

    def weighted(label1, label2, patch_ratio):
        return (1 - patch_ratio) * np.asarray(label1) + patch_ratio * np.asarray(label2)

    def interpolated(label1, label2, patch_ratio):
        label1 = np.asarray(label1)
        return label1 + patch_ratio * (np.asarray(label2) - label1)

    def looped(label1, label2, patch_ratio):
        label1, label2 = np.asarray(label1), np.asarray(label2)
        dtype = np.result_type(label1.dtype, label2.dtype, np.float16)
        return np.array(
            [(1 - patch_ratio) * a + patch_ratio * b for a, b in zip(label1, label2, strict=True)],
            dtype=dtype,
        )

    lent = [LentFunction(f, f.__name__) for f in (weighted, interpolated, looped)]
    try:
        yield lent
    finally:
        for function in lent:
            function.revoke()


class RecordedCalls:
    """A function that remembers the patch_ratio of every call (to say how a test missed it)."""

    def __init__(self, function: Callable, name: str):
        self.function, self.name, self.ratios = function, name, []

    def __call__(self, label1, label2, patch_ratio):
        self.ratios.append(patch_ratio)
        return self.function(label1, label2, patch_ratio)


def buggy_cutmix_labels(label1, label2, patch_ratio):
    """The course's snippet, exactly as shown: it weights label1 by patch_ratio."""
    mixed_label = label1 * patch_ratio + label2 * (1 - patch_ratio)
    return mixed_label


# Wrong versions the visible check hands to the learner's test besides the snippet.
VISIBLE_WRONG_CUTMIX_LABELS = {
    "the reversed-ratio snippet": buggy_cutmix_labels,
    "a cutmix_labels that always mixes half and half": (
        lambda label1, label2, patch_ratio: 0.5 * np.asarray(label1) + 0.5 * np.asarray(label2)
    ),
    "a cutmix_labels that returns label1 unchanged": (
        lambda label1, label2, patch_ratio: np.array(label1, dtype=float)
    ),
}


def require_right_functions_pass(test_cutmix_labels: Callable) -> None:
    """Fail (CheckFailed) unless the learner's test passes every lent right cutmix_labels."""
    with lent_right_cutmix_labels() as right_functions:
        for right in right_functions:
            try:
                call_quietly(test_cutmix_labels, right)
            except NotImplementedError:
                raise  # the exercise is not done yet
            except Exception as error:
                fail(
                    f"test_cutmix_labels(<a right cutmix_labels, {right.style} style>)",
                    "your test passes (the function is right)",
                    f"{type(error).__name__}: {_first_line(error)}",
                    "your test also fails a right function: compare the result with the "
                    "expected label using np.allclose (or numpy.testing.assert_allclose), "
                    "not == on floats, and call it with numpy arrays.",
                )


def missed_wrong_hint(recorded: RecordedCalls) -> str:
    """Why a learner's test passed a wrong function, from the calls it made."""
    if not recorded.ratios:
        return "your test never called the function it was given: call fn(label1, label2, r)."
    if all(np.isclose(float(r), 0.5) for r in recorded.ratios):
        return (
            "your test only used patch_ratio 0.5, where both weights are equal and the bug "
            "hides: use a patch_ratio other than 0.5, e.g. 0.3."
        )
    ratios = ", ".join(f"{float(r):g}" for r in recorded.ratios[:4])
    return (
        f"your test called it with patch_ratio {ratios} but did not check the label's values: "
        "assert that it equals (1 - patch_ratio) * label1 + patch_ratio * label2 "
        "(np.allclose), not only its shape or sum."
    )


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0][:120] if text else "(no message)"


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
                f"{type(error).__name__}: {_first_line(error)}",
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
