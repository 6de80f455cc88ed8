"""A one-line text progress bar on stdout, for long loops in a notebook (see `augcourse.runs`)."""

from __future__ import annotations

import sys
import time


class ProgressBar:
    """A one-line text progress bar on stdout, redrawn in place with a carriage return.

    total: how many steps make 100%; enabled: False draws nothing (the same code runs
    quietly); width: the bar's length in characters. Call `advance` after each step and
    `close` at the end (it ends the line).
    """

    def __init__(self, total: int, enabled: bool = True, width: int = 30):
        self.total, self.enabled, self.width = total, enabled, width
        self.done = 0
        self.start = time.perf_counter()
        self._draw()

    def advance(self) -> None:
        self.done += 1
        self._draw()

    def _draw(self) -> None:
        if not self.enabled:
            return
        elapsed = time.perf_counter() - self.start
        filled = round(self.width * self.done / max(self.total, 1))
        left = elapsed / self.done * (self.total - self.done) if self.done else float("nan")
        eta = f", about {left:.0f} s left" if self.done and self.done < self.total else ""
        bar = "#" * filled + "." * (self.width - filled)
        line = f"[{bar}] {self.done}/{self.total} runs, {elapsed:.0f} s{eta}"
        sys.stdout.write(f"\r{line:<78}")  # padded: wipes the end of a longer previous line
        sys.stdout.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stdout.write("\n")
            sys.stdout.flush()
