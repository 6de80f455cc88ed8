"""The instructor's grading command end to end, with real nbgrader, on a small sample class:
typical mistakes, broken notebooks, a crashing and a hanging learner, two correct styles."""

import csv
import html
import json
import re
import shutil
import sys
from pathlib import Path

import pytest
import sample_class

from autograder.exercises.mistakes import MISTAKES
from autograder.exercises.samples import TYPICAL_LEARNERS
from autograder.pipeline.canary import CanaryFailed
from autograder.pipeline.course import ASSIGNMENT, notebook_names
from autograder.pipeline.grading import grade_class

pytestmark = pytest.mark.nbgrader
LIMITS = sample_class.LIMITS
FULL = 31.0


@pytest.fixture
def graded(graded_sample_class):
    """The sample class graded once for the whole run (tests/conftest.py)."""
    return graded_sample_class


def feedback_text(out: Path, learner: str) -> str:
    pages = sorted((out / "feedback" / learner / ASSIGNMENT).glob("*.html"))
    assert pages, f"no feedback for {learner}"
    return "\n".join(html.unescape(page.read_text()) for page in pages)


@pytest.mark.parametrize("learner", ["reference", "other_style", "gita", "jon"])
def test_correct_work_gets_full_marks_in_any_style_and_despite_mishaps(graded, learner):
    result = graded["results"][learner]
    assert result.score == FULL, (
        result.status,
        [r for r in result.rows if r["status"] != "passed"],
    )
    if learner != "gita":
        assert result.status == "graded"


def test_deleted_test_cell_is_restored_renamed_notebook_found_extra_file_ignored(graded):
    gita = graded["results"]["gita"]
    assert gita.status == "graded"
    restored = next(r for r in gita.rows if r["test"] == "cutmix-labels-test")
    assert restored["points"] == restored["max"] == 2
    notes = " ".join(gita.notes)
    assert "renamed" in notes and "extra file" in notes and "restored" in notes


@pytest.mark.parametrize(
    ("learner", "reason"),
    [
        ("eve", "not a valid notebook: invalid JSON"),
        ("farid", "appeared twice"),
        ("farid", "unknown nbgrader schema version 7"),
        ("hugo", "the kernel died in 03_reversed_ratio_bug.ipynb"),
        ("iris", "ran longer than 10 s"),
    ],
)
def test_each_broken_submission_needs_attention_with_its_reason(graded, learner, reason):
    status = graded["results"][learner].status
    assert status.startswith("needs attention: ") and reason in status, status


@pytest.mark.parametrize(
    ("learner", "notebook", "reason"),
    [
        ("eve", 1, "not a valid notebook: invalid JSON"),
        ("hugo", 2, "the kernel died in 03_reversed_ratio_bug.ipynb"),
        ("hugo", 0, "grading stopped in another of your notebooks"),
        ("iris", 2, "ran longer than 10 s"),
    ],
)
def test_a_notebook_that_could_not_be_graded_still_gets_a_feedback_page_saying_why(
    graded, learner, notebook, reason
):
    name = notebook_names()[notebook]
    path = graded["out"] / "feedback" / learner / ASSIGNMENT / name.replace(".ipynb", ".html")
    assert path.exists(), f"{learner} gets no feedback for {name}"
    text = html.unescape(path.read_text())
    assert "could not be graded" in text and reason in text, text[:2000]
    for row in graded["results"][learner].rows:
        if row["notebook"] == name:
            assert row["test"] in text, f"{row['test']} is not listed"
    assert "BEGIN HIDDEN TESTS" not in text and "from autograder" not in text


def test_a_graded_notebook_keeps_nbgraders_feedback(graded):
    # eve's other notebooks were graded: their pages are nbgrader's, with the checks' verdicts
    text = html.unescape(
        (graded["out"] / "feedback" / "eve" / ASSIGNMENT / "01_cutout.html").read_text()
    )
    assert "Hidden checks ran here" in text and "could not be graded" not in text


def test_a_broken_notebook_costs_only_that_notebook(graded):
    eve = graded["results"]["eve"]
    by_notebook = {}
    for row in eve.rows:
        by_notebook.setdefault(row["notebook"], []).append(row)
    names = notebook_names()
    assert all(r["status"] == "not graded" and r["points"] is None for r in by_notebook[names[1]])
    assert all(r["status"] == "passed" for n in (names[0], names[2]) for r in by_notebook[n])


def test_output_flood_is_cut(graded):
    text = feedback_text(graded["out"], "jon")
    assert text.count("flood ") < 1000
    assert (
        sum(p.stat().st_size for p in (graded["out"] / "feedback" / "jon").rglob("*.html"))
        < 5_000_000
    )


