"""Sample submissions built from the solution notebooks: correct, blank, and typical mistakes.

A sample learner is the solution notebooks with some answer cells replaced, the way a
learner would have written them. Used by the demo and by the end-to-end tests.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from autograder.answers import ANSWERS
from autograder.course import ASSIGNMENT, SOLUTIONS, notebook_names, read_notebook
from autograder.mistakes import mistakes_for


def answer_cells(notebook: nbformat.NotebookNode) -> dict[str, nbformat.NotebookNode]:
    """{exercise name: answer cell}; an answer cell's grade_id is `<name>-answer`."""
    return {
        cell.metadata["nbgrader"]["grade_id"].removesuffix("-answer").replace("-", "_"): cell
        for cell in notebook.cells
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution")
    }


def with_answers(
    answers: dict[str, str], source: Path = SOLUTIONS / ASSIGNMENT
) -> dict[str, nbformat.NotebookNode]:
    """The solution notebooks with the named answer cells replaced by the given source."""
    notebooks = {}
    for name in notebook_names(source):
        notebook = read_notebook(source / name)
        for exercise, cell in answer_cells(notebook).items():
            if exercise in answers:
                cell.source = answers[exercise]
        notebooks[name] = notebook
    return notebooks


def mistake_answers(*keys: str) -> dict[str, str]:
    """Answers that make the named mistakes of the bank, as `function:key` strings."""
    answers = {}
    for spec in keys:
        function, key = spec.split(":")
        mistake = next(m for m in mistakes_for(function) if m.key == key)
        answers[function] = mistake.notebook_source()
    return answers


def wrong_choice(question: str, offset: int = 0) -> str:
    """An answer cell choosing a wrong letter for a multiple-choice question."""
    letter = "ABCD".replace(ANSWERS[question].letter, "")[offset]
    return f'{question} = "{letter}"\n'
