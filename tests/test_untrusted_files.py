"""Files a learner hands in beside their notebooks (an .html, an .svg, a file whose name is
HTML) never reach grading on any intake path, nbgrader's own exchange included: Formgrader
would serve them from the instructor's origin and feedback would hand them back. Learner ids
and every page that shows learner text stay inert."""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbgrader.utils import parse_utc
from payloads import FILES, Elements

from autograder.pipeline.course import ASSIGNMENT, NBGRADER, Course, notebook_names
from autograder.pipeline.grading import prepare_learner
from autograder.pipeline.intake import find_submissions, grade_ids_of
from autograder.pipeline.missing_feedback import page
from autograder.pipeline.reasons import Reason
from autograder.pipeline.recorded import max_points
from autograder.pipeline.report import class_report_html
from autograder.plugins.feedback import policy_comes_first

HOSTILE_ID = "<img src=x onerror=alert(1)>"
COURSE_ID = "cutout-cutmix"


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    """This assignment's release, as nbgrader generates it."""
    return Course(tmp_path_factory.mktemp("release") / "course").generate_release()


def hand_in(folder: Path, release: Path, prefix: str = "") -> None:
    """The release's notebooks plus the hostile files, as a learner hands them in."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in notebook_names(release):
        shutil.copyfile(release / name, folder / f"{prefix}{name}")
    for name, text in FILES.items():
        (folder / f"{prefix}{name}").write_text(text.format(js="alert(1)"))
    (folder / f"{prefix}linked.html").symlink_to(folder / f"{prefix}evil.html")


def only_notebooks_graded(submissions, release: Path, tmp_path: Path) -> None:
    points = max_points()
    grade_ids = {name: grade_ids_of(release / name) for name in points}
    assert submissions, "no learner found"
    for submission in submissions:
        assert all(path.suffix == ".ipynb" for path in submission.notebooks.values())
        assert sorted(submission.notebooks) == sorted(points), submission.problems
        ignored = [p for p in submission.problems if p.kind == "extra_file"]
        assert len(ignored) >= len(FILES), submission.problems
        course = Course(tmp_path / "grading")
        course.root.mkdir(exist_ok=True)  # the gradebook's folder
        prepared = prepare_learner(course, submission, points)
        assert prepared.clean, prepared.notes
        folder = course.stage_folder("submitted", submission.learner)
        names = sorted(p.name for p in folder.iterdir())
        # Beside the notebooks, only the receipt time nbgrader's exchange recorded, rewritten
        # by the grader from the time it parsed (never the learner's file as it was).
        assert [n for n in names if n != "timestamp.txt"] == sorted(points), names
        if "timestamp.txt" in names:
            parse_utc((folder / "timestamp.txt").read_text())
    assert grade_ids  # the release was read


@pytest.fixture(autouse=True)
def venv_on_path(monkeypatch):
    """nbgrader's gradebook runs alembic by name, as grading does with the venv on PATH."""
    monkeypatch.setenv("PATH", f"{NBGRADER.parent}{os.pathsep}{os.environ.get('PATH', '')}")


LAYOUTS = ["nbgrader submitted/", "one folder per learner", "flat LMS files", "zip of folders"]


@pytest.mark.nbgrader
@pytest.mark.parametrize("layout", LAYOUTS)
def test_files_beside_the_notebooks_are_never_graded(tmp_path, layout, release):
    download = tmp_path / "download"
    if layout == "nbgrader submitted/":
        hand_in(download / "submitted" / "lee" / ASSIGNMENT, release)
        given = download / "submitted"
    elif layout == "one folder per learner":
        hand_in(download / "lee", release)
        given = download
    elif layout == "flat LMS files":
        hand_in(download, release, prefix="lee_")
        given = download
    else:
        hand_in(download / "lee", release)
        given = tmp_path / "download.zip"
        with zipfile.ZipFile(given, "w") as archive:
            for path in sorted((download / "lee").iterdir()):
                archive.write(path, f"lee/{path.name}")
    found = find_submissions(given, max_points(), {}, workdir=tmp_path / "intake")
    only_notebooks_graded(found, release, tmp_path)


def nbgrader(*args: str, cwd: Path, exchange: Path) -> None:
    """One nbgrader exchange command, as instructor or learner would type it in `cwd`."""
    env = {**os.environ, "PATH": f"{NBGRADER.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    subprocess.run(
        [
            str(NBGRADER),
            *args,
            f"--Exchange.root={exchange}",
            f"--CourseDirectory.course_id={COURSE_ID}",
        ],
        cwd=cwd,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )


@pytest.mark.nbgrader
def test_files_submitted_through_nbgraders_exchange_are_never_graded(tmp_path, release):
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    instructor = Course(tmp_path / "instructor")
    instructor.generate_release()
    instructor.run("release_assignment", ASSIGNMENT, f"--Exchange.root={exchange}")
    home = tmp_path / "learner"
    home.mkdir()
    nbgrader("fetch_assignment", ASSIGNMENT, cwd=home, exchange=exchange)
    fetched = home / ASSIGNMENT
    hand_in(fetched, release)
    nbgrader("submit", ASSIGNMENT, cwd=home, exchange=exchange)
    instructor.run("collect", ASSIGNMENT, f"--Exchange.root={exchange}")
    collected = instructor.root / "submitted"
    (learner,) = [p for p in collected.iterdir() if p.is_dir()]
    assert (learner / ASSIGNMENT / "evil.html").exists()  # nbgrader's exchange keeps them

    found = find_submissions(collected, max_points(), {}, assignment=ASSIGNMENT)

    only_notebooks_graded(found, release, tmp_path)


def test_hostile_learner_ids_become_safe_slugs(tmp_path):
    folder = tmp_path / HOSTILE_ID
    folder.mkdir()
    nbformat.write(nbformat.v4.new_notebook(), folder / "01_cutout.ipynb")
    (found,) = find_submissions(tmp_path, ["01_cutout.ipynb"])
    assert found.name == HOSTILE_ID
    assert set(found.learner) <= set(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-"
    )


def test_pages_of_learner_text_start_with_the_policy_and_show_it_as_text():
    rows = [
        {
            "learner": HOSTILE_ID,
            "notebook": "01_cutout.ipynb",
            "test": "cutout-test",
            "points": 0.0,
            "max": 3.0,
            "status": "failed",
            "mistake": "",
            "message": "<script>alert(1)</script>",
            "flags": "<svg onload=alert(1)>",
        }
    ]
    learners = [
        {
            "learner": HOSTILE_ID,
            "status": "needs attention: <iframe src=x>",
            "reasons": [Reason("grading_failed", "<iframe src=x>")],
            "score": 0.0,
            "max": 3.0,
            "seconds": 1.0,
        }
    ]
    for html_page in (
        class_report_html(rows, learners),
        page(
            HOSTILE_ID,
            ASSIGNMENT,
            "01_cutout.ipynb",
            [Reason("grading_failed", "<img src=x onerror=y>", "01_cutout.ipynb")],
            rows,
        ),
    ):
        assert policy_comes_first(html_page)
        tags = {tag for tag, _ in Elements(html_page).tags}
        assert not tags & {"script", "iframe", "svg"}, tags
        assert not any(
            name.startswith("on")
            for _, attributes in Elements(html_page).tags
            for name in attributes
        )
        assert "&lt;img src=x onerror=" in html_page
