"""Hostile learner content stays inert in every view that shows it to someone else, opened in
Chromium: the feedback pages learners get back, Formgrader's manual-grading view in the
instructor's JupyterLab, and the class report.

The sample class graded in the background holds `mallory`: ada's answers plus the payload bank
of tests/payloads.py (scripts, event handlers, javascript: URLs, SVG, iframes, meta refresh,
CSS that loads URLs, markdown with raw HTML, JavaScript and widget outputs, forged pictures and
picture metadata, tags and titles that break out of attributes, files written or submitted
beside the notebook). Every payload would request the listener on 127.0.0.1 and leave a marker
if it ran; each view is checked for markers, console lines, requests the page does not need
and listener hits. A control page with the same payloads unsanitized proves the detectors work.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote, urlparse

import nbformat
import pytest
from inert_checks import Listener, Watched, assert_inert, only_itself
from labtools import (
    ASSIGNMENT,
    HONEST_LEARNER,
    HOSTILE_LEARNER,
    HOSTILE_NOTEBOOK,
    TYPICAL_LEARNER,
)
from nbconvert.exporters import HTMLExporter
from payloads import CONSOLE_MARKER, FILES, MARKER_ATTRIBUTE, html_payloads

pytestmark = pytest.mark.browser

NOTEBOOKS = ("01_cutout", "02_cutmix", "03_reversed_ratio_bug")
# Formgrader's own page loads MathJax from its CDN (nbconvert's default); nothing else leaves
# the Jupyter server.
FORMGRADER_OWN_EXTERNAL = "https://cdnjs.cloudflare.com/ajax/libs/mathjax/"
FORMGRADER_OWN_PATHS = ("/formgrader/static/", "/formgrader/api/", "/static/", "/login")

COUNTS = """() => {
  const inCells = s => [...document.querySelectorAll(s)].filter(e => e.closest('.cell'));
  return {
    headings: inCells('h1, h2, h3, h4, h5, h6').length,
    paragraphs: inCells('p').length,
    list_items: inCells('li').length,
    tables: inCells('table').length,
    pictures_shown: inCells('img').filter(i => i.complete && i.naturalWidth > 0).length,
  };
}"""


def formgrader_needs(lab, page_path: str):
    def allowed(url: str) -> bool:
        if url.startswith(FORMGRADER_OWN_EXTERNAL) or url.startswith("data:"):
            return True
        parsed = urlparse(url)
        if f"{parsed.scheme}://{parsed.netloc}" != lab.url:
            return False
        return parsed.path == page_path or parsed.path.startswith(FORMGRADER_OWN_PATHS)

    return allowed


def submission_ids(course: Path, learner: str) -> dict[str, str]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        return {
            name: gradebook.find_submission_notebook(name, ASSIGNMENT, learner).id
            for name in NOTEBOOKS
        }


@pytest.fixture
def watched(page):
    return Watched(page)


def test_the_detectors_catch_payloads_that_are_not_made_inert(watched, tmp_path, steps):
    control = Listener()
    try:
        page = tmp_path / "control.html"
        page.write_text(
            "<!DOCTYPE html><html><body>" + "".join(html_payloads(control.base).values())
        )
        with steps("raw payloads"):
            watched.open(page.as_uri())
            watched.page.wait_for_function(
                f"() => document.documentElement.hasAttribute('{MARKER_ATTRIBUTE}')"
            )
        with pytest.raises(AssertionError, match="a payload ran"):
            assert_inert(watched, control, only_itself(page.as_uri()), "control")
        assert any(CONSOLE_MARKER in line for line in watched.console)
        assert any(url.startswith(control.base) for url in watched.requests)
        assert control.hits, "the listener saw none of the unsanitized payloads"
    finally:
        control.close()


def test_feedback_pages_of_a_hostile_learner_run_and_load_nothing(
    graded_course, listener, watched, steps
):
    pages = graded_course / "feedback" / HOSTILE_LEARNER / ASSIGNMENT
    shown = sorted(p.name for p in pages.iterdir())
    assert shown == [f"{name}.html" for name in NOTEBOOKS], "only the notebooks' pages go back"
    copies = graded_course.parent / "feedback" / HOSTILE_LEARNER / ASSIGNMENT
    assert sorted(p.name for p in copies.iterdir()) == shown
    for name in NOTEBOOKS:
        with steps(f"feedback {name}"):
            url = (pages / f"{name}.html").as_uri()
            watched.open(url)
            assert_inert(watched, listener, only_itself(url), f"feedback {name}")
    with steps("the learner's own text is there, shown as text"):
        text = watched.page.locator("body").inner_text()
        assert "A learner's heading" in text
        assert "onerror=\"document.documentElement.setAttribute('data-pwned','stream-text')" in text


def test_formgrader_shows_a_hostile_submission_inert(
    graded_course, graded_lab, listener, watched, steps
):
    ids = submission_ids(graded_course, HOSTILE_LEARNER)
    for name, submission in ids.items():
        path = f"/formgrader/submissions/{submission}/"
        with steps(f"Formgrader: {HOSTILE_LEARNER}'s {name}"):
            watched.open(f"{graded_lab.url}{path}?token={graded_lab.token}")
            watched.page.locator(".cell").first.wait_for()
            allowed = formgrader_needs(graded_lab, path)
            # Formgrader's own navigation has handlers; learner content lives in the notebook.
            scope = "#notebook-container *"
            assert_inert(watched, listener, allowed, f"Formgrader {name}", scope)
    with steps("the submission's files are only its notebooks"):
        submission = ids[HOSTILE_NOTEBOOK.removesuffix(".ipynb")]
        for name in [*FILES, "written.html", "written.svg", "linked.html", "written/page.html"]:
            status, _ = graded_lab.request(f"/formgrader/submissions/{submission}/{quote(name)}")
            assert status == 404, f"Formgrader serves {name!r} (HTTP {status})"
        status, _ = graded_lab.request(f"/formgrader/submissions/{submission}/{HOSTILE_NOTEBOOK}")
        assert status == 200  # the handler works: only the learner's files are gone
    autograded = graded_course / "autograded" / HOSTILE_LEARNER / ASSIGNMENT
    assert sorted(p.name for p in autograded.iterdir()) == [f"{n}.ipynb" for n in NOTEBOOKS]


def test_class_report_shows_hostile_names_and_messages_as_text(
    graded_course, listener, watched, steps
):
    report = graded_course.parent / "class_report.html"
    with steps("class report"):
        watched.open(report.as_uri())
        assert_inert(watched, listener, only_itself(report.as_uri()), "class report")
        text = watched.page.locator("body").inner_text()
        assert HOSTILE_LEARNER in text and "made inert" in text


def plain_export(notebook_path: Path, folder: Path) -> Path:
    """The notebook as nbconvert's classic template shows it, nothing cleaned: the "before"."""
    notebook = nbformat.read(notebook_path, as_version=4)
    page = folder / f"{notebook_path.stem}.plain.html"
    page.write_text(HTMLExporter(template_name="classic").from_notebook_node(notebook)[0])
    return page


