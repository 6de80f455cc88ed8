"""What nbgrader recorded for a learner, read back after their grading run.

The scores come from the gradebook; the failing tests' messages and the mistakes the checks
recognised are in the autograded notebooks (ExecuteAndDecide writes the mistake's key into
the cell's metadata); so is what InertOutputs changed. The maxima come from the solutions.
"""

from __future__ import annotations

from autograder.pipeline.course import (
    ASSIGNMENT,
    SOLUTIONS,
    Course,
    graded_cells,
    notebook_names,
    read_notebook,
)
from autograder.plugins.execute import MISTAKE_METADATA
from autograder.plugins.inert import changes_of


def max_points(assignment: str = ASSIGNMENT) -> dict[str, dict[str, float]]:
    """{notebook: {grade_id: points}} from the assignment's solution notebooks."""
    folder = SOLUTIONS / assignment
    return {name: graded_cells(read_notebook(folder / name)) for name in notebook_names(folder)}


def scores_or_none(course: Course, learner: str):
    """`course.scores(learner)`, or None when nbgrader recorded nothing for the learner."""
    try:
        return course.scores(learner)
    except Exception:  # nbgrader raises MissingEntry when nothing was recorded
        return None


def lateness(course: Course, learner: str) -> tuple[float, float]:
    """(seconds after the due date, late penalty in points over the notebooks) as nbgrader
    recorded them for the learner's submission; (0, 0) for work on time or without a date."""
    from nbgrader.api import Gradebook

    with Gradebook(course.db_url) as gradebook:
        submission = gradebook.find_submission(course.assignment, learner)
        return float(submission.total_seconds_late or 0), float(
            submission.late_submission_penalty or 0
        )


def failure_messages(course: Course, student: str) -> dict[str, tuple[str, str]]:
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
