"""A mistake is carried as its key, (function, key), from the check that recognises it to the
table: every mistake of the bank, fed through the grading path of its own graded test cell
(decided outside the kernel, as autograder/plugins/decide.py does), comes out as its key."""

from __future__ import annotations

import os
import tempfile
import threading
import time

import nbformat
import numpy as np
import pytest

from augcourse import probe
from autograder.checks.experiment import PAIRED_GAIN_MISTAKES, reference_paired_gain
from autograder.exercises import reference
from autograder.exercises.mistakes import MISTAKES
from autograder.pipeline.course import SOLUTIONS
from autograder.pipeline.tallies import explain_mistake
from autograder.plugins.decide import KernelLink, decide_cell


def graded_test_cells() -> dict[str, str]:
    """{learner function: the source of its graded test cell} from the solution notebooks."""
    cells = {}
    for path in sorted(SOLUTIONS.glob("*/*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
                for line in cell.source.splitlines():
                    if line.startswith("grade_") and "(" in line:
                        cells.setdefault(line[len("grade_") : line.index("(")], cell.source)
    return cells


TEST_CELLS = graded_test_cells()


def decided(function: str, namespace: dict):
    """The decision of `function`'s test cell against a learner namespace, served as the kernel
    serves it while grading."""
    folder = tempfile.mkdtemp()
    for name in ("requests", "replies"):
        os.mkfifo(os.path.join(folder, name))
    thread = threading.Thread(target=probe.serve_main, args=(folder, namespace), daemon=True)
    thread.start()
    link = KernelLink(folder, time.monotonic() + 30)
    try:
        return decide_cell(TEST_CELLS[function], link)
    finally:
        link.close()


def learner_namespace(**answers) -> dict:
    """Every learner function as the reference writes it, then the given answers."""
    names = {name: getattr(reference, name) for name in dir(reference) if not name.startswith("_")}
    return {**names, "np": np, **answers}


@pytest.fixture(autouse=True)
def fixed_seed(monkeypatch):
    monkeypatch.setenv("COURSE_GRADING_SEED", "11")


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: f"{m.function}-{m.key}")
def test_every_mistake_of_the_bank_comes_out_of_its_test_cell_as_its_key(mistake):
    decision = decided(
        mistake.function, learner_namespace(**{mistake.function: mistake.implementation})
    )
    assert decision.outputs[-1]["output_type"] == "error"
    assert decision.mistake == f"{mistake.function}:{mistake.key}"
    assert explain_mistake(decision.mistake)[1] == mistake.explanation


def paired_gain_with(change):
    def wrong(results, method, baseline, occluder, size):
        mean, std, wins = reference_paired_gain(results, method, baseline, occluder, size)
        return change(mean, std, wins, len({r["seed"] for r in results}))

    return wrong


NOTEBOOK_04_MISTAKES = {
    "reversed": lambda results, method, baseline, occluder, size: reference_paired_gain(
        results, baseline, method, occluder, size
    ),
    "standard_error": paired_gain_with(lambda mean, std, wins, n: (mean, std / np.sqrt(n), wins)),
    "share_of_wins": paired_gain_with(lambda mean, std, wins, n: (mean, std, wins / n)),
}


@pytest.mark.parametrize("key", sorted(NOTEBOOK_04_MISTAKES))
def test_notebook_04s_mistakes_come_out_as_their_keys(key):
    decision = decided("paired_gain", {"paired_gain": NOTEBOOK_04_MISTAKES[key], "np": np})
    assert decision.mistake == f"paired_gain:{key}", decision.outputs[-1]
    assert explain_mistake(decision.mistake)[1] == PAIRED_GAIN_MISTAKES[key]


def test_a_right_answer_carries_no_key():
    decision = decided("paired_gain", {"paired_gain": reference_paired_gain, "np": np})
    assert decision.mistake is None and decision.outputs[-1]["output_type"] == "stream"
