"""How a check fails: one formatter for visible and hidden checks, and how a failure is shown.

A failure names the call, what was expected and what came back, and then either the known
mistake it recognised, by (function, key), in the words of augcourse/hints.py, or a hint of
its own. The key travels with the failure (`CheckFailed.mistake`) to the table of results.

While nbgrader autogrades, a failing visible check waits for the hidden checks that follow
it in the same cell (`visible_check`, `take_deferred`): they name the mistake more
precisely, and raise this failure, key included, if they themselves pass.
"""

from __future__ import annotations

import functools
import os
import re
import textwrap
from collections.abc import Callable, Iterable

from augcourse.hints import hint, names_a_mistake

Ref = tuple[str, str]  # (learner function, key) of a known mistake


class CheckFailed(AssertionError):
    """A check found a wrong answer; the message explains what and why.

    mistake: "function:key" of the bank's mistake the check recognised (autograder's hidden
    checks name it; the table of results reads it), or None.
    """

    def __init__(self, message: str = "", mistake: str | None = None):
        super().__init__(message)
        self.mistake = mistake


def check_failed(
    call: str,
    lines: Iterable[str],
    *,
    mistake: Ref | None = None,
    hint_text: str | None = None,
    hint_label: str = "hint",
) -> CheckFailed:
    """The failure of `call`: its detail lines, then the likely mistake or a hint.

    mistake: (function, key) of a known mistake; its sentence comes from augcourse/hints.py
    and, when it is a mistake of the bank, "function:key" goes with the failure. Without
    one, hint_text follows `hint_label:` (the visible checks say "likely mistake" there too).
    """
    message = [call, *lines]
    if mistake is not None:
        message.append(f"  likely mistake: {hint(*mistake)}")
    elif hint_text:
        message.append(f"  {hint_label}: {hint_text}")
    named = ":".join(mistake) if mistake is not None and names_a_mistake(*mistake) else None
    return CheckFailed("\n".join(message), named)


def fail(call: str, expected, got, hint_text: str | None = None, *, mistake: Ref | None = None):
    """Raise CheckFailed with the standard expected / got / likely-mistake message."""
    raise check_failed(
        call,
        [f"  expected: {expected}", f"  got:      {got}"],
        mistake=mistake,
        hint_text=hint_text,
        hint_label="likely mistake",
    )


# --- showing a failure to the learner ------------------------------------------------


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


# --- a visible failure that waits for the hidden checks while autograding ----------------


# Everywhere but autograding (a learner running the cell, Validate) a visible failure raises.
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
    """The visible check's failure that waits for the hidden checks, if any (and forget it).

    It keeps its mistake's key, so a failure raised later still fills the mistake column."""
    failure = _deferred[0] if _deferred else None
    _deferred.clear()
    return failure
