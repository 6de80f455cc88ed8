"""Grade a class: each learner on their own, with real nbgrader, nothing lost, nothing stale.

The flow for one run (see `grade_class`):
  1. canary (`canary.py`): the reference solution is graded first, in a course folder of its
     own; the run stops with a clear error unless it gets full marks;
  2. intake (`intake.py`): whatever the instructor downloaded becomes one submission per
     learner;
  3. per learner, on their own: forget any earlier result, sanitize each notebook
     (`notebook_repair.py`), run `nbgrader autograde` for that learner alone, then
     `nbgrader generate_feedback`; any failure marks that learner "needs attention: <reason>"
     (`reasons.py`) and no score is kept;
  4. outputs (`outputs.py`): nbgrader's CSV export, the per-test table (CSV and JSON), the
     class report and a summary table.
"""

from __future__ import annotations

import os
import secrets
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from autograder.limits import DEFAULT_LIMITS, DEFAULT_WORKERS, Limits, limits_for
from autograder.pipeline.canary import run_canary
from autograder.pipeline.course import ASSIGNMENT, SOLUTIONS, Course
from autograder.pipeline.course_book import CourseBook, apply_course_book
from autograder.pipeline.gradebook import busy, gradebook_url, without_password
from autograder.pipeline.intake import (
    NoSubmissions,
    Submission,
    find_submissions,
    grade_ids_of,
    missing_notebook,
    no_submissions_message,
)
from autograder.pipeline.learner_result import LearnerResult, learner_row
from autograder.pipeline.notebook_repair import sanitize
from autograder.pipeline.outputs import write_outputs
from autograder.pipeline.progress import ClassProgress
from autograder.pipeline.reasons import FLAGS, Reason, failure_reason
from autograder.pipeline.recorded import (
    failure_messages,
    lateness,
    made_inert,
    max_points,
    scores_or_none,
)
from autograder.pipeline.rosters import Roster
from autograder.pipeline.summary import class_summary_text
from autograder.pipeline.suspicious import findings
from autograder.pipeline.tallies import count_text
from autograder.pipeline.tampering import release_cells, tampering
from autograder.pipeline.training_cache import offered, prepare_records, retrained
from autograder.plugins.inert import is_active
from autograder.plugins.sandbox import protections


def grading_seed(out_dir: Path) -> str:
    """The seed of the inputs drawn at grading time: fresh for a new run folder, then kept,
    so re-running gives the same results and learners cannot know the inputs beforehand."""
    path = out_dir / "grading_seed.txt"
    if not path.exists():
        path.write_text(str(secrets.randbits(63)))
    return path.read_text().strip()


def _cell_number(where: str) -> int:
    digits = "".join(ch for ch in where if ch.isdigit())
    return int(digits) if digits else 0


def _forget(course: Course, learner: str) -> None:
    """Remove every earlier result of this learner for this assignment, so a failed regrade
    shows no stale score; their other assignments in the same course stay."""
    from nbgrader.api import MissingEntry

    with course.gradebook() as gradebook:
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
    attention: list[Reason]
    started: float
    flags: dict[str, list[str]] = field(default_factory=dict)  # notebook -> what it tried
    prepare_seconds: float = 0.0


