"""The hub's pins: exact, from pyproject.toml (its `hub` extra), and never at odds with the
course's own pins; the environments are built from them and from the kits' requirements."""

from __future__ import annotations

import json
import tomllib

from packaging.requirements import Requirement

from autograder.hub import environments
from autograder.hub.layout import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def exact(line: str) -> tuple[str, str]:
    requirement = Requirement(line)
    (specifier,) = requirement.specifier
    assert specifier.operator == "==", f"{line} is not an exact pin"
    return requirement.name.lower(), specifier.version


def test_hub_extra_is_exact_pins_that_agree_with_the_course():
    extras = PYPROJECT["project"]["optional-dependencies"]
    course = dict(exact(line) for line in PYPROJECT["project"]["dependencies"] + extras["test"])
    for name, version in map(exact, extras["hub"]):
        assert course.get(name, version) == version, f"{name}: hub pins {version}"


def test_learner_environment_is_built_from_project_pins_only():
    extras = PYPROJECT["project"]["optional-dependencies"]
    pins = set(PYPROJECT["project"]["dependencies"]) | set(extras["hub"])
    wanted = environments.learner_requirements()
    assert set(wanted) <= pins, set(wanted) - pins
    names = {exact(line)[0] for line in wanted}
    assert {"jupyterhub", "jupyterlab", "nbgrader"} <= names


def test_instructor_environment_follows_the_projects_own_pins(tmp_path, monkeypatch):
    """The instructor's .venv is rebuilt when a dependency of the grading command is added
    (its stamp names every pin), not only when the hub's pins change."""
    extras = PYPROJECT["project"]["optional-dependencies"]
    wanted = environments.instructor_requirements()
    assert set(wanted) == set(PYPROJECT["project"]["dependencies"]) | set(extras["hub"])
    env = tmp_path / "env"
    (env / "bin").mkdir(parents=True)
    (env / "bin" / "python").touch()
    # Built before the last pin was added to the project.
    installs = []
    monkeypatch.setattr(environments, "_run", installs.append)
    monkeypatch.setattr(environments, "SYSTEM_PYTHON", env / "bin" / "python")
    assert environments.ensure_venv(env, wanted[:-1])
    assert not environments.ensure_venv(env, wanted[:-1])  # the same pins: nothing to do
    assert environments.ensure_venv(env, wanted)  # one more: installed
    assert wanted[-1] in installs[-1] and len(installs) == 2


def test_proxy_is_pinned_exactly_in_package_json_and_its_lock():
    package = json.loads((ROOT / "package.json").read_text())
    lock = json.loads((ROOT / "package-lock.json").read_text())
    version = package["dependencies"]["configurable-http-proxy"]
    assert version[0].isdigit(), f"configurable-http-proxy is not an exact pin: {version}"
    assert lock["packages"]["node_modules/configurable-http-proxy"]["version"] == version
    assert lock["packages"][""]["dependencies"] == package["dependencies"]


def test_environment_yml_leaves_the_hub_to_its_own_environments():
    """The conda environment is the learner's and the instructor's laptop, not the hub's."""
    text = (ROOT / "environment.yml").read_text()
    assert "jupyterhub" not in text
