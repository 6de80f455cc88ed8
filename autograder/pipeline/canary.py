"""The canary: the reference solution is graded before any learner, in a course folder of
its own. Unless it gets full marks (within the learners' own limits), the grading of this
machine cannot be trusted, and no learner is graded.

A passing canary can be remembered in a folder of records (`reuse_from`), keyed by everything
its result depends on: the solutions, the course's code, the versions of the packages that
grade, the interpreter, the confinement and the limits. A later run that finds a record with
the same key reuses it instead of grading the reference again; any change grades it again.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from autograder.limits import limits_for
from autograder.pipeline.course import (
    ASSIGNMENT,
    ROOT,
    SOLUTIONS,
    Course,
    NbgraderError,
    notebook_names,
)
from autograder.pipeline.reasons import failure_reason
from autograder.pipeline.recorded import failure_messages, max_points
from autograder.plugins.sandbox import PASSED_ENVIRONMENT, protections


class CanaryFailed(RuntimeError):
    """The reference solution did not get full marks: grading cannot be trusted."""


# Distributions whose version can change a grade or a feedback page.
GRADING_DISTRIBUTIONS = (
    "nbgrader",
    "nbconvert",
    "nbclient",
    "nbformat",
    "jupyter_client",
    "ipykernel",
    "numpy",
    "matplotlib",
    "scikit-image",
    "scikit-learn",
    "nh3",
)


@dataclass(frozen=True)
class CanaryOutcome:
    """A passing canary: how long the reference took, and whether a record was reused."""

    seconds: float
    reused_from: str | None = None  # when the reused canary was graded, as ISO text


def canary_key(assignment: str) -> str:
    """A digest of everything the canary's result depends on."""
    digest = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        digest.update(label.encode() + b"\0" + hashlib.sha256(data).digest())

    add("assignment", assignment.encode())
    add("limits", repr(limits_for(assignment)).encode())
    add("python", f"{sys.executable} {sys.version}".encode())
    add("protections", repr(protections()).encode())
    for name in PASSED_ENVIRONMENT:
        add(f"env {name}", os.environ.get(name, "").encode())
    for name in GRADING_DISTRIBUTIONS:
        add(name, metadata.version(name).encode())
    sources = [p for p in sorted((SOLUTIONS / assignment).rglob("*")) if p.is_file()]
    for package in ("augcourse", "autograder"):
        sources += sorted(
            p
            for p in (ROOT / package).rglob("*")
            if p.is_file() and p.suffix in (".py", ".j2", ".json") and "__pycache__" not in p.parts
        )
    for path in sources:
        add(str(path.relative_to(ROOT)), path.read_bytes())
    return digest.hexdigest()


def run_canary(
    out_dir: Path, assignment: str = ASSIGNMENT, reuse_from: Path | None = None
) -> CanaryOutcome:
    """Grade the reference solution; raise CanaryFailed unless every graded cell gets full
    marks. reuse_from: a folder of passing canaries' records to reuse and to add to; runs that
    share it wait for each other, so the reference is graded once."""
    if reuse_from is None:
        return CanaryOutcome(_grade_reference(out_dir, assignment))
    reuse_from.mkdir(parents=True, exist_ok=True)
    key = canary_key(assignment)
    record = reuse_from / f"{assignment}.json"
    with open(reuse_from / f"{assignment}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another run grading the same canary: wait for it
        try:
            known = json.loads(record.read_text())
        except (OSError, ValueError):
            known = {}
        if known.get("key") == key:
            return CanaryOutcome(known["seconds"], reused_from=known["graded_at"])
        seconds = _grade_reference(out_dir, assignment)
        graded_at = time.strftime("%Y-%m-%d %H:%M:%S")
        record.write_text(json.dumps({"key": key, "seconds": seconds, "graded_at": graded_at}))
        return CanaryOutcome(seconds)


def _grade_reference(out_dir: Path, assignment: str) -> float:
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
