"""Sample submissions built from the solution notebooks: correct, blank, and typical mistakes.

A sample learner is the solution notebooks with some answer cells replaced, the way a
learner would have written them. Used by the demo and by the end-to-end tests.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from autograder.exercises.answers import ANSWERS
from autograder.exercises.mistakes import lookup
from autograder.pipeline.course import (
    ASSIGNMENT,
    EXPERIMENT,
    RELEASE,
    SOLUTIONS,
    notebook_names,
    read_notebook,
)


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


SOLUTION_MARKER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")


def solved_release(path: str | Path) -> nbformat.NotebookNode:
    """The released notebook `<assignment>/<name>` with every answer cell written as the
    solution writes it: what a learner who got everything right hands in (locked cells and
    checksums untouched)."""
    release = nbformat.read(RELEASE / path, as_version=nbformat.NO_CONVERT)
    answers = {
        cell.metadata["nbgrader"]["grade_id"]: cell.source
        for cell in read_notebook(SOLUTIONS / path).cells
        if cell.metadata.get("nbgrader", {}).get("solution")
    }
    for cell in release.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.metadata.get("nbgrader", {}).get("solution") and grade_id in answers:
            lines = answers[grade_id].splitlines()
            cell.source = "\n".join(line for line in lines if not SOLUTION_MARKER.match(line))
    return release


def mistake_answers(*keys: str) -> dict[str, str]:
    """Answers that make the named mistakes of the bank, as `function:key` strings."""
    answers = {}
    for spec in keys:
        function, key = spec.split(":")
        mistake = lookup(function, key)
        answers[function] = mistake.notebook_source()
    return answers


def wrong_choice(question: str, offset: int = 0) -> str:
    """An answer cell choosing a wrong letter for a multiple-choice question."""
    letter = "ABCD".replace(ANSWERS[question].letter, "")[offset]
    return f'{question} = "{letter}"\n'


# --- a sample class for the demo and the end-to-end tests --------------------------------

KERNEL_DEATH = "import os\n\nos._exit(1)\n"
ENDLESS_LOOP = (
    "import signal\n\n"
    "signal.signal(signal.SIGINT, signal.SIG_IGN)  # ignores the grader's interrupt\n"
    "while True:\n    pass\n"
)
OUTPUT_FLOOD = "for line in range(50_000):\n    print('flood', line)\n"

TYPICAL_LEARNERS = {
    "ada": ["cutmix:lam_not_readjusted", "centered_box:box_not_clipped"],
    "ben": [
        "mix_labels:weights_swapped",
        "cutmix_labels:reversed_ratio",
        "cutmix_box:sqrt_lam",
        "apply_cutout:input_modified",
    ],
    "chloe": [
        "cutout:global_random",
        "cutmix_batch:labels_not_permuted",
        "paste_patch:patch_from_corner",
    ],
}


def _replace_cell_source(notebook, grade_id: str, source: str) -> None:
    cell = next(
        c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id
    )
    cell.source = source


def _write(notebooks: dict[str, nbformat.NotebookNode | Path], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, notebook in notebooks.items():
        if isinstance(notebook, Path):
            (folder / name).write_bytes(notebook.read_bytes())
        else:
            nbformat.write(notebook, folder / name)


def write_sample_class(submitted: Path, release: Path) -> dict[str, str]:
    """Write a sample class in nbgrader's layout (`submitted/<learner>/<assignment>/`).

    Returns {learner: what to expect}. `release` is the generated learner release, for the
    learner who submits it untouched.
    """
    solutions = SOLUTIONS / ASSIGNMENT
    names = notebook_names(solutions)
    expect = {}

    def folder(learner: str) -> Path:
        return submitted / learner / ASSIGNMENT

    _write({n: solutions / n for n in names}, folder("reference"))
    expect["reference"] = "full marks"
    for learner, mistakes in TYPICAL_LEARNERS.items():
        answers = mistake_answers(*mistakes)
        if learner == "ada":
            answers["cutout_purpose"] = wrong_choice("cutout_purpose")
        _write(with_answers(answers), folder(learner))
        expect[learner] = "graded, mistakes named: " + ", ".join(mistakes)
    _write({n: release / n for n in names}, folder("dmitri"))
    expect["dmitri"] = "graded, 0 points (untouched release)"

    broken = with_answers({})
    _write({n: broken[n] for n in names}, folder("eve"))
    (folder("eve") / names[1]).write_text('{"cells": [{"cell_type": "code", "source": "trunc')
    expect["eve"] = f"needs attention: {names[1]} is not valid JSON; other notebooks graded"

    farid = with_answers({})
    duplicate = next(
        c for c in farid[names[0]].cells if c.metadata.get("nbgrader", {}).get("grade")
    )
    copy = nbformat.from_dict(dict(duplicate))
    copy["id"] = "pasted-copy"  # JupyterLab gives a pasted cell a new id, not new nbgrader metadata
    farid[names[0]].cells.append(copy)
    for cell in farid[names[2]].cells:
        if "nbgrader" in cell.metadata:
            cell.metadata["nbgrader"]["schema_version"] = 7
    _write(farid, folder("farid"))
    expect["farid"] = (
        "needs attention: duplicated graded cell, unknown schema version; full marks otherwise"
    )

    gita = with_answers({})
    gita[names[2]].cells = [
        c
        for c in gita[names[2]].cells
        if c.metadata.get("nbgrader", {}).get("grade_id") != "cutmix-labels-test"
    ]
    renamed = gita.pop(names[0])
    _write(gita, folder("gita"))
    nbformat.write(renamed, folder("gita") / f"{names[0].removesuffix('.ipynb')} (1).ipynb")
    (folder("gita") / "notes.txt").write_text("my notes\n")
    expect["gita"] = (
        "graded: deleted test cell restored, renamed notebook found, extra file ignored"
    )

    hugo = with_answers({})
    _replace_cell_source(hugo[names[2]], "snippet-bug-answer", KERNEL_DEATH)
    _write(hugo, folder("hugo"))
    expect["hugo"] = "needs attention: the kernel died"

    iris = with_answers({})
    _replace_cell_source(iris[names[2]], "snippet-bug-answer", ENDLESS_LOOP)
    _write(iris, folder("iris"))
    expect["iris"] = "needs attention: a cell timed out"

    jon = with_answers({})
    _replace_cell_source(
        jon[names[0]],
        "centered-box-answer",
        answer_cells(jon[names[0]])["centered_box"].source + "\n\n" + OUTPUT_FLOOD,
    )
    _write(jon, folder("jon"))
    expect["jon"] = "graded, full marks; the flood is cut in the feedback"
    return expect


# --- a sample class of notebook 04 (measuring_the_effect) -------------------------------

EXPERIMENT_NOTEBOOK = "04_measuring_the_effect.ipynb"
SAMPLE_STD = "differences.std(ddof=1)"


def misread_experiment() -> nbformat.NotebookNode:
    """Notebook 04 by a learner who misreads the table (names the baseline as most robust),
    takes the population standard deviation in paired_gain and picks a wrong letter: three
    of its four tests fail, better_on_erase still passes."""
    source = SOLUTIONS / EXPERIMENT
    solution = with_answers({}, source)[EXPERIMENT_NOTEBOOK]
    paired_gain = answer_cells(solution)["paired_gain"].source
    assert SAMPLE_STD in paired_gain, "the solution's paired_gain changed: update this sample"
    answers = {
        "paired_gain": paired_gain.replace(SAMPLE_STD, "differences.std()"),
        "most_robust_to_grey": 'most_robust_to_grey = "baseline"\n',
        "paired_why": wrong_choice("paired_why"),
    }
    return with_answers(answers, source)[EXPERIMENT_NOTEBOOK]


def write_experiment_sample_class(submitted: Path, release: Path) -> dict[str, str]:
    """Notebook 04 of three learners in nbgrader's layout; returns {learner: what to expect}.
    `release` is the generated learner release of measuring_the_effect."""
    notebooks = {
        "reference": SOLUTIONS / EXPERIMENT / EXPERIMENT_NOTEBOOK,
        "kim": misread_experiment(),
        "lee": release / EXPERIMENT_NOTEBOOK,
    }
    for learner, notebook in notebooks.items():
        _write({EXPERIMENT_NOTEBOOK: notebook}, submitted / learner / EXPERIMENT)
    return {
        "reference": "full marks",
        "kim": "graded, 3 of 4 tests failed (misread table, population std, wrong letter)",
        "lee": "graded, 0 points (untouched release)",
    }
