"""Grade files a learning platform imports, for the learners whose work came from its archive.

canvas_grades.csv  for Canvas's Gradebook > Import: the columns of Canvas's own gradebook
                   export, `Student`, `ID` (the Canvas user id, by which Canvas finds the
                   learner), `SIS User ID`, `SIS Login ID`, `Section`, then one column per
                   assignment headed `Title (id)`. Canvas's guide "How do I import grades in
                   the Gradebook?" (Instructor Guide, community.canvaslms.com) and, with the
                   columns spelt out,
                   https://teaching.resources.osu.edu/toolsets/carmencanvas/guides/calculating-final-grades/import-csv-file-carmen-grades
                   (Canvas's exporter writes the same header: `title_with_id`,
                   https://github.com/instructure/canvas-lms/blob/master/lib/gradebook_exporter.rb).
moodle_grades.csv  for Moodle's Assignment > "Upload grading worksheet" (feedback type
                   "Offline grading worksheet"): the worksheet's columns, of which Moodle
                   reads `Identifier` ("Participant N"), `Grade` and `Last modified (grade)`,
                   and refuses a file without all three
                   (https://github.com/moodle/moodle/blob/main/mod/assign/feedback/offline/importgradeslib.php,
                   and the feedback type: https://docs.moodle.org/en/Assignment_settings).
                   The headers are those of an English Moodle; Moodle matches them in the
                   site's language.

A learner who needs attention gets an empty grade, never 0: an empty cell is not a grade that
a platform would post.
"""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

from autograder.pipeline.intake import Submission
from autograder.pipeline.learner_result import LearnerResult
from autograder.pipeline.lms import CANVAS, MOODLE

CANVAS_FILE = "canvas_grades.csv"
MOODLE_FILE = "moodle_grades.csv"
CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
MOODLE_COLUMNS = [
    "Identifier",
    "Full name",
    "Email address",
    "Status",
    "Grade",
    "Maximum grade",
    "Grade can be changed",
    "Last modified (submission)",
    "Last modified (grade)",
]


def write_lms_grades(
    results: list[LearnerResult],
    submissions: list[Submission],
    out_dir: Path,
    assignment_column: str,
    graded_at: datetime | None = None,
) -> list[Path]:
    """Write canvas_grades.csv and moodle_grades.csv into out_dir, each only if some learner
    came from that platform's archive (an old file is removed otherwise); return those written.

    assignment_column: the header of Canvas's grade column, `Title (id)` as Canvas's own
    export shows it. graded_at: Moodle's "Last modified (grade)", default now; Moodle skips
    a row whose grade was changed in Moodle after it unless told to ignore the date.
    """
    graded_at = graded_at or datetime.now()
    by_learner = {s.learner: s for s in submissions}
    rows = {CANVAS: [], MOODLE: []}
    for result in results:
        submission = by_learner.get(result.learner)
        if submission is None or submission.lms is None:
            continue
        grade = "" if result.reasons or result.score is None else f"{result.score:g}"
        rows[submission.lms.lms].append((submission, result, grade))
    written = []
    for lms, path, write in (
        (CANVAS, out_dir / CANVAS_FILE, _write_canvas),
        (MOODLE, out_dir / MOODLE_FILE, _write_moodle),
    ):
        path.unlink(missing_ok=True)
        if rows[lms]:
            with open(path, "w", newline="", encoding="utf-8") as handle:
                write(csv.writer(handle), rows[lms], assignment_column, graded_at)
            written.append(path)
    return written


def _write_canvas(writer, rows, assignment_column: str, graded_at: datetime) -> None:
    writer.writerow(CANVAS_COLUMNS + [assignment_column])
    for submission, _result, grade in rows:
        user = submission.lms.user_id
        # An anonymous id is no Canvas user id: the row is kept for the instructor, and
        # Canvas reports it as a learner it cannot find.
        writer.writerow([submission.name, user if user.isdigit() else "", "", "", "", grade])


def _write_moodle(writer, rows, assignment_column: str, graded_at: datetime) -> None:
    writer.writerow(MOODLE_COLUMNS)
    stamp = graded_at.strftime("%Y-%m-%d %H:%M:%S")  # PHP's strtotime reads this form
    for submission, result, grade in rows:
        writer.writerow(
            [
                f"Participant {submission.lms.user_id}",
                submission.name,
                "",
                result.status,
                grade,
                f"{result.max:g}",
                "Yes",
                "",
                stamp,
            ]
        )
