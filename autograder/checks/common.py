"""What every hidden check needs: the grading rng, calling learner code, reporting the verdict.

Learner functions may live in the learner's kernel (autograder/plugins/decide.py hands them
over as proxies): `run_many` sends many calls in one round trip there.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Iterable

import numpy as np

from augcourse.check_tools import call_quietly
from augcourse.check_tools import passed as _passed
from augcourse.failures import CheckFailed, Ref, check_failed, take_deferred
from augcourse.probe import Raised as RaisedInKernel
from augcourse.probe import rebuild


def grading_rng() -> np.random.Generator:
    """Randomness for inputs drawn at grading time.

    Fresh each run unless COURSE_GRADING_SEED is set (for reproducible regrades).
    """
    seed = os.environ.get("COURSE_GRADING_SEED")
    return np.random.default_rng(None if seed is None else int(seed))


def passed(message: str) -> None:
    """The hidden checks passed: report a visible check's failure that waited for them, if any
    (it keeps its mistake's key)."""
    deferred = take_deferred()
    if deferred is not None:
        raise deferred
    _passed(message)


def failure(
    title: str, lines: Iterable[str], mistake: Ref | None = None, hint: str = ""
) -> CheckFailed:
    """A hidden check's failure: `title`, its lines, then the mistake (function, key) in the
    words of augcourse/hints.py, or else `hint: ...`."""
    return check_failed(title, lines, mistake=mistake, hint_text=hint)


# --- running learner code ----------------------------------------------------------


class Raised:
    """What a call produced when it raised instead of returning."""

    def __init__(self, error: BaseException):
        self.error = error

    def __repr__(self) -> str:
        return f"{type(self.error).__name__}: {self.error}"


def run(fn: Callable, args: tuple):
    """Call fn on deep copies of args; return (result or Raised, whether args were modified)."""
    copies = copy.deepcopy(args)
    try:
        result = call_quietly(fn, *copies)
    except Exception as error:  # learner code may raise anything; report it as the answer
        result = Raised(error)
    modified = any(
        isinstance(a, np.ndarray) and not np.array_equal(a, c)
        for a, c in zip(args, copies, strict=True)
    )
    return result, modified


def run_many(fn: Callable, calls: list[tuple]) -> list[tuple[object, bool]]:
    """run for many argument tuples; one round trip when fn lives in a learner's kernel."""
    if not hasattr(fn, "map_calls"):
        return [run(fn, args) for args in calls]
    outcomes = []
    for args, (result, after) in zip(calls, fn.map_calls(calls), strict=True):
        if isinstance(result, RaisedInKernel):
            result = Raised(rebuild(result))
        modified = any(
            isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and not np.array_equal(a, b)
            for a, b in zip(args, after, strict=False)
        )
        outcomes.append((result, modified))
    return outcomes


def input_size(args: tuple) -> int:
    """How big an input is, to show the smallest failing one: pixels, or height x width."""
    arrays = sum(int(np.size(a)) for a in args if isinstance(a, np.ndarray))
    ints = [a for a in args if isinstance(a, int) and not isinstance(a, bool)]
    return arrays + (ints[0] * ints[1] if len(ints) >= 2 else 0)
