"""Committed notebooks are clean (no outputs, counts or volatile metadata; stable, unique
cell ids), and nothing learners receive carries solution or hidden-test text."""

import copy
import fnmatch
import json
import re
from pathlib import Path

import nbformat
import pytest
from nbgrader.coursedir import CourseDirectory

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
NOTEBOOKS = ROOT / "notebooks"

# What nbgrader itself skips when it copies an assignment (its CourseDirectory.ignore
# default: .ipynb_checkpoints, __pycache__, *.pyc, feedback); these are never committed.
IGNORED = CourseDirectory().ignore

# Notebook-level and cell-level metadata that changes on every run or every machine.
VOLATILE_NOTEBOOK_METADATA = {"widgets"}
VOLATILE_CELL_METADATA = {"execution", "ExecuteTime", "widgets"}

# Text that must never reach learners: nbgrader's solution and hidden-test markers, and any
# use of the instructor package (`import autograder`, `from autograder...`,
# `autograder.exercises.reference`, `import_module("autograder")`, also as JSON-escaped in a .ipynb).
# The bare word is allowed, so prose may still say "the autograder checks this".
LEAKS = {
    "BEGIN SOLUTION": re.compile(r"BEGIN SOLUTION"),
    "END SOLUTION": re.compile(r"END SOLUTION"),
    "BEGIN HIDDEN TESTS": re.compile(r"BEGIN HIDDEN TESTS"),
    "END HIDDEN TESTS": re.compile(r"END HIDDEN TESTS"),
    "instructor package `autograder`": re.compile(
        r"\b(?:from|import)\s+autograder\b|\bautograder\.[A-Za-z_]|[\"']autograder\\?[\"'.]"
    ),
}


def is_ignored(path: Path, top: Path) -> bool:
    return any(
        fnmatch.fnmatch(part, pattern)
        for part in path.relative_to(top).parts
        for pattern in IGNORED
    )


def files_under(top: Path) -> list[Path]:
    if not top.is_dir():
        return []
    return sorted(p for p in top.rglob("*") if p.is_file() and not is_ignored(p, top))


def notebooks_under(top: Path) -> list[Path]:
    return [p for p in files_under(top) if p.suffix == ".ipynb"]


ALL_NOTEBOOKS = notebooks_under(SOLUTIONS) + notebooks_under(NOTEBOOKS)


def test_solution_notebooks_exist():
    """There is at least one solution notebook, so the checks below are not vacuous."""
    assert notebooks_under(SOLUTIONS), (
        f"no .ipynb under {SOLUTIONS.relative_to(ROOT)}/: the hygiene checks would check nothing"
    )


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebook_is_clean(path):
    """Valid nbformat 4; no outputs, execution counts or volatile metadata; unique cell ids."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    # Validate a copy: the checks below must see the file exactly as committed.
    nbformat.validate(nbformat.from_dict(copy.deepcopy(raw)))
    assert raw["nbformat"] == 4, f"nbformat is {raw['nbformat']}, expected 4"

    problems = []
    for key in sorted(VOLATILE_NOTEBOOK_METADATA & raw.get("metadata", {}).keys()):
        problems.append(f"notebook metadata has volatile key {key!r}")

    seen: dict[str, int] = {}
    for index, cell in enumerate(raw["cells"]):
        where = f"cell {index} ({cell['cell_type']})"
        cell_id = cell.get("id")
        if not cell_id:
            problems.append(f"{where} has no id")
        elif cell_id in seen:
            problems.append(f"{where} repeats id {cell_id!r} of cell {seen[cell_id]}")
        else:
            seen[cell_id] = index
        if cell["cell_type"] == "code":
            if cell.get("outputs"):
                problems.append(f"{where} has outputs")
            if cell.get("execution_count") is not None:
                problems.append(f"{where} has execution_count {cell['execution_count']}")
        for key in sorted(VOLATILE_CELL_METADATA & cell.get("metadata", {}).keys()):
            problems.append(f"{where} metadata has volatile key {key!r}")

    assert not problems, (
        f"{path.relative_to(ROOT)} is not committed clean "
        "(clear outputs and volatile metadata before committing):\n"
        + "\n".join(f"  - {p}" for p in problems)
    )


def test_learner_files_hold_no_solutions():
    """No file under notebooks/ holds solution or hidden-test markers or uses `autograder`."""
    leaks = []
    for path in files_under(NOTEBOOKS):
        text = path.read_bytes().decode("utf-8", errors="replace")
        for line_number, line in enumerate(text.splitlines(), start=1):
            for what, pattern in LEAKS.items():
                if pattern.search(line):
                    leaks.append(f"{path.relative_to(ROOT)}:{line_number}: {what}")
    assert not leaks, "learner files leak instructor material:\n" + "\n".join(
        f"  - {leak}" for leak in leaks
    )


def test_solutions_hold_only_notebooks():
    """solutions/ holds only .ipynb files: nbgrader copies every other file into the release."""
    others = [p for p in files_under(SOLUTIONS) if p.suffix != ".ipynb"]
    assert not others, (
        "non-notebook files under solutions/ would be copied to learners by nbgrader; "
        "move them (reference code belongs in autograder/):\n"
        + "\n".join(f"  - {p.relative_to(ROOT)}" for p in others)
    )
