"""Grade a class: each learner on their own, with real nbgrader, nothing lost, nothing stale.

The flow for one run (see `grade_class`):
  1. canary: the reference solution is graded first, in a course folder of its own; the
     run stops with a clear error unless it gets full marks;
  2. intake: whatever the instructor downloaded becomes one submission per learner;
  3. per learner, on their own: forget any earlier result, sanitize each notebook, run
     `nbgrader autograde` for that learner alone, then `nbgrader generate_feedback`;
     any failure marks that learner "needs attention: <reason>" and no score is kept;
  4. outputs: nbgrader's CSV export, the per-test table (CSV and JSON), the class report
     and a summary table.
"""

from __future__ import annotations

import csv
import json
import os
import re
import secrets
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from autograder.limits import DEFAULT_LIMITS, DEFAULT_WORKERS, Limits, limits_for
from autograder.pipeline.course import (
    ASSIGNMENT,
    SOLUTIONS,
    Course,
    NbgraderError,
    graded_cells,
    notebook_names,
    read_notebook,
)
from autograder.pipeline.intake import Submission, find_submissions, grade_ids_of, sanitize
from autograder.pipeline.missing_feedback import write_missing_feedback
from autograder.pipeline.report import class_summary_text, write_class_report
from autograder.pipeline.suspicious import findings
from autograder.plugins.execute import MISTAKE_METADATA
from autograder.plugins.inert import changes_of, is_active
from autograder.plugins.sandbox import protections


class CanaryFailed(RuntimeError):
    """The reference solution did not get full marks: grading cannot be trusted."""


@dataclass
class LearnerResult:
    """One learner's grading. reasons: why the learner needs an instructor's attention, each a
    sentence for the instructor; none means graded."""

    learner: str
    score: float | None
    max: float
    seconds: float
    notes: list[str] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        """The status as shown in tables and exports: "graded" or "needs attention: ..."."""
        return status_text(self.reasons)


def status_text(reasons: list[str]) -> str:
    return "graded" if not reasons else "needs attention: " + "; ".join(reasons)


def grading_seed(out_dir: Path) -> str:
    """The seed of the inputs drawn at grading time: fresh for a new run folder, then kept,
    so re-running gives the same results and learners cannot know the inputs beforehand."""
    path = out_dir / "grading_seed.txt"
    if not path.exists():
        path.write_text(str(secrets.randbits(63)))
    return path.read_text().strip()


def max_points(assignment: str = ASSIGNMENT) -> dict[str, dict[str, float]]:
    """{notebook: {grade_id: points}} from the assignment's solution notebooks."""
    folder = SOLUTIONS / assignment
    return {name: graded_cells(read_notebook(folder / name)) for name in notebook_names(folder)}


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
            raise NbgraderError(failure_reason(outcome, limits))
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
        reasons = _failure_messages(canary, "reference")
        detail = "\n".join(
            f"  {cell}: {score} -> {reasons.get(cell.split('/')[1], ('', ''))[0]}"
            for cell, score in lost.items()
        )
        raise CanaryFailed(
            "the reference solution did not get full marks, so no learner was graded "
            "(is the autograder package importable by the grading kernel?):\n" + detail
        )
    return time.perf_counter() - started


def made_inert(course: Course, student: str) -> dict[str, list[str]]:
    """{notebook: what InertOutputs changed} from the learner's autograded notebooks."""
    found = {}
    for path in sorted(course.stage_folder("autograded", student).glob("*.ipynb")):
        try:
            changes = changes_of(read_notebook(path))
        except Exception:  # an unreadable notebook is reported elsewhere
            continue
        if changes:
            found[path.name] = changes
    return found


def _cell_number(where: str) -> int:
    digits = "".join(ch for ch in where if ch.isdigit())
    return int(digits) if digits else 0


def _failure_messages(course: Course, student: str) -> dict[str, tuple[str, str]]:
    """{grade_id: (the error message of that test cell, the mistake's "function:key" or "")}
    from the autograded notebooks."""
    messages = {}
    folder = course.root / "autograded" / student / course.assignment
    for path in sorted(folder.glob("*.ipynb")):
        for cell in read_notebook(path).cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
            if grade_id and errors:
                mistake = cell.metadata.get(MISTAKE_METADATA, {}).get("mistake", "")
                message = f"{errors[-1].get('ename')}: {errors[-1].get('evalue')}"
                messages[grade_id] = (message, mistake if isinstance(mistake, str) else "")
    return messages


