"""The instructor's grading command.

    .venv/bin/python -m autograder.grade SUBMISSIONS [--out build/grading]

SUBMISSIONS is nbgrader's `submitted/` folder (`<learner>/cutout_cutmix/*.ipynb`), a folder
of per-learner folders, or a folder or .zip of files named per learner
(`<learner>_01_cutout.ipynb`). Writes into --out: autograded notebooks and feedback HTML
(course/), grades.csv (nbgrader export), tests.csv and tests.json (one row per learner and
test), learners.json, class_report.html; prints progress and a summary table.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autograder.grading import CanaryFailed, grade_class


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m autograder.grade", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "submissions", type=Path, help="nbgrader submitted/ folder, a folder or a .zip"
    )
    parser.add_argument("--out", type=Path, default=Path("build/grading"), help="where results go")
    args = parser.parse_args(argv)
    if not args.submissions.exists():
        parser.error(f"{args.submissions} does not exist")
    try:
        results = grade_class(args.submissions, args.out)
    except CanaryFailed as error:
        print(f"\nSTOPPED: {error}", file=sys.stderr)
        return 2
    attention = sum(r.status != "graded" for r in results)
    print(f"\nResults in {args.out}: class_report.html, tests.csv, grades.csv, course/feedback/")
    if attention:
        print(f"{attention} learner(s) need attention: see the summary above.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
