"""The canary: the reference solution is graded before any learner, in a course folder of
its own. Unless it gets full marks (within the learners' own limits), the grading of this
machine cannot be trusted, and no learner is graded."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

from autograder.limits import limits_for
from autograder.pipeline.course import ASSIGNMENT, SOLUTIONS, Course, NbgraderError, notebook_names
from autograder.pipeline.reasons import failure_reason
from autograder.pipeline.recorded import failure_messages, max_points


class CanaryFailed(RuntimeError):
    """The reference solution did not get full marks: grading cannot be trusted."""


def run_canary(out_dir: Path, assignment: str = ASSIGNMENT) -> float:
    """Grade the reference solution; raise CanaryFailed unless every graded cell gets full marks."""
    canary = Course(out_dir / "canary", assignment=assignment)
    solutions = SOLUTIONS / assignment
    limits = limits_for(assignment)  # the learners' own: the reference must pass within them
    if canary.root.exists():
        shutil.rmtree(canary.root)
    started = time.perf_counter()
    try:
        canary.generate_release()
        canary.submit("reference", {name: solutions / name for name in notebook_names(solutions)})
        outcome = canary.grade_one("reference", limits.cell_seconds, limits.learner_seconds)
        if not outcome["success"]:
            raise NbgraderError(failure_reason(outcome, limits).text)
        scores = canary.scores("reference")
    except (NbgraderError, subprocess.TimeoutExpired) as error:
        raise CanaryFailed(
            f"grading the reference solution failed, so no learner was graded:\n{error}"
        ) from None
    expected = max_points(assignment)
    lost = {
        f"{name}/{grade_id}": scores.get(name, {}).get(grade_id)
        for name, points in expected.items()
        for grade_id, maximum in points.items()
        if scores.get(name, {}).get(grade_id, (None, None))[0] != maximum
    }
    if lost:
        reasons = failure_messages(canary, "reference")
        detail = "\n".join(
            f"  {cell}: {score} -> {reasons.get(cell.split('/')[1], ('', ''))[0]}"
            for cell, score in lost.items()
        )
        raise CanaryFailed(
            "the reference solution did not get full marks, so no learner was graded "
            "(is the autograder package importable by the grading kernel?):\n" + detail
        )
    return time.perf_counter() - started
