"""What every check needs: calling learner code quietly, describing values, reporting success,
and inspecting results (used by the visible checks and by autograder's hidden checks).

Learner functions are called through `call_quietly`, so a warning that a correct answer
happens to emit is reported as a note and never turns a passing check into a failing one
(nbgrader scores a test cell 0 when anything reaches stderr).
"""

from __future__ import annotations

import contextlib
import functools
import sys
import warnings
from collections.abc import Callable, Iterator

import numpy as np

from augcourse import draws
from augcourse.failures import Ref, fail

Box = tuple[int, int, int, int]


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


def calls_in_order(fn: Callable, calls: list[tuple]) -> Iterator:
    """What `call_quietly(fn, *args)` gives for each args in turn, as they are needed: the same
    calls in the same order as a loop. A learner's function that the grader reaches in the
    learner's kernel gets them all in one request (autograder/plugins/decide.py), not one
    request each; here, in a notebook, each call is made when the loop reaches it."""
    stream = getattr(fn, "stream_calls", None)
    if stream is not None:
        return stream(calls)
    return (call_quietly(fn, *args) for args in calls)


def observe_draws(fn: Callable, args_for: Callable, box_of: Callable) -> draws.Observed:
    """augcourse/draws.py's properties of a CutMix `fn`, over its draws in order (seeds from 0):
    args_for(alpha, rng) gives a call's arguments, box_of(result) the box it pasted or None."""
    keys = draws.draw_keys()
    calls = [args_for(alpha, np.random.default_rng(seed)) for alpha, seed in keys]
    return draws.observed_boxes(keys, [box_of(got) for got in calls_in_order(fn, calls)])


def _name(fn: Callable) -> str:
    return getattr(fn, "__name__", "your function")


def describe_call(fn_name: str, *args) -> str:
    """`name(arg, ...)` with arrays shown by shape and dtype."""
    return f"{fn_name}({', '.join(describe(a) for a in args)})"


def describe(value) -> str:
    """Short readable form of a value: small arrays in full, large ones by shape and dtype."""
    if isinstance(value, np.ndarray):
        if value.size <= 12 and value.dtype.kind in "biuf":
            # Checks describe the same few small arrays at every seed: format each once.
            return _small_array(value.dtype.str, value.shape, value.tobytes())
        if value.size <= 12:
            return _array_text(value)
        return f"<array shape={value.shape} dtype={value.dtype}>"
    if isinstance(value, np.random.Generator):
        return "rng"
    return repr(value)


@functools.lru_cache(maxsize=256)
def _small_array(dtype: str, shape: tuple, data: bytes) -> str:
    return _array_text(np.frombuffer(data, dtype=dtype).reshape(shape))


def _array_text(value: np.ndarray) -> str:
    return f"np.array({np.array2string(value, separator=', ')}, dtype={value.dtype})"


# --- reporting success ----------------------------------------------------------


def passed(what: str) -> None:
    print(f"✓ {what}")


RECORDED_MARK = "•"  # an answer the visible check cannot judge: never a ✓


def recorded(what: str) -> None:
    print(f"{RECORDED_MARK} {what}")


# --- inspecting results -------------------------------------------------------


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


def check_box_cases(name: str, fn: Callable, cases) -> None:
    """Call `fn` (learner function `name`, which returns a box) on each case
    (args, expected box, {wrong box: mistake key}); fail at the first wrong box, naming the
    mistake that box shows."""
    __tracebackhide__ = True  # noqa: F841  (an error in fn points into the learner's cell)
    for args, expected, keys in cases:
        got = call_quietly(fn, *args)
        box = as_box(got)
        if box != expected:
            key = keys.get(box)
            fail(describe_call(name, *args), expected, got, mistake=(name, key) if key else None)


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


def expect_array(
    call: str, result, shape: tuple, dtype, dtype_mistake: Ref | None = None
) -> np.ndarray:
    """Fail unless result is an ndarray of the given shape and dtype; return it.

    dtype_mistake: the known mistake a wrong dtype shows, where the bank has one."""
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
            mistake=dtype_mistake,
        )
    return result


def expect_unchanged(
    call: str, name: str, original: np.ndarray, after: np.ndarray, mistake: Ref | None = None
) -> None:
    """Fail if an argument was modified in place.

    mistake: the known mistake that modifying this argument is, where the bank has one."""
    if not np.array_equal(original, after):
        fail(
            call,
            f"{name} left unchanged",
            f"{name} was modified",
            f"work on a copy (e.g. result = {name}.copy()) and return it.",
            mistake=mistake,
        )
