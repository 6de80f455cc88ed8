"""The exercise registry agrees with the solution notebooks, the reference and the answer
keys, so the lists, totals and ids derived from it are true."""

import ast
import inspect

import pytest

from autograder.exercises import reference
from autograder.exercises.answers import ANSWERS
from autograder.exercises.registry import (
    CHOICE,
    EXERCISES,
    FUNCTION,
    exercise,
    exercises_of,
    graded_in_solutions,
    learner_functions,
    total_points,
)
from autograder.pipeline.course import (
    ASSIGNMENT,
    EXPERIMENT,
    SOLUTIONS,
    assignments,
    graded_cells,
    notebook_names,
    read_notebook,
)


def test_every_graded_cell_of_the_solutions_is_an_exercise_and_every_exercise_is_graded():
    assert sorted(graded_in_solutions()) == sorted(e.name for e in EXERCISES)


@pytest.mark.parametrize("assignment", assignments())
def test_exercises_are_listed_in_notebook_order_with_their_answer_before_their_test(assignment):
    in_notebooks = []
    for notebook in notebook_names(SOLUTIONS / assignment):
        ids = [
            cell.metadata.get("nbgrader", {}).get("grade_id")
            for cell in read_notebook(SOLUTIONS / assignment / notebook).cells
        ]
        for name in [e for e in exercises_of(assignment) if e.notebook == notebook]:
            assert ids.index(name.answer_id) < ids.index(name.test_id), name.name
        in_notebooks += [i for i in ids if i and i.endswith("-test")]
    assert [e.test_id for e in exercises_of(assignment)] == in_notebooks


@pytest.mark.parametrize("assignment", assignments())
def test_points_totals_are_those_of_the_notebooks(assignment):
    for notebook in notebook_names(SOLUTIONS / assignment):
        cells = graded_cells(read_notebook(SOLUTIONS / assignment / notebook))
        assert total_points(assignment, notebook) == sum(cells.values()), notebook
    assert total_points(ASSIGNMENT) == 31


def test_the_functions_are_the_references_and_the_choices_are_the_answer_keys():
    functions = [e.name for e in EXERCISES if e.kind == FUNCTION]
    assert all(
        callable(getattr(reference, name, None)) for name in functions if name != "paired_gain"
    )
    assert learner_functions(EXPERIMENT) == ["paired_gain"]
    assert sorted(e.name for e in EXERCISES if e.kind == CHOICE) == sorted(ANSWERS)


@pytest.mark.parametrize("name", learner_functions(ASSIGNMENT))
def test_uses_names_the_functions_of_its_notebook_the_reference_calls(name):
    tree = ast.parse(inspect.getsource(getattr(reference, name)))
    called = {
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    source = "".join(
        cell.source
        for cell in read_notebook(SOLUTIONS / ASSIGNMENT / exercise(name).notebook).cells
        if cell.cell_type == "code"
    )
    defined_there = {f for f in learner_functions(ASSIGNMENT) if f"def {f}(" in source}
    assert set(exercise(name).uses) == called & defined_there


def test_an_unknown_exercise_is_named_with_the_known_ones():
    with pytest.raises(KeyError, match="no exercise 'cutmx'.*'cutmix'"):
        exercise("cutmx")
