"""The grading command on the course's other assignment (measuring_the_effect), and how it
tells from the submissions which assignment they are."""

import csv
import json
import os
import shutil
import sys
import zipfile
from pathlib import Path

import pytest

from autograder import grade
from autograder.exercises.samples import (
    EXPERIMENT,
    EXPERIMENT_NOTEBOOK,
    write_experiment_sample_class,
)
from autograder.limits import ASSIGNMENT_LIMITS, limits_for
from autograder.pipeline.course import SOLUTIONS, Course, assignments, notebook_names

pytestmark = pytest.mark.nbgrader
KNOWN = assignments()


@pytest.fixture(scope="module")
def graded_experiment(tmp_path_factory, canary_records):
    """The grading command, as an instructor types it without --assignment, on a zip of three
    learners' notebooks named per learner, as a learning platform hands them out
    (COURSE_FAST=1: the experiment's short form, for the reference and the learners alike)."""
    root = tmp_path_factory.mktemp("experiment")
    release = Course(root / "release-course", assignment=EXPERIMENT).generate_release()
    # The sample class of notebook 04, as a platform hands it out: a zip of files named per
    # learner ("kim_04_measuring_the_effect.ipynb").
    submitted = root / "submitted"
    expected = write_experiment_sample_class(submitted, release)
    with zipfile.ZipFile(root / "download.zip", "w") as archive:
        for learner in expected:
            notebook = submitted / learner / EXPERIMENT / EXPERIMENT_NOTEBOOK
            archive.write(notebook, f"{learner}_{EXPERIMENT_NOTEBOOK}")
    shutil.rmtree(submitted)
    # The course folder already holds the other assignment, graded earlier for "reference".
    course = root / "build" / "grading" / "course"
    with pytest.MonkeyPatch.context() as patch:
        # nbgrader's gradebook calls `alembic` by name: the virtual environment's bin folder
        patch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
        _plant_other_assignment(course)
        patch.setenv("COURSE_FAST", "1")
        patch.chdir(root)  # default and relative paths, as an instructor types the command
        assert grade.main(["download.zip", "--reuse-canary", str(canary_records)]) == 0
    out = root / "build" / "grading" / EXPERIMENT
    rows = json.loads((out / "tests.json").read_text())
    learners = {row["learner"]: row for row in json.loads((out / "learners.json").read_text())}
    return {"out": out, "course": course, "rows": rows, "learners": learners}


OTHER = "cutout_cutmix"
OTHER_FILES = [
    "submitted/reference/cutout_cutmix/01_cutout.ipynb",
    "feedback/reference/cutout_cutmix/01_cutout.html",
]


def _plant_other_assignment(course):
    from nbgrader.api import Gradebook

    for name in OTHER_FILES:
        (course / name).parent.mkdir(parents=True, exist_ok=True)
        (course / name).write_text("{}")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        gradebook.add_assignment(OTHER)
        gradebook.add_student("reference")
        gradebook.add_submission(OTHER, "reference")


def test_the_assignment_is_found_from_the_file_names_and_graded(graded_experiment):
    learners = graded_experiment["learners"]
    assert sorted(learners) == ["kim", "lee", "reference"]
    assert {row["notebook"] for row in graded_experiment["rows"]} == {EXPERIMENT_NOTEBOOK}
    full = learners["reference"]["max"]
    assert full == 6, "notebook 04 is worth 6 points"
    assert learners["reference"]["score"] == full, learners["reference"]
    assert learners["lee"]["score"] == 0, learners["lee"]
    assert all(learner["status"] == "graded" for learner in learners.values()), learners
    extracted = sorted(p.name for p in (graded_experiment["out"] / "intake").rglob("*.ipynb"))
    assert len(extracted) == 3, "the zip is extracted into the results folder"


def test_each_wrong_answer_fails_its_own_test_with_a_reason(graded_experiment):
    mine = {row["test"]: row for row in graded_experiment["rows"] if row["learner"] == "kim"}
    assert {test for test, row in mine.items() if row["status"] == "failed"} == {
        "most-robust-to-grey-test",
        "paired-gain-test",
        "paired-why-test",
    }
    assert mine["better-on-erase-test"]["status"] == "passed"
    assert "baseline" in mine["most-robust-to-grey-test"]["message"]
    assert mine["paired-gain-test"]["message"], "a failed test says why"


