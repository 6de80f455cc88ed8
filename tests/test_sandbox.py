"""What the grader says about its protections, and what the confined kernel can reach."""

import subprocess
import sys
from pathlib import Path

from system_tools import needs_bubblewrap

from autograder.plugins import sandbox


def test_without_bubblewrap_the_grader_says_loudly_that_learner_code_is_unconfined(monkeypatch):
    monkeypatch.setattr(sandbox, "bwrap", lambda: None)
    enabled, disabled = sandbox.protections()
    assert any("unconfined" in line and "apt-get install bubblewrap" in line for line in disabled)
    assert not any("bubblewrap" in line for line in enabled)


@needs_bubblewrap
def test_confined_code_sees_its_folder_and_the_learner_package_but_not_the_grader(tmp_path):
    probe = (
        "import os, socket\n"
        "from augcourse import images\n"
        "print('photo', images.load_photo('cat').shape)\n"
        f"print('grader', os.path.exists({str(sandbox.ROOT / 'autograder')!r}))\n"
        f"print('solutions', os.path.exists({str(sandbox.ROOT / 'solutions')!r}))\n"
        "open('written.txt', 'w').write('ok')\n"
        "try:\n    socket.create_connection(('127.0.0.1', 22), timeout=1)\n    print('network yes')\n"
        "except OSError:\n    print('network no')\n"
    )
    argv = sandbox.bwrap_argv(tmp_path, tmp_path, [sys.executable, "-c", probe])
    output = subprocess.run(argv, capture_output=True, text=True, timeout=60, cwd=tmp_path).stdout
    assert "photo (3, 32, 32)" in output
    assert "grader False" in output and "solutions False" in output
    assert "network no" in output
    assert (Path(tmp_path) / "written.txt").read_text() == "ok"
