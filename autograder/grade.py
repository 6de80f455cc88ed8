"""The instructor's grading command.

    .venv/bin/python -m autograder.grade SUBMISSIONS [--assignment NAME] [--out FOLDER]

SUBMISSIONS is nbgrader's `submitted/` folder (`<learner>/<assignment>/*.ipynb`), a folder
of per-learner folders, or a folder or .zip of files named per learner
(`<learner>_01_cutout.ipynb`). The assignment (a folder of solutions/) is found from the
folder and file names unless --assignment names it. Writes into --out (default
build/grading/<assignment>): feedback HTML (feedback/), grades.csv (nbgrader export),
tests.csv and tests.json (one row per learner and test), learners.json, class_report.html;
nbgrader's gradebook and autograded notebooks go to --course (default build/grading/course,
shared by the assignments, the course Formgrader shows: nbgrader_config.py), the gradebook to a PostgreSQL database instead with
--db postgresql://USER[:PASSWORD]@HOST:PORT/DATABASE (its password is never printed);
canvas_grades.csv / moodle_grades.csv for learners from those platforms' archives, with the
platform's own list of the class when given (--canvas-gradebook, --moodle-worksheet). Shows a
progress bar on stderr (a line per learner with --verbose) and ends with a summary table.
The due date and the roster come from Formgrader's gradebook (build/grading/course, see
autograder/pipeline/course_book.py): work received after the due date (its timestamp.txt)
gets the late penalty, and a learner of the roster who handed nothing in is "not submitted"
in grades.csv.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from autograder.limits import DEFAULT_WORKERS
from autograder.pipeline.canary import CanaryFailed
from autograder.pipeline.course import ASSIGNMENT, SOLUTIONS, assignments, notebook_names
from autograder.pipeline.course_book import read_course_book
from autograder.pipeline.distributed import ClusterNotReady
from autograder.pipeline.gradebook import GradebookUnreachable, gradebook_url, without_password
from autograder.pipeline.grading import grade_class
from autograder.pipeline.intake import (
    NoSubmissions,
    assignments_in,
    find_submissions,
    grade_ids_of,
)
from autograder.pipeline.lms import CANVAS, MOODLE
from autograder.pipeline.progress import ClassProgress
from autograder.pipeline.rosters import RosterError, read_canvas_gradebook, read_moodle_worksheet
from autograder.pipeline.tallies import count_text

DEFAULT_OUT = Path("build/grading")


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a positive number")
    return value


def choose_assignment(submissions: Path, known: list[str], say=lambda text: None) -> str:
    """The assignment the submissions hold; the course notebooks if none is recognised.

    When they hold several (a learner handed in another assignment's notebooks), the one
    most learners handed in, said through `say`; the others' learners are then told so in
    their status (intake's "wrong_assignment"). Raises ValueError when as many learners
    handed in each, since there is then no telling which was meant.
    """
    held = assignments_in(submissions, {a: notebook_names(SOLUTIONS / a) for a in known})
    if len(held) <= 1:
        return held[0] if held else ASSIGNMENT
    counts = learners_per_assignment(submissions, held)
    ranked = sorted(held, key=lambda a: -counts[a])
    if counts[ranked[0]] == counts[ranked[1]]:
        each = ", ".join(f"{a} by {count_text(counts[a], 'learner')}" for a in ranked)
        raise ValueError(
            f"{submissions} holds submissions of several assignments, as many of each "
            f"({each}); grade one at a time with --assignment"
        )
    chosen, others = ranked[0], ranked[1:]
    say(
        f"{submissions} holds submissions of {len(held)} assignments: grading {chosen}, which "
        f"most learners handed in ({counts[chosen]}); "
        + "; ".join(
            f"{count_text(counts[a], 'learner')} handed in {a}'s notebooks (grade those with "
            f"--assignment {a})"
            for a in others
        )
    )
    return chosen


def learners_per_assignment(submissions: Path, held: list[str]) -> dict[str, int]:
    """{assignment: how many learners handed in at least one of its notebooks}, as intake
    finds them (a zip is opened into a temporary folder, removed afterwards)."""
    counts = {}
    for assignment in held:
        names = notebook_names(SOLUTIONS / assignment)
        grade_ids = {name: grade_ids_of(SOLUTIONS / assignment / name) for name in names}
        with tempfile.TemporaryDirectory(prefix="count-") as workdir:
            found = find_submissions(
                submissions, names, grade_ids, assignment=assignment, workdir=Path(workdir)
            )
            counts[assignment] = sum(bool(s.notebooks) for s in found)
    return counts


def read_rosters(args: argparse.Namespace) -> dict:
    """{platform: its list of the class} from the files the instructor passed (rosters.py)."""
    rosters = {}
    if args.canvas_gradebook:
        rosters[CANVAS] = read_canvas_gradebook(
            args.canvas_gradebook, args.assignment, args.canvas_column
        )
        print(
            f"Canvas gradebook {args.canvas_gradebook}: {len(rosters[CANVAS].rows)} learners, "
            f"grades under '{rosters[CANVAS].grade_column}'"
        )
    if args.moodle_worksheet:
        rosters[MOODLE] = read_moodle_worksheet(args.moodle_worksheet)
        print(
            f"Moodle grading worksheet {args.moodle_worksheet}: "
            f"{len(rosters[MOODLE].rows)} participants"
        )
    return rosters


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
    parser.add_argument(
        "--canvas-gradebook",
        type=Path,
        metavar="CSV",
        help="Canvas's gradebook export (Grades > Export): canvas_grades.csv then takes its "
        "assignment column's header and its learners, those who handed in nothing with an "
        "empty grade",
    )
    parser.add_argument(
        "--canvas-column",
        metavar="HEADER",
        help="the assignment's column of --canvas-gradebook, when several could be it: its "
        "header, its Canvas id or part of its title",
    )
    parser.add_argument(
        "--moodle-worksheet",
        type=Path,
        metavar="CSV",
        help="Moodle's grading worksheet of the assignment (Download grading worksheet): "
        "moodle_grades.csv then keeps its columns and its participants",
    )
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="a line per learner as they finish (default: a progress bar, then the summary)",
    )
    parser.add_argument(
        "--db",
        metavar="URL",
        help="keep nbgrader's gradebook in this PostgreSQL database, e.g. "
        "postgresql://grader@127.0.0.1:5432/gradebook (the password may be in the URL or in "
        "PGPASSWORD; default: gradebook.db in the course folder)",
    )
    parser.add_argument(
        "--scheduler",
        metavar="tcp://HOST:PORT",
        help="grade the learners on the workers of this Dask cluster (docs/instructors.md); "
        "the canary, the gradebook and the outputs stay on this machine",
    )
    args = parser.parse_args(argv)
    if args.db:
        try:
            gradebook_url(args.db)
        except ValueError as error:
            parser.error(f"--db: {error}")  # never the URL itself: it may hold a password
    if not args.submissions.exists():
        parser.error(f"{args.submissions} does not exist")
    if args.canvas_column and not args.canvas_gradebook:
        parser.error("--canvas-column chooses a column of --canvas-gradebook, which is missing")
    if args.assignment is None:
        try:
            args.assignment = choose_assignment(args.submissions, known, say=print)
        except ValueError as error:
            parser.error(str(error))
    try:
        rosters = read_rosters(args)
    except RosterError as error:
        print(f"\nSTOPPED before grading: {error}", file=sys.stderr)
        return 2
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
            shown=ClassProgress(verbose=args.verbose, bar=True),
            rosters=rosters,
            db_url=args.db,
            course_book=read_course_book(args.assignment),
            scheduler=args.scheduler,
        )
    except (CanaryFailed, NoSubmissions, GradebookUnreachable, ClusterNotReady) as error:
        print(f"\nSTOPPED: {error}", file=sys.stderr)
        return 2
    attention = sum(bool(r.reasons) for r in results)
    print(f"\nResults in {out}: class_report.html, tests.csv, grades.csv, feedback/")
    db = f" --db {without_password(gradebook_url(args.db)[0])}" if args.db else ""
    print(
        f"Gradebook for Formgrader: {course} "
        f"(python -m autograder.lab instructor --course-root {course}{db})"
    )
    if attention:
        print(f"{attention} learner(s) need attention: see the summary above.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
