"""A platform's own list of the class, read from the file the instructor exports from it, so
that the grade file written for it (lms_grades.py) imports without hand edits.

Canvas: Grades > Export > "Export Entire Gradebook" writes one row per learner, headed
`Student` (or `LastName`, `FirstName`), `ID`, `SIS User ID`, `SIS Login ID`, then
`Integration ID` and `Root Account` on some sites, `Section`, the course's custom columns,
one column per assignment headed `Title (id)`, and totals; under the header a row
`    Points Possible` (and, before it, a row of posting policies when an assignment posts
manually). Canvas source: `csv_data` in
https://github.com/instructure/canvas-lms/blob/master/lib/gradebook_exporter.rb
Its import matches learners by `ID` and assignments by the header `Title (id)`.

Moodle: Assignment > View all submissions > "Download grading worksheet" (feedback type
"Offline grading worksheet") writes `Identifier` ("Participant N"), `Full name`,
`Email address`, `Status`, `Grade`, `Maximum grade`, `Grade can be changed`,
`Last modified (submission)`, `Last modified (grade)` and the feedback columns; its upload
reads `Identifier`, `Grade` and `Last modified (grade)` (Moodle source:
https://github.com/moodle/moodle/blob/main/mod/assign/feedback/offline/importgradeslib.php).

Whatever is wrong with such a file stops the run before anything is graded, with
`RosterError` saying what was read and what to do.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from autograder.pipeline.lms import CANVAS, MOODLE

# Canvas's assignment column: "Title (123)"; its id is the assignment's Canvas id.
CANVAS_ASSIGNMENT = re.compile(r"^(?P<title>.*\S)\s*\((?P<id>\d+)\)$")
# Canvas's identity columns, in the export's order; "Student" or "LastName"/"FirstName".
CANVAS_IDENTITY = {
    "Student",
    "LastName",
    "FirstName",
    "ID",
    "SIS User ID",
    "SIS Login ID",
    "Integration ID",
    "Root Account",
    "Section",
}
# Rows under the header that are no learner.
CANVAS_NOT_LEARNERS = ("Points Possible", "Manual Posting", "Muted")
MOODLE_REQUIRED = ("Identifier", "Grade", "Last modified (grade)")
MOODLE_PARTICIPANT = re.compile(r"^\D*?(\d+)$")


class RosterError(ValueError):
    """The file is not the platform's export, or names no single assignment column."""


@dataclass
class Roster:
    """The platform's learners, in the file's order.

    lms: "canvas" or "moodle". columns: the file's columns kept in the grade file (Canvas:
    its identity columns; Moodle: all of them). grade_column: the header the grade goes
    under. rows: {learner id as graded ("canvas-<ID>", "moodle-<N>"): the file's row}.
    source: the file read.
    """

    lms: str
    columns: list[str]
    grade_column: str
    rows: dict[str, dict[str, str]] = field(default_factory=dict)
    source: Path | None = None

    def name_of(self, learner: str) -> str:
        row = self.rows.get(learner, {})
        return (
            row.get("Student")
            or row.get("Full name")
            or (f"{row.get('LastName', '')}, {row.get('FirstName', '')}".strip(", "))
        )


def _read_rows(path: Path) -> list[list[str]]:
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except OSError as error:
        raise RosterError(f"cannot read {path}: {error.strerror or error}") from error
    except UnicodeDecodeError as error:
        raise RosterError(f"{path} is not a text file in UTF-8 (is it a CSV export?)") from error
    first = text.split("\n", 1)[0]
    # Canvas writes ";" or a tab for users whose locale uses a decimal comma.
    delimiter = max(",;\t", key=first.count)
    return [row for row in csv.reader(text.splitlines(), delimiter=delimiter) if any(row)]


