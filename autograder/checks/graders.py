"""A check of one learner function becomes its public `grade_<function>`.

The grader reports success (or a visible check's failure that waited for it), and when the
function fails while calling one of the learner's other functions that is itself wrong, says
so: fixing that one first is the learner's best next step.
"""

from __future__ import annotations

import contextlib
import functools
import io
from collections.abc import Callable

from augcourse.failures import CheckFailed, take_deferred
from autograder.checks.common import passed
from autograder.exercises.registry import EXERCISES

# Learner functions that call others: a wrong helper makes the caller fail too.
DEPENDS_ON = {e.name: list(e.uses) for e in EXERCISES if e.uses}
_CHECKS: dict[str, Callable] = {}


def grader(name: str) -> Callable:
    """Turn a check of learner function `name` into its public grader."""

    def decorate(check: Callable) -> Callable:
        _CHECKS[name] = check

        @functools.wraps(check)
        def grade(fn: Callable) -> None:
            try:
                check(fn)
            except CheckFailed as failure:
                take_deferred()  # this failure says more than the visible one that waited
                wrong = [h for h in DEPENDS_ON.get(name, []) if not _is_correct(h, fn)]
                if wrong:
                    note = ", ".join(f"{h}" for h in wrong)
                    raise CheckFailed(
                        f"{failure}\n  note: {name} calls your {note}, which fails its own check; "
                        "fix that first.",
                        failure.mistake,
                    ) from None
                raise
            passed(f"{name} passes the hidden checks.")

        return grade

    return decorate


def _is_correct(helper: str, fn: Callable) -> bool:
    """Whether the learner's own `helper`, as seen from fn's notebook, passes its check."""
    candidate = getattr(fn, "__globals__", {}).get(helper)
    if not callable(candidate) or candidate is fn:
        return True
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            _CHECKS[helper](candidate)
    except AssertionError:
        return False
    return True
