"""The gradebook in PostgreSQL (`python -m autograder.grade --db URL`), on a real server from
Debian's packages (tests/postgres_server.py): the same grades as the SQLite gradebook, with
several graders writing at once; the grader's outputs and Formgrader read it; its password is
never printed nor written."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import multiprocessing
import os
from pathlib import Path

import pytest
from browser.labtools import LabServer
from sample_class import regrade_folders
from system_tools import needs_postgresql

from autograder import grade
from autograder.lab import lab_command
from autograder.pipeline.course import ASSIGNMENT, NBGRADER, Course
from autograder.pipeline.gradebook import PASSWORD_VARIABLE, creation_lock, gradebook_url

# Graded both ways: typical mistakes, an untouched release (0 points), a broken notebook
# (needs attention, the other notebooks graded).
LEARNERS = ("ada", "dmitri", "eve")


def _without_password(patch: pytest.MonkeyPatch) -> None:
    """No PGPASSWORD now, and none left behind by the code under test."""
    patch.setenv(PASSWORD_VARIABLE, "")
    patch.delenv(PASSWORD_VARIABLE)


def _run_grade(argv: list[str]) -> tuple[int, str]:
    """The grading command in this process: (exit code, everything it printed)."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
        try:
            code = grade.main([str(a) for a in argv])
        except SystemExit as stopped:  # argparse's errors
            code = stopped.code
    return code, printed.getvalue()


@pytest.fixture(scope="module")
def graded_on_postgres(graded_sample_class, canary_records, postgres_server, tmp_path_factory):
    """A few learners of the sample class graded by the command into PostgreSQL, all at once
    (one worker each), with the sample class's grading seed."""
    root = tmp_path_factory.mktemp("postgres-class")
    submitted, out = regrade_folders(graded_sample_class, LEARNERS, root)
    url = postgres_server.create_database("gradebook")
    argv = [submitted, "--assignment", ASSIGNMENT, "--out", out, "--workers", len(LEARNERS)]
    with pytest.MonkeyPatch.context() as patch:  # the command puts the password in PGPASSWORD
        _without_password(patch)
        code, printed = _run_grade([*argv, "--reuse-canary", canary_records, "--db", url])
    return {"code": code, "printed": printed, "out": out, "root": root, "url": url}


@pytest.mark.nbgrader
@needs_postgresql
def test_graders_writing_postgres_at_once_give_the_grades_of_sqlite(
    graded_on_postgres, graded_sample_class, postgres_server
):
    graded = graded_on_postgres
    assert graded["code"] == 0, graded["printed"][-3000:]
    out = graded["out"]
    course = Course(out / "course", db=gradebook_url(graded["url"])[0])
    assert not (course.root / "gradebook.db").exists()  # nothing went to a SQLite file
    learners = {row["learner"]: row for row in json.loads((out / "learners.json").read_text())}
    tests = json.loads((out / "tests.json").read_text())
    exported = {row["student_id"]: row for row in csv.DictReader(open(out / "grades.csv"))}
    assert set(learners) == set(exported) == set(LEARNERS)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(PASSWORD_VARIABLE, postgres_server.password)
        in_postgres = {learner: course.scores(learner) for learner in LEARNERS}
    for learner in LEARNERS:
        expected = graded_sample_class["results"][learner]
        assert (learners[learner]["score"], learners[learner]["status"]) == (
            expected.score,
            expected.status,
        ), learner
        keys = ("notebook", "test", "points", "status", "mistake")
        assert [{k: r[k] for k in keys} for r in tests if r["learner"] == learner] == [
            {k: r[k] for k in keys} for r in expected.rows
        ], learner
        # nbgrader's own records in PostgreSQL hold the same points, and so does its export.
        for row in expected.rows:
            if row["points"] is not None:
                assert in_postgres[learner][row["notebook"]][row["test"]][0] == row["points"]
        graded_score = "" if expected.status != "graded" else float(exported[learner]["score"])
        assert graded_score == ("" if expected.status != "graded" else expected.score)


@pytest.mark.nbgrader
@needs_postgresql
def test_the_gradebook_password_is_never_printed_nor_written(graded_on_postgres, postgres_server):
    password = postgres_server.password
    printed = graded_on_postgres["printed"]
    assert "Gradebook: postgresql+psycopg://grader@127.0.0.1" in printed
    assert "--db postgresql+psycopg://grader@127.0.0.1" in printed  # how to open Formgrader
    assert password not in printed
    for path in graded_on_postgres["root"].rglob("*"):
        if path.is_file() and path.suffix in (".py", ".json", ".csv", ".html", ".txt", ".ipynb"):
            assert password not in path.read_text(errors="replace"), path


