"""The course's graded exercises: one registry from which function lists, points totals and
each exercise's notebook and grade ids derive.

What an exercise is (its kind) and which learner functions it is built from are written here.
Where it lives and what it is worth are nbgrader's metadata in the solution notebooks (answer
cell `<id>-answer`, test cell `<id>-test` with its points) and are read from there, so they are
never written twice; `tests/test_registry.py` checks that every graded cell of the solutions is
an exercise here and that `uses` matches what the reference calls.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from autograder.pipeline.course import SOLUTIONS, assignments, notebook_names, read_notebook

FUNCTION = "function"  # the learner implements a function of docs/spec.md
VALUE = "value"  # the learner reads a number or a label off a worked example
CHOICE = "choice"  # a multiple-choice question (autograder/exercises/answers.py)
TEST = "test"  # the learner writes a test that must catch a bug


@dataclass(frozen=True)
class Exercise:
    """One graded exercise. name: the learner-facing name (the function or variable the
    answer cell defines); uses: the functions it is built from (docs/spec.md) that its notebook
    defines, written by the learner or given, so a wrong one makes it fail too."""

    name: str
    kind: str
    uses: tuple[str, ...] = ()

    @property
    def grade_id(self) -> str:
        """The stem of the answer's and the test's grade ids: `cutmix_box` -> `cutmix-box`."""
        return self.name.replace("_", "-")

    @property
    def answer_id(self) -> str:
        return f"{self.grade_id}-answer"

    @property
    def test_id(self) -> str:
        return f"{self.grade_id}-test"

    @property
    def assignment(self) -> str:
        return _placed()[self.name][0]

    @property
    def notebook(self) -> str:
        return _placed()[self.name][1]

    @property
    def points(self) -> float:
        return _placed()[self.name][2]


EXERCISES: tuple[Exercise, ...] = (
    # 01_cutout
    Exercise("centered_box", FUNCTION),
    Exercise("apply_cutout", FUNCTION),
    Exercise("cutout", FUNCTION, uses=("centered_box", "apply_cutout")),
    Exercise("cutout_purpose", CHOICE),
    # 02_cutmix
    Exercise("label_mix_ratio", VALUE),
    Exercise("mixed_label", VALUE),
    Exercise("output_shape", VALUE),
    Exercise("cutmix_box", FUNCTION, uses=("centered_box",)),
    Exercise("paste_patch", FUNCTION),
    Exercise("patch_ratio", FUNCTION),
    Exercise("mix_labels", FUNCTION),
    Exercise("cutmix", FUNCTION, uses=("cutmix_box", "paste_patch", "patch_ratio", "mix_labels")),
    Exercise(
        "cutmix_batch", FUNCTION, uses=("cutmix_box", "paste_patch", "patch_ratio", "mix_labels")
    ),
    Exercise("cutmix_vs_cutout", CHOICE),
    Exercise("cutmix_effect", CHOICE),
    # 03_reversed_ratio_bug
    Exercise("snippet_bug", CHOICE),
    Exercise("test_cutmix_labels", TEST),
    Exercise("cutmix_labels", FUNCTION),  # notebook 03 has no mix_labels of its own
    # 04_measuring_the_effect
    Exercise("most_robust_to_grey", VALUE),
    Exercise("better_on_erase", VALUE),
    Exercise("paired_gain", FUNCTION),
    Exercise("paired_why", CHOICE),
)

BY_NAME = {exercise.name: exercise for exercise in EXERCISES}


def exercise(name: str) -> Exercise:
    """The exercise called `name`; a KeyError names the known ones."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"no exercise {name!r}; the course has {sorted(BY_NAME)}") from None


def exercises_of(assignment: str, kind: str | None = None) -> list[Exercise]:
    """The assignment's exercises in notebook order, optionally of one kind."""
    return [e for e in EXERCISES if e.assignment == assignment and (kind is None or e.kind == kind)]


def learner_functions(assignment: str) -> list[str]:
    """The names of the functions learners implement in the assignment, in notebook order."""
    return [e.name for e in exercises_of(assignment, FUNCTION)]


def total_points(assignment: str, notebook: str | None = None) -> float:
    """The points an assignment (or one of its notebooks) is worth."""
    return sum(
        e.points for e in exercises_of(assignment) if notebook is None or e.notebook == notebook
    )


@functools.cache
def _placed() -> dict[str, tuple[str, str, float]]:
    """{exercise name: (assignment, notebook, points)} from the solution notebooks' metadata."""
    placed = {}
    for assignment in assignments():
        folder = SOLUTIONS / assignment
        for notebook in notebook_names(folder):
            for cell in read_notebook(folder / notebook).cells:
                grading = cell.metadata.get("nbgrader", {})
                grade_id = grading.get("grade_id", "")
                if grading.get("grade") and grade_id.endswith("-test"):
                    name = grade_id.removesuffix("-test").replace("-", "_")
                    placed[name] = (assignment, notebook, float(grading.get("points", 0)))
    missing = sorted(set(BY_NAME) - set(placed))
    if missing:
        raise LookupError(f"exercises without a graded test cell in {SOLUTIONS}: {missing}")
    return placed


def graded_in_solutions() -> dict[str, tuple[str, str, float]]:
    """Every graded test cell of the solutions, as {name: (assignment, notebook, points)}."""
    return dict(_placed())