def _forget(course: Course, learner: str) -> None:
    """Remove every earlier result of this learner for this assignment, so a failed regrade
    shows no stale score; their other assignments in the same course stay."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(course.db_url) as gradebook:
        try:
            gradebook.remove_submission(course.assignment, learner)
        except MissingEntry:
            pass
        # A name for Formgrader's tables, which otherwise show "None, None".
        gradebook.update_or_create_student(learner, last_name=learner, first_name="")
    for stage in ("submitted", "autograded", "feedback"):
        shutil.rmtree(course.root / stage / learner / course.assignment, ignore_errors=True)


@dataclass
class Prepared:
    """A learner's submission, sanitized and handed to nbgrader, waiting to be graded."""

    submission: Submission
    clean: dict[str, object]
    notes: list[str]
    attention: list[str]
    started: float
    flags: dict[str, list[str]] = field(default_factory=dict)  # notebook -> what it tried


def release_cells(*folders: Path) -> dict[str, dict[str, set[str]]]:
    """{notebook: {grade_id: sources}} of every nbgrader cell, as released and as authored."""
    cells: dict[str, dict[str, set[str]]] = {}
    for folder in folders:
        for path in sorted(folder.glob("*.ipynb")):
            for cell in read_notebook(path).cells:
                grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
                if grade_id:
                    cells.setdefault(path.name, {}).setdefault(grade_id, set()).add(cell.source)
    return cells


def tampering(notebook, released: dict[str, set[str]]) -> list[str]:
    """Edits of read-only cells and graded cells the course never had; undoes the latter."""
    found = []
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        grade_id = meta.get("grade_id")
        if not grade_id:
            continue
        if grade_id not in released:
            if meta.get("grade"):
                found.append(
                    f"added a graded cell '{grade_id}' that the course does not have; it was not graded"
                )
            del cell.metadata["nbgrader"]
        elif meta.get("locked") and cell.source not in released[grade_id]:
            found.append(f"edited the read-only cell '{grade_id}' (nbgrader restored it)")
    return found


def prepare_learner(
    course: Course,
    submission: Submission,
    points: dict[str, dict[str, float]],
    released: dict[str, dict[str, set[str]]] | None = None,
) -> Prepared:
    """Forget earlier results, sanitize each notebook and place the clean ones for nbgrader."""
    released = released or {}
    started = time.perf_counter()
    notes = list(submission.problems)
    attention = [
        p for p in submission.problems if not p.startswith(("extra file", "notebook renamed"))
    ]
    attention += [
        f"missing notebook {n}"
        for n in points
        if n not in submission.notebooks and f"missing notebook {n}" not in attention
    ]
    _forget(course, submission.learner)
    clean, flags = {}, {}
    for name in points:
        if name not in submission.notebooks:
            continue
        notebook, problems = sanitize(submission.notebooks[name], set(points[name]))
        if notebook is not None:
            if name in released:  # without the release there is nothing to compare with
                problems += tampering(notebook, released[name])
            problems += [f"suspicious code: {f}" for f in findings(notebook)]
        notes += [f"{name}: {p}" for p in problems]
        # A restored test cell costs the learner nothing; every other repair is worth a look.
        attention += [
            f"{name}: {p}" for p in problems if notebook is None or "is restored" not in p
        ]
        flags[name] = [p for p in problems if p.startswith(("suspicious code", "edited", "added"))]
        if notebook is not None:
            clean[name] = notebook
    if clean:
        course.submit(submission.learner, clean)
    return Prepared(submission, clean, notes, attention, started, flags)


def finish_learner(
    course: Course,
    prepared: Prepared,
    outcome: dict | None,
    points: dict[str, dict[str, float]],
    limits: Limits,
) -> LearnerResult:
    """Read what nbgrader recorded for one learner and decide their status."""
    learner = prepared.submission.learner
    attention = list(prepared.attention)
    if outcome is not None and not outcome["success"]:
        attention.append(failure_reason(outcome, limits))
    scores = _scores_or_none(course, learner) if prepared.clean else None
    if prepared.clean and scores is None and not attention:
        attention.append("nbgrader recorded no grades")
    messages = _failure_messages(course, learner) if scores else {}
    notes = list(prepared.notes)
    flags = {name: list(found) for name, found in prepared.flags.items()}
    removed = (outcome or {}).get("removed") or []
    if removed:
        notes.append(
            f"{len(removed)} files or folders written beside the notebooks while graded "
            "were removed (never shown, never returned as feedback)"
        )
    for name, changes in made_inert(course, learner).items():
        active = sorted({_cell_number(c.split(":")[0]) for c in changes if is_active(c)})
        if active:
            cells = ", ".join(map(str, active))
            found = (
                "content that would run or load in a viewer's browser was made inert "
                f"(cell{'s' if len(active) > 1 else ''} {cells})"
            )
            notes.append(f"{name}: {found}")
            attention.append(f"{name}: {found}")
            flags.setdefault(name, []).append(found)
    result = LearnerResult(learner, None, sum(sum(p.values()) for p in points.values()), 0.0, notes)
    for name, cells in points.items():
        for grade_id, maximum in cells.items():
            got = scores.get(name, {}).get(grade_id) if scores and name in prepared.clean else None
            score = None if got is None else got[0]
            message, mistake = messages.get(grade_id, ("", ""))
            if score is None:
                status = "not graded"
            else:
                status = "passed" if score >= maximum else "failed"
            result.rows.append(
                {
                    "learner": learner,
                    "notebook": name,
                    "test": grade_id,
                    "points": score,
                    "max": maximum,
                    "status": status,
                    "mistake": mistake,
                    "message": message.split("\n")[0],
                    "flags": "; ".join(flags.get(name, [])),
                }
            )
    graded_rows = [r for r in result.rows if r["points"] is not None]
    result.score = sum(r["points"] for r in graded_rows) if graded_rows else None
    result.reasons = list(dict.fromkeys(attention))
    result.seconds = time.perf_counter() - prepared.started
    return result


