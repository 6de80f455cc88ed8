"""Notebook 04 trained once per course (autograder/pipeline/training_cache.py): the same small
class graded with the grader's training records and without them gets the same points and
messages; learners who changed what the training depends on are retrained and told so; a
learner's kernel cannot write into the records (COURSE_FAST=1: the experiment's short form)."""

import json
import os
import sys
from pathlib import Path

import nbformat
import pytest

from augcourse.run_records import RETRAINED, REUSED
from autograder.exercises.samples import (
    EXPERIMENT,
    EXPERIMENT_NOTEBOOK,
    misread_experiment,
    solved_release,
)
from autograder.pipeline import training_cache
from autograder.pipeline.grading import grade_class

pytestmark = pytest.mark.nbgrader

TRIES_TO_WRITE = """\
import os

folder = os.environ.get("AUGCOURSE_REUSE_RUNS")
for name in [*sorted(os.listdir(folder)), "planted.json"] if folder else []:
    try:
        with open(os.path.join(folder, name), "w") as handle:
            handle.write("{}")
        print("wrote", name)
    except OSError as error:
        print("could not write", name, type(error).__name__)
"""


def _with_cell(notebook, after_id: str, source: str):
    notebook = nbformat.from_dict(notebook)
    at = next(i for i, cell in enumerate(notebook.cells) if cell.get("id") == after_id)
    notebook.cells.insert(at + 1, nbformat.v4.new_code_cell(source))
    return notebook


def _class(submitted: Path) -> None:
    right = solved_release(f"{EXPERIMENT}/{EXPERIMENT_NOTEBOOK}")
    methods = next(cell for cell in right.cells if cell.get("id") == "methods")
    assert "CUTOUT_SIZE = 4" in methods.source, "notebook 04's methods cell changed"
    smaller = nbformat.from_dict(right)
    next(c for c in smaller.cells if c.get("id") == "methods").source = methods.source.replace(
        "CUTOUT_SIZE = 4", "CUTOUT_SIZE = 2"
    )
    notebooks = {
        "reference": right,
        "kim": misread_experiment(),  # three wrong answers, the release's training
        "ada": smaller,  # a smaller Cutout square: her cutout and both train again
        # fewer seeds, and a try at planting records for the learners graded after him
        "ben": _with_cell(
            _with_cell(right, "setup", TRIES_TO_WRITE), "setup", "SEEDS = range(2)  # faster"
        ),
    }
    for learner, notebook in notebooks.items():
        folder = submitted / learner / EXPERIMENT
        folder.mkdir(parents=True)
        nbformat.write(notebook, folder / EXPERIMENT_NOTEBOOK)


@pytest.fixture(scope="module")
def graded_both_ways(tmp_path_factory, canary_records):
    root = tmp_path_factory.mktemp("training-records")
    _class(root / "submitted")
    graded = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COURSE_FAST", "1")
        # nbgrader's gradebook calls `alembic` by name: the virtual environment's bin folder
        patch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
        for way, reuse in (("reused", True), ("retrained", False)):
            out = root / way
            (out).mkdir()
            (out / "grading_seed.txt").write_text("20261130")  # the same drawn inputs both ways
            results = grade_class(
                root / "submitted",
                out,
                progress=lambda line: None,
                assignment=EXPERIMENT,
                reuse_canary_from=canary_records,
                reuse_training=reuse,
            )
            graded[way] = {"out": out, "results": {r.learner: r for r in results}}
    records = canary_records / f"training-{EXPERIMENT}" / "runs"
    graded["records"] = records
    return graded


def _feedback(graded, learner: str) -> str:
    return (
        graded["out"] / "feedback" / learner / EXPERIMENT / "04_measuring_the_effect.html"
    ).read_text()


def test_points_and_messages_are_the_same_with_and_without_the_records(graded_both_ways):
    def table(way):
        return {
            (row["learner"], row["test"]): (
                row["points"],
                row["status"],
                row["mistake"],
                row["message"],
            )
            for result in graded_both_ways[way]["results"].values()
            for row in result.rows
        }

    assert table("reused") == table("retrained")
    scores = {name: r.score for name, r in graded_both_ways["reused"]["results"].items()}
    assert scores == {"reference": 6, "kim": 1, "ada": 6, "ben": 6}


def test_only_learners_who_changed_the_training_are_retrained_and_told(graded_both_ways):
    reused = graded_both_ways["reused"]
    statuses = {name: r.status for name, r in reused["results"].items()}
    assert statuses["reference"] == statuses["kim"] == "graded"
    assert statuses["ada"].startswith("graded (") and "retrained" in statuses["ada"]
    assert "the augmentations both, cutout" in statuses["ada"]
    assert "the seeds" in statuses["ben"] and "retrained" in statuses["ben"]
    assert any("retrained" in note for note in reused["results"]["ben"].notes)
    assert f"{REUSED} the grader trained exactly" in _feedback(reused, "reference")
    assert RETRAINED not in _feedback(reused, "kim")
    assert f"{RETRAINED} these runs differ from the grader&#39;s in the seeds" in _feedback(
        reused, "ben"
    ) or f"{RETRAINED} these runs differ from the grader's in the seeds" in _feedback(reused, "ben")


def test_without_the_records_everyone_trains_and_nothing_is_said(graded_both_ways):
    retrained = graded_both_ways["retrained"]
    for name, result in retrained["results"].items():
        assert "retrained" not in result.status, name
        page = _feedback(retrained, name)
        assert REUSED not in page and RETRAINED not in page, name


def test_a_learners_kernel_cannot_write_into_the_records(graded_both_ways):
    records = graded_both_ways["records"]
    kept = sorted(records.glob("*.json"))
    assert kept, "the records were not made"
    page = _feedback(graded_both_ways["reused"], "ben")
    assert "could not write planted.json" in page
    assert all(f"could not write {path.name}" in page for path in kept)
    assert "wrote " not in page
    assert not (records / "planted.json").exists()
    assert all(json.loads(path.read_text())["rows"] for path in kept)


def test_records_are_made_only_for_an_assignment_that_trains():
    assert training_cache.trains(EXPERIMENT)
    assert not training_cache.trains("cutout_cutmix")
