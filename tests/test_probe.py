"""Plain data between the grader and the learner's kernel, and test cells decided outside it."""

import contextlib
import io
import json
import os
import struct
import tempfile
import threading
import time

import numpy as np
import pytest

from augcourse import probe
from augcourse.check_tools import calls_in_order
from autograder.exercises import reference
from autograder.exercises.mistakes import lookup
from autograder.plugins import decide
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
    threads, links = [], []

    def serve(namespace):
        folder = tempfile.mkdtemp()
        for name in ("requests", "replies"):
            os.mkfifo(os.path.join(folder, name))
        thread = threading.Thread(target=probe.serve_main, args=(folder, namespace), daemon=True)
        thread.start()
        threads.append(thread)
        links.append(KernelLink(folder, time.monotonic() + 5))
        return links[-1]

    yield serve
    for link in links:  # a failed test may not have closed its link
        link.close()
    # A kernel serves in its own process; here the server is a thread of this one, and a call
    # it makes swaps sys.stdout for everyone: let it finish before the next test prints.
    for thread in threads:
        thread.join(timeout=60)
        assert not thread.is_alive(), "the served namespace did not stop after the link closed"


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


# --- many calls in one request (augcourse/check_tools.calls_in_order) -----------------


def _learner_functions():
    """Learner functions that show the order and the arguments of the calls they get."""
    made = []

    def counting(x, rng):
        made.append(int(x))
        return len(made) * 10 + int(rng.integers(100))

    def changing(values):
        values += 1  # in place, as a wrong answer may
        return values.sum()

    raised_after = []

    def raising_third(x):
        raised_after.append(int(x))
        if len(raised_after) == 3:
            raise ValueError("third call")
        return x

    return made, {"counting": counting, "changing": changing, "raising_third": raising_third}


def test_streamed_calls_are_the_calls_a_loop_makes(served):
    made_here, here = _learner_functions()
    made_there, there = _learner_functions()
    link = served(there)
    calls = [(k, np.random.default_rng(k)) for k in range(40)]
    expected = [here["counting"](x, np.random.default_rng(x)) for x, _ in calls]
    assert list(calls_in_order(link.fetch("counting"), calls)) == expected
    assert made_there == made_here == list(range(40))
    link.close()


def test_a_stream_left_early_leaves_the_link_in_step(served):
    made, there = _learner_functions()
    link = served({**there, "answer": 42})
    results = calls_in_order(
        link.fetch("counting"), [(k, np.random.default_rng(0)) for k in range(200)]
    )
    next(results), next(results)
    assert link.fetch("answer") == 42  # not a late item of the stream
    assert list(calls_in_order(link.fetch("raising_third"), [(7,)])) == [7]
    link.close()


def test_arguments_changed_in_place_reach_later_calls_as_in_a_loop(served):
    _, here = _learner_functions()
    _, there = _learner_functions()
    link = served(there)
    values_here, values_there = np.zeros(3), np.zeros(3)
    expected = [here["changing"](values_here) for _ in range(5)]
    got = list(calls_in_order(link.fetch("changing"), [(values_there,)] * 5))
    assert got == expected == [3.0, 6.0, 9.0, 12.0, 15.0]
    assert np.array_equal(values_there, values_here)
    link.close()


def test_an_error_in_a_streamed_call_is_raised_at_that_call(served):
    _, there = _learner_functions()
    link = served({**there, "answer": 42})
    results = calls_in_order(link.fetch("raising_third"), [(k,) for k in range(10)])
    assert [next(results), next(results)] == [0, 1]
    with pytest.raises(Exception, match="third call") as raised:
        next(results)
    assert type(raised.value).__name__ == "ValueError"
    assert link.fetch("answer") == 42
    link.close()


def test_a_streamed_call_that_never_answers_fails_and_the_link_stays_failed(served, monkeypatch):
    monkeypatch.setattr(decide, "CALL_SECONDS", 1.0)
    release = threading.Event()

    def hangs_second(x):
        if x == 1:
            release.wait(60)
        return x

    link = served({"hangs_second": hangs_second, "answer": 42})
    results = calls_in_order(link.fetch("hangs_second"), [(k,) for k in range(5)])
    assert next(results) == 0
    started = time.monotonic()
    with pytest.raises(decide.KernelUnresponsive):
        next(results)
    assert time.monotonic() - started < 10
    with pytest.raises(decide.KernelUnresponsive, match="earlier request"):
        link.fetch("answer")  # its reply would come after the stream's: never mistaken for it
    release.set()
    link.close()


def _visible_verdict(check, fn) -> tuple[str, str | None]:
    """What a visible check prints and raises in a notebook: (text, mistake's key)."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        try:
            check(fn)
        except AssertionError as failure:
            mistake = getattr(failure, "mistake", None)
            return printed.getvalue() + str(failure), getattr(mistake, "key", mistake)
    return printed.getvalue(), None


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("cutout", None),
        ("cutout", "global_random"),  # fails at a seed's second call: the stream is left
        ("cutout", "input_modified"),  # changed arguments: the later calls made one by one
        ("cutout", "centre_fixed"),  # fails on the draws, after every call
        ("cutmix", None),
        ("cutmix", "alpha_ignored"),
        ("cutmix", "weights_swapped"),
        ("cutmix_batch", None),
        ("cutmix_batch", "box_per_image"),
    ],
)
def test_a_visible_check_says_through_the_link_what_it_says_in_the_notebook(served, name, key):
    """At grading, a visible check's calls reach the learner's kernel in streams: it must
    print, fail and name the mistake exactly as it does in the learner's notebook."""
    from augcourse import checks

    check = getattr(checks, f"check_{name}")
    fn = getattr(reference, name) if key is None else lookup(name, key).implementation
    np.random.seed(1)  # noqa: NPY002  (the same global draws for a wrong answer that uses them)
    in_notebook = _visible_verdict(check, fn)
    link = served({name: fn, "answer": 42})
    np.random.seed(1)  # noqa: NPY002
    assert _visible_verdict(check, link.fetch(name)) == in_notebook
    assert link.fetch("answer") == 42  # the link is in step after the check
    link.close()
    assert in_notebook[0].startswith("✓") if key is None else in_notebook[1] is not None
