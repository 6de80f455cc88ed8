"""(g) The hub refuses to start twice, and on a port in use, saying what to do."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest
from conftest import LAYOUT

from autograder.hub.launcher import free_port
from autograder.hub.layout import ROOT

pytestmark = pytest.mark.hub


def start_command(instance: str, port: int) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "autograder.hub", "start", "--instance", instance]
    command += ["--prefix", LAYOUT.prefix, "--learners", str(LAYOUT.learner_count)]
    command += ["--port", str(port)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_refuses_a_second_hub_of_the_instance(hub):
    result = start_command(LAYOUT.instance, free_port())
    assert result.returncode == 1
    assert "already running" in result.stderr
    assert f"stop --instance {LAYOUT.instance}" in result.stderr, result.stderr


def test_refuses_a_port_in_use(hub):
    port = int(hub.url.rsplit(":", 1)[1])
    result = start_command("test-busy", port)
    assert result.returncode == 1
    assert f"Port {port} on 127.0.0.1 is in use" in result.stderr, result.stderr

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = start_command("test-busy", port)
    assert result.returncode == 1
    assert f"Port {port} on 127.0.0.1 is in use" in result.stderr, result.stderr
    assert not (LAYOUT.state.parent / "test-busy").exists(), "a refused start leaves nothing"
