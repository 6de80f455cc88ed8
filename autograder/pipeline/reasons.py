"""Why a learner's submission needs an instructor's look, as typed values.

A `Reason` is created where the cause is found (intake, notebook repair, the grading run)
and carries its kind, the notebook it concerns and the sentence an instructor reads. Code
decides by `kind` and `notebook`; only people read `text`, so rewording a sentence changes
no decision (which page shows it, whether the learner is graded, which cells are flagged).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from autograder.limits import Limits

KINDS = {
    # intake: which file is graded as which notebook
    "missing_notebook": "an expected notebook was not submitted",
    "duplicate_files": "several files could be the notebook; one was chosen",
    "zip_member_skipped": "a file in the zip was unsafe or unreadable and was not extracted",
    "renamed": "a notebook under another name was graded as the expected one",
    "extra_file": "a file that is no notebook of the assignment was ignored",
    "wrong_assignment": "a notebook of another assignment was handed in, and not graded",
    "similar_name": "another learner's name differs only in case or accents",
    "late": "the learning platform marks the submission late",
    # notebook repair
    "not_a_notebook": "the file cannot be read as a notebook, so it was not graded",
    "repaired": "the notebook was changed so that nbgrader could grade it",
    "restored_cell": "a deleted graded cell is restored from the release",
    # what the learner's code tried
    "tampered": "a read-only cell was edited or a graded cell added",
    "suspicious_code": "the code tries to reach past its own answers",
    "made_inert": "content that would run in a viewer's browser was made inert",
    # notebook 04's training (pipeline/training_cache.py)
    "retrained": "the training differs from the grader's records, so it ran for this learner",
    # the grading run
    "timed_out": "grading the learner took longer than allowed and was stopped",
    "cell_timed_out": "a cell ran longer than allowed and could not be stopped",
    "kernel_died": "the learner's code ended the kernel",
    "channel_broken": "the learner's code wrote into the kernel's message channel",
    "grader_crashed": "the grading process itself failed",
    "worker_lost": "the Dask workers grading the learner died too often",
    "feedback_failed": "nbgrader graded but could not write the feedback",
    "grading_failed": "nbgrader's autograde failed",
    "no_grades": "nbgrader ran but recorded no grades",
}
# Worth recording in the learner's notes, but no reason to hold back their score.
NOTE_ONLY = {"renamed", "extra_file", "restored_cell", "similar_name", "late", "retrained"}
# Shown beside each test of the notebook (tests.csv's "flags"): attempts, not accidents.
FLAGS = {"tampered", "suspicious_code", "made_inert"}


@dataclass(frozen=True)
class Reason:
    """kind: one of KINDS. text: the sentence for the instructor. notebook: the notebook
    file name it concerns ("02_cutmix.ipynb"), or None when it concerns the whole submission."""

    kind: str
    text: str
    notebook: str | None = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind of reason {self.kind!r}; known: {sorted(KINDS)}")

    def about(self, notebook: str) -> Reason:
        """The same reason, said of `notebook` (named at the start of the sentence)."""
        return replace(self, text=f"{notebook}: {self.text}", notebook=notebook)

    @property
    def needs_attention(self) -> bool:
        return self.kind not in NOTE_ONLY

    def as_json(self) -> dict:
        return {"kind": self.kind, "notebook": self.notebook, "text": self.text}


def status_text(reasons: list[Reason], remarks: list[Reason] = ()) -> str:
    """The status of a learner with these reasons: "graded" when there are none, else
    "needs attention: " and their sentences joined by "; " (grades.csv's status column).
    remarks: note-only reasons worth seeing in the status of a graded learner, in brackets
    ("graded (04_measuring_the_effect.ipynb: retrained: ...)")."""
    if reasons:
        return "needs attention: " + "; ".join(r.text for r in reasons)
    return "graded" + (f" ({'; '.join(r.text for r in remarks)})" if remarks else "")


def is_graded(status: str) -> bool:
    """Whether a status (`status_text`) is a graded learner's, with or without remarks."""
    return status == "graded" or status.startswith("graded (")


def failure_reason(outcome: dict, limits: Limits) -> Reason:
    """Why nbgrader could not grade a learner, from the outcome of their grading run.

    The notebook is the last one nbgrader's log says it was converting, if any.
    """
    log = outcome.get("log", "")
    converting = re.findall(r"Converting notebook \S*?([^/\s]+\.ipynb)", log)
    notebook = converting[-1] if converting else None
    where = f" in {notebook}" if notebook else ""
    if outcome["stage"] == "timeout":
        return Reason(
            "timed_out", f"grading took longer than {limits.learner_seconds:g} s and was stopped"
        )
    if outcome["stage"] == "crash":
        return Reason("grader_crashed", f"the grader crashed ({log})")
    if "DeadKernelError" in log or "Kernel died" in log:
        return Reason(
            "kernel_died", f"the kernel died{where} (the code exited or crashed Python)", notebook
        )
    if "Invalid Signature" in log:
        return Reason(
            "channel_broken",
            f"the learner's code wrote into the kernel's message channel{where} (for example "
            "from a forked process), so the kernel's replies could not be trusted; look at "
            "what the code starts",
            notebook,
        )
    if "CellTimeoutError" in log or "Timeout waiting" in log:
        return Reason(
            "cell_timed_out",
            f"a cell ran longer than {limits.cell_seconds} s{where} and could not be stopped",
            notebook,
        )
    if outcome["stage"] == "feedback":
        return Reason(
            "feedback_failed", f"feedback could not be generated: {_last_error_line(log)}"
        )
    return Reason("grading_failed", f"autograde failed{where}: {_last_error_line(log)}", notebook)


def _last_error_line(text: str, limit: int = 300) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    interesting = [line for line in lines if "Error" in line and "[ERROR]" not in line] or lines
    return interesting[-1][:limit] if interesting else "unknown error"
