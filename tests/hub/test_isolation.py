"""(e) A learner's account reads no other learner's home, nothing of the instructor's, nor the
repository's deployment (its solutions, .venv, gradebook and grader), nor the hub's state."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import LAYOUT

from autograder.hub.layout import CLIENT_MODULE, LEARNER_ENV

pytestmark = pytest.mark.hub


def closed_paths(learners) -> list[str]:
    deployment = LAYOUT.deployment
    return [
        f"/home/{learners[1].name}",
        f"/home/{LAYOUT.instructor}",
        str(deployment),
        str(deployment / "solutions" / "cutout_cutmix" / "01_cutout.ipynb"),
        str(deployment / "autograder" / "exercises" / "reference.py"),
        str(deployment / ".venv" / "bin" / "python"),
        str(deployment / "build" / "grading" / "course" / "gradebook.db"),
        str(LAYOUT.passwords_file),
        str(LAYOUT.config_file),
        str(LAYOUT.exchange_root),
    ]


def test_private_folders_have_private_modes(hub, learners):
    for folder in [Path(f"/home/{name}") for name in LAYOUT.people] + [LAYOUT.deployment]:
        assert folder.stat().st_mode & 0o777 == 0o700, folder
    assert LAYOUT.deployment.stat().st_uid == Path(f"/home/{LAYOUT.instructor}").stat().st_uid


@pytest.fixture(scope="module")
def gradebook(hub, instructor):
    """The instructor's gradebook, made the instructor's way (nbgrader's db commands)."""
    result = hub.instructor_nbgrader(instructor, "db", "student", "list")
    assert result.returncode == 0, result.stdout + result.stderr
    return LAYOUT.deployment / "build" / "grading" / "course" / "gradebook.db"


def test_learner_reads_nothing_private(hub, learners, gradebook):
    learner = learners[0]
    for path in closed_paths(learners):
        assert Path(path).exists(), f"{path} should exist for this test to mean anything"
        # Read a folder's names, or a file's bytes.
        for command in [["ls", path]] if Path(path).is_dir() else [["cat", path]]:
            result = hub.run_as(learner, command, Path("/"))
            assert result.returncode != 0, f"{learner.name} could run {command}"
            assert "Permission denied" in result.stderr, (command, result.stderr)


def test_learner_environment_holds_no_grader(hub, learners):
    """The learners' Python has the exchange client, not the course's instructor side."""
    script = (
        "import importlib.util as u, sys; "
        f"names = ['autograder', 'cutout_course_hub', '{CLIENT_MODULE}']; "
        "print([n for n in names if u.find_spec(n)])"
    )
    result = hub.run_as(learners[0], [str(LEARNER_ENV / "bin" / "python"), "-c", script], Path("/"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"['{CLIENT_MODULE}']"


def test_learner_server_has_no_formgrader(hub, learners):
    """Formgrader (and its gradebook API) is the instructor's: a learner's server has none."""
    for path in ("formgrader", "formgrader/api/assignments"):
        assert learners[0].server("GET", path).status_code == 404, path
