"""Seconds nbgrader's Validate takes on each released notebook answered right, as a learner
runs it (nbgrader's own `validate` command, its default settings, a fresh kernel).

    .venv/bin/python benchmarks/validate_speed.py [--repeat 3]

To compare with another version of the learner package, put its folder first on PYTHONPATH
(the kernel imports `augcourse` from there).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder.exercises.samples import solved_release  # noqa: E402
from autograder.pipeline.course import NBGRADER, RELEASE  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    env = {**os.environ, "PATH": f"{NBGRADER.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("NBGRADER_EXECUTION", None)
    print(f"{'notebook':<45}{'median s':>10}{'runs':>24}")
    for relative in sorted(p.relative_to(RELEASE) for p in RELEASE.glob("*/*.ipynb")):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / relative.name
            nbformat.write(solved_release(relative), path)
            times = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                out = subprocess.run(
                    [str(NBGRADER), "validate", str(path), "--Execute.timeout=600"],
                    cwd=folder,
                    env=env,
                    capture_output=True,
                    text=True,
                ).stdout
                times.append(time.perf_counter() - started)
                if "Success!" not in out:
                    sys.exit(f"{relative}: Validate did not pass:\n{out[-2000:]}")
        runs = ", ".join(f"{t:.1f}" for t in times)
        print(f"{str(relative):<45}{statistics.median(times):>10.1f}{runs:>24}")


if __name__ == "__main__":
    main()
