"""The package layout keeps its promises: the import paths that graded notebooks and
gradebooks name still work, and the only modules that merely re-export others are the ones
listed here (docs/architecture.md says why each exists)."""

import ast
import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Modules that only re-export names from elsewhere, and why they may.
ALLOWED_REEXPORTS = {
    # released notebooks import `from augcourse import checks` and call `checks.check_...`
    "augcourse/checks.py",
    # the bank's one entry point: importing it imports every group of mistakes, which
    # registers them
    "autograder/exercises/mistakes/__init__.py",
    # hidden test cells of notebooks 01-03 import `from autograder.checks import grade_...`
    "autograder/checks/__init__.py",
    # hidden test cells of notebook 04 import `from autograder.experiment_checks import ...`
    "autograder/experiment_checks.py",
}
# At the top of autograder/: the commands (python -m autograder.<command>) and the limits,
# which every layer reads.
TOP_LEVEL = {"__init__.py", "grade.py", "demo.py", "kit.py", "lab.py", "release.py", "limits.py"}


def _is_reexport(path: Path) -> bool:
    """A module of imports only (a docstring and __all__ aside) that imports from the project."""
    body = ast.parse(path.read_text()).body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    own = [
        n
        for n in body
        if isinstance(n, ast.ImportFrom)
        and (n.module or "").split(".")[0] in ("augcourse", "autograder")
    ]
    rest = [
        n
        for n in body
        if not isinstance(n, ast.Import | ast.ImportFrom)
        and not (
            isinstance(n, ast.Assign)
            and [t.id for t in n.targets if isinstance(t, ast.Name)] == ["__all__"]
        )
    ]
    return bool(own) and not rest


def test_the_only_reexporting_modules_are_the_frozen_import_paths():
    found = {
        str(path.relative_to(ROOT))
        for package in ("augcourse", "autograder")
        for path in (ROOT / package).rglob("*.py")
        if _is_reexport(path)
    }
    assert found <= ALLOWED_REEXPORTS, f"modules that only re-export: {found - ALLOWED_REEXPORTS}"
    assert "autograder/experiment_checks.py" in found  # the detector sees a re-export


def test_autograder_keeps_only_commands_and_limits_at_its_top():
    modules = {p.name for p in (ROOT / "autograder").glob("*.py")}
    assert modules == TOP_LEVEL | {"experiment_checks.py"}


def _imported_by_graded_cells() -> set[tuple[str, str]]:
    found = set()
    for notebook in ROOT.glob("solutions/*/*.ipynb"):
        for module, names in re.findall(
            r"from (autograder[\w.]*) import ([\w, ]+)", notebook.read_text()
        ):
            found |= {(module, name.strip()) for name in names.split(",")}
    return found


@pytest.mark.parametrize("module,name", sorted(_imported_by_graded_cells()))
def test_every_name_a_graded_cell_imports_is_there(module, name):
    assert module in ("autograder.checks", "autograder.experiment_checks")
    assert callable(getattr(importlib.import_module(module), name))
