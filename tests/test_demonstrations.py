"""Which demonstration cells grading leaves out (autograder/plugins/demonstrations.py): only
unchanged ones that nothing graded, and nothing that runs later, depends on."""

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from autograder.pipeline.course import RELEASE, SOLUTIONS, assignments, notebook_names
from autograder.plugins.demonstrations import (
    CellNames,
    cells_to_skip,
    demonstration_sources,
    is_course_cell,
)


def setup(source):
    return new_code_cell(source, metadata={"nbgrader": {"locked": True, "grade_id": "setup"}})


def answer(source):
    return new_code_cell(
        source, metadata={"nbgrader": {"solution": True, "grade": False, "grade_id": "a"}}
    )


def graded(source):
    meta = {"solution": False, "grade": True, "grade_id": "t", "points": 1}
    return new_code_cell(source, metadata={"nbgrader": meta})


def skipped(cells, released=None) -> list[str]:
    notebook = new_notebook(cells=cells)
    demos = {c.source for c in (released or cells) if not is_course_cell(c)}
    return [notebook.cells[i].source for i in sorted(cells_to_skip(notebook, demos))]


SETUP = "import numpy as np\n\nrng = np.random.default_rng(0)\nphotos = np.ones((2, 4, 4))\n"
PLOT = "fig = np.mean(photos, axis=0)\nprint(fig)\n"


def test_an_unchanged_demonstration_nothing_uses_is_left_out():
    cells = [setup(SETUP), new_code_cell(PLOT), answer("def f(x):\n    return x\n"), graded("f(1)")]
    assert skipped(cells) == [PLOT]


def test_a_demonstration_the_learner_changed_runs():
    cells = [setup(SETUP), new_code_cell(PLOT + "# mine\n"), answer("x = 1\n")]
    assert skipped(cells, released=[new_code_cell(PLOT)]) == []


def test_a_demonstration_whose_names_a_later_cell_reads_runs():
    define = "size = 3\n"
    assert skipped([setup(SETUP), new_code_cell(define), answer("y = size + 1\n")]) == []
    # ... also when a later demonstration that runs (it changes what a test reads) reads them
    later = "print(size)\nphotos[0] = 0\n"
    cells = [setup(SETUP), new_code_cell(define), new_code_cell(later), graded("photos.sum()")]
    assert skipped(cells) == []
    # ... but not when that reader is left out itself
    assert skipped([new_code_cell(define), new_code_cell("print(size)\n")]) == [
        define,
        "print(size)\n",
    ]


@pytest.mark.parametrize(
    "changes",
    [
        "draws = rng.random(3)\n",  # advances the generator
        "photos[0] = 0\n",  # changes an array in place
        "photos += 1\n",
        "np.random.shuffle(photos)\n",  # hands it to a function that may change it
    ],
)
def test_a_demonstration_that_may_change_what_an_answer_reads_runs(changes):
    reads = answer("first = photos[0].sum() + rng.random()\n")
    assert skipped([setup(SETUP), new_code_cell(changes), reads]) == []
    # The same change is harmless when nothing graded reads what it changes.
    assert skipped([setup(SETUP), new_code_cell(changes), answer("x = 1\n")]) == [changes]


def test_function_parameters_and_modules_are_not_taken_for_the_notebook_names():
    names = CellNames("import math\n\ndef f(rng, photos):\n    return rng.random() + math.pi\n")
    assert names.binds == {"math", "f"} and "rng" not in names.reads
    # A module's functions are called, never changed: np.mean(...) keeps np usable.
    assert skipped([setup(SETUP), new_code_cell("m = np.mean(np.ones(2))\n"), graded("np")]) == [
        "m = np.mean(np.ones(2))\n"
    ]


def test_magics_run_and_keep_every_cell_before_them():
    cells = [setup(SETUP), new_code_cell(PLOT), new_code_cell("%timeit 1\n"), graded("1")]
    assert skipped(cells) == []


@pytest.mark.parametrize("assignment", assignments())
def test_the_course_notebooks_leave_out_only_demonstrations_nothing_later_reads(assignment):
    for name in notebook_names(SOLUTIONS / assignment):
        notebook = nbformat.read(SOLUTIONS / assignment / name, as_version=4)
        skip = cells_to_skip(notebook, demonstration_sources(RELEASE / assignment / name))
        kept_later_reads: set[str] = set()
        for index in range(len(notebook.cells) - 1, -1, -1):
            cell = notebook.cells[index]
            if cell.cell_type != "code":
                continue
            try:
                names = CellNames(cell.source)
            except SyntaxError:  # a magic: the cell runs (a setup cell at the top)
                assert index not in skip and not skip & set(range(index))
                continue
            if index in skip:
                assert not is_course_cell(cell)
                assert not names.binds & kept_later_reads, (name, index)
            else:
                kept_later_reads |= names.reads
        assert skip, f"{name}: no demonstration left out"


@pytest.mark.nbgrader
def test_the_feedback_says_which_demonstrations_were_left_out(graded_sample_class):
    out = graded_sample_class["out"]
    page = (out / "feedback" / "reference" / "cutout_cutmix" / "01_cutout.html").read_text()
    assert page.count("Not run while grading") == 5  # the five demonstrations of 01_cutout
    # In the autograded notebook (Formgrader), the note is each such cell's only output.
    autograded = graded_sample_class["out"] / "course" / "autograded" / "reference"
    notebook = nbformat.read(autograded / "cutout_cutmix" / "01_cutout.ipynb", as_version=4)
    left_out = [c for c in notebook.cells if "Not run while grading" in str(c.get("outputs"))]
    assert len(left_out) == 5 and all(len(c.outputs) == 1 for c in left_out)