def canvas_columns(path: Path, assignment: str) -> tuple[list[str], list[str]]:
    """(the export's header, the assignment columns that may be `assignment`'s)."""
    rows = _read_rows(path)
    header = rows[0] if rows else []
    if "ID" not in header or not ({"Student", "LastName"} & set(header)):
        raise RosterError(
            f"{path} is not a Canvas gradebook export: its first row should start with "
            f"Student (or LastName, FirstName), ID, ...; it is {', '.join(header[:6]) or 'empty'}"
        )
    columns = [c for c in header if CANVAS_ASSIGNMENT.match(c)]
    return header, [c for c in columns if _names_assignment(c, assignment)] or columns


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def _names_assignment(column: str, assignment: str) -> bool:
    """The Canvas title holds every word of the course's assignment name ("cutout_cutmix"
    in "Cutout and CutMix (123)")."""
    title = CANVAS_ASSIGNMENT.match(column)["title"]
    return _words(assignment.replace("_", " ")) <= _words(title)


def read_canvas_gradebook(path: Path, assignment: str, column: str | None = None) -> Roster:
    """The learners and the assignment column of a Canvas gradebook export.

    column: the assignment column's header, or just its Canvas id or a part of its title,
    when the export has several that could be the assignment's (otherwise the one whose
    title holds the words of `assignment`, or the only assignment column).
    Raises RosterError for a file that is no Canvas export, no matching column, or several.
    """
    path = Path(path)
    header, candidates = canvas_columns(path, assignment)
    every = [c for c in header if CANVAS_ASSIGNMENT.match(c)]
    if column is not None:
        wanted = column.strip().lower()
        chosen = [c for c in every if c.lower() == wanted] or [
            c for c in every if wanted == CANVAS_ASSIGNMENT.match(c)["id"] or wanted in c.lower()
        ]
    else:
        chosen = candidates
    if not chosen:
        shown = "; ".join(every) or "none"
        asked = f" named like '{column}'" if column else ""
        raise RosterError(
            f"{path} has no assignment column{asked} (columns headed 'Title (id)': {shown}); "
            "create the assignment in Canvas and export the gradebook again, or name the "
            "column with --canvas-column"
        )
    if len(chosen) > 1:
        raise RosterError(
            f"{path} has several assignment columns that could be {assignment}: "
            + "; ".join(f"'{c}'" for c in chosen)
            + "; name one with --canvas-column (its header, its id or part of its title)"
        )
    identity = [c for c in header if c in CANVAS_IDENTITY]
    rows = {}
    for values in _read_rows(path)[1:]:
        row = dict(zip(header, values, strict=False))
        name = (row.get("Student") or row.get("LastName") or "").strip()
        if not row.get("ID", "").strip().isdigit() or name.startswith(CANVAS_NOT_LEARNERS):
            continue  # "Points Possible" and the posting-policy row
        rows[f"{CANVAS}-{row['ID'].strip()}"] = {c: row.get(c, "") for c in identity}
    return Roster(CANVAS, identity, chosen[0], rows, path)


def read_moodle_worksheet(path: Path) -> Roster:
    """The learners of a Moodle grading worksheet; all its columns are kept.

    Raises RosterError for a file without Moodle's Identifier, Grade and Last modified (grade).
    """
    path = Path(path)
    rows = _read_rows(path)
    header = rows[0] if rows else []
    missing = [c for c in MOODLE_REQUIRED if c not in header]
    if missing:
        raise RosterError(
            f"{path} is not a Moodle grading worksheet: it has no column {', '.join(missing)} "
            f"(its first row: {', '.join(header[:6]) or 'empty'}); download it from the "
            "assignment's View all submissions > Download grading worksheet"
        )
    roster = Roster(MOODLE, list(header), "Grade", {}, path)
    for values in rows[1:]:
        row = dict(zip(header, values, strict=False))
        number = MOODLE_PARTICIPANT.match(row.get("Identifier", "").strip())
        if number:
            roster.rows[f"{MOODLE}-{number[1]}"] = {c: row.get(c, "") for c in header}
    if not roster.rows:
        raise RosterError(f"{path} lists no participant ('Participant N' under Identifier)")
    return roster
