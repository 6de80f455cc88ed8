"""What a learner reads when a visible check fails: in the notebook and in nbgrader's Validate
(with nbgrader's defaults, as on a learner's own machine, Binder or Colab), the message comes
first (call, expected, got, likely mistake), no line is cut, and no frame of the course's check
code shows; an error raised by the learner's own code points into the learner's cell."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.exercises.mistakes import lookup
from autograder.pipeline.course import NBGRADER, RELEASE

ANSI = re.compile(r"\x1b\[[0-9;]*m")
NBGRADER_CUT = 87  # nbgrader's Validator: width 90, lines cut at width - 3

SHELL_SCRIPT = r"""
import json, sys
from IPython.core.interactiveshell import InteractiveShell
shell = InteractiveShell.instance()
shown = []
shell._showtraceback = lambda etype, value, stb: shown.append(stb)
shell.run_cell(sys.argv[1])
print(json.dumps(shown[-1] if shown else None))
"""


def shown_in_ipython(cell: str) -> list[str]:
    """The error lines IPython shows (and a kernel sends to Validate) when `cell` runs."""
    out = subprocess.run(
        [sys.executable, "-c", SHELL_SCRIPT, cell], capture_output=True, text=True, check=True
    ).stdout
    lines = json.loads(out.strip().splitlines()[-1])
    assert lines, "the cell raised nothing"
    return [ANSI.sub("", part) for line in lines for part in line.split("\n")]


def labels_in_order(lines: list[str]) -> list[str]:
    """The message's labels (expected, got, likely mistake) in the order they appear."""
    labels = ("expected:", "got:", "likely mistake:")
    return [line.strip().split(":")[0] for line in lines if line.strip().startswith(labels)]


def test_a_failing_check_shows_its_message_first_in_short_lines_without_frames():
    wrong = lookup("cutmix_labels", "reversed_ratio")
    lines = shown_in_ipython(
        "import numpy as np\n"
        "from augcourse import checks\n"
        f"{wrong.notebook_source()}\n"
        "checks.check_cutmix_labels(cutmix_labels)\n"
    )
    assert lines[0].startswith("CheckFailed: cutmix_labels(")
    assert labels_in_order(lines[:8]) == ["expected", "got", "likely mistake"], lines
    assert all(len(line) <= 80 for line in lines), [line for line in lines if len(line) > 80]
    assert not any("augcourse" in line or "Traceback" in line for line in lines), lines


def test_an_error_in_the_learners_code_points_into_the_learners_cell_only():
    lines = shown_in_ipython(
        "from augcourse import checks\n"
        "def patch_ratio(box, height, width):\n"
        "    return box[9]\n"
        "checks.check_patch_ratio(patch_ratio)\n"
    )
    text = "\n".join(lines)
    assert "IndexError" in text and "return box[9]" in text
    assert "augcourse" not in text and "call_quietly" not in text, text


@pytest.mark.nbgrader
def test_nbgrader_validate_shows_the_message_first_uncut_and_without_check_frames(tmp_path):
    notebook = nbformat.read(RELEASE / "cutout_cutmix" / "03_reversed_ratio_bug.ipynb", 4)
    wrong = lookup("cutmix_labels", "reversed_ratio")
    answer = next(
        c
        for c in notebook.cells
        if c.metadata.get("nbgrader", {}).get("grade_id") == "cutmix-labels-answer"
    )
    answer.source = wrong.notebook_source()
    path = tmp_path / "03_reversed_ratio_bug.ipynb"
    nbformat.write(notebook, path)
    env = {**os.environ, "PATH": f"{NBGRADER.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("NBGRADER_EXECUTION", None)
    output = subprocess.run(
        [str(NBGRADER), "validate", str(path)],
        cwd=tmp_path,  # no nbgrader_config.py: nbgrader's defaults, as a learner has them
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    ).stdout
    failures = output.split("The error was:")[1:]
    mine = next(f for f in failures if "CheckFailed: cutmix_labels(" in f)
    lines = [line.strip() for line in mine.strip().splitlines()]
    assert lines[0].startswith("CheckFailed: cutmix_labels("), mine
    assert labels_in_order(lines[:8]) == ["expected", "got", "likely mistake"], mine
    assert not any(line.endswith("...") for line in mine.splitlines()), mine  # nothing cut
    assert "augcourse" not in mine and "Traceback" not in mine, mine
    assert max(len(line) for line in mine.splitlines()) <= NBGRADER_CUT
    assert Path(path).exists()
