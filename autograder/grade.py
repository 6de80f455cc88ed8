"""The instructor's grading command.

    .venv/bin/python -m autograder.grade SUBMISSIONS [--assignment NAME] [--out FOLDER]

SUBMISSIONS is nbgrader's `submitted/` folder (`<learner>/<assignment>/*.ipynb`), a folder
of per-learner folders, or a folder or .zip of files named per learner
(`<learner>_01_cutout.ipynb`). The assignment (a folder of solutions/) is found from the
folder and file names unless --assignment names it. Writes into --out (default
build/grading/<assignment>): feedback HTML (feedback/), grades.csv (nbgrader export),
tests.csv and tests.json (one row per learner and test), learners.json, class_report.html;
nbgrader's gradebook and autograded notebooks go to --course (default build/grading/course,
shared by the assignments). Prints progress and a summary table.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autograder.limits import DEFAULT_WORKERS
from autograder.pipeline.canary import CanaryFailed
from autograder.pipeline.course import ASSIGNMENT, SOLUTIONS, assignments, notebook_names
from autograder.pipeline.grading import grade_class
from autograder.pipeline.intake import NoSubmissions, assignments_in

DEFAULT_OUT = Path("build/grading")


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a positive number")
    return value


def choose_assignment(submissions: Path, known: list[str]) -> str:
    """The one assignment the submissions hold; the course notebooks if none is recognised.

    Raises ValueError when they hold several, since grading one would skip the others.
    """
    held = assignments_in(submissions, {a: notebook_names(SOLUTIONS / a) for a in known})
    if len(held) > 1:
        raise ValueError(
            f"{submissions} holds submissions of several assignments ({', '.join(held)}); "
            "grade one at a time with --assignment"
        )
    return held[0] if held else ASSIGNMENT


def main(argv: list[str] | None = None) -> int:
    known = assignments()
    parser = argparse.ArgumentParser(
        prog="python -m autograder.grade", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "submissions", type=Path, help="nbgrader submitted/ folder, a folder or a .zip"
    )
    parser.add_argument(
        "--assignment",
        choices=known,
        help="which assignment to grade (default: the one the submissions hold)",
    )
    parser.add_argument(
        "--out", type=Path, help=f"where results go (default: {DEFAULT_OUT}/<assignment>)"
    )
    parser.add_argument(
        "--course",
        type=Path,
        help=f"nbgrader's course folder, shared by the assignments, for Formgrader "
        f"(default: {DEFAULT_OUT}/course, or OUT/course with --out)",
    )
    parser.add_argument(
        "--workers",
        type=positive_int,
        default=DEFAULT_WORKERS,
        help=f"learners graded at once (default: {DEFAULT_WORKERS}, for this machine's cores)",
    )
    parser.add_argument(
        "--reuse-canary",
        type=Path,
        metavar="FOLDER",
        help="keep passing canaries' records in FOLDER and skip grading the reference when "
        "nothing it depends on changed (solutions, course code, package versions, limits)",
    )
    parser.add_argument(
        "--retrain",
        action="store_true",
        help="train notebook 04 for every learner, instead of reusing the runs the grader "
        "trains once for the class (kept with the canaries, or in OUT)",
    )
    args = parser.parse_args(argv)
    if not args.submissions.exists():
        parser.error(f"{args.submissions} does not exist")
    if args.assignment is None:
        try:
            args.assignment = choose_assignment(args.submissions, known)
        except ValueError as error:
            parser.error(str(error))
    out = args.out or DEFAULT_OUT / args.assignment
    course = args.course or (args.out / "course" if args.out else DEFAULT_OUT / "course")
    try:
        results = grade_class(
            args.submissions,
            out,
            workers=args.workers,
            assignment=args.assignment,
            course_dir=course,
            reuse_canary_from=args.reuse_canary,
            reuse_training=not args.retrain,
        )
    except (CanaryFailed, NoSubmissions) as error:
        print(f"\nSTOPPED: {error}", file=sys.stderr)
        return 2
    attention = sum(bool(r.reasons) for r in results)
    print(f"\nResults in {out}: class_report.html, tests.csv, grades.csv, feedback/")
    print(
        f"Gradebook for Formgrader: {course} (python -m autograder.lab instructor --course-root {course})"
    )
    if attention:
        print(f"{attention} learner(s) need attention: see the summary above.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