def test_an_honest_learner_sees_the_same_headings_paragraphs_tables_and_pictures(
    graded_course, graded_lab, watched, steps, tmp_path
):
    tables = json.loads((graded_course.parent / "tests.json").read_text())
    flags = {row["flags"] for row in tables if row["learner"] == HONEST_LEARNER}
    assert flags == {""}, f"the honest learner was flagged: {flags}"
    ids = submission_ids(graded_course, HONEST_LEARNER)
    pictures = 0
    for name in NOTEBOOKS:
        with steps(f"{name}: before"):
            autograded = graded_course / "autograded" / HONEST_LEARNER / ASSIGNMENT
            watched.open(plain_export(autograded / f"{name}.ipynb", tmp_path).as_uri())
            before = watched.page.evaluate(COUNTS)
            assert before["headings"] and before["tables"], before
            # Grading leaves out unchanged demonstrations (autograder/plugins/demonstrations.py),
            # so a notebook may have no figure left; the class as a whole must.
            pictures += before["pictures_shown"]
        with steps(f"{name}: feedback"):
            feedback = graded_course / "feedback" / HONEST_LEARNER / ASSIGNMENT / f"{name}.html"
            watched.open(feedback.as_uri())
            assert watched.page.evaluate(COUNTS) == before, "feedback"
        with steps(f"{name}: Formgrader"):
            watched.open(
                f"{graded_lab.url}/formgrader/submissions/{ids[name]}/?token={graded_lab.token}"
            )
            watched.page.locator(".cell").first.wait_for()
            assert watched.page.evaluate(COUNTS) == before, "Formgrader"
    assert pictures, "no picture left in the honest learner's graded notebooks to compare"


def test_payloads_gain_no_points_over_the_same_wrong_answers(graded_course):
    rows = json.loads((graded_course.parent / "tests.json").read_text())
    points = {(r["learner"], r["notebook"], r["test"]): r["points"] for r in rows}
    hostile = {k[1:]: v for k, v in points.items() if k[0] == HOSTILE_LEARNER}
    typical = {k[1:]: v for k, v in points.items() if k[0] == TYPICAL_LEARNER}
    assert hostile.keys() == typical.keys() and hostile
    for test, score in hostile.items():
        assert (score or 0) <= (typical[test] or 0), f"{test}: {score} > {typical[test]}"
    learners = json.loads((graded_course.parent / "learners.json").read_text())
    hostile = next(r for r in learners if r["learner"] == HOSTILE_LEARNER)
    assert "made inert" in hostile["status"], hostile["status"]
    # The kernel's files (written.html, written.svg, written/, linked.html) were removed.
    assert any(note.startswith("4 files or folders written") for note in hostile["notes"])
