"""How grading a class shows how far it is: a progress bar with the rate and the time left
(tqdm) on stderr, one line per learner only when asked for, and the summary table at the end
(summary.py), so that a cohort of hundreds fills no screen.

On a terminal the bar redraws itself in place; written to a file or a pipe (a log, CI, a
test), the same bar is printed as a line of its own at the start, at most every
`LOG_SECONDS` and at the end, instead of carriage returns that would run into one line.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import TextIO

from tqdm import tqdm

from autograder.pipeline.learner_result import LearnerResult

LOG_SECONDS = 30.0
BAR = {"desc": "grading", "unit": "learner"}


def learner_line(result: LearnerResult, done: int, total: int) -> str:
    """`  [2/30] ada: 25/31, graded (12.3 s)`: one learner, as they finish."""
    score = "-" if result.score is None else f"{result.score:g}/{result.max:g}"
    return f"  [{done}/{total}] {result.learner}: {score}, {result.status} ({result.seconds:.1f} s)"


class ClassProgress:
    """What is shown while the learners are graded.

    say: where the per-learner lines go (print, or a list's append in tests).
    verbose: a line per learner as they finish. bar: a progress bar on `stream` (default
    stderr), redrawn in place on a terminal, a line at a time elsewhere.
    """

    def __init__(
        self,
        say: Callable[[str], None] = print,
        verbose: bool = True,
        bar: bool = False,
        stream: TextIO | None = None,
    ):
        self.say, self.verbose, self.bar = say, verbose, bar
        self.stream = stream
        self.total = self.done = 0
        self._tqdm: tqdm | None = None
        self._started = self._logged = 0.0
        self._logged_done = -1

    def start(self, total: int) -> None:
        self.total, self.done = total, 0
        self._started = time.monotonic()
        if not self.bar:
            return
        stream = self.stream or sys.stderr
        sys.stdout.flush()  # what was said before the bar comes before it in a shared log
        if stream.isatty():
            # A terminal that reports no size (some pseudo-terminals) would get no bar at all.
            try:
                size = os.get_terminal_size(stream.fileno())
            except (OSError, ValueError, AttributeError):
                size = os.terminal_size((0, 0))
            self._tqdm = tqdm(
                total=total,
                file=stream,
                dynamic_ncols=size.columns > 0,
                ncols=size.columns or 80,
                nrows=size.lines or 24,
                **BAR,
            )
        else:
            self._log_line()

    def learner_done(self, result: LearnerResult) -> None:
        self.done += 1
        line = learner_line(result, self.done, self.total)
        if self._tqdm is not None:
            if self.verbose:  # above the bar, which is drawn again below it
                self._tqdm.write(line, file=sys.stdout)
            self._tqdm.update(1)
            return
        if self.verbose:
            self.say(line)
        if self.bar and time.monotonic() - self._logged >= LOG_SECONDS:
            self._log_line()

    def close(self) -> None:
        if self._tqdm is not None:
            self._tqdm.close()
            self._tqdm = None
        elif self.bar and self._logged_done not in (-1, self.done):
            self._log_line()

    def _log_line(self) -> None:
        sys.stdout.flush()
        elapsed = time.monotonic() - self._started
        meter = tqdm.format_meter(
            self.done,
            self.total,
            elapsed,
            ncols=80,
            ascii=True,
            prefix=BAR["desc"],
            unit=BAR["unit"],
        )
        print(meter, file=self.stream or sys.stderr, flush=True)
        self._logged, self._logged_done = time.monotonic(), self.done
