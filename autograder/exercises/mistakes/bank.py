"""The bank's record of a mistake and the lookups by (function, key).

A mistake is declared with its key alone: the sentence the learner reads is looked up in
augcourse/hints.py, which the visible checks read too, so both sides say the same thing.
"""

from __future__ import annotations

import inspect
import textwrap
from collections.abc import Callable
from dataclasses import dataclass

from augcourse.hints import hint


@dataclass(frozen=True)
class Mistake:
    """One known wrong way to write a learner function."""

    function: str  # the learner function it imitates
    key: str  # short stable id, used in reports
    implementation: Callable

    @property
    def ref(self) -> tuple[str, str]:
        """(function, key): how checks name this mistake."""
        return self.function, self.key

    @property
    def explanation(self) -> str:
        """What went wrong, said to the learner (augcourse/hints.py)."""
        return hint(self.function, self.key)

    def notebook_source(self) -> str:
        """Source of the wrong implementation, renamed to the learner function's name."""
        source = textwrap.dedent(inspect.getsource(self.implementation))
        # Drop the decorator: the function starts at `def`.
        source = source[source.index(f"def {self.implementation.__name__}(") :]
        return source.replace(self.implementation.__name__, self.function, 1)


MISTAKES: list[Mistake] = []


def mistake(function: str, key: str):
    """Register a wrong implementation of `function` in the bank as mistake `key`.

    The key must have its hint in augcourse/hints.py (KeyError at import otherwise)."""
    hint(function, key)

    def register(implementation: Callable) -> Callable:
        MISTAKES.append(Mistake(function, key, implementation))
        return implementation

    return register


def mistakes_for(function: str) -> list[Mistake]:
    """Every registered mistake for the named learner function."""
    return [m for m in MISTAKES if m.function == function]


def lookup(function: str, key: str) -> Mistake:
    """The bank's mistake `key` of learner function `function` (KeyError if there is none)."""
    for mistake in MISTAKES:
        if (mistake.function, mistake.key) == (function, key):
            return mistake
    raise KeyError(f"no mistake {key!r} of {function} in the bank")


def lookup_or_none(function: str, key: str) -> Mistake | None:
    """Like `lookup`, None when the function has no such mistake."""
    try:
        return lookup(function, key)
    except KeyError:
        return None
