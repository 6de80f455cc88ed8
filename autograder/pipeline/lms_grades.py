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

With the platform's own list of the class (rosters.py: Canvas's gradebook export, Moodle's
grading worksheet) the file takes that list's columns, its assignment header and every learner
on it, in its order, so that it imports without hand edits.

A learner who needs attention, or on the list but with nothing handed in, gets an empty
grade, never 0: an empty cell is not a grade that a platform would post.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from autograder.pipeline.intake import Submission
from autograder.pipeline.learner_result import LearnerResult
from autograder.pipeline.lms import CANVAS, MOODLE
from autograder.pipeline.rosters import Roster

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


@dataclass
class LmsFiles:
    """What `write_lms_grades` wrote, and what the instructor should read about it.

    written: the files. notes: sentences for the end of the run (a header to rename, learners
    of the archive not on the platform's list). absent: (platform, learner id, name) of the
    learners the platform's list holds who handed in nothing (an empty grade in its file).
    """

    written: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    absent: list[tuple[str, str, str]] = field(default_factory=list)


def write_lms_grades(
    results: list[LearnerResult],
    submissions: list[Submission],
    out_dir: Path,
    assignment_column: str,
    graded_at: datetime | None = None,
    rosters: dict[str, Roster] | None = None,
) -> LmsFiles:
    """Write canvas_grades.csv and moodle_grades.csv into out_dir, each only if some learner
    came from that platform's archive or its list of learners was given (an old file is
    removed otherwise).

    assignment_column: the header of Canvas's grade column without a Canvas gradebook export
    (Canvas's own export heads it `Title (id)`, which the instructor must then put there).
    graded_at: Moodle's "Last modified (grade)", default now; Moodle skips a row whose grade
    was changed in Moodle after it unless told to ignore the date. rosters: {platform: its
    list of learners (rosters.py)}: the file then has that list's columns and every learner
    on it, those who handed in nothing with an empty grade.
    """
    graded_at = graded_at or datetime.now()
    rosters = rosters or {}
    by_learner = {s.learner: s for s in submissions}
    rows = {CANVAS: [], MOODLE: []}
    for result in results:
        submission = by_learner.get(result.learner)
        if submission is None or submission.lms is None:
            continue
        grade = "" if result.reasons or result.score is None else f"{result.score:g}"
        rows[submission.lms.lms].append((submission, result, grade))
    files = LmsFiles()
    stamp = graded_at.strftime("%Y-%m-%d %H:%M:%S")  # PHP's strtotime reads this form
    for lms, path in ((CANVAS, out_dir / CANVAS_FILE), (MOODLE, out_dir / MOODLE_FILE)):
        path.unlink(missing_ok=True)
        roster = rosters.get(lms)
        if not rows[lms] and roster is None:
            continue
        if roster is not None:
            header, lines = _with_roster(roster, rows[lms], stamp, files)
        elif lms == CANVAS:
            header, lines = _canvas(rows[lms], assignment_column)
            files.notes.append(
                f"{CANVAS_FILE}: rename its column '{assignment_column}' to your Canvas "
                "assignment's header as your gradebook export shows it ('Title (id)'), or "
                "pass that export with --canvas-gradebook, or Canvas adds a new assignment"
            )
        else:
            header, lines = _moodle(rows[lms], stamp)
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(lines)
        files.written.append(path)
    return files


def _canvas(rows, assignment_column: str) -> tuple[list[str], list[list[str]]]:
    lines = []
    for submission, _result, grade in rows:
        user = submission.lms.user_id
        # An anonymous id is no Canvas user id: the row is kept for the instructor, and
        # Canvas reports it as a learner it cannot find.
        lines.append([submission.name, user if user.isdigit() else "", "", "", "", grade])
    return CANVAS_COLUMNS + [assignment_column], lines


def _moodle(rows, stamp: str) -> tuple[list[str], list[list[str]]]:
    lines = [
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
        for submission, result, grade in rows
    ]
    return MOODLE_COLUMNS, lines


def _with_roster(roster: Roster, rows, stamp: str, files: LmsFiles):
    """The platform's own columns and learners, in its order; then the archive's learners
    it does not list (said in the notes: the platform will not find them)."""
    canvas = roster.lms == CANVAS
    header = roster.columns + ([roster.grade_column] if canvas else [])
    graded = {submission.learner: (submission, result, grade) for submission, result, grade in rows}
    lines = []
    for learner, row in roster.rows.items():
        line = dict(row)
        if learner in graded:
            _submission, result, grade = graded.pop(learner)
            line[roster.grade_column] = grade
            if not canvas:
                line |= {"Status": result.status, "Last modified (grade)": stamp}
        else:
            line[roster.grade_column] = ""
            files.absent.append((roster.lms, learner, roster.name_of(learner)))
        lines.append([line.get(column, "") for column in header])
    for submission, result, grade in graded.values():
        line = {"Student": submission.name, "Full name": submission.name}
        user = submission.lms.user_id
        line |= {"ID": user} if user.isdigit() else {}
        line |= {"Identifier": f"Participant {user}", "Status": result.status}
        line |= {roster.grade_column: grade, "Last modified (grade)": stamp}
        if "Maximum grade" in header and not canvas:
            line["Maximum grade"] = f"{result.max:g}"
        lines.append([line.get(column, "") for column in header])
    if not canvas and rows and "Maximum grade" in header:
        _submission, result, _grade = rows[0]
        maxima = {line[header.index("Maximum grade")] for line in lines} - {""}
        if any(_number(m) != result.max for m in maxima):
            files.notes.append(
                f"{MOODLE_FILE}: Moodle's maximum grade is {', '.join(sorted(maxima))} but "
                f"grades here are points out of {result.max:g}: set the assignment's maximum "
                "grade to the points before uploading"
            )
    if len(graded):
        named = ", ".join(f"{s.name} ({s.learner})" for s, _r, _g in graded.values())
        files.notes.append(
            f"{len(graded)} learner(s) of the archive are not in {roster.source}, so the "
            f"platform will not find their rows: {named}"
        )
    return header, lines


def _number(text: str) -> float | None:
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return None
