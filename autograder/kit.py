"""The learner kit of each assignment: what a learner gets, and nothing else.

    build/learner/<assignment>/
        *.ipynb              the released notebooks (notebooks/<assignment>/)
        augcourse/           only the learner modules those notebooks import, directly or
                             through each other, and submission.py (packaging for upload)
        submission.json      the assignment's notebooks and their graded cells, which
                             `python -m augcourse.submission` checks before zipping them
        requirements.txt     the pinned packages those modules and JupyterLab need
        README.md            how to open the notebooks, check and submit
    build/learner/<assignment>.zip

Nothing of autograder/ is in a kit: no reference, no hidden checks, no mistake bank. Which
augcourse modules go in is worked out from the imports, so a module that holds right answers
(the training module of notebook 04, with its Cutout and CutMix) reaches only the kit of the
assignment that imports it. `python -m autograder.kit` builds every kit (`make release` too).
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import sys
import zipfile
from pathlib import Path

import nbformat

from autograder.pipeline.course import RELEASE, ROOT, assignments, notebook_names
from autograder.pipeline.intake import grade_ids_of

PACKAGE = "augcourse"
KITS = ROOT / "build" / "learner"
# Import names of the third-party packages the learner modules use -> their distribution.
DISTRIBUTIONS = {
    "numpy": "numpy",
    "matplotlib": "matplotlib",
    "skimage": "scikit-image",
    "sklearn": "scikit-learn",
    "scipy": "scipy",
}
ALWAYS = ["jupyterlab"]  # to open the notebooks; it brings the kernel and nbconvert
# In every kit though no notebook imports it: the command that packages the notebooks for
# upload. Not a cell of the graded notebooks, since the grader runs their cells.
ALWAYS_MODULES = ["submission.py"]
MANIFEST = "submission.json"  # read by augcourse/submission.py
WITH_JUPYTERLAB = {"IPython", "ipykernel"}


def _imports(source: str) -> set[str]:
    """Dotted names of the modules `source` imports (`from a import b` gives a and a.b)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def _notebook_source(path: Path) -> str:
    notebook = nbformat.read(path, as_version=4)
    lines = []
    for cell in notebook.cells:
        if cell.cell_type == "code":
            # IPython's magics and shell escapes are not Python
            lines += [line for line in cell.source.splitlines() if line.lstrip()[:1] not in "%!"]
    return "\n".join(lines)


def _module_file(name: str) -> Path | None:
    """The file of learner module `augcourse.x`, or None when `name` is not one."""
    parts = name.split(".")
    if parts[0] != PACKAGE or len(parts) != 2:
        return None
    path = ROOT / PACKAGE / f"{parts[1]}.py"
    return path if path.exists() else None


def learner_modules(assignment: str) -> list[str]:
    """The augcourse modules the assignment's released notebooks import, directly or through
    each other, and those every kit has (ALWAYS_MODULES), as file names ("checks.py")."""
    folder = RELEASE / assignment
    wanted = {f"{PACKAGE}.{Path(module).stem}" for module in ALWAYS_MODULES}
    for name in notebook_names(folder):
        wanted |= _imports(_notebook_source(folder / name))
    found: dict[str, Path] = {}
    while wanted:
        name = wanted.pop()
        path = _module_file(name)
        if path is None or path.name in found:
            continue
        found[path.name] = path
        wanted |= _imports(path.read_text())
    return sorted(found)


def third_party(assignment: str) -> list[str]:
    """Distributions the kit's modules import, besides the standard library."""
    used = set()
    for module in learner_modules(assignment):
        for name in _imports((ROOT / PACKAGE / module).read_text()):
            top = name.split(".")[0]
            if top in DISTRIBUTIONS:
                used.add(DISTRIBUTIONS[top])
            elif top not in sys.stdlib_module_names | WITH_JUPYTERLAB | {PACKAGE, "__future__"}:
                raise LookupError(f"{PACKAGE}/{module} imports {top}: add it to DISTRIBUTIONS")
    return sorted(used)


def pinned(distributions: list[str]) -> list[str]:
    """`name==version` lines from pyproject.toml's pins (its one list of dependencies)."""
    text = (ROOT / "pyproject.toml").read_text()
    pins = dict(re.findall(r'"([A-Za-z0-9_.-]+)==([^"]+)"', text))
    missing = [name for name in distributions if name not in pins]
    if missing:
        raise LookupError(f"pyproject.toml pins no version of {missing}")
    return [f"{name}=={pins[name]}" for name in distributions]


