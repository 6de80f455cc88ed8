"""The learner kit of each assignment (autograder/kit.py): what a learner gets and nothing
else, and it works on its own."""

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder import kit
from autograder.exercises.samples import solved_release
from autograder.pipeline.course import ASSIGNMENT, EXPERIMENT, RELEASE, assignments

TRAINING_NAMES = ("cutout_images", "cutmix_images")  # right Cutout and CutMix, for notebook 04


@pytest.fixture(scope="module")
def kits(tmp_path_factory):
    destination = tmp_path_factory.mktemp("kits")
    return {assignment: kit.build_kit(assignment, destination) for assignment in assignments()}


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize("assignment", assignments())
def test_a_kit_holds_its_notebooks_its_modules_a_readme_and_requirements_only(kits, assignment):
    files = _files(kits[assignment])
    notebooks = {p.name for p in (RELEASE / assignment).glob("*.ipynb")}
    modules = {f"augcourse/{m}" for m in kit.learner_modules(assignment)}
    assert files == notebooks | modules | {
        "augcourse/__init__.py",
        "README.md",
        "requirements.txt",
        "submission.json",
    }
    with zipfile.ZipFile(kits[assignment].parent / f"{assignment}.zip") as zipped:
        assert {n.removeprefix(f"{assignment}/") for n in zipped.namelist()} == files


@pytest.mark.parametrize("assignment", assignments())
def test_nothing_of_the_grader_reaches_a_kit(kits, assignment):
    for path in kits[assignment].rglob("*"):
        if not path.is_file():
            continue
        text = path.read_text(errors="replace")
        for secret in (
            "BEGIN SOLUTION",
            "BEGIN HIDDEN TESTS",
            "import autograder",
            "from autograder",
        ):
            assert secret not in text, f"{path.name} holds {secret!r}"
        assert "autograder" not in path.parts


@pytest.mark.parametrize("assignment", assignments())
def test_every_kit_packages_its_notebooks_for_upload_as_its_readme_says(kits, assignment):
    """The packaging command ships in every kit though no notebook imports it, knows the
    kit's notebooks, and run as the README says, zips them (and says what is unanswered)."""
    folder = kits[assignment]
    assert "augcourse/submission.py" in _files(folder)
    readme = (folder / "README.md").read_text()
    assert "python -m augcourse.submission" in readme
    assert f"{assignment}-submission.zip" in readme
    manifest = json.loads((folder / "submission.json").read_text())
    assert sorted(manifest["notebooks"]) == sorted(p.name for p in folder.glob("*.ipynb"))
    run = subprocess.run(
        [sys.executable, "-m", "augcourse.submission"],
        cwd=folder,
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "answer cell(s) still say YOUR CODE HERE" in run.stdout, "the release is unanswered"
    with zipfile.ZipFile(folder / f"{assignment}-submission.zip") as zipped:
        assert sorted(zipped.namelist()) == sorted(manifest["notebooks"])
    (folder / f"{assignment}-submission.zip").unlink()


def test_right_cutout_and_cutmix_reach_only_the_kit_of_notebook_04(kits):
    def defines(assignment, name):
        return any(
            f"def {name}(" in p.read_text() for p in (kits[assignment] / "augcourse").glob("*.py")
        )

    for name in TRAINING_NAMES:
        assert not defines(ASSIGNMENT, name), f"the {ASSIGNMENT} kit defines {name}"
        assert defines(EXPERIMENT, name), f"notebook 04 needs {name}"


def test_requirements_are_the_projects_pins_of_what_the_modules_import(kits):
    pins = (kits[ASSIGNMENT] / "requirements.txt").read_text().split()
    assert any(p.startswith("jupyterlab==") for p in pins)
    assert any(p.startswith("scikit-image==") for p in pins)  # the photographs
    assert not any(p.startswith(("nbgrader", "pytest", "nh3")) for p in pins)


def test_a_module_importing_an_unknown_package_is_refused_by_name(tmp_path, monkeypatch):
    package = tmp_path / "augcourse"
    package.mkdir()
    (package / "images.py").write_text("import torch\n")
    monkeypatch.setattr(kit, "ROOT", tmp_path)
    monkeypatch.setattr(kit, "learner_modules", lambda assignment: ["images.py"])
    with pytest.raises(LookupError, match="augcourse/images.py imports torch"):
        kit.third_party(ASSIGNMENT)


def _solved_kit(folder: Path, assignment: str) -> list[Path]:
    """The kit's notebooks with every answer written as the solution writes it."""
    notebooks = []
    for path in sorted(folder.glob("*.ipynb")):
        nbformat.write(solved_release(f"{assignment}/{path.name}"), path)
        notebooks.append(path)
    return notebooks


@pytest.mark.slow
def test_a_kit_installs_in_a_clean_environment_and_its_notebooks_run_there(kits, tmp_path):
    """pip install -r requirements.txt into a new virtual environment, nothing of the
    repository on the path and no Jupyter extension; then every notebook of every kit runs
    top to bottom there, answered as the solution answers."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    python = venv / "bin" / "python"
    requirements = sorted(
        {line for k in kits.values() for line in (k / "requirements.txt").read_text().split()}
    )
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", *requirements], check=True, timeout=900
    )
    listed = subprocess.run(
        [python, "-m", "pip", "list", "--format=freeze"], capture_output=True, text=True
    ).stdout
    assert "nbgrader" not in listed and "cutout-cutmix-course" not in listed
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTHON", "JUPYTER", "VIRTUAL_ENV"))
    }
    env |= {"MPLBACKEND": "Agg", "COURSE_FAST": "1", "HOME": str(tmp_path)}
    for assignment, folder in kits.items():
        for notebook in _solved_kit(folder, assignment):
            run = subprocess.run(
                [
                    python,
                    "-m",
                    "jupyter",
                    "nbconvert",
                    "--to",
                    "notebook",
                    "--execute",
                    "--ExecutePreprocessor.timeout=600",
                    "--output",
                    f"ran-{notebook.name}",
                    notebook.name,
                ],
                cwd=folder,
                env=env,
                capture_output=True,
                text=True,
                timeout=1200,
            )
            assert run.returncode == 0, f"{assignment}/{notebook.name}:\n{run.stderr[-3000:]}"
            ran = nbformat.read(folder / f"ran-{notebook.name}", as_version=4)
            errors = [
                o for c in ran.cells for o in c.get("outputs", []) if o.output_type == "error"
            ]
            assert not errors, f"{notebook.name}: {errors[0]['ename']}: {errors[0]['evalue']}"
