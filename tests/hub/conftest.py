"""One real hub for the whole test session: instance `test`, accounts course-test-instructor
and course-test-learner-1..6, on a free port of 127.0.0.1.

The first run installs (accounts, /opt/cutout-course environments, the proxy with npm, the
instructor's deployment); later runs reuse them. The hub is stopped in the fixture's
teardown, which pytest runs also when a test fails. On CI (CI=true) a hub test that cannot
run fails at the fixture; elsewhere it is skipped, saying why.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from hub_people import Person
from system_tools import ON_CI

from autograder.hub import accounts, launcher
from autograder.hub.layout import LEARNER_ENV, SERVICE_NAME, Layout

# Learners 1 and 2 for the exchange tests; 3, 4 and 6 (the payloads) for the browser's whole
# loop; learner 5 is on the roster and never hands anything in.
LAYOUT = Layout(instance="test", prefix="course-test", learner_count=6)
ASSIGNMENT = "cutout_cutmix"
COURSE = "cutout-cutmix"
RUNUSER = shutil.which("runuser") or "/usr/sbin/runuser"
COMMAND_SECONDS = 300


def missing_prerequisite() -> str | None:
    if os.geteuid() != 0:
        return "the hub tests make local accounts and run the hub: run them as root"
    for tool in ("useradd", "chpasswd", "runuser", "npm", "node", "git"):
        if shutil.which(tool) is None and not Path("/usr/sbin", tool).exists():
            return f"{tool} is missing"
    if not Path("/usr/bin/python3").exists():
        return "Debian's /usr/bin/python3 is missing"
    return None


def pytest_collection_modifyitems(config, items):
    reason = missing_prerequisite()
    if reason and not ON_CI:
        skip = pytest.mark.skip(reason=reason)
        for item in items:
            if "hub" in item.keywords:
                item.add_marker(skip)


@dataclass
class Hub:
    url: str
    layout: Layout
    passwords: dict[str, str]

    @property
    def exchange_url(self) -> str:
        return f"{self.url}/services/{SERVICE_NAME}/"

    def person(self, name: str) -> Person:
        person = Person(self.url, name, self.passwords[name])
        person.log_in()
        return person

    def run_as(self, person: Person, command: list[str], cwd: Path, extra_env=None, seconds=None):
        """`command` as the person's own account, with their own token, as in a terminal of
        their server. The token goes through the environment, never the command line."""
        # As in a terminal of their server: the environment's programs first.
        program = Path(command[0])
        env_bin = f"{program.parent}:" if program.is_absolute() else ""
        env = {
            "PATH": f"{env_bin}/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "HOME": f"/home/{person.name}",
            "JUPYTERHUB_API_TOKEN": person.token,
            "JUPYTERHUB_API_URL": f"{self.url}/hub/api",
            "COURSE_EXCHANGE_URL": self.exchange_url,
            **(extra_env or {}),
        }
        return subprocess.run(
            [RUNUSER, "-u", person.name, "--", *command],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=seconds or COMMAND_SECONDS,
        )

    def learner_nbgrader(self, person: Person, *args: str, extra_env=None):
        """nbgrader of the learners' environment, run as the learner in their home."""
        command = [str(LEARNER_ENV / "bin" / "nbgrader"), *args]
        return self.run_as(person, command, Path(f"/home/{person.name}"), extra_env)

    def instructor_nbgrader(self, person: Person, *args: str):
        """nbgrader of the instructor's deployment, run as the instructor in it."""
        deployment = self.layout.deployment
        command = [str(deployment / ".venv" / "bin" / "nbgrader"), *args]
        return self.run_as(person, command, deployment)


def forget_earlier_sessions(layout: Layout) -> None:
    """A run starts from nothing: no hub database, no exchange, no fetched or collected work
    left by an earlier run (the accounts and environments stay: they are only installs)."""
    launcher.stop(layout)
    launcher.remove_state(layout)
    for name in layout.learners:
        home = Path(f"/home/{name}")
        if home.is_dir():
            for child in home.iterdir():
                if not child.name.startswith("."):
                    shutil.rmtree(child) if child.is_dir() else child.unlink()
    build = layout.deployment / "build"
    # Collected; graded by the grading command (with Formgrader's gradebook).
    for folder in ("course", "grading"):
        shutil.rmtree(build / folder, ignore_errors=True)


@pytest.fixture(scope="session")
def hub():
    reason = missing_prerequisite()
    if reason:
        pytest.fail(f"the hub tests cannot run: {reason}")
    forget_earlier_sessions(LAYOUT)
    try:
        record = launcher.start(LAYOUT, launcher.free_port())
        yield Hub(record["url"], LAYOUT, accounts.passwords(LAYOUT))
    finally:
        launcher.stop(LAYOUT)


@pytest.fixture(scope="session")
def instructor(hub):
    return hub.person(LAYOUT.instructor)


@pytest.fixture(scope="session")
def learners(hub):
    """Learners 1 and 2 logged in through PAM, with their servers started."""
    people = [hub.person(name) for name in LAYOUT.learners[:2]]
    for person in people:
        person.start_server()
    return people


@pytest.fixture(scope="session")
def released(hub, instructor):
    """The instructor releases cutout_cutmix through the exchange (its learner kit)."""
    result = hub.instructor_nbgrader(instructor, "release_assignment", ASSIGNMENT, "--force")
    assert result.returncode == 0, result.stdout + result.stderr
    return ASSIGNMENT
