"""Plain data between the grader and the learner's kernel, and test cells decided outside it."""

import json
import os
import struct
import tempfile
import threading
import time

import numpy as np
import pytest

from augcourse import probe
from autograder.exercises import reference
from autograder.exercises.mistakes import lookup
from autograder.plugins.decide import KernelLink, decide_cell


def test_values_cross_as_plain_data():
    value = {
        "image": np.arange(24, dtype=np.uint8).reshape(2, 3, 4),
        "box": (0, 8, 0, 8),
        "ratio": np.float64(0.25),
        "mixed": [1, 2.5, "x", None, True, 2**80],
        "rng": np.random.default_rng(7),
    }
    back = probe.decode(probe.encode(value))
    assert np.array_equal(back["image"], value["image"]) and back["image"].dtype == np.uint8
    assert back["box"] == (0, 8, 0, 8) and isinstance(back["ratio"], np.float64)
    assert back["mixed"] == [1, 2.5, "x", None, True, 2**80]
    assert back["rng"].random() == np.random.default_rng(7).random()


def test_objects_never_cross_and_crafted_object_arrays_are_refused():
    assert isinstance(probe.decode(probe.encode(object())), probe.Opaque)
    header = json.dumps(
        {"tree": {"t": "array", "i": 0}, "arrays": [{"dtype": "|O", "shape": [1]}]}
    ).encode()
    crafted = struct.pack("<Q", len(header)) + header + b"\0" * 8
    with pytest.raises(ValueError, match="refused"):
        probe.decode(crafted)


@pytest.fixture
def served():
    """A learner namespace served from a thread, as the kernel serves it while grading."""
    folders = []

    def serve(namespace):
        folder = tempfile.mkdtemp()
        for name in ("requests", "replies"):
            os.mkfifo(os.path.join(folder, name))
        thread = threading.Thread(target=probe.serve_main, args=(folder, namespace), daemon=True)
        thread.start()
        folders.append(thread)
        return KernelLink(folder, time.monotonic() + 5)

    return serve


TEST_CELL = '''"""mix_labels: checks."""
checks.check_mix_labels(mix_labels)
### BEGIN HIDDEN TESTS
from autograder.checks import grade_mix_labels

grade_mix_labels(mix_labels)
### END HIDDEN TESTS
'''


def test_a_right_answer_passes_outside_the_kernel(served):
    link = served({"mix_labels": reference.mix_labels})
    outputs = decide_cell(TEST_CELL, link).outputs
    link.close()
    assert [o["output_type"] for o in outputs] == ["stream"]
    assert "passes the hidden checks" in outputs[0]["text"]


def test_a_wrong_answer_fails_with_the_mistake_named(served):
    swapped = lookup("mix_labels", "weights_swapped")
    link = served({"mix_labels": swapped.implementation})
    outputs = decide_cell(TEST_CELL, link).outputs
    link.close()
    assert outputs[-1]["output_type"] == "error"
    assert swapped.explanation in outputs[-1]["evalue"]


def test_a_kernel_that_never_answers_fails_the_cell():
    outputs = decide_cell(TEST_CELL, None).outputs
    assert outputs[-1]["output_type"] == "error" and "did not answer" in outputs[-1]["evalue"]


def _test_cells_and_imports():
    """(notebook, test cell source, modules its notebook imports) of every solution notebook."""
    import ast

    import nbformat

    from autograder.pipeline.course import SOLUTIONS

    for path in sorted(SOLUTIONS.glob("*/*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        imported = set()
        for cell in notebook.cells:
            if cell.cell_type != "code" or cell.metadata.get("nbgrader", {}).get("grade"):
                continue
            code = "\n".join(line for line in cell.source.splitlines() if not line.startswith("%"))
            for node in ast.walk(ast.parse(code)):
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    imported |= {(a.asname or a.name).split(".")[0] for a in node.names}
        for cell in notebook.cells:
            if cell.metadata.get("nbgrader", {}).get("grade") and cell.cell_type == "code":
                yield path.name, cell.source, imported


def test_every_module_a_test_cell_uses_is_the_graders_own():
    """A module a test cell calls by name must be the grader's copy: fetched from the kernel,
    it would arrive as an opaque object and the right answer would fail."""
    from autograder.plugins.decide import GRADER_NAMES, free_names

    cells = list(_test_cells_and_imports())
    assert len(cells) > 20, "the solution notebooks' test cells were not found"
    missing = {
        (name, module)
        for name, source, imported in cells
        for module in free_names(source)
        if module in imported and module not in GRADER_NAMES
    }
    assert not missing, f"test cells use modules the grader does not provide: {sorted(missing)}"
