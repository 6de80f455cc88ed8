"""The instructor's demo: release the course, grade a sample class with real nbgrader,
and show the results.

    make demo

Steps (each prints what it does):
 1. generate the learner release of every assignment from solutions/ and confirm
    notebooks/ is up to date;
 2. run the reference on real photographs and save a picture;
 3. write a sample class (autograder/exercises/samples.py: the reference, learners with typical
    mistakes, an untouched release, broken notebooks, a crashing and a hanging learner);
 4. grade it with the instructor's grading command and print the summary;
 5. grade a sample class of notebook 04 (measuring_the_effect) the same way, into the same
    nbgrader course folder, so Formgrader shows both assignments.
"""

from __future__ import annotations

import filecmp
import shutil
import sys
from pathlib import Path

import numpy as np

from autograder.exercises import reference
from autograder.exercises.samples import (
    EXPERIMENT,
    write_experiment_sample_class,
    write_sample_class,
)
from autograder.limits import Limits
from autograder.pipeline.canary import CanaryFailed
from autograder.pipeline.course import (
    ASSIGNMENT,
    RELEASE,
    ROOT,
    Course,
    assignments,
    notebook_names,
)
from autograder.pipeline.grading import grade_class
from autograder.pipeline.progress import ClassProgress

BUILD = ROOT / "build" / "demo"


def step(message: str) -> None:
    print(f"\n== {message}", flush=True)


def main() -> int:
    if BUILD.exists():
        shutil.rmtree(BUILD)
    BUILD.mkdir(parents=True)

    step("1. Releasing the learner notebooks from solutions/ with nbgrader generate_assignment")
    releases = {}
    for assignment in assignments():
        released = Course(BUILD / "release", assignment=assignment).generate_release()
        releases[assignment] = released
        names = notebook_names(released)
        stale = [
            name
            for name in names
            if not (RELEASE / assignment / name).exists()
            or not filecmp.cmp(released / name, RELEASE / assignment / name, shallow=False)
        ]
        print(f"   {assignment}: {len(names)} notebooks released: {', '.join(names)}")
        print(
            f"   notebooks/{assignment}/ is up to date"
            if not stale
            else f"   notebooks/{assignment}/ is STALE for {stale}: run `make release`"
        )
    release = releases[ASSIGNMENT]

    step("2. The reference on real photographs")
    picture = save_reference_picture(BUILD / "reference_on_photos.png")
    print(f"   saved {picture.relative_to(ROOT)}")

    step("3. A sample class")
    expected = write_sample_class(BUILD / "submitted", release)
    for learner, what in expected.items():
        print(f"   {learner:<10} {what}")

    grading = BUILD / "grading"
    course = grading / "course"  # one gradebook for both assignments, as Formgrader shows it
    step(
        "4. Grading it: python -m autograder.grade build/demo/submitted "
        "--out build/demo/grading/cutout_cutmix --course build/demo/grading/course"
    )
    out = grading / ASSIGNMENT
    try:
        grade_class(
            BUILD / "submitted",
            out,
            limits=Limits(cell_seconds=20),
            course_dir=course,
            shown=ClassProgress(verbose=False, bar=True),  # as the command shows it
        )
    except CanaryFailed as error:
        print(f"STOPPED: {error}", file=sys.stderr)
        return 2
    show_results(out, ASSIGNMENT)

    step(f"5. Notebook 04 ({EXPERIMENT}): a sample class; each learner's models are retrained")
    expected = write_experiment_sample_class(BUILD / "submitted_04", releases[EXPERIMENT])
    for learner, what in expected.items():
        print(f"   {learner:<10} {what}")
    out = grading / EXPERIMENT
    try:
        grade_class(
            BUILD / "submitted_04",
            out,
            assignment=EXPERIMENT,
            course_dir=course,
            shown=ClassProgress(verbose=False, bar=True),
        )
    except CanaryFailed as error:
        print(f"STOPPED: {error}", file=sys.stderr)
        return 2
    show_results(out, EXPERIMENT)
    print(
        f"\n   Formgrader on both: .venv/bin/python -m autograder.lab instructor "
        f"--course-root {course.relative_to(ROOT)}"
    )
    return 0


def show_results(out: Path, assignment: str) -> None:
    print(f"\n   class report:   {(out / 'class_report.html').relative_to(ROOT)}")
    print(
        f"   per-test table: {(out / 'tests.csv').relative_to(ROOT)}; "
        f"nbgrader export: {(out / 'grades.csv').relative_to(ROOT)}"
    )
    print(
        f"   feedback:       {(out / 'feedback').relative_to(ROOT)}/<learner>/{assignment}/*.html"
    )


def save_reference_picture(path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    from augcourse import images, plots

    photos, class_names = images.load_photos(size=(64, 64))
    rng = np.random.default_rng(0)
    labels = np.eye(len(class_names))
    cut = [reference.cutout(photo, 24, rng) for photo in photos[:3]]
    mixed, mixed_labels = reference.cutmix_batch(photos, labels, 1.0, rng)
    figure = plots.show_images(
        [*photos[:3], *cut, *mixed[:3]],
        ncols=3,
        titles=["photo"] * 3
        + ["cutout"] * 3
        + [
            " / ".join(f"{class_names[k]} {w:.2f}" for k, w in enumerate(label) if w > 0)
            for label in mixed_labels[:3]
        ],
    )
    figure.savefig(path, dpi=100, bbox_inches="tight")
    return path


if __name__ == "__main__":
    sys.exit(main())
