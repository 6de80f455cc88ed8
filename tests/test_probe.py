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
from autograder import reference
from autograder.decide import KernelLink, decide_cell
from autograder.mistakes import mistakes_for


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
    outputs = decide_cell(TEST_CELL, link)
    link.close()
    assert [o["output_type"] for o in outputs] == ["stream"]
    assert "passes the hidden checks" in outputs[0]["text"]


def test_a_wrong_answer_fails_with_the_mistake_named(served):
    swapped = next(m for m in mistakes_for("mix_labels") if m.key == "weights_swapped")
    link = served({"mix_labels": swapped.implementation})
    outputs = decide_cell(TEST_CELL, link)
    link.close()
    assert outputs[-1]["output_type"] == "error"
    assert swapped.explanation in outputs[-1]["evalue"]


def test_a_kernel_that_never_answers_fails_the_cell():
    outputs = decide_cell(TEST_CELL, None)
    assert outputs[-1]["output_type"] == "error" and "did not answer" in outputs[-1]["evalue"]