def grade_learners(
    course: Course,
    submissions: list[Submission],
    points: dict[str, dict[str, float]],
    limits: Limits = DEFAULT_LIMITS,
    workers: int = 1,
    on_result: Callable[[LearnerResult], None] = lambda result: None,
    released: dict[str, dict[str, set[str]]] | None = None,
) -> list[LearnerResult]:
    """Grade learners, up to `workers` at once, each in a process of its own."""
    waiting = list(submissions)
    running: list[tuple[Prepared, object]] = []
    results: dict[str, LearnerResult] = {}
    retried: set[str] = set()
    while waiting or running:
        while waiting and len(running) < workers:
            prepared = prepare_learner(course, waiting.pop(0), points, released)
            grading = (
                course.start_grading(
                    prepared.submission.learner, limits.cell_seconds, limits.learner_seconds
                )
                if prepared.clean
                else None
            )
            running.append((prepared, grading))
        for prepared, grading in list(running):
            if grading is not None and not grading.done():
                continue
            running.remove((prepared, grading))
            outcome = grading.outcome() if grading is not None else None
            learner = prepared.submission.learner
            if (
                outcome
                and "database is locked" in outcome.get("log", "")
                and learner not in retried
            ):
                retried.add(learner)  # two graders wrote the gradebook at once: grade again
                waiting.insert(0, prepared.submission)
                continue
            results[learner] = finish_learner(course, prepared, outcome, points, limits)
            on_result(results[learner])
        time.sleep(0.05)
    return [results[s.learner] for s in submissions]


def failure_reason(outcome: dict, limits: Limits) -> str:
    """A sentence for the instructor saying why nbgrader could not grade a learner."""
    log = outcome.get("log", "")
    converting = re.findall(r"Converting notebook \S*?([^/\s]+\.ipynb)", log)
    where = f" in {converting[-1]}" if converting else ""
    if outcome["stage"] == "timeout":
        return f"grading took longer than {limits.learner_seconds:g} s and was stopped"
    if outcome["stage"] == "crash":
        return f"the grader crashed ({log})"
    if "DeadKernelError" in log or "Kernel died" in log:
        return f"the kernel died{where} (the code exited or crashed Python)"
    if "Invalid Signature" in log:
        return (
            f"the learner's code wrote into the kernel's message channel{where} (for example "
            "from a forked process), so the kernel's replies could not be trusted; look at "
            "what the code starts"
        )
    if "CellTimeoutError" in log or "Timeout waiting" in log:
        return f"a cell ran longer than {limits.cell_seconds} s{where} and could not be stopped"
    if outcome["stage"] == "feedback":
        return f"feedback could not be generated: {_last_error_line(log)}"
    return f"autograde failed{where}: {_last_error_line(log)}"


def _scores_or_none(course: Course, learner: str):
    try:
        return course.scores(learner)
    except Exception:  # nbgrader raises MissingEntry when nothing was recorded
        return None


def _last_error_line(text: str, limit: int = 300) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    interesting = [line for line in lines if "Error" in line and "[ERROR]" not in line] or lines
    return interesting[-1][:limit] if interesting else "unknown error"


