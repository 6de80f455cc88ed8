"""augcourse.training holds the course's own correct Cutout and CutMix (`cutout_images`,
`cutmix_images`), so the first assignment's kit must be able to leave it out: nothing that
notebooks 1 to 3 import may import it, directly or through other modules of augcourse.

The imports are read from the source with `ast`, never run, and every import statement
counts wherever it stands (inside a function or an `if TYPE_CHECKING:` block too), so the
walk can only find too much, never too little.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest
from IPython.core.inputtransformer2 import TransformerManager

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "augcourse"
TRAINING = "augcourse.training"
FIRST_ASSIGNMENT = sorted((ROOT / "notebooks" / "cutout_cutmix").glob("*.ipynb"))
EXPERIMENT_NOTEBOOK = ROOT / "notebooks" / "measuring_the_effect" / "04_measuring_the_effect.ipynb"
# Grading runs code of its own in the learner's kernel (autograder/plugins/execute.py): the
# modules it imports there are part of every assignment's kit too.
KERNEL_SIDE_OF_GRADING = ROOT / "autograder" / "plugins" / "execute.py"


def module_file(name: str) -> Path | None:
    """The source file of an augcourse module or package, or None if there is none."""
    path = ROOT.joinpath(*name.split("."))
    for candidate in (path.with_suffix(".py"), path / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imported_modules(tree: ast.AST, package: str = "") -> set[str]:
    """The augcourse modules that a parsed source imports, as dotted names.

    package: the dotted package that holds the source, to resolve relative imports ("" for
    a notebook). `from augcourse import x` counts x when x is a module, else augcourse itself;
    importing augcourse.a.b runs augcourse and augcourse.a first, so they count too.
    """
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            names = [base]
            names += [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] != PACKAGE:
                continue
            for end in range(1, len(parts) + 1):
                prefix = ".".join(parts[:end])
                if module_file(prefix) is not None:
                    found.add(prefix)
    return found


def notebook_imports(path: Path) -> set[str]:
    """The augcourse modules imported by a notebook's code cells (IPython magics removed)."""
    notebook = nbformat.read(path, as_version=4)
    transform = TransformerManager().transform_cell
    found = set()
    for cell in notebook.cells:
        if cell.cell_type == "code":
            found |= imported_modules(ast.parse(transform(cell.source)))
    return found


def kernel_imports_of_grading() -> set[str]:
    """augcourse modules named in the code that grading sends to the learner's kernel."""
    source = KERNEL_SIDE_OF_GRADING.read_text(encoding="utf-8")
    named = {match.group(1) for match in re.finditer(r"import (augcourse(?:\.\w+)*)", source)}
    return {name for name in named if module_file(name) is not None}


def reachable(roots: set[str]) -> dict[str, str | None]:
    """Every augcourse module that importing `roots` imports, directly or transitively.

    Returns {module: the module that imported it first (None for a root)}, to print a chain.
    """
    parents: dict[str, str | None] = dict.fromkeys(roots)
    waiting = sorted(roots)
    while waiting:
        name = waiting.pop()
        path = module_file(name)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for child in sorted(imported_modules(ast.parse(path.read_text("utf-8")), package)):
            if child not in parents:
                parents[child] = name
                waiting.append(child)
    return parents


def chain(parents: dict[str, str | None], name: str) -> str:
    links = [name]
    while parents[links[-1]] is not None:
        links.append(parents[links[-1]])
    return " <- ".join(links)


def test_the_first_assignment_is_found():
    assert [path.name[:2] for path in FIRST_ASSIGNMENT] == ["01", "02", "03"]


@pytest.mark.parametrize("notebook", FIRST_ASSIGNMENT, ids=lambda path: path.name)
def test_nothing_the_first_assignment_imports_imports_the_training_module(notebook):
    roots = notebook_imports(notebook) | kernel_imports_of_grading()
    # The walk is not vacuous: the notebooks use the learner package's images and checks.
    assert {"augcourse.checks", "augcourse.images"} <= roots, sorted(roots)
    parents = reachable(roots)
    assert TRAINING not in parents, (
        f"{notebook.name} reaches {TRAINING} (the correct Cutout and CutMix) by importing "
        f"{chain(parents, TRAINING)}; the first assignment's kit must be able to leave it out"
    )


def test_the_walk_finds_the_training_module_where_it_is_imported():
    """The same walk from notebook 4, which uses augcourse.training, does find it."""
    parents = reachable(notebook_imports(EXPERIMENT_NOTEBOOK))
    assert TRAINING in parents
    # ... and through another module too: augcourse.runs trains every method.
    assert TRAINING in reachable({"augcourse.runs"})