def prepare_learner(
    course: Course,
    submission: Submission,
    points: dict[str, dict[str, float]],
    released: dict[str, dict[str, set[str]]] | None = None,
) -> Prepared:
    """Forget earlier results, sanitize each notebook and place the clean ones for nbgrader."""
    released = released or {}
    started = time.perf_counter()
    notes = [problem.text for problem in submission.problems]
    attention = [problem for problem in submission.problems if problem.needs_attention]
    attention += [
        missing_notebook(name)
        for name in points
        if name not in submission.notebooks and missing_notebook(name) not in attention
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
            problems += [
                Reason("suspicious_code", f"suspicious code: {f}") for f in findings(notebook)
            ]
        notes += [problem.about(name).text for problem in problems]
        # A restored test cell costs the learner nothing; every other repair is worth a look.
        attention += [problem.about(name) for problem in problems if problem.needs_attention]
        flags[name] = [problem.text for problem in problems if problem.kind in FLAGS]
        if notebook is not None:
            clean[name] = notebook
    if clean:
        course.submit(submission.learner, clean, submission.timestamp)
    return Prepared(
        submission, clean, notes, attention, started, flags, time.perf_counter() - started
    )


def finish_learner(
    course: Course,
    prepared: Prepared,
    outcome: dict | None,
    points: dict[str, dict[str, float]],
    limits: Limits,
) -> LearnerResult:
    """Read what nbgrader recorded for one learner and decide their status."""
    reading = time.perf_counter()
    learner = prepared.submission.learner
    attention = list(prepared.attention)
    if outcome is not None and not outcome["success"]:
        attention.append(failure_reason(outcome, limits))
    scores = scores_or_none(course, learner) if prepared.clean else None
    if prepared.clean and scores is None and not attention:
        attention.append(Reason("no_grades", "nbgrader recorded no grades"))
    messages = failure_messages(course, learner) if scores else {}
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
            found = Reason(
                "made_inert",
                "content that would run or load in a viewer's browser was made inert "
                f"(cell{'s' if len(active) > 1 else ''} {cells})",
            )
            notes.append(found.about(name).text)
            attention.append(found.about(name))
            flags.setdefault(name, []).append(found.text)
    remarks = retrained(course, learner) if prepared.clean else []
    notes += [remark.text for remark in remarks]
    result = LearnerResult(learner, None, sum(sum(p.values()) for p in points.values()), 0.0, notes)
    result.remarks = remarks
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
    if scores:
        result.seconds_late, result.late_penalty = lateness(course, learner)
        if result.seconds_late > 0:
            notes.append(
                f"received {result.seconds_late / 3600:.1f} h after the due date: "
                f"late penalty {result.late_penalty:g} points"
            )
        if result.score is not None:
            result.score -= result.late_penalty
    result.reasons = list(dict.fromkeys(attention))
    result.timings = {
        "prepare": round(prepared.prepare_seconds, 4),
        **((outcome or {}).get("timings") or {}),
        "results": round(time.perf_counter() - reading, 4),
    }
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
            if outcome and busy(outcome.get("log", "")) and learner not in retried:
                retried.add(learner)  # another writer held the gradebook: grade again
                waiting.insert(0, prepared.submission)
                continue
            results[learner] = finish_learner(course, prepared, outcome, points, limits)
            on_result(results[learner])
        time.sleep(0.05)
    return [results[s.learner] for s in submissions]


def grade_class(
    submissions: Path,
    out_dir: Path,
    progress: Callable[[str], None] = print,
    limits: Limits | None = None,
    workers: int = DEFAULT_WORKERS,
    assignment: str = ASSIGNMENT,
    course_dir: Path | None = None,
    reuse_canary_from: Path | None = None,
    reuse_training: bool = True,
    shown: ClassProgress | None = None,
    rosters: dict[str, Roster] | None = None,
    db_url: str | None = None,
    course_book: CourseBook | None = None,
    scheduler: str | None = None,
) -> list[LearnerResult]:
    """Grade every learner's `assignment` found in `submissions`; write all outputs into
    `out_dir`. limits: default `limits_for(assignment)`. course_dir: nbgrader's course folder
    (gradebook, autograded notebooks), default `out_dir/course`; one folder can hold every
    assignment of the course, for Formgrader. reuse_canary_from: a folder of passing canaries
    (canary.py) to reuse when nothing the canary depends on changed; the training records of
    notebook 04 (training_cache.py) are kept there too, else in out_dir. reuse_training:
    False trains notebook 04 for every learner, as if no record existed. shown: how progress is
    shown (progress.py), default a line per learner through `progress`. rosters: the
    platforms' own lists of the class, for their grade files (rosters.py). db_url: the
    gradebook's SQLAlchemy URL (PostgreSQL; its password goes to PGPASSWORD), default the
    course folder's SQLite file; the canary always grades into a SQLite file of its own.
    course_book: the due date and roster set in Formgrader (course_book.py), applied to the
    grading gradebook. scheduler: the address of a Dask cluster (tcp://HOST:PORT) whose
    workers grade the learners (distributed.py); None grades them here, `workers` at once."""
    limits = limits or limits_for(assignment)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    progress(f"Assignment: {assignment}")
    os.environ["COURSE_GRADING_SEED"] = grading_seed(out_dir)
    enabled, disabled = protections()
    progress("Learner code runs confined: " + "; ".join(enabled))
    for missing in disabled:
        progress(f"WARNING, protection off: {missing}")
    db = ""
    if db_url:
        db, secret = gradebook_url(db_url)
        os.environ.update(secret)  # for nbgrader's commands and the forked graders alike
    course = Course(course_dir or out_dir / "course", assignment=assignment, db=db)
    if db:
        progress(f"Gradebook: {without_password(db)}")
    release = course.generate_release()
    if course_book is not None:
        apply_course_book(course.db_url, assignment, course_book)
        if course_book.duedate is not None:
            progress(f"Due date: {course_book.duedate:%Y-%m-%d %H:%M:%S} UTC")
    points = max_points(assignment)
    grade_ids = {name: grade_ids_of(release / name) for name in points}
    # A zip is extracted into the results folder (replaced on each run), not left in /tmp.
    intake = out_dir / "intake"
    shutil.rmtree(intake, ignore_errors=True)
    found = find_submissions(
        Path(submissions), list(points), grade_ids, assignment=assignment, workdir=intake
    )
    progress(f"Found {len(found)} learners in {submissions}")
    if not found:
        raise NoSubmissions(no_submissions_message(Path(submissions), assignment, list(points)))
    grade = grade_learners
    if scheduler:  # reached and checked before the canary, which can take a minute
        from autograder.pipeline.distributed import cluster_grading

        grade = cluster_grading(scheduler)
        progress(f"Grading on the Dask cluster at {scheduler}")
    progress("Grading the reference solution first (canary)...")
    canary = run_canary(out_dir, assignment, reuse_canary_from)
    if canary.reused_from:
        progress(
            f"  reference: full marks, as graded at {canary.reused_from} (same solutions, "
            "code, package versions, confinement and limits)"
        )
    else:
        progress(f"  reference: full marks ({canary.seconds:.1f} s)")

    records = None
    if reuse_training:
        records = prepare_records(reuse_canary_from or out_dir, assignment, progress)
    shown = shown or ClassProgress(say=progress)
    shown.start(len(found))
    try:
        with offered(records):
            results = grade(
                course,
                found,
                points,
                limits,
                workers,
                on_result=shown.learner_done,
                released=release_cells(release, SOLUTIONS / assignment),
            )
    finally:
        shown.close()

    lms_files = write_outputs(course, results, out_dir, found, rosters)
    progress("")
    progress(
        class_summary_text(
            [learner_row(r) for r in results], [row for r in results for row in r.rows]
        )
    )
    if lms_files.absent:
        progress(
            f"no submission ({count_text(len(lms_files.absent), 'learner')} of the platform's "
            "list, an empty grade in its grade file): "
            + "; ".join(f"{name} ({learner})" for _lms, learner, name in lms_files.absent)
        )
    for note in lms_files.notes:
        progress(note)
    return results
