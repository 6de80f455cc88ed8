"""One learner's grading, as the pipeline passes it on to the outputs and the report."""

from __future__ import annotations

from dataclasses import dataclass, field

from autograder.pipeline.reasons import Reason, status_text


@dataclass
class LearnerResult:
    """One learner's grading.

    score: points over the notebooks that were graded, less any late penalty, or None if
        none was graded.
    notes: everything worth knowing about the submission, one sentence each.
    rows: one dict per (notebook, graded test cell); see `report` for the keys.
    reasons: why the learner needs an instructor's attention; none means graded.
    timings: seconds per phase of the grading (autograder/plugins/timing.py).
    """

    learner: str
    score: float | None
    max: float
    seconds: float
    notes: list[str] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)
    remarks: list[Reason] = field(default_factory=list)  # shown in a graded learner's status
    seconds_late: float = 0.0  # after the due date, by the exchange's receipt time
    late_penalty: float = 0.0  # points taken for it; `score` is after the penalty
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def status(self) -> str:
        """The status as shown in tables and exports: "graded", "graded (remarks)" or
        "needs attention: ..."."""
        return status_text(self.reasons, self.remarks)


def learner_row(result: LearnerResult) -> dict:
    """The learner as the class report and the terminal table read it."""
    return {
        "learner": result.learner,
        "status": result.status,
        "reasons": result.reasons,
        "score": result.score,
        "max": result.max,
        "seconds": result.seconds,
    }
