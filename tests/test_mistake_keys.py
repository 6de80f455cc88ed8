"""A mistake is carried as its key, (function, key), from the check that recognises it to the
table: every mistake of the bank, fed through the grading path of its own graded test cell
(decided outside the kernel, as autograder/plugins/decide.py does), comes out as its key. The
words a learner reads about it are written once (augcourse/hints.py), for a key that exists."""

from __future__ import annotations

import ast
import os
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import numpy as np
import pytest

import augcourse
from augcourse import checks as visible
from augcourse import hints, probe
from augcourse.failures import CheckFailed
from autograder.checks.experiment import (
    PAIRED_GAIN_KEYS,
    reference_paired_gain,
)
from autograder.exercises import reference
from autograder.exercises.mistakes import MISTAKES, mistakes_for
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


def test_every_paired_gain_mistake_of_the_bank_is_tried_when_diagnosing():
    assert sorted(PAIRED_GAIN_KEYS) == sorted(m.key for m in mistakes_for("paired_gain"))
    assert len(PAIRED_GAIN_KEYS) == len(set(PAIRED_GAIN_KEYS))


def test_a_right_answer_carries_no_key():
    decision = decided("paired_gain", {"paired_gain": reference_paired_gain, "np": np})
    assert decision.mistake is None and decision.outputs[-1]["output_type"] == "stream"


# --- the hints: written once, each for a key that exists ------------------------------------

# The visible checks, one module per exercise group (augcourse/checks.py re-exports them).
VISIBLE_SOURCES = sorted(Path(augcourse.__file__).parent.glob("*_checks.py"))


def keys_named_in(path: Path) -> set[tuple[str, str]]:
    """(function, key) pairs whose key a visible check module's source names as a string,
    as in `mistake=("cutout", "global_random")` or a table of keys by result."""
    tree = ast.parse(path.read_text())
    literals = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)}
    every = set(hints.MISTAKE_HINTS) | set(hints.VISIBLE_HINTS)
    return {(function, key) for function, key in every if key in literals}


def test_every_mistake_of_the_bank_has_its_hint_and_every_mistake_hint_its_mistake():
    bank = {(m.function, m.key) for m in MISTAKES}
    assert set(hints.MISTAKE_HINTS) == bank


def test_every_visible_only_hint_is_named_by_a_visible_check_and_is_no_mistake_of_the_bank():
    named = set().union(*(keys_named_in(path) for path in VISIBLE_SOURCES))
    assert not set(hints.VISIBLE_HINTS) & set(hints.MISTAKE_HINTS)
    assert set(hints.VISIBLE_HINTS) <= named, set(hints.VISIBLE_HINTS) - named


def test_every_mistake_a_visible_check_names_has_its_words():
    """Every `mistake=(function, key)` a visible check writes is a key with a hint."""
    for path in VISIBLE_SOURCES:
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg == "mistake":
                value = node.value
                if isinstance(value, ast.Tuple) and all(
                    isinstance(e, ast.Constant) for e in value.elts
                ):
                    hints.hint(*(e.value for e in value.elts))  # KeyError if it has none


def test_a_keyed_failure_says_the_hint_and_carries_the_key_only_for_a_mistake_of_the_bank():
    from augcourse.failures import check_failed

    failure = check_failed("f(1)", ["  expected: 1"], mistake=("cutout", "global_random"))
    assert isinstance(failure, CheckFailed) and failure.mistake == "cutout:global_random"
    assert str(failure).endswith(f"likely mistake: {hints.hint('cutout', 'global_random')}")
    for function, key in hints.VISIBLE_HINTS:
        assert check_failed("f(1)", [], mistake=(function, key)).mistake is None


# --- a visible failure that waited for the hidden checks keeps its key ------------------------


def mix_labels_wrong_on_its_first_call():
    """A mix_labels that swaps the weights on its first call only: the visible check, which
    calls it first, fails it; the hidden checks that follow in the cell pass it."""
    calls = []

    def mix_labels(label1, label2, patch_ratio):
        calls.append(patch_ratio)
        if len(calls) == 1:
            return patch_ratio * label1 + (1 - patch_ratio) * label2
        return (1 - patch_ratio) * label1 + patch_ratio * label2

    return mix_labels


def test_a_visible_failure_names_the_mistake_by_its_key(monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    with pytest.raises(CheckFailed) as failure:
        visible.check_mix_labels(mix_labels_wrong_on_its_first_call())
    assert failure.value.mistake == "mix_labels:weights_swapped"
    assert hints.hint("mix_labels", "weights_swapped") in str(failure.value)


def test_a_deferred_visible_failure_comes_out_of_the_test_cell_with_its_key():
    decision = decided(
        "mix_labels",
        learner_namespace(mix_labels=mix_labels_wrong_on_its_first_call()),
    )
    assert decision.outputs[-1]["output_type"] == "error"
    assert "weights are swapped" in decision.outputs[-1]["evalue"]
    assert decision.mistake == "mix_labels:weights_swapped"
