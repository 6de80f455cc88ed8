"""pyproject.toml is the one list of pinned dependencies; environment.yml and the running
environment must agree with it."""

import importlib.metadata
import re
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"
ENVIRONMENT = ROOT / "environment.yml"

# Conda-only entries that have no counterpart in pyproject's dependency lists.
CONDA_ONLY = {"python", "pip"}

# A conda match spec as written in environment.yml: `name`, `name=1.2`, `name==1.2.3`,
# optionally followed by `=build`.
CONDA_SPEC = re.compile(r"^(?P<name>[A-Za-z0-9_.\-]+)\s*(?:(?P<op>==?)\s*(?P<version>[^\s=]+))?")


def normalise(name: str) -> str:
    """PEP 503 name: lower-case, runs of `-`, `_`, `.` become one `-`."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pyproject() -> dict:
    return tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))


def pyproject_requirements() -> list[Requirement]:
    """[project].dependencies followed by the `test` extra."""
    project = pyproject()["project"]
    lines = project["dependencies"] + project["optional-dependencies"]["test"]
    return [Requirement(line) for line in lines]


def pinned_version(requirement: Requirement) -> str | None:
    """The version of an exact `==` pin, or None if the requirement is not one."""
    specifiers = list(requirement.specifier)
    if len(specifiers) == 1 and specifiers[0].operator == "==" and "*" not in specifiers[0].version:
        return specifiers[0].version
    return None


def pyproject_pins() -> dict[str, str]:
    return {normalise(r.name): pinned_version(r) for r in pyproject_requirements()}


def environment() -> dict:
    return yaml.safe_load(ENVIRONMENT.read_text(encoding="utf-8"))


def environment_specs() -> dict[str, str | None]:
    """Normalised name -> version for every conda and pip entry of environment.yml.

    Pip options such as `--editable .` are not packages and are left out."""
    specs: dict[str, str | None] = {}
    for entry in environment()["dependencies"]:
        if isinstance(entry, dict):
            for line in entry.get("pip", []):
                if line.lstrip().startswith("-"):
                    continue
                requirement = Requirement(line)
                specs[normalise(requirement.name)] = pinned_version(requirement)
            continue
        match = CONDA_SPEC.match(str(entry))
        assert match, f"environment.yml: cannot read dependency {entry!r}"
        specs[normalise(match["name"])] = match["version"]
    return specs


def test_environment_yml_header():
    """environment.yml names the environment and uses conda-forge alone."""
    env = environment()
    assert env["name"] == "cutout-cutmix-course", f"environment name is {env['name']!r}"
    assert env["channels"] == ["conda-forge"], (
        f"channels are {env['channels']!r}; expected only conda-forge"
    )


def test_pyproject_requirements_are_exact_pins():
    """Every dependency and test requirement in pyproject.toml is pinned with `==`."""
    loose = [str(r) for r in pyproject_requirements() if pinned_version(r) is None]
    assert not loose, f"pyproject.toml requirements that are not exact `==` pins: {loose}"


def test_environment_yml_matches_pyproject():
    """environment.yml lists exactly pyproject's pins (plus python and pip), same versions."""
    pins = pyproject_pins()
    specs = environment_specs()
    problems = []
    for name, version in sorted(pins.items()):
        if version is None:  # reported by test_pyproject_requirements_are_exact_pins
            continue
        if name not in specs:
            problems.append(f"{name}=={version}: missing from environment.yml")
        elif specs[name] != version:
            problems.append(f"{name}: pyproject pins {version}, environment.yml has {specs[name]}")
    for name in sorted(specs.keys() - pins.keys() - CONDA_ONLY):
        problems.append(f"{name}: in environment.yml but not in pyproject.toml")
    assert not problems, (
        "environment.yml and pyproject.toml disagree (pyproject.toml is the source of truth):\n"
        + "\n".join(f"  - {p}" for p in problems)
    )


def test_environment_yml_python_satisfies_requires_python():
    """The python that environment.yml asks for is allowed by requires-python."""
    python = environment_specs().get("python")
    assert python, "environment.yml should pin python (e.g. python=3.11)"
    requires = SpecifierSet(pyproject()["project"]["requires-python"])
    assert requires.contains(python), (
        f"environment.yml asks for python {python}, but pyproject requires-python is {requires}"
    )


def test_installed_versions_match_pins():
    """The packages installed in the running environment are the pinned versions."""
    problems = []
    for name, version in sorted(pyproject_pins().items()):
        if version is None:  # reported by test_pyproject_requirements_are_exact_pins
            continue
        try:
            installed = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            problems.append(f"{name}: pinned {version}, not installed")
            continue
        if Version(installed) != Version(version):
            problems.append(f"{name}: pinned {version}, installed {installed}")
    if problems:
        pytest.fail(
            "installed packages differ from pyproject.toml's pins "
            "(reinstall with `pip install -e '.[test]'`):\n"
            + "\n".join(f"  - {p}" for p in problems)
        )
