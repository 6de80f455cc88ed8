"""Deterministic learner functions compared with the reference, case by case.

On failure the smallest failing input is shown, with the bank's mistake whose outputs equal
the learner's on the failing cases, if any.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from augcourse.check_tools import as_box, describe
from autograder.checks.common import Raised, failure, input_size, run, run_many
from autograder.checks.pictures import show_if_images
from autograder.exercises import reference
from autograder.exercises.mistakes import Mistake, lookup_or_none, mistakes_for

# How a function that modifies its argument in place is named in the bank, per function.
MODIFIED_KEYS = ("input_modified", "label1_modified")


def grade_deterministic(
    name: str,
    fn: Callable,
    cases: list[tuple],
    same: Callable[[object, object], bool],
    describe_args: Callable[[tuple], str] | None = None,
) -> None:
    """Compare fn with the reference on every case; explain the smallest failure."""
    expected_fn = getattr(reference, name)
    failures = []
    for args, (got, modified) in zip(cases, run_many(fn, cases), strict=True):
        expected, _ = run(expected_fn, args)
        if modified:
            failures.append((args, expected, got, "modified"))
        elif isinstance(got, Raised) or not same(expected, got):
            failures.append((args, expected, got, "wrong"))
    if not failures:
        return
    args, expected, got, kind = min(failures, key=lambda f: input_size(f[0]))
    shown = describe_args(args) if describe_args else ", ".join(describe(a) for a in args)
    call = f"{name}({shown})"
    if kind == "modified":
        mistake = next(filter(None, (lookup_or_none(name, key) for key in MODIFIED_KEYS)), None)
        raise failure(
            call,
            ["  expected: the arguments left unchanged", "  got:      an argument was modified"],
            mistake and mistake.ref,
            "work on a copy and return it.",
        )
    failing = [f[0] for f in failures]
    mistake = matching_mistake(name, fn, failing, same)
    show_if_images(args, expected, got)
    raise failure(
        call,
        [
            f"  expected: {describe(expected)}",
            f"  got:      {describe(got) if not isinstance(got, Raised) else got}",
            f"  ({len(failures)} of {len(cases)} hidden cases fail)",
        ],
        mistake and mistake.ref,
    )


def matching_mistake(name: str, fn: Callable, failing: list[tuple], same) -> Mistake | None:
    """The bank's mistake whose outputs equal the learner's on the failing cases."""
    learner = [run(fn, args)[0] for args in failing]
    best = None
    for mistake in mistakes_for(name):
        outputs = [run(mistake.implementation, args)[0] for args in failing]
        agree = [
            not isinstance(o, Raised) and not isinstance(g, Raised) and same(o, g)
            for o, g in zip(outputs, learner, strict=True)
        ]
        if all(agree):
            return mistake
        if best is None and agree[0]:
            best = mistake
    return best


# --- what counts as the same result ------------------------------------------------------


def same_box(expected, got) -> bool:
    return as_box(got) == expected


def same_array(expected: np.ndarray, got) -> bool:
    return (
        isinstance(got, np.ndarray)
        and got.shape == expected.shape
        and got.dtype == expected.dtype
        and np.array_equal(got, expected)
    )


def same_label(expected: np.ndarray, got) -> bool:
    try:
        got = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return got.shape == expected.shape and np.allclose(got, expected, rtol=1e-5, atol=1e-6)


def same_number(expected: float, got) -> bool:
    if isinstance(got, np.ndarray) and got.shape != ():
        return False
    try:
        return math.isclose(float(got), expected, rel_tol=1e-9, abs_tol=1e-12)
    except (TypeError, ValueError):
        return False


def describe_image_args(args: tuple) -> str:
    return ", ".join(
        f"<{a.dtype} image {a.shape}>" if isinstance(a, np.ndarray) and a.ndim >= 3 else describe(a)
        for a in args
    )
