"""The instructor's files after grading, written into the results folder:
grades.csv      nbgrader's export of the assignment, with columns status, name (as the
                download names the learner), lms, lms_id and late;
canvas_grades.csv, moodle_grades.csv  beside it, for the learners whose work came from that
                platform's archive (lms_grades.py);
tests.csv/.json one row per learner and graded test (points, verdict, mistake key, flags);
learners.json   one object per learner: status, reasons ({"kind", "notebook", "text"}),
                score, notes, name, lms, lms_id, late, timings (seconds per phase of the
                grading, autograder/plugins/timing.py);
class_report.html and feedback/ (nbgrader's pages, and a page for each notebook nbgrader
                wrote none for).
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

from autograder.pipeline.course import Course
from autograder.pipeline.intake import Submission
from autograder.pipeline.learner_result import LearnerResult, learner_row
from autograder.pipeline.lms_grades import LmsFiles, write_lms_grades
from autograder.pipeline.missing_feedback import write_missing_feedback
from autograder.pipeline.reasons import is_graded
from autograder.pipeline.report import write_class_report
from autograder.pipeline.rosters import Roster

TEST_COLUMNS = [
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


def write_outputs(
    course: Course,
    results: list[LearnerResult],
    out_dir: Path,
    submissions: list[Submission] = (),
    rosters: dict[str, Roster] | None = None,
) -> LmsFiles:
    """nbgrader's CSV export, the platforms' grade files, the per-test table, the learners'
    table and the class report. submissions: what intake found, for who each learner is.
    rosters: the platforms' own lists of the class (rosters.py), for their grade files.
    Returns what was written for the platforms and what to say about it."""
    rows = [row for result in results for row in result.rows]
    origins = {s.learner: origin(s) for s in submissions}
    for result in results:  # received after the due date set in Formgrader
        if result.seconds_late > 0:
            origins[result.learner] = origins.get(result.learner, origin(None)) | {"late": "yes"}
    export_grades(course, results, out_dir / "grades.csv", origins)
    lms_files = write_lms_grades(
        results, list(submissions), out_dir, course.assignment, rosters=rosters
    )
    with open(out_dir / "tests.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=TEST_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    (out_dir / "tests.json").write_text(json.dumps(rows, indent=1))
    learners = [
        learner_row(r)
        | {"reasons": [reason.as_json() for reason in r.reasons], "notes": r.notes}
        | origins.get(r.learner, origin(None))
        | {"timings": r.timings}
        for r in results
    ]
    (out_dir / "learners.json").write_text(json.dumps(learners, indent=1))
    title = f"Cutout and CutMix, {course.assignment}: class report"
    absent = [f"{name} ({learner})" for _lms, learner, name in lms_files.absent]
    write_class_report(rows, [learner_row(r) for r in results], out_dir, title, absent)
    write_feedback(course, results, out_dir / "feedback")
    return lms_files


def write_feedback(course: Course, results: list[LearnerResult], feedback: Path) -> None:
    """Every learner's feedback pages of this assignment, in `feedback/<learner>/<assignment>/`."""
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


def origin(submission: Submission | None) -> dict:
    """Who the download says the learner is: {"name", "lms", "lms_id", "late"}; lms and
    lms_id empty for a download of no known platform, late "yes" or "" (unknown or on time;
    write_outputs also marks work received after the due date)."""
    identity = submission.lms if submission else None
    return {
        "name": submission.name if submission else "",
        "lms": identity.lms if identity else "",
        "lms_id": identity.user_id if identity else "",
        "late": "yes" if identity and identity.late else "",
    }


def export_grades(
    course: Course, results: list[LearnerResult], path: Path, origins: dict[str, dict] | None = None
) -> None:
    """nbgrader's CSV export of this course's assignment, with a status column and who the
    learner is (see `origin`); a learner who needs attention gets no score there (nbgrader
    would show 0, which looks like a real grade)."""
    origins = origins or {}
    course.run("export", f"--to={Path(path).resolve()}")  # nbgrader runs in the course folder
    status = {r.learner: r.status for r in results}
    with open(path, newline="") as handle:
        # The gradebook may also hold another assignment graded into the same folder.
        rows = [r for r in csv.DictReader(handle) if r.get("assignment") == course.assignment]
    extra = ["status", *origin(None)]
    columns = list(rows[0].keys()) + extra if rows else ["student_id", *extra]
    for row in rows:
        row["status"] = status.get(row.get("student_id"), "not submitted")
        row |= origins.get(row.get("student_id"), origin(None))
        if not is_graded(row["status"]):
            for column in ("raw_score", "score"):
                if column in row:
                    row[column] = ""
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
