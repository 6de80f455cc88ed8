"""A passing canary is reused only while nothing its result depends on has changed
(autograder/pipeline/canary.py); the canary itself is graded for real in the grading tests."""

import json
import shutil
import threading

import pytest

from autograder.limits import Limits
from autograder.pipeline import canary
from autograder.pipeline.course import ASSIGNMENT, EXPERIMENT, ROOT


@pytest.fixture
def copy_of_the_course(tmp_path, monkeypatch):
    """The key computed over a copy of the solutions and packages, free to be changed."""
    for folder in ("solutions", "augcourse", "autograder"):
        shutil.copytree(
            ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    monkeypatch.setattr(canary, "ROOT", tmp_path)
    monkeypatch.setattr(canary, "SOLUTIONS", tmp_path / "solutions")
    return tmp_path


def test_the_key_is_stable_and_differs_per_assignment(copy_of_the_course):
    assert canary.canary_key(ASSIGNMENT) == canary.canary_key(ASSIGNMENT)
    assert canary.canary_key(ASSIGNMENT) != canary.canary_key(EXPERIMENT)


@pytest.mark.parametrize(
    "changed",
    [
        "solutions/cutout_cutmix/01_cutout.ipynb",
        "autograder/checks/__init__.py",
        "augcourse/checks.py",
        "autograder/plugins/templates/feedback_inert/index.html.j2",
    ],
)
def test_the_key_changes_with_the_solutions_and_the_course_code(copy_of_the_course, changed):
    before = canary.canary_key(ASSIGNMENT)
    with open(copy_of_the_course / changed, "a") as handle:
        handle.write("\n")
    assert canary.canary_key(ASSIGNMENT) != before


def test_the_key_changes_with_the_limits_and_the_package_versions(copy_of_the_course, monkeypatch):
    before = canary.canary_key(ASSIGNMENT)
    monkeypatch.setattr(canary, "limits_for", lambda assignment: Limits(cell_seconds=1))
    assert canary.canary_key(ASSIGNMENT) != before
    monkeypatch.undo()
    monkeypatch.setattr(canary, "ROOT", copy_of_the_course)
    monkeypatch.setattr(canary, "SOLUTIONS", copy_of_the_course / "solutions")
    assert canary.canary_key(ASSIGNMENT) == before
    real_version = canary.metadata.version
    monkeypatch.setattr(
        canary.metadata,
        "version",
        lambda name: "0.0.1" if name == "nbgrader" else real_version(name),
    )
    assert canary.canary_key(ASSIGNMENT) != before


@pytest.fixture
def graded_references(monkeypatch):
    """Count the reference's gradings; each takes 2.5 s."""
    graded = []
    monkeypatch.setattr(canary, "_grade_reference", lambda out, assignment: graded.append(1) or 2.5)
    return graded


def test_the_key_changes_with_the_environment_the_kernel_sees(copy_of_the_course, monkeypatch):
    """A canary passed with notebook 04's short experiment (COURSE_FAST=1, as the tests run
    it) says nothing about the full one."""
    monkeypatch.setenv("COURSE_FAST", "1")
    short = canary.canary_key(EXPERIMENT)
    monkeypatch.delenv("COURSE_FAST")
    assert canary.canary_key(EXPERIMENT) != short


def test_a_record_with_the_same_key_is_reused_and_any_other_is_not(tmp_path, graded_references):
    records = tmp_path / "records"
    first = canary.run_canary(tmp_path / "a", ASSIGNMENT, records)
    second = canary.run_canary(tmp_path / "b", ASSIGNMENT, records)
    assert (first.reused_from, len(graded_references)) == (None, 1)
    assert second.reused_from and second.seconds == 2.5 and len(graded_references) == 1
    record = records / f"{ASSIGNMENT}.json"
    record.write_text(json.dumps({**json.loads(record.read_text()), "key": "other"}))
    assert canary.run_canary(tmp_path / "c", ASSIGNMENT, records).reused_from is None
    assert len(graded_references) == 2
    record.write_text("not json")
    assert canary.run_canary(tmp_path / "d", ASSIGNMENT, records).reused_from is None
    assert canary.run_canary(tmp_path / "e", ASSIGNMENT).reused_from is None  # no records kept
    assert len(graded_references) == 4


def test_a_failing_canary_leaves_no_record(tmp_path, monkeypatch):
    def fail(out, assignment):
        raise canary.CanaryFailed("the reference lost points")

    monkeypatch.setattr(canary, "_grade_reference", fail)
    with pytest.raises(canary.CanaryFailed):
        canary.run_canary(tmp_path / "a", ASSIGNMENT, tmp_path / "records")
    assert not (tmp_path / "records" / f"{ASSIGNMENT}.json").exists()


def test_runs_sharing_the_records_grade_the_reference_once(tmp_path, graded_references):
    outcomes = []
    runs = [
        threading.Thread(
            target=lambda i=i: outcomes.append(
                canary.run_canary(tmp_path / str(i), ASSIGNMENT, tmp_path / "records")
            )
        )
        for i in range(4)
    ]
    for run in runs:
        run.start()
    for run in runs:
        run.join(timeout=120)
    assert len(outcomes) == 4 and len(graded_references) == 1
    assert sum(outcome.reused_from is None for outcome in outcomes) == 1
