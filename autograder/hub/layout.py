"""Names and places of one hub: its accounts, its state and the environments it runs.

An instance (`hub` for `make hub`, another for the tests) has its own accounts (by prefix),
its own state folder and port, so the tests never touch a hub someone is using. The Python
environments under /opt are shared: they depend only on the pins.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Debian's Python: the accounts the hub spawns for cannot run a Python under /root.
SYSTEM_PYTHON = Path("/usr/bin/python3")
ENVIRONMENTS = Path("/opt/cutout-course")
STATE = Path("/var/lib/cutout-course")
PROXY_BUILD = ROOT / "build" / "hub-proxy"
SERVICE_NAME = "course-exchange"
# The modules the environments carry, copied from autograder/hub/ (no repository needed).
SERVICE_PACKAGE = "cutout_course_hub"
CLIENT_MODULE = "cutout_course_exchange"
COURSE_ID = "cutout-cutmix"


@dataclass(frozen=True)
class Layout:
    instance: str = "hub"
    prefix: str = "course"
    learner_count: int = 3

    @property
    def instructor(self) -> str:
        return f"{self.prefix}-instructor"

    @property
    def learners(self) -> list[str]:
        return [f"{self.prefix}-learner-{i}" for i in range(1, self.learner_count + 1)]

    @property
    def exchange_account(self) -> str:
        """The service's own account: only it can read the stored submissions."""
        return f"{self.prefix}-exchange"

    @property
    def people(self) -> list[str]:
        return [self.instructor, *self.learners]

    @property
    def state(self) -> Path:
        """Hub database, cookie secret, passwords, config, logs (root only, but for the
        exchange's folder inside)."""
        return STATE / self.instance

    @property
    def exchange_root(self) -> Path:
        return self.state / "exchange"

    @property
    def passwords_file(self) -> Path:
        return self.state / "passwords.json"

    @property
    def pid_file(self) -> Path:
        return self.state / "hub.json"

    @property
    def log_file(self) -> Path:
        return self.state / "jupyterhub.log"

    @property
    def config_file(self) -> Path:
        return self.state / "jupyterhub_config.py"

    @property
    def deployment(self) -> Path:
        """The instructor's copy of the repository, with its own .venv (mode 0700)."""
        return Path("/home") / self.instructor / "course"

    @property
    def stop_command(self) -> str:
        if self.instance == "hub":
            return "make hub-stop"
        return f".venv/bin/python -m autograder.hub stop --instance {self.instance}"


HUB_ENV = ENVIRONMENTS / "hub-env"
LEARNER_ENV = ENVIRONMENTS / "learner-env"
