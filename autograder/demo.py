"""The instructor's demo: release the course, grade a small sample class with real nbgrader,
and show the results.

    make demo

Steps (each prints what it does):
 1. generate the learner release from solutions/ and confirm notebooks/ is up to date;
 2. run the reference on real photographs and save a picture;
 3. build sample submissions (the reference solution, learners with typical mistakes,
    an untouched release) and autograde them with nbgrader;
 4. print each learner's score per notebook and the checks they failed.
"""

from __future__ import annotations

import filecmp
import shutil
import time
from pathlib import Path

import numpy as np

from autograder import reference
from autograder.course import ASSIGNMENT, RELEASE, ROOT, SOLUTIONS, Course, notebook_names
from autograder.samples import mistake_answers, with_answers, wrong_choice

BUILD = ROOT / "build" / "demo"


def sample_class() -> dict[str, dict]:
    """Learner name -> notebooks. Typical mistakes taken from the bank."""
    return {
        "reference": {name: SOLUTIONS / ASSIGNMENT / name for name in notebook_names()},
        "ada": with_answers(
            {
                **mistake_answers("cutmix:lam_not_readjusted", "centered_box:box_not_clipped"),
                "cutout_purpose": wrong_choice("cutout_purpose"),
            }
        ),
        "ben": with_answers(
            mistake_answers(
                "mix_labels:weights_swapped",
                "cutmix_labels:reversed_ratio",
                "cutmix_box:sqrt_lam",
                "apply_cutout:input_modified",
            )
        ),
        "chloe": with_answers(
            mistake_answers("cutout:global_random", "cutmix_batch:labels_not_permuted")
        ),
    }


def step(message: str) -> None:
    print(f"\n== {message}", flush=True)


def main() -> None:
    if BUILD.exists():
        shutil.rmtree(BUILD)
    BUILD.mkdir(parents=True)
    course = Course(BUILD / "course")

    step("1. Releasing the learner notebooks from solutions/ with nbgrader generate_assignment")
    release = course.generate_release()
    stale = (
        [
            name
            for name in notebook_names(release)
            if not filecmp.cmp(release / name, RELEASE / ASSIGNMENT / name, shallow=False)
        ]
        if (RELEASE / ASSIGNMENT).exists()
        else ["(notebooks/ missing)"]
    )
    print(f"   {len(notebook_names(release))} notebooks released to {release.relative_to(ROOT)}")
    print(
        "   notebooks/ is up to date"
        if not stale
        else f"   notebooks/ is STALE for {stale}: run `make release`"
    )

    step("2. The reference on real photographs")
    picture = save_reference_picture(BUILD / "reference_on_photos.png")
    print(f"   saved {picture.relative_to(ROOT)}")

    step("3. Autograding a sample class with nbgrader")
    learners = sample_class()
    learners["dana (blank release)"] = {name: release / name for name in notebook_names(release)}
    timings = {}
    for number, (learner, notebooks) in enumerate(learners.items(), start=1):
        student = learner.split()[0]
        course.submit(student, notebooks)
        started = time.perf_counter()
        course.autograde(student)
        timings[student] = time.perf_counter() - started
        print(
            f"   [{number}/{len(learners)}] graded {learner} in {timings[student]:.1f} s",
            flush=True,
        )

    step("4. Results")
    print_summary(course, [learner.split()[0] for learner in learners])
    print(f"\n   {np.mean(list(timings.values())):.1f} s per submission on average")
    print(
        f"   gradebook: {course.db_url}; autograded notebooks: {(course.root / 'autograded').relative_to(ROOT)}"
    )


def print_summary(course: Course, students: list[str]) -> None:
    names = notebook_names(SOLUTIONS / ASSIGNMENT)
    header = (
        f"   {'learner':<12}"
        + "".join(f"{n.removesuffix('.ipynb'):>24}" for n in names)
        + f"{'total':>10}"
    )
    print(header)
    failed = {}
    for student in students:
        scores = course.scores(student)
        row = f"   {student:<12}"
        total = maximum = 0.0
        for name in names:
            got = sum(s for s, _ in scores.get(name, {}).values())
            out_of = sum(m for _, m in scores.get(name, {}).values())
            total, maximum = total + got, maximum + out_of
            row += f"{f'{got:g}/{out_of:g}':>24}"
            failed[student] = failed.get(student, []) + [
                g for g, (s, m) in scores.get(name, {}).items() if s < m
            ]
        print(row + f"{f'{total:g}/{maximum:g}':>10}")
    print()
    for student, checks in failed.items():
        if checks:
            print(f"   {student} lost points on: {', '.join(checks)}")


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
    main()
