"""What the instructor set in Formgrader, for the grading command: the assignment's due date
and the class roster.

Formgrader keeps them in the project's gradebook (nbgrader_config.py:
build/grading/course/gradebook.db, the grading command's default course folder):
the due date of "Edit assignment" (or `nbgrader db assignment add NAME --duedate=...`) and
the students of "Manage Students" (or `nbgrader db student import roster.csv`; `make hub`
puts the learner accounts there). The grading command grades into that same gradebook by
default, so that Formgrader shows what it graded; with --course or --out elsewhere it copies
both into the gradebook it grades in, so that late work gets the late penalty and a learner who handed nothing in
shows as "not submitted" in grades.csv rather than missing or 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from autograder.pipeline.course import ROOT

FORMGRADER_GRADEBOOK = ROOT / "build" / "grading" / "course" / "gradebook.db"


@dataclass(frozen=True)
class CourseBook:
    duedate: datetime | None = None  # naive, in UTC (as nbgrader stores it)
    roster: tuple[str, ...] = ()


def read_course_book(assignment: str, gradebook: Path = FORMGRADER_GRADEBOOK) -> CourseBook:
    """The due date of `assignment` and the students in Formgrader's gradebook; nothing
    when there is no gradebook (a course graded without Formgrader)."""
    if not Path(gradebook).is_file():
        return CourseBook()
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(f"sqlite:///{Path(gradebook).resolve()}") as book:
        roster = tuple(sorted(student.id for student in book.students))
        try:
            duedate = book.find_assignment(assignment).duedate
        except MissingEntry:
            duedate = None
    return CourseBook(duedate, roster)


def apply_course_book(db_url: str, assignment: str, book: CourseBook) -> None:
    """Set the due date of `assignment` (None: none) and add the roster's students to the
    gradebook at `db_url` (the grading command's)."""
    from nbgrader.api import Gradebook

    with Gradebook(db_url) as gradebook:
        gradebook.update_or_create_assignment(assignment, duedate=book.duedate)
        known = {student.id for student in gradebook.students}
        for learner in book.roster:
            if learner not in known:
                # A name for Formgrader's tables, as the grading gives graded learners.
                gradebook.update_or_create_student(learner, last_name=learner, first_name="")