def build_kit(assignment: str, destination: Path = KITS) -> Path:
    """Write the kit of `assignment` into destination/<assignment>/ and its zip beside it."""
    release = RELEASE / assignment
    if not release.is_dir():
        raise FileNotFoundError(f"{release} is missing: run `make release` first")
    kit = destination / assignment
    if kit.exists():
        shutil.rmtree(kit)
    kit.mkdir(parents=True)
    for path in sorted(release.iterdir()):  # the notebooks and the files nbgrader releases
        if path.is_file() and not path.name.startswith("."):
            shutil.copy2(path, kit / path.name)
    package = kit / PACKAGE
    package.mkdir()
    (package / "__init__.py").write_text(f'"""The learner package of {assignment}."""\n')
    for module in learner_modules(assignment):
        shutil.copy2(ROOT / PACKAGE / module, package / module)
    requirements = pinned(ALWAYS + third_party(assignment))
    (kit / "requirements.txt").write_text("\n".join(requirements) + "\n")
    (kit / MANIFEST).write_text(json.dumps(manifest(assignment), indent=1) + "\n")
    (kit / "README.md").write_text(readme(assignment, notebook_names(release)))
    archive = destination / f"{assignment}.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for path in sorted(kit.rglob("*")):
            if path.is_file():
                zipped.write(path, f"{assignment}/{path.relative_to(kit)}")
    return kit


def manifest(assignment: str) -> dict:
    """What `augcourse.submission` checks: the assignment's notebooks and, to recognise a
    renamed one, the grade ids of their graded cells (from the release)."""
    names = notebook_names(RELEASE / assignment)
    return {
        "assignment": assignment,
        "notebooks": {name: sorted(grade_ids_of(RELEASE / assignment / name)) for name in names},
    }


def readme(assignment: str, notebooks: list[str]) -> str:
    listed = "\n".join(f"- `{name}`" for name in notebooks)
    return f"""# {assignment}: your kit

This folder is everything you need: the notebooks

{listed}

and `augcourse/`, the small package they import (photographs, pictures and the checks you
run after each exercise). Keep them together.

## Open it

- **Your own JupyterLab**: in a terminal, in this folder,

      python3 -m venv .venv
      .venv/bin/pip install -r requirements.txt      # Windows: .venv\\Scripts\\pip
      .venv/bin/jupyter lab

- **Binder**: put this folder in a public Git repository and open it at mybinder.org;
  Binder installs `requirements.txt` itself.
- **Colab**: upload the folder (or this kit's zip, then `!unzip` it), and in the first cell
  run `%cd` into the folder and `!pip install -r requirements.txt`; the notebooks find
  `augcourse/` in their folder.

## Check your work

Run each exercise's check cell. A ✓ says what was checked; a failing check says what it
called, what it expected, what came back and the likely mistake. A multiple-choice or
read-off answer gets • instead: recorded, and judged when graded. Hidden checks run on inputs
you have not seen, so write the function, not the answer to the visible case. Before you
submit, restart the kernel and run all cells: what runs for you runs for the grader.

## Submit

- **On the course's JupyterHub**: the Assignment List (Nbgrader > Assignment List) fetched
  this assignment for you; press Submit there. You can submit again until the deadline; the
  last submission counts.
- **Through your course's learning platform** (Canvas, Moodle, ...): save every notebook,
  then in a terminal, in this folder,

      python -m augcourse.submission

  (or, in a cell of a new notebook here: `from augcourse.submission import package; package()`).
  It checks that each notebook ({", ".join(notebooks)}) is here, is a notebook, was run and
  has its answers written, tells you what is wrong, and writes
  `{assignment}-submission.zip`. Upload that zip as your assignment's submission. (Uploading
  the notebooks themselves, without renaming them, works too.)
"""


def main(argv: list[str] | None = None) -> int:
    names = argv if argv else assignments()
    for assignment in names:
        kit = build_kit(assignment)
        modules = ", ".join(learner_modules(assignment))
        print(f"Kit of {assignment}: {kit.relative_to(ROOT)} (+ .zip); augcourse: {modules}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