def grade_class(
    submissions: Path,
    out_dir: Path,
    progress: Callable[[str], None] = print,
    limits: Limits | None = None,
    workers: int = DEFAULT_WORKERS,
    assignment: str = ASSIGNMENT,
    course_dir: Path | None = None,
) -> list[LearnerResult]:
    """Grade every learner's `assignment` found in `submissions`; write all outputs into
    `out_dir`. limits: default `limits_for(assignment)`. course_dir: nbgrader's course folder
    (gradebook, autograded notebooks), default `out_dir/course`; one folder can hold every
    assignment of the course, for Formgrader."""
    limits = limits or limits_for(assignment)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    progress(f"Assignment: {assignment}")
    os.environ["COURSE_GRADING_SEED"] = grading_seed(out_dir)
    enabled, disabled = protections()
    progress("Learner code runs confined: " + "; ".join(enabled))
    for missing in disabled:
        progress(f"WARNING, protection off: {missing}")
    progress("Grading the reference solution first (canary)...")
    seconds = run_canary(out_dir, assignment)
    progress(f"  reference: full marks ({seconds:.1f} s)")

    course = Course(course_dir or out_dir / "course", assignment=assignment)
    release = course.generate_release()
    points = max_points(assignment)
    grade_ids = {name: grade_ids_of(release / name) for name in points}
    # A zip is extracted into the results folder (replaced on each run), not left in /tmp.
    intake = out_dir / "intake"
    shutil.rmtree(intake, ignore_errors=True)
    found = find_submissions(
        Path(submissions), list(points), grade_ids, assignment=assignment, workdir=intake
    )
    progress(f"Found {len(found)} learners in {submissions}")

    done = []

    def report(result: LearnerResult) -> None:
        done.append(result)
        score = "-" if result.score is None else f"{result.score:g}/{result.max:g}"
        progress(
            f"  [{len(done)}/{len(found)}] {result.learner}: {score}, {result.status} ({result.seconds:.1f} s)"
        )

    results = grade_learners(
        course,
        found,
        points,
        limits,
        workers,
        on_result=report,
        released=release_cells(release, SOLUTIONS / assignment),
    )

    write_outputs(course, results, out_dir)
    progress("")
    progress(
        class_summary_text(
            [_learner_row(r) for r in results], [row for r in results for row in r.rows]
        )
    )
    return results


def _learner_row(result: LearnerResult) -> dict:
    return {
        "learner": result.learner,
        "status": result.status,
        "reasons": result.reasons,
        "score": result.score,
        "max": result.max,
        "seconds": result.seconds,
    }


def write_outputs(course: Course, results: list[LearnerResult], out_dir: Path) -> None:
    """nbgrader's CSV export, the per-test table, the learners' table and the class report."""
    rows = [row for result in results for row in result.rows]
    learners = [_learner_row(r) | {"notes": r.notes} for r in results]
    export_grades(course, results, out_dir / "grades.csv")
    columns = [
        "learner",
        "notebook",
        "test",
        "points",
        "max",
        "status",
        "mistake",
        "message",
        "flags",
    ]
    with open(out_dir / "tests.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    (out_dir / "tests.json").write_text(json.dumps(rows, indent=1))
    (out_dir / "learners.json").write_text(json.dumps(learners, indent=1))
    title = f"Cutout and CutMix, {course.assignment}: class report"
    write_class_report(rows, [_learner_row(r) for r in results], out_dir, title)
    feedback = out_dir / "feedback"
    shutil.rmtree(feedback, ignore_errors=True)
    for result in results:
        # This assignment's pages only (the course may hold others), then a page for every
        # notebook nbgrader wrote no feedback for.
        pages = course.stage_folder("feedback", result.learner)
        if pages.exists():
            # Only the notebooks' pages: nothing else a learner's code left there.
            shutil.copytree(
                pages,
                feedback / result.learner / course.assignment,
                ignore=lambda folder, names: [n for n in names if not _is_page(Path(folder) / n)],
            )
        write_missing_feedback(
            feedback, course.assignment, result.learner, result.reasons, result.rows
        )


def _is_page(path: Path) -> bool:
    return path.suffix == ".html" and path.is_file() and not path.is_symlink()


def export_grades(course: Course, results: list[LearnerResult], path: Path) -> None:
    """nbgrader's CSV export of this course's assignment, with a status column; a learner who
    needs attention gets no score there (nbgrader would show 0, which looks like a real grade)."""
    course.run("export", f"--to={Path(path).resolve()}")  # nbgrader runs in the course folder
    status = {r.learner: r.status for r in results}
    with open(path, newline="") as handle:
        # The gradebook may also hold another assignment graded into the same folder.
        rows = [r for r in csv.DictReader(handle) if r.get("assignment") == course.assignment]
    columns = list(rows[0].keys()) + ["status"] if rows else ["student_id", "status"]
    for row in rows:
        row["status"] = status.get(row.get("student_id"), "not submitted")
        if row["status"] != "graded":
            for column in ("raw_score", "score"):
                if column in row:
                    row[column] = ""
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
