"""Seconds per submission for grading, before and after grading moved out of the kernel.

    .venv/bin/python benchmarks/grading_speed.py [--learners 4] [--assignment cutout_cutmix]

"before": nbgrader's own Execute step, the kernel unconfined, hidden tests run in the
kernel (how grading worked before test cells were decided outside the kernel).
"after": the course's grading as it is: the kernel confined by bubblewrap, every graded
test cell decided in the grading process (autograder/plugins/execute.py, autograder/plugins/decide.py).
One learner at a time, so the figures are seconds per submission; the canary is not counted.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import autograder.plugins.sandbox as sandbox
import autograder.plugins.settings as settings
from autograder.limits import limits_for
from autograder.pipeline.course import ASSIGNMENT, SOLUTIONS, Course, assignments, notebook_names
from autograder.pipeline.grading import grade_learners
from autograder.pipeline.intake import find_submissions
from autograder.pipeline.recorded import max_points


def grade_copies(mode: str, learners: int, workdir: Path, assignment: str) -> list[float]:
    if mode == "before":
        settings.AUTOGRADE_PREPROCESSORS[0] = "nbgrader.preprocessors.Execute"
        sandbox.write_kernelspec = lambda folder: folder  # the usual, unconfined python3 kernel
    submitted = workdir / mode / "submitted"
    for number in range(learners):
        folder = submitted / f"learner{number}" / assignment
        folder.mkdir(parents=True)
        for name in notebook_names(SOLUTIONS / assignment):
            shutil.copyfile(SOLUTIONS / assignment / name, folder / name)
    course = Course(workdir / mode / "course", assignment=assignment)
    course.generate_release()
    points = max_points(assignment)
    found = find_submissions(submitted, list(points), assignment=assignment)
    results = grade_learners(course, found, points, limits_for(assignment), workers=1)
    assert all(r.score == r.max for r in results), [(r.learner, r.status) for r in results]
    return [r.seconds for r in results]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=4)
    parser.add_argument("--assignment", choices=assignments(), default=ASSIGNMENT)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        # "after" first: "before" changes the settings of this process for good.
        figures = {}
        for mode in ("after", "before"):
            started = time.perf_counter()
            seconds = grade_copies(mode, args.learners, Path(workdir), args.assignment)
            figures[mode] = seconds
            print(
                f"{mode:>6}: {statistics.mean(seconds):.1f} s per submission "
                f"(min {min(seconds):.1f}, max {max(seconds):.1f}; {time.perf_counter() - started:.0f} s in all)"
            )
    ratio = statistics.mean(figures["after"]) / statistics.mean(figures["before"])
    print(f" ratio: {ratio:.2f} x")


if __name__ == "__main__":
    main()
