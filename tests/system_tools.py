"""What a test that needs a system tool does when the tool is missing: skip on a developer's
machine (saying how to install it), fail on CI (CI=true), where every test must run."""

import os
from pathlib import Path

import pytest

from autograder.plugins.sandbox import bwrap

ON_CI = os.environ.get("CI", "").lower() == "true"

# On CI the test runs and fails at the missing bwrap instead of skipping.
needs_bubblewrap = pytest.mark.skipif(
    bwrap() is None and not ON_CI,
    reason="bubblewrap is not installed (make test installs it)",
)


def postgresql_runnable() -> bool:
    from postgres_server import runnable

    return runnable()


# PostgreSQL from Debian's packages (tests/postgres_server.py); on CI the server's start fails.
needs_postgresql = pytest.mark.skipif(
    not ON_CI and not postgresql_runnable(),
    reason="PostgreSQL is not installed (make system-packages installs Debian's postgresql)",
)


# Debian's chromium, which the browser tests drive through Playwright; on CI they fail at its
# launch instead of skipping.
CHROMIUM = Path("/usr/bin/chromium")
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists() and not ON_CI,
    reason=f"{CHROMIUM} is missing: install Debian's chromium (make system-packages)",
)