def test_grades_csv_holds_this_assignment_with_a_status(graded_experiment):
    with open(graded_experiment["out"] / "grades.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["assignment"] for row in rows} == {EXPERIMENT}
    assert {row["student_id"]: row["status"] for row in rows} == {
        "kim": "graded",
        "reference": "graded",
        "lee": "graded",
    }


def _layout(root, files):
    for name in files:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{}")
    return root


@pytest.mark.parametrize(
    "files, expected",
    [
        (["submitted/ann/measuring_the_effect/04_measuring_the_effect.ipynb"], EXPERIMENT),
        (["ann_04_measuring_the_effect.ipynb", "bob_04_measuring_the_effect.ipynb"], EXPERIMENT),
        (["ann/cutout_cutmix/01_cutout.ipynb"], "cutout_cutmix"),
        (["ann_02_cutmix.ipynb"], "cutout_cutmix"),
        (["ann/notes.txt"], "cutout_cutmix"),  # nothing recognised: the course notebooks
    ],
)
def test_the_assignment_is_told_from_folder_and_file_names(tmp_path, files, expected):
    assert grade.choose_assignment(_layout(tmp_path, files), KNOWN) == expected


def test_a_zip_is_told_too(tmp_path):
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("ann_04_measuring_the_effect.ipynb", "{}")
    assert grade.choose_assignment(archive, KNOWN) == EXPERIMENT


def test_submissions_of_two_assignments_as_many_of_each_are_refused_with_the_way_out(
    tmp_path, capsys
):
    submitted = _layout(
        tmp_path,
        [
            "ann/cutout_cutmix/01_cutout.ipynb",
            "ann/measuring_the_effect/04_measuring_the_effect.ipynb",
        ],
    )
    with pytest.raises(SystemExit) as stopped:
        grade.main([str(submitted)])
    assert stopped.value.code == 2
    message = capsys.readouterr().err
    assert (
        "as many of each (cutout_cutmix by 1 learner, measuring_the_effect by 1 learner)" in message
    )
    assert "--assignment" in message


def test_an_unknown_assignment_is_refused(tmp_path, capsys):
    with pytest.raises(SystemExit):
        grade.main([str(tmp_path), "--assignment", "week_9"])
    assert "invalid choice: 'week_9'" in capsys.readouterr().err


def test_the_experiment_gets_time_for_its_training_cells():
    assert limits_for(EXPERIMENT).cell_seconds > limits_for("cutout_cutmix").cell_seconds
    assert set(ASSIGNMENT_LIMITS) <= set(KNOWN)
    assert notebook_names(SOLUTIONS / EXPERIMENT) == [EXPERIMENT_NOTEBOOK]


def test_the_class_report_and_feedback_are_about_this_assignment(graded_experiment):
    out = graded_experiment["out"]
    report = (out / "class_report.html").read_text()
    assert "measuring_the_effect: class report" in report
    assert "most-robust-to-grey-test" in report
    pages = sorted((out / "feedback" / "kim" / EXPERIMENT).glob("*.html"))
    assert [p.name for p in pages] == ["04_measuring_the_effect.html"]
    assert "Hidden checks ran here" in pages[0].read_text()


def test_workers_must_be_a_positive_number(tmp_path, capsys):
    with pytest.raises(SystemExit):
        grade.main([str(tmp_path), "--workers", "0"])
    assert "0 is not a positive number" in capsys.readouterr().err


def test_one_course_folder_holds_both_assignments_and_keeps_the_other(graded_experiment):
    from nbgrader.api import Gradebook

    course = graded_experiment["course"]
    for name in OTHER_FILES:
        assert (course / name).exists(), f"grading notebook 04 removed {name}"
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        assert {a.name for a in gradebook.assignments} == {OTHER, EXPERIMENT}
        gradebook.find_submission(OTHER, "reference")  # raises MissingEntry if it was lost
        assert gradebook.find_submission(EXPERIMENT, "reference").score == 6
    feedback = graded_experiment["out"] / "feedback"
    assert {p.parent.name for p in feedback.glob("*/*/*.html")} == {EXPERIMENT}


@pytest.mark.parametrize("kind", ["empty folder", "stray files", "zip of stray files"])
def test_no_submission_at_all_says_what_was_expected_and_found_and_grades_nothing(
    tmp_path, capsys, kind
):
    submitted = tmp_path / "download"
    submitted.mkdir()
    if kind != "empty folder":
        # what a platform's download holds besides notebooks; a learner's folder without a
        # notebook would be a learner with missing notebooks, graded and flagged
        (submitted / "README.txt").write_text("the platform's index\n")
        (submitted / "essay.pdf").write_bytes(b"%PDF-1.4\n")
    if kind.startswith("zip"):
        shutil.make_archive(str(tmp_path / "download"), "zip", submitted)
        submitted = tmp_path / "download.zip"
    out = tmp_path / "out"
    code = grade.main([str(submitted), "--assignment", "cutout_cutmix", "--out", str(out)])
    message = capsys.readouterr().err
    assert code == 2
    assert "no learner's cutout_cutmix notebooks in" in message and "nobody was graded" in message
    assert "01_cutout.ipynb" in message and "submitted/<learner>/cutout_cutmix/" in message
    if kind == "empty folder":
        assert "found: no files at all" in message
    else:
        assert "found: 2 files:" in message and "essay.pdf" in message and "README.txt" in message
    assert not (out / "canary").exists(), "the reference was graded for nobody"
    assert not (out / "grades.csv").exists()
