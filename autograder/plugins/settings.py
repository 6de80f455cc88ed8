"""nbgrader settings shared by every course folder: the project's own nbgrader_config.py
(formgrader, `nbgrader` commands at the root) and the course folders that grading creates."""

from __future__ import annotations

from autograder.limits import NBGRADER_CELL_SECONDS
from autograder.plugins.feedback import (
    INERT_TEMPLATE,
    INERT_TEMPLATE_PATHS,
    NBGRADER_TEMPLATES,
    TEMPLATES,
)


def dotted(cls) -> str:
    """The import path nbgrader's configuration accepts for a preprocessor class."""
    return f"{cls.__module__}.{cls.__name__}"


def nbgrader_defaults() -> dict[str, list[str]]:
    """nbgrader's own preprocessor lists for autograde and feedback, as import paths."""
    from nbgrader.converters import Autograde, GenerateFeedback

    return {
        "autograde": [
            dotted(c) for c in Autograde.class_traits()["autograde_preprocessors"].default()
        ],
        "feedback": [dotted(c) for c in GenerateFeedback.class_traits()["preprocessors"].default()],
    }


# The course's named changes to nbgrader's lists; everything else stays nbgrader's default.
REPLACED = {"nbgrader.preprocessors.execute.Execute": "autograder.plugins.execute.ExecuteAndDecide"}
INSERTED_BEFORE = {  # nbgrader's preprocessor -> the course's, run just before it
    "autograde": {
        "nbgrader.preprocessors.saveautogrades.SaveAutoGrades": "autograder.plugins.inert.InertOutputs"
    },
    "feedback": {},
}
INSERTED_AFTER = {  # nbgrader's preprocessor -> the course's, run just after it (in order)
    "autograde": {},
    "feedback": {
        "nbgrader.preprocessors.getgrades.GetGrades": [
            "autograder.plugins.feedback.CleanFeedback",  # hidden tests and traceback noise removed
            "autograder.plugins.inert.InertOutputs",  # again: an autograded notebook of an older grader
        ]
    },
}


def with_course_changes(step: str, defaults: list[str]) -> list[str]:
    """nbgrader's list for `step` with the course's named changes."""
    changed = []
    for name in defaults:
        if name in INSERTED_BEFORE[step]:
            changed.append(INSERTED_BEFORE[step][name])
        changed.append(REPLACED.get(name, name))
        changed += INSERTED_AFTER[step].get(name, [])
    return changed


# Graded test cells are decided outside the kernel (ExecuteAndDecide, autograder/plugins/execute.py),
# and the learner's content is made inert before it is stored (autograder/plugins/inert.py).
AUTOGRADE_PREPROCESSORS = with_course_changes("autograde", nbgrader_defaults()["autograde"])
FEEDBACK_PREPROCESSORS = with_course_changes("feedback", nbgrader_defaults()["feedback"])


# nbgrader's course id; a PostgreSQL gradebook needs one that is not empty.
COURSE_ID = "cutout-cutmix"


def apply(c) -> None:
    """Set the course's grading behaviour on an nbgrader config object `c`."""
    c.CourseDirectory.course_id = COURSE_ID
    c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
    # A learner who deletes a test cell loses nothing but that answer: nbgrader puts it back.
    c.OverwriteCells.add_missing_cells = True
    # Printing in a loop must not flood the autograded notebook or the feedback.
    c.LimitOutput.max_lines = 200
    c.LimitOutput.max_traceback = 40
    c.Execute.timeout = NBGRADER_CELL_SECONDS
    # Graded test cells are decided in the grading process, never in the learner's kernel.
    c.Autograde.autograde_preprocessors = AUTOGRADE_PREPROCESSORS
    # Files a learner's code wrote beside its notebook never reach Formgrader or feedback.
    c.Autograde.post_convert_hook = "autograder.pipeline.course.remove_learner_files"
    # Feedback shows what the learner needs: no hidden-test source, no traceback noise.
    c.GenerateFeedback.preprocessors = FEEDBACK_PREPROCESSORS
    # Feedback pages run no script and load nothing: a Content-Security-Policy, no MathJax.
    c.GenerateFeedback.exporter_class = "autograder.plugins.feedback.InertFeedbackExporter"
    # nbgrader configures HTMLExporter for its own template; the subclass's settings win.
    c.InertFeedbackExporter.template_name = INERT_TEMPLATE
    c.InertFeedbackExporter.extra_template_basedirs = [str(TEMPLATES), str(NBGRADER_TEMPLATES)]
    c.InertFeedbackExporter.extra_template_paths = INERT_TEMPLATE_PATHS
    # Work received after the due date loses 10 % of each notebook's score per started day
    # late (autograder/plugins/late.py); change the share here, 0 for no penalty.
    c.AssignLatePenalties.plugin_class = "autograder.plugins.late.CourseLatePenalty"
    c.CourseLatePenalty.percent_per_day = 10.0


def config_file_text() -> str:
    """The text of an nbgrader_config.py that applies these settings."""
    return (
        "# Written by autograder.pipeline.course; the settings live in autograder/plugins/settings.py.\n"
        "from autograder.plugins.settings import apply\n\n"
        "c = get_config()  # noqa: F821\n"
        "apply(c)\n"
    )
