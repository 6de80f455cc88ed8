"""The learner kit of each assignment (autograder/kit.py): what a learner gets and nothing
else, and it works on its own."""

import contextlib
import importlib.util
import inspect
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

import nbformat
import numpy as np
import pytest

from autograder import kit
from autograder.exercises import reference
from autograder.exercises.registry import learner_functions
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
    # --no-compile: the notebooks compile what they import; pip would compile every module.
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--no-compile", *requirements],
        check=True,
        timeout=900,
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
    # Every notebook at once: they share nothing but the environment, and a grading machine
    # has more than one core.
    with contextlib.ExitStack() as stack:
        runs = {}
        for assignment, folder in kits.items():
            for notebook in _solved_kit(folder, assignment):
                process = subprocess.Popen(
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
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                stack.callback(_end, process)
                runs[assignment, folder, notebook] = process
        for (assignment, folder, notebook), process in runs.items():
            _, stderr = process.communicate(timeout=1200)
            assert process.returncode == 0, f"{assignment}/{notebook.name}:\n{stderr[-3000:]}"
            ran = nbformat.read(folder / f"ran-{notebook.name}", as_version=4)
            errors = [
                o for c in ran.cells for o in c.get("outputs", []) if o.output_type == "error"
            ]
            assert not errors, f"{notebook.name}: {errors[0]['ename']}: {errors[0]['evalue']}"


def _end(process: subprocess.Popen) -> None:
    """Stop a notebook run still going when the test ends early (a failure, a timeout)."""
    if process.poll() is None:
        process.kill()
        process.communicate()


# --- nothing in a kit answers an exercise still open when it is handed out ----------------

# When each kit is handed out, these graded exercises are still open: its own assignment's,
# and the later ones (notebook 04 is handed out after cutout_cutmix is due).
OPEN_WHEN_HANDED_OUT = {
    ASSIGNMENT: [*learner_functions(ASSIGNMENT), *learner_functions(EXPERIMENT)],
    EXPERIMENT: learner_functions(EXPERIMENT),
}
CALL_SECONDS = 5


def _load_kit_functions(folder: Path, assignment: str) -> dict[str, Callable]:
    """Every function a kit's modules define, module-level or static on a class, by name."""
    found = {}
    for path in sorted((folder / "augcourse").glob("*.py")):
        name = f"kit_{assignment}_{path.stem}"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up while being defined
        spec.loader.exec_module(module)
        for attribute, value in vars(module).items():
            candidates = [(attribute, value)]
            if inspect.isclass(value) and value.__module__ == name:
                candidates += [
                    (f"{attribute}.{key}", getattr(value, key))
                    for key, raw in vars(value).items()
                    if isinstance(raw, staticmethod | classmethod)
                ]
            for label, fn in candidates:
                if inspect.isfunction(fn) or inspect.ismethod(fn):
                    if getattr(fn, "__module__", None) == name:
                        found[f"{path.stem}.{label}"] = fn
    return found


def _batched(value):
    return value[None] if isinstance(value, np.ndarray) else value


def _unbatched(value):
    if isinstance(value, np.ndarray) and value.ndim and len(value) == 1:
        return value[0]
    if isinstance(value, tuple):
        return tuple(_unbatched(v) for v in value)
    return value


def _adapters(fn: Callable) -> dict[str, Callable]:
    """The function as it is, and through the one-line adapters a learner might write."""
    return {
        "as it is": fn,
        "a batch of one": lambda first, *rest: _unbatched(fn(_batched(first), *rest)),
        "every array a batch of one": lambda *args: _unbatched(fn(*map(_batched, args))),
    }


def _arity(exercise_name: str) -> int:
    if exercise_name == "paired_gain":
        return 5
    return len(inspect.signature(getattr(reference, exercise_name)).parameters)


def _takes(fn: Callable, count: int) -> bool:
    try:
        inspect.signature(fn).bind(*range(count))
    except (TypeError, ValueError):
        return False
    return True


class _TooSlow(Exception):
    pass


def _passes(check: Callable, candidate: Callable) -> bool:
    """Whether `candidate` passes the hidden check, within CALL_SECONDS."""

    def stop(signum, frame):
        raise _TooSlow

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(CALL_SECONDS)
    try:
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            check(candidate)
        return True
    except (Exception, _TooSlow):
        return False
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _hidden_checks() -> dict[str, Callable]:
    import autograder.checks  # noqa: F401  (registers every learner function's check)
    from autograder.checks.experiment import grade_paired_gain
    from autograder.checks.graders import _CHECKS

    return {**_CHECKS, "paired_gain": grade_paired_gain}


@pytest.mark.slow
@pytest.mark.parametrize("assignment", assignments())
def test_no_function_in_a_kit_passes_the_hidden_check_of_an_open_exercise(
    kits, assignment, tmp_path, monkeypatch
):
    """Every function the kit holds, directly and through one-line adapters, against the
    hidden check of every graded exercise still open when the kit is handed out."""
    monkeypatch.chdir(tmp_path)  # whatever a function writes lands here
    monkeypatch.setenv("COURSE_GRADING_SEED", "7")
    checks = _hidden_checks()
    functions = _load_kit_functions(kits[assignment], assignment)
    assert len(functions) > 20, sorted(functions)  # the kit's modules were read
    tries = [
        (f"{label} ({adapter}) answers {exercise_name}", checks[exercise_name], candidate)
        for exercise_name in OPEN_WHEN_HANDED_OUT[assignment]
        for label, fn in functions.items()
        if _takes(fn, _arity(exercise_name))
        for adapter, candidate in _adapters(fn).items()
    ]
    assert tries
    passes = _all_passes(tries)
    answering = [claim for (claim, _, _), passed in zip(tries, passes, strict=True) if passed]
    assert not answering, "\n".join(answering)


_TRIES: list[tuple[str, Callable, Callable]] = []


def _passes_try(index: int) -> bool:
    _, check, candidate = _TRIES[index]
    return _passes(check, candidate)


def _all_passes(tries: list[tuple[str, Callable, Callable]]) -> list[bool]:
    """_passes of each (claim, check, candidate), in forked processes two at a time (the
    candidates are defined in this process: a fork inherits them, a pickle could not carry
    them); each child leaves the parent's state as it was."""
    import multiprocessing

    _TRIES[:] = tries
    try:
        with multiprocessing.get_context("fork").Pool(2) as pool:
            return pool.map(_passes_try, range(len(tries)), chunksize=1)
    finally:
        _TRIES.clear()


def test_the_hunt_finds_a_right_function_placed_in_a_kit(kits, tmp_path, monkeypatch):
    """The search above would see a right answer: notebook 04's Cutout, put in the first
    assignment's kit, answers `cutout` through the batch-of-one adapter."""
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "leaky"
    shutil.copytree(kits[ASSIGNMENT], folder)
    training = kits[EXPERIMENT] / "augcourse"
    for module in ("training.py", "boxes.py", "dataset.py"):
        shutil.copy2(training / module, folder / "augcourse" / module)
    functions = _load_kit_functions(folder, "leaky")
    cutout_images = functions["training.cutout_images"]
    check = _hidden_checks()["cutout"]
    assert not _passes(check, cutout_images)
    assert _passes(check, _adapters(cutout_images)["a batch of one"])