@pytest.mark.nbgrader
@needs_postgresql
def test_formgrader_shows_the_learners_and_scores_of_the_postgres_gradebook(
    graded_on_postgres, graded_sample_class, tmp_path
):
    course_root = graded_on_postgres["out"] / "course"
    server = LabServer(
        "instructor",
        course_root,
        tmp_path / "lab",
        tmp_path / "lab.log",
        course_root=course_root,
        db_url=graded_on_postgres["url"],
    )
    config = (tmp_path / "lab" / "config" / "nbgrader_config.py").read_text()
    assert "postgresql+psycopg://grader@127.0.0.1" in config
    with server:
        submissions = json.loads(server.get(f"/formgrader/api/submissions/{ASSIGNMENT}"))
        students = json.loads(server.get("/formgrader/api/students"))
        expected = graded_sample_class["results"]
        by_learner = {s["student"]: s for s in submissions}
        assert set(by_learner) == set(LEARNERS)
        for learner in LEARNERS:
            assert by_learner[learner]["score"] == expected[learner].score, learner
        assert {s["id"] for s in students} >= set(LEARNERS)
        # Per notebook, and the page of a graded notebook, which Formgrader finds by its id.
        notebooks = json.loads(
            server.get(f"/formgrader/api/student_notebook_submissions/ada/{ASSIGNMENT}")
        )
        per_notebook = {}
        for row in expected["ada"].rows:
            name = row["notebook"].removesuffix(".ipynb")
            per_notebook[name] = per_notebook.get(name, 0) + row["points"]
        assert {n["name"]: n["score"] for n in notebooks} == per_notebook
        page = server.get(f"/formgrader/submissions/{notebooks[0]['id']}/")
        assert notebooks[0]["name"] in page and "centered_box" in page
        manage = server.get(f"/formgrader/manage_submissions/{ASSIGNMENT}")
        assert ASSIGNMENT in manage


def _open_gradebook(url: str) -> str:
    """A grader's first use of the gradebook, as releasing the assignment starts."""
    try:
        with creation_lock(url):
            Course(Path("unused"), db=url).gradebook().close()
        return "opened"
    except Exception as error:  # reported to the test, which names it
        return f"{type(error).__name__}: {str(error)[:300]}"


@needs_postgresql
def test_graders_on_several_machines_make_one_fresh_gradebook_at_once(postgres_server, monkeypatch):
    """The first grader creates nbgrader's tables: several at once collide on PostgreSQL's
    constraints (a unique type name, the course row) unless they wait for each other."""
    url, secret = gradebook_url(postgres_server.create_database("fresh"))
    monkeypatch.setenv(PASSWORD_VARIABLE, secret[PASSWORD_VARIABLE])
    # nbgrader runs `alembic` by name to stamp a new gradebook, as in Course.run.
    monkeypatch.setenv("PATH", f"{NBGRADER.parent}{os.pathsep}{os.environ['PATH']}")
    graders = 4
    import nbgrader.api  # noqa: F401  (once, before the graders fork)

    with multiprocessing.get_context("fork").Pool(graders) as pool:
        outcomes = pool.map(_open_gradebook, [url] * graders)
    assert outcomes == ["opened"] * graders


def test_an_unreachable_gradebook_stops_grading_and_hides_the_password(tmp_path, monkeypatch):
    _without_password(monkeypatch)
    with contextlib.closing(__import__("socket").socket()) as closed:
        closed.bind(("127.0.0.1", 0))  # a port nobody listens on while it is held unlistened
        port = closed.getsockname()[1]
        url = f"postgresql://grader:hunter2secret@127.0.0.1:{port}/gradebook"
        code, printed = _run_grade([tmp_path, "--out", tmp_path / "out", "--db", url])
    assert code == 2
    assert "cannot reach the gradebook at postgresql+psycopg://grader@127.0.0.1" in printed
    assert "hunter2secret" not in printed


def test_the_instructors_lab_gets_the_gradebook_url_in_its_config_and_password_in_env(tmp_path):
    course = tmp_path / "course"
    _argv, env = lab_command(
        "instructor",
        8888,
        state_dir=tmp_path / "lab",
        course_root=course,
        db_url="postgresql://grader:hunter2secret@db.example:5432/gradebook",
    )
    config = (tmp_path / "lab" / "config" / "nbgrader_config.py").read_text()
    assert "'postgresql+psycopg://grader@db.example:5432/gradebook'" in config
    assert "hunter2secret" not in config
    assert env[PASSWORD_VARIABLE] == "hunter2secret"
    with pytest.raises(ValueError):
        lab_command("instructor", 8888, state_dir=tmp_path / "lab", db_url="postgresql://x/y")