@pytest.mark.parametrize(
    "mistake",
    [f"{function_key}" for mistakes in TYPICAL_LEARNERS.values() for function_key in mistakes],
)
def test_every_mistake_made_is_named_in_feedback_and_in_the_table(graded, mistake):
    learner = next(name for name, made in TYPICAL_LEARNERS.items() if mistake in made)
    function, key = mistake.split(":")
    explanation = next(m.explanation for m in MISTAKES if (m.function, m.key) == (function, key))
    assert explanation in feedback_text(graded["out"], learner)
    assert mistake in {r["mistake"] for r in graded["results"][learner].rows}


def test_feedback_shows_no_hidden_test_or_grader_source(graded):
    for learner in ["reference", "ada", "ben", "chloe", "dmitri", "gita"]:
        text = feedback_text(graded["out"], learner)
        for leak in [
            "BEGIN HIDDEN TESTS",
            "from autograder",
            "grade_cutmix",
            "Traceback (most recent call last)",
            "_grade_deterministic",
            "autograder/checks/",
        ]:
            assert leak not in text, f"{learner}'s feedback shows {leak!r}"
        assert "Hidden checks ran here" in text


def test_feedback_shows_expected_and_learner_images_for_image_functions(graded):
    page = (graded["out"] / "feedback" / "chloe" / ASSIGNMENT / "02_cutmix.html").read_text()
    start = page.index('<a name="paste-patch-test">')
    verdict = page[start : page.index('<a name="patch-ratio-test">', start)]
    assert "patch_from_corner" not in verdict  # the learner reads a sentence, not a key
    assert "same box" in html.unescape(verdict)
    assert verdict.count("data:image/png;base64,") == 1


def test_outputs_for_the_instructor(graded):
    out = graded["out"]
    rows = list(csv.DictReader(open(out / "tests.csv")))
    assert set(rows[0]) == {
        "learner",
        "notebook",
        "test",
        "points",
        "max",
        "status",
        "mistake",
        "message",
        "flags",
    }
    assert json.loads((out / "tests.json").read_text()) and len(rows) == len(
        json.loads((out / "tests.json").read_text())
    )
    export = {row["student_id"]: row for row in csv.DictReader(open(out / "grades.csv"))}
    assert float(export["reference"]["score"]) == FULL and export["reference"]["status"] == "graded"
    assert export["hugo"]["score"] == "" and export["hugo"]["status"].startswith("needs attention")
    report = html.unescape((out / "class_report.html").read_text())
    assert "hugo" in report and "kernel died" in report
    assert any("[" in line and "/" in line for line in graded["progress"]), "no progress lines"
    assert "total:" in graded["progress"][-1]


def test_rerun_gives_the_same_results_and_a_broken_regrade_keeps_no_stale_score(
    graded, tmp_path, canary_records
):
    # Grade again into a copy of the class's results folder (its seed and gradebook), three of
    # its learners: the reference and ada unchanged, ben with a notebook broken since.
    out = tmp_path / "out"
    shutil.copytree(graded["out"], out)
    submitted = tmp_path / "submitted"
    for learner in ("reference", "ada", "ben"):
        shutil.copytree(graded["submitted"] / learner, submitted / learner)
    first = graded["results"]
    assert first["ben"].status == "graded" and first["ben"].score > 0
    (submitted / "ben" / ASSIGNMENT / notebook_names()[1]).write_text("not a notebook")

    again = {
        r.learner: r
        for r in grade_class(
            submitted,
            out,
            progress=lambda _: None,
            limits=LIMITS,
            reuse_canary_from=canary_records,
        )
    }
    for learner in ("reference", "ada"):
        assert (again[learner].status, again[learner].rows) == (
            first[learner].status,
            first[learner].rows,
        ), learner
    assert any(row["status"] == "failed" for row in again["ada"].rows), "ada's mistakes"
    assert again["ben"].status.startswith("needs attention")
    assert all(
        r["points"] is None for r in again["ben"].rows if r["notebook"] == notebook_names()[1]
    )
    export = {row["student_id"]: row for row in csv.DictReader(open(out / "grades.csv"))}
    assert export["ben"]["score"] == "" and export["ben"]["status"].startswith("needs attention")


def test_canary_stops_the_run_when_the_reference_cannot_be_imported(tmp_path, monkeypatch):
    # The grading process decides every test cell; make its reference import fail.
    import autograder
    import autograder.exercises

    monkeypatch.delattr(autograder, "checks", raising=False)
    monkeypatch.delattr(autograder.exercises, "reference", raising=False)
    for name in [name for name in sys.modules if name.startswith("autograder.checks")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "autograder.exercises.reference", None)
    submitted = tmp_path / "submitted"
    (submitted / "ada" / ASSIGNMENT).mkdir(parents=True)
    with pytest.raises(
        CanaryFailed, match="no learner was graded(.|\n)*autograder.exercises.reference"
    ):
        grade_class(submitted, tmp_path / "out", progress=lambda _: None, limits=LIMITS)
    assert not (tmp_path / "out" / "tests.csv").exists()


def test_progress_names_each_learner(graded):
    learners = re.findall(r"\[\d+/\d+\] (\S+):", "\n".join(graded["progress"]))
    assert sorted(learners) == sorted(graded["results"])
