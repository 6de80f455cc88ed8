"""Real local accounts for the hub, made with useradd and given passwords with chpasswd.

Every person has a home of their own with mode 0700: a learner cannot read another learner's
home or the instructor's. The passwords are random, kept in the instance's state folder,
readable by root alone (the tests log in with them through PAM, as a person would).
"""

from __future__ import annotations

import json
import os
import pwd
import secrets
import subprocess
from pathlib import Path

from autograder.hub.layout import Layout


class AccountError(RuntimeError):
    pass


def exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def _run(command: list[str], **kwargs) -> None:
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise AccountError(f"{' '.join(command)} failed: {result.stderr.strip()}")


def ensure_person(name: str) -> Path:
    """A login account with its own group and a private home (created once)."""
    if not exists(name):
        _run(["useradd", "--create-home", "--user-group", "--shell", "/bin/bash", name])
    home = Path(pwd.getpwnam(name).pw_dir)
    os.chmod(home, 0o700)
    return home


def ensure_service_account(name: str) -> None:
    """The exchange service's account: no home, no login shell, no password."""
    if not exists(name):
        _run(
            [
                "useradd",
                "--system",
                "--user-group",
                "--no-create-home",
                "--home-dir",
                "/nonexistent",
                "--shell",
                "/usr/sbin/nologin",
                name,
            ]
        )


def set_passwords(names: list[str], passwords_file: Path) -> dict[str, str]:
    """New random passwords for `names`, set with chpasswd and saved root-only (0600)."""
    passwords = {name: secrets.token_urlsafe(18) for name in names}
    lines = "".join(f"{name}:{password}\n" for name, password in passwords.items())
    _run(["chpasswd"], input=lines)
    passwords_file.touch(mode=0o600)
    os.chmod(passwords_file, 0o600)
    passwords_file.write_text(json.dumps(passwords, indent=1))
    return passwords


def ensure_accounts(layout: Layout) -> dict[str, str]:
    """Every account of the instance, with fresh passwords; returns {name: password}."""
    if os.geteuid() != 0:
        raise AccountError("the hub makes local accounts and runs as root: run it as root")
    for name in layout.people:
        ensure_person(name)
    ensure_service_account(layout.exchange_account)
    return set_passwords(layout.people, layout.passwords_file)


def passwords(layout: Layout) -> dict[str, str]:
    return json.loads(layout.passwords_file.read_text())
