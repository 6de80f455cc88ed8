"""Notebook 04 trained once per course (autograder/pipeline/training_cache.py): learners graded
with the grader's training records and without them get the same points and messages; a
learner who changed what the training depends on is retrained and told so; a learner's kernel
cannot write into the records (COURSE_FAST=1: the experiment's short form)."""

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
from autograder.pipeline.learner_result import LearnerResult
from autograder.pipeline.reasons import Reason, is_graded

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

# ada trains both ways: only the learners whose training is reused are graded twice.
WAYS = {"reused": ["reference", "kim", "ada"], "retrained": ["reference", "kim"]}


def _with_cell(notebook, after_id: str, source: str):
    notebook = nbformat.from_dict(notebook)
    at = next(i for i, cell in enumerate(notebook.cells) if cell.get("id") == after_id)
    notebook.cells.insert(at + 1, nbformat.v4.new_code_cell(source))
    return notebook


def _write_class(submitted: Path) -> None:
    right = solved_release(f"{EXPERIMENT}/{EXPERIMENT_NOTEBOOK}")
    methods = next(cell for cell in right.cells if cell.get("id") == "methods")
    assert "CUTOUT_SIZE = 4" in methods.source, "notebook 04's methods cell changed"
    # ada: a smaller Cutout square, fewer seeds, and a try at planting records for the
    # learners graded after her.
    ada = _with_cell(right, "setup", TRIES_TO_WRITE)
    next(c for c in ada.cells if c.get("id") == "methods").source = methods.source.replace(
        "CUTOUT_SIZE = 4", "CUTOUT_SIZE = 2"
    )
    notebooks = {
        "reference": right,
        "kim": misread_experiment(),  # three wrong answers, the release's training
        "ada": _with_cell(ada, "setup", "SEEDS = range(2)  # fewer seeds, faster"),
    }
    for way, learners in WAYS.items():
        for learner in learners:
            folder = submitted / way / learner / EXPERIMENT
            folder.mkdir(parents=True)
            nbformat.write(notebooks[learner], folder / EXPERIMENT_NOTEBOOK)


@pytest.fixture(scope="module")
def graded_both_ways(tmp_path_factory, canary_records):
    root = tmp_path_factory.mktemp("training-records")
    _write_class(root / "submitted")
    graded = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COURSE_FAST", "1")
        # nbgrader's gradebook calls `alembic` by name: the virtual environment's bin folder
        patch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
        for way, reuse in (("reused", True), ("retrained", False)):
            out = root / "out" / way
            out.mkdir(parents=True)
            (out / "grading_seed.txt").write_text("20261130")  # the same drawn inputs both ways
            results = grade_class(
                root / "submitted" / way,
                out,
                progress=lambda line: None,
                assignment=EXPERIMENT,
                reuse_canary_from=canary_records,
                reuse_training=reuse,
            )
            graded[way] = {"out": out, "results": {r.learner: r for r in results}}
    graded["records"] = canary_records / f"training-{EXPERIMENT}" / "runs"
    return graded


def _feedback(graded, learner: str) -> str:
    return (
        graded["out"] / "feedback" / learner / EXPERIMENT / "04_measuring_the_effect.html"
    ).read_text()


@pytest.mark.nbgrader
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
            if row["learner"] in WAYS["retrained"]
        }

    assert table("reused") == table("retrained")
    assert len(table("reused")) == 2 * 4
    scores = {name: r.score for name, r in graded_both_ways["reused"]["results"].items()}
    assert scores == {"reference": 6, "kim": 1, "ada": 6}


@pytest.mark.nbgrader
def test_only_a_learner_who_changed_the_training_is_retrained_and_told(graded_both_ways):
    reused = graded_both_ways["reused"]
    results = reused["results"]
    assert results["reference"].status == results["kim"].status == "graded"
    assert f"{REUSED} the grader trained exactly" in _feedback(reused, "reference")
    assert RETRAINED not in _feedback(reused, "kim")
    assert not any("retrained" in note for note in results["kim"].notes)
    # ada's code reads files, so she needs attention; the retraining is in her notes (and
    # would be in her status if she were simply graded)
    # (the later runs of the shrink cell, when grading runs that demonstration, add theirs)
    (note,) = [note for note in results["ada"].notes if "retrained" in note]
    assert note.startswith(
        f"{EXPERIMENT_NOTEBOOK}: retrained: these runs differ from the grader's in the seeds "
        "and the augmentations 'both' and 'cutout'"
    )
    assert f"{RETRAINED} these runs differ from the grader" in _feedback(reused, "ada")


def test_a_graded_learners_status_says_retrained():
    remark = Reason("retrained", "retrained: these runs differ in the seeds").about("04.ipynb")
    result = LearnerResult("ada", 6, 6, 1.0, remarks=[remark])
    assert result.status == "graded (04.ipynb: retrained: these runs differ in the seeds)"
    assert is_graded(result.status)
    result.reasons = [Reason("kernel_died", "the kernel died")]
    assert result.status == "needs attention: the kernel died"
    assert not is_graded(result.status)


@pytest.mark.nbgrader
def test_without_the_records_everyone_trains_and_nothing_is_said(graded_both_ways):
    retrained = graded_both_ways["retrained"]
    for name, result in retrained["results"].items():
        assert "retrained" not in result.status, name
        page = _feedback(retrained, name)
        assert REUSED not in page and RETRAINED not in page, name


@pytest.mark.nbgrader
def test_a_learners_kernel_cannot_write_into_the_records(graded_both_ways):
    records = graded_both_ways["records"]
    kept = sorted(records.glob("*.json"))
    assert kept, "the records were not made"
    page = _feedback(graded_both_ways["reused"], "ada")
    for name in [*(path.name for path in kept), "planted.json"]:
        assert f"could not write {name}" in page
        assert f"wrote {name}" not in page
    assert not (records / "planted.json").exists()
    assert all(json.loads(path.read_text())["rows"] for path in kept)


def test_records_are_made_only_for_an_assignment_that_trains():
    assert training_cache.trains(EXPERIMENT)
    assert not training_cache.trains("cutout_cutmix")


def test_records_sent_as_data_are_laid_out_read_only_and_only_well_formed(tmp_path):
    """What a Dask worker does with the records it receives (distributed.py)."""
    key = "ab" * 32
    good = {"key": key, "parts": {}, "rows": [{"method": "cutout", "clean": 0.9}]}
    sent = training_cache.record_files(tmp_path)  # an empty folder sends nothing
    assert sent == {}
    sent = {
        f"{key}.json": json.dumps(good).encode(),
        f"{'cd' * 32}.json": json.dumps(good).encode(),  # under another run's key
        f"{'ef' * 32}.json": b"not json",
        "../planted.json": json.dumps({**good, "key": "planted"}).encode(),
        f"sub/{key}.json": json.dumps(good).encode(),
    }
    runs = training_cache.lay_out(sent, tmp_path / "worker" / "training-1")
    assert sorted(path.name for path in runs.iterdir()) == [f"{key}.json"]
    assert training_cache.record_files(runs) == {f"{key}.json": sent[f"{key}.json"]}
    assert not list(tmp_path.rglob("planted.json"))
    assert not any(path.stat().st_mode & 0o222 for path in [runs, *runs.iterdir()])
    # laid out again (a worker restarted in the same folder): made anew, not added to
    again = training_cache.lay_out({}, tmp_path / "worker" / "training-1")
    assert again == runs and not list(runs.iterdir())
