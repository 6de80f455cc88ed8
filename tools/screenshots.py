"""Regenerate the README's screenshots from the browser tests.

    .venv/bin/python tools/screenshots.py

Runs the browser tests that take them (the learner's first notebook, Formgrader after grading
sample submissions; about a minute and a half), then copies three of their step screenshots
from build/screenshots/ to docs/screenshots/, each kept under 300 KB.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "build" / "screenshots"
DOCS = ROOT / "docs" / "screenshots"
MAX_BYTES = 300_000

LEARNER = "test_learner_runs_and_validates_notebook-01_cutout.ipynb"
FORMGRADER = "test_formgrader_shows_graded_learners_and_scores"
# docs/screenshots/<name>: (test folder, step screenshot) in build/screenshots/
README_SHOTS = {
    "learner-notebook.png": (LEARNER, "pictures_render"),
    "validate.png": (LEARNER, "validate_the_untouched_notebook_failures_listed"),
    "formgrader.png": (FORMGRADER, "Manage_Students_shows_the_learners_and_their_scores"),
}
TESTS = "01_cutout or formgrader_shows_graded"


def run_tests() -> None:
    env = {**os.environ, "MPLBACKEND": "Agg"}
    command = [sys.executable, "-m", "pytest", "tests/browser", "-q", "-k", TESTS]
    print("$", " ".join(command))
    if subprocess.call(command, cwd=ROOT, env=env) != 0:
        sys.exit("the browser tests failed: no screenshots copied (see build/screenshots/)")


def copy_small(source: Path, target: Path) -> None:
    """Copy a PNG; above MAX_BYTES, store it with a 256-colour palette instead."""
    target.write_bytes(source.read_bytes())
    if target.stat().st_size > MAX_BYTES:
        from PIL import Image

        with Image.open(source) as image:
            image.convert("RGB").quantize(256).save(target, optimize=True)
    print(f"{target.relative_to(ROOT)}: {target.stat().st_size // 1000} KB")


def main() -> int:
    run_tests()
    DOCS.mkdir(parents=True, exist_ok=True)
    for name, (test, step) in README_SHOTS.items():
        found = sorted((SHOTS / test).glob(f"[0-9][0-9]_{step}.png"))
        if not found:
            sys.exit(f"no screenshot of step {step!r} in {SHOTS / test}")
        copy_small(found[-1], DOCS / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
