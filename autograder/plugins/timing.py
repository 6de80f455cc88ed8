"""Where one learner's grading time goes: seconds per phase, measured as it runs.

Always on and cheap (a clock read around each step). The forked child that grades a learner
(autograder/pipeline/course.py) collects its phases here and returns them with its outcome;
the pipeline adds its own steps, and every learner's result carries the lot
(`LearnerResult.timings`, learners.json), which `make benchmark` tabulates.

Phases, in the order of a learner's grading:
  prepare           forget earlier results, sanitize the notebooks, hand them to nbgrader
  start-up          fork the grading child until nbgrader's autograde begins
  kernel start      start each notebook's confined kernel and wait until it answers
  learner cells     the learner's cells that draw no figure
  figures           the learner's cells that draw a figure
  decisions         graded test cells decided in the grader over the FIFOs: setting up
                    (the FIFOs, asking the kernel to serve), apart from
  decision: link          waiting for the kernel to open its end of the FIFOs
  decision: checks        the test cell's checks, calls into the kernel included
  decision: kernel reply  waiting for the kernel to finish serving
  kernel stop       the rest of the Execute step: shutting each kernel down
  gradebook         nbgrader's gradebook steps (save cells, overwrite, save grades, get grades)
  preprocessing     nbgrader's and the course's other notebook steps (clear, limit, inert, clean)
  feedback HTML     rendering the feedback page from its template
  nbgrader other    what nbgrader's autograde and generate_feedback do around those steps
                    (opening the gradebook, copying, reading and writing notebooks)
  results           reading the grades back and deciding the learner's status
"""

from __future__ import annotations

import contextlib
import time
from collections import defaultdict

PHASES = (
    "prepare",
    "start-up",
    "kernel start",
    "learner cells",
    "figures",
    "decisions",
    "decision: link",
    "decision: checks",
    "decision: kernel reply",
    "kernel stop",
    "gradebook",
    "preprocessing",
    "feedback HTML",
    "nbgrader other",
    "results",
)
# nbgrader's preprocessors that read or write the gradebook.
GRADEBOOK_STEPS = {"SaveCells", "OverwriteCells", "SaveAutoGrades", "GetGrades"}

_spent: dict[str, float] = defaultdict(float)


def add(phase: str, seconds: float) -> None:
    _spent[phase] += max(0.0, seconds)


@contextlib.contextmanager
def measured(phase: str):
    """Count the time spent in the block towards `phase`."""
    started = time.perf_counter()
    try:
        yield
    finally:
        add(phase, time.perf_counter() - started)


def spent() -> dict[str, float]:
    """The seconds per phase so far (a copy)."""
    return dict(_spent)


def take() -> dict[str, float]:
    """The seconds per phase so far, rounded, in PHASES order; the record starts afresh."""
    taken = {phase: round(_spent[phase], 4) for phase in PHASES if phase in _spent}
    _spent.clear()
    return taken


def phase_of_step(step) -> str | None:
    """The phase of an nbconvert preprocessor; None for the Execute step (timed inside)."""
    names = {cls.__name__ for cls in type(step).__mro__}
    if "Execute" in names:
        return None
    if names & GRADEBOOK_STEPS:
        return "gradebook"
    return "preprocessing"


@contextlib.contextmanager
def steps_timed():
    """Within the block, every nbconvert preprocessor's run counts towards its phase.

    Only the grading child enters this (it exits with the learner), so the wrapper never
    reaches an instructor's own nbgrader commands."""
    from nbconvert.preprocessors import Preprocessor

    original = Preprocessor.__call__

    def timed(self, nb, resources):
        phase = phase_of_step(self)
        if phase is None:
            return original(self, nb, resources)
        with measured(phase):
            return original(self, nb, resources)

    Preprocessor.__call__ = timed
    try:
        yield
    finally:
        Preprocessor.__call__ = original


def rest(phase: str, total: float, before: dict[str, float]) -> None:
    """Count towards `phase` what of `total` seconds no phase measured since `before`."""
    measured_since = sum(_spent.values()) - sum(before.values())
    add(phase, total - measured_since)
