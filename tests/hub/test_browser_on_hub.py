"""The whole loop in Chromium on the real hub, each person in a browser context of their own:
the instructor releases in Formgrader; two learners log in, fetch in the Assignment List,
write their answers, Validate a notebook and Submit: one gets everything right, the other
makes a mistake of the bank (centered_box:box_not_clipped) and submits after the due date
the instructor set meanwhile. The instructor collects in Formgrader, grades with the
course's grading command and releases the feedback; each learner fetches their feedback and
reads it in JupyterLab: their score, the mistake named in the bank's words, the late
penalty. grades.csv shows the penalty and the roster's learner who handed nothing in as
"not submitted". A third learner hands in the payload bank of tests/payloads.py (as the
browser tests' `mallory`); the feedback they read through the hub is checked with the
browser tests' detectors (tests/browser/inert_checks.py).

Screenshots of every step go to build/screenshots/<test>/; the two the README shows also go
to build/screenshots/hub-readme/ (`make hub-screenshots` copies them to docs/screenshots/).
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import nbformat
import pytest
from browser.inert_checks import Listener, Watched, assert_inert
from browser.labtools import (
    CHROMIUM,
    CHROMIUM_ARGS,
    HOSTILE_NOTEBOOK,
    VIEWPORT,
    Steps,
    close_dialog,
    main_menu,
    open_formgrader,
    screenshot_folder,
    validate,
    wait_for_kernel,
)
from conftest import ASSIGNMENT, LAYOUT
from payloads import add_payloads
from system_tools import ON_CI

from augcourse.hints import hint
from autograder.exercises.mistakes import lookup
from autograder.exercises.samples import solved_release
from autograder.pipeline.course import RELEASE

pytestmark = [pytest.mark.hub, pytest.mark.browser]

# Learners of their own, so that what the other hub tests fetch and submit changes nothing here:
# one gets everything right, one makes a mistake and is late; one on the roster never submits.
RIGHT, MISTAKEN = LAYOUT.learners[2:4]
ABSENT, HOSTILE = LAYOUT.learners[4:6]
BROWSER_LEARNERS = (RIGHT, MISTAKEN, HOSTILE)
MISTAKE = ("centered_box", "box_not_clipped")  # in NOTEBOOK, whose feedback the learner reads
WAIT_MS = 60_000
GRADING_SECONDS = 600
NOTEBOOK = "01_cutout"
RESULTS = LAYOUT.deployment / "build" / "grading" / ASSIGNMENT
README_SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots" / "hub-readme"


def log_in(browser, hub, name: str, steps: Steps):
    """A fresh browser context, logged in through the hub's form; its lab loaded."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    steps.page = page  # the steps' screenshots show this person's page
    page.goto(f"{hub.url}/hub/login")
    page.fill("#username_input", name)
    page.fill("#password_input", hub.passwords[name])
    page.click("#login_submit")
    # The hub starts the server if needed, then hands over to JupyterLab.
    page.wait_for_url(re.compile(rf"/user/{re.escape(name)}/lab"), timeout=180_000)
    page.locator("#jp-menu-panel .lm-MenuBar-item").first.wait_for()
    return context, page


def formgrader_row(frame):
    return frame.locator("#main-table tr", has_text=ASSIGNMENT)


def formgrader_action(page, frame, cell: str, icon: str, success: str) -> None:
    """Click a Formgrader action of the assignment's row; wait for its success message."""
    formgrader_row(frame).locator(f"td.{cell} a .{icon}").click()
    modal = frame.locator("#success-modal, #error-modal")
    modal.wait_for()
    assert success in modal.inner_text(), modal.inner_text()
    modal.locator(".modal-footer button").first.click()
    modal.wait_for(state="detached")


def assignment_list(page):
    main_menu(page, "Nbgrader", "nbgrader:open-assignment-list")
    return page.locator(".jp-MainAreaWidget", has=page.locator("#released_assignments_list"))


def list_button(panel, section: str, label: str):
    row = panel.locator(f"#{section} .list_item", has_text=ASSIGNMENT)
    return row.locator("button", has_text=re.compile(f"^{label}$"))


def write_answers(name: str, mistaken: bool, payloads_to: str | None = None) -> None:
    """The learner's work in their fetched notebooks, as they would have typed it: every
    answer as the solution writes it, or with the bank's MISTAKE in its function; with
    payloads_to, the payload bank (aimed at that listener) in HOSTILE_NOTEBOOK and beside it."""
    folder = Path("/home", name, ASSIGNMENT)
    account = folder.stat()
    for released in sorted((RELEASE / ASSIGNMENT).glob("*.ipynb")):
        notebook = solved_release(f"{ASSIGNMENT}/{released.name}")
        for cell in notebook.cells:
            if mistaken and cell.metadata.get("nbgrader", {}).get("grade_id") == (
                MISTAKE[0].replace("_", "-") + "-answer"
            ):
                cell.source = lookup(*MISTAKE).notebook_source()
        if payloads_to and released.name == HOSTILE_NOTEBOOK:
            add_payloads(notebook, folder, payloads_to)
        nbformat.write(notebook, folder / released.name)
    for path in folder.iterdir():
        os.chown(path, account.st_uid, account.st_gid)


def validate_notebook(hub, page, name: str, mistaken: bool, steps: Steps) -> None:
    with steps(f"{name}: open {NOTEBOOK} and Validate"):
        page.goto(f"{hub.url}/user/{name}/lab/tree/{ASSIGNMENT}/{NOTEBOOK}.ipynb")
        page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for()
        wait_for_kernel(page)
        message = validate(page, timeout=180_000).inner_text()
        # Validate passes the right answers and lists the failing check of the mistake.
        assert ("Success!" in message) != mistaken, message
        close_dialog(page)


def learner_fetches_validates_and_submits(
    hub, browser, name: str, steps: Steps, mistaken: bool, payloads_to: str | None = None
) -> None:
    context, page = log_in(browser, hub, name, steps)
    try:
        with steps(f"{name}: fetch in the Assignment List"):
            panel = assignment_list(page)
            list_button(panel, "released_assignments_list", "Fetch").click()
            list_button(panel, "fetched_assignments_list", "Submit").wait_for()
        write_answers(name, mistaken, payloads_to)
        if payloads_to is None:  # the hostile learner's work matters for what others see
            validate_notebook(hub, page, name, mistaken, steps)
        with steps(f"{name}: Submit"):
            panel = assignment_list(page)
            list_button(panel, "fetched_assignments_list", "Submit").click()
            submitted = panel.locator("#submitted_assignments_list .list_item", has_text=ASSIGNMENT)
            submitted.first.wait_for()
    finally:
        context.close()


def learner_reads_feedback(
    hub, browser, name: str, steps: Steps, notebook: str = NOTEBOOK, listener=None
) -> tuple[Path, str]:
    """Fetch Feedback in the Assignment List, follow "view feedback" and open the notebook's
    page in JupyterLab; returns the fetched page's file and the text the learner sees. With a
    listener, the page is checked with the payloads' detectors as the learner reads it."""
    context, page = log_in(browser, hub, name, steps)
    watched = Watched(page)
    try:
        with steps(f"{name}: Fetch Feedback"):
            panel = assignment_list(page)
            list_button(panel, "submitted_assignments_list", "Fetch Feedback").click()
            row = panel.locator("#submitted_assignments_list .list_item", has_text=ASSIGNMENT)
            link = row.locator("a", has_text="view feedback").first
            link.wait_for()
        with steps(f"{name}: read the feedback of {notebook}"):
            link.click()  # the file browser goes to the feedback's folder
            page.locator(".jp-DirListing-item", has_text=f"{notebook}.html").dblclick()
            shown = page.frame_locator(".jp-HTMLViewer iframe").first.locator("body")
            shown.get_by_text("Score:").first.wait_for()
            text = " ".join(shown.inner_text().split())
        if listener is not None:
            with steps(f"{name}: the payloads in {notebook}'s feedback stay inert"):
                page.wait_for_load_state("networkidle")
                own = (f"{hub.url}/user/{name}/", f"{hub.url}/hub/", "data:", "blob:")
                assert_inert(
                    watched,
                    listener,
                    lambda url: url.startswith(own),
                    f"{name}'s feedback {notebook} in JupyterLab on the hub",
                    # The learner's content is in the viewer's frame; the lab's own page is
                    # checked for the payloads' marker only.
                    content_frames=lambda frame: frame != page.main_frame,
                )
    finally:
        context.close()
    (page_file,) = Path("/home", name, ASSIGNMENT, "feedback").glob(f"*/{notebook}.html")
    return page_file, text


def set_due_date_now(hub, instructor) -> datetime:
    """The instructor sets the assignment's due date in the gradebook Formgrader reads (as
    Formgrader's Edit assignment does): now, by the machine's clock, which the exchange's is."""
    due = datetime.now(UTC)
    result = hub.instructor_nbgrader(
        instructor, "db", "assignment", "add", ASSIGNMENT, f"--duedate={due.isoformat()}"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return due


def instructor_releases(hub, browser, steps: Steps) -> None:
    context, page = log_in(browser, hub, LAYOUT.instructor, steps)
    try:
        with steps("instructor: release in Formgrader"):
            frame = open_formgrader(page)
            row = formgrader_row(frame)
            row.wait_for()
            if row.locator("td.release .glyphicon-remove").count():
                formgrader_action(page, frame, "release", "glyphicon-remove", "unreleased")
            formgrader_action(page, frame, "release", "glyphicon-cloud-upload", "released")
    finally:
        context.close()


def instructor_collects(hub, browser, steps: Steps) -> None:
    context, page = log_in(browser, hub, LAYOUT.instructor, steps)
    try:
        with steps("instructor: collect in Formgrader"):
            frame = open_formgrader(page)
            formgrader_row(frame).wait_for()
            formgrader_action(page, frame, "collect", "glyphicon-cloud-download", "collected")
    finally:
        context.close()


def grade_and_release_feedback(hub, instructor) -> None:
    """The course's grading command, then nbgrader's release_feedback in the graded course,
    both as the instructor's account in their deployment."""
    deployment = LAYOUT.deployment
    submitted = deployment / "build" / "course" / "submitted"
    for name in BROWSER_LEARNERS:
        assert (submitted / name / ASSIGNMENT / f"{NOTEBOOK}.ipynb").is_file(), name
    python = str(deployment / ".venv" / "bin" / "python")
    result = hub.run_as(
        instructor,
        # The reference's passing grading is kept across runs, as an instructor may.
        [python, "-m", "autograder.grade", str(submitted), "--assignment", ASSIGNMENT]
        + ["--reuse-canary", str(deployment / "build" / "canary")],
        deployment,
        {"MPLBACKEND": "Agg"},
        seconds=GRADING_SECONDS,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for name in BROWSER_LEARNERS:
        assert name in result.stdout, result.stdout
    course = deployment / "build" / "grading" / "course"
    nbgrader = str(deployment / ".venv" / "bin" / "nbgrader")
    result = hub.run_as(instructor, [nbgrader, "release_feedback", ASSIGNMENT], course)
    assert result.returncode == 0, result.stdout + result.stderr


def whole_loop(hub, instructor, steps: Steps, listener: Listener) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            started = time.monotonic()
            instructor_releases(hub, browser, steps)
            learner_fetches_validates_and_submits(hub, browser, RIGHT, steps, mistaken=False)
            due = set_due_date_now(hub, instructor)
            learner_fetches_validates_and_submits(hub, browser, MISTAKEN, steps, mistaken=True)
            learner_fetches_validates_and_submits(
                hub, browser, HOSTILE, steps, mistaken=False, payloads_to=listener.base
            )
            instructor_collects(hub, browser, steps)
            with steps("instructor: grade with the course's command, release feedback"):
                grade_and_release_feedback(hub, instructor)
            seen = {
                name: learner_reads_feedback(hub, browser, name, steps)
                for name in (RIGHT, MISTAKEN)
            }
            seen[HOSTILE] = learner_reads_feedback(
                hub, browser, HOSTILE, steps, HOSTILE_NOTEBOOK.removesuffix(".ipynb"), listener
            )
            return {"seen": seen, "due": due, "seconds": time.monotonic() - started}
        finally:
            browser.close()


def keep_readme_shots(steps: Steps) -> None:
    """The README's pictures of the hub loop, under fixed names (`make hub-screenshots`)."""
    README_SHOTS.mkdir(parents=True, exist_ok=True)
    for step, name in (
        (f"{RIGHT}: fetch in the Assignment List", "hub_assignment_list.png"),
        (f"{MISTAKEN}: read the feedback of {NOTEBOOK}", "hub_feedback.png"),
    ):
        shutil.copyfile(steps.shots[step], README_SHOTS / name)


def export_rows() -> dict[str, dict]:
    with open(RESULTS / "grades.csv", newline="") as handle:
        return {row["student_id"]: row for row in csv.DictReader(handle)}


# On CI the test runs and fails at chromium's launch instead of skipping.
@pytest.mark.skipif(
    not CHROMIUM.exists() and not ON_CI,
    reason=f"{CHROMIUM} is missing: install Debian's chromium (make system-packages)",
)
def test_release_fetch_validate_submit_collect_grade_feedback_in_browsers(hub, instructor, request):
    steps = Steps(None, screenshot_folder(request.node.name))
    # Playwright's sync API runs its own event loop: a thread of its own keeps it apart from
    # the browser tests' Playwright of the same session.
    with ThreadPoolExecutor(max_workers=1) as pool:
        listener = Listener()  # where every payload reports if it runs or loads
        try:
            loop = pool.submit(whole_loop, hub, instructor, steps, listener).result()
        finally:
            listener.close()
    keep_readme_shots(steps)
    (steps.folder / "loop_seconds.json").write_text(
        json.dumps({"release_to_feedback": loop["seconds"]})
    )
    print(f"hub loop, release to the learners reading feedback: {loop['seconds']:.0f} s")
    course = LAYOUT.deployment / "build"
    for name, (page_file, _) in loop["seen"].items():
        # Each learner fetched the page graded for them, for the submission collected.
        graded = course / "grading" / "course" / "feedback" / name / ASSIGNMENT / page_file.name
        assert page_file.read_bytes() == graded.read_bytes(), page_file
        receipt = course / "course" / "submitted" / name / ASSIGNMENT / "timestamp.txt"
        assert page_file.parent.name == receipt.read_text(), page_file

    # What each learner saw: their score, the mistake in the bank's words, the penalty.
    right, mistaken = (loop["seen"][name][1] for name in (RIGHT, MISTAKEN))
    assert f"{NOTEBOOK} (Score: 8.0 / 8.0)" in right, right[:500]
    assert "likely mistake" not in right and "Late submission penalty" not in right
    score = re.search(rf"{NOTEBOOK} \(Score: ([\d.]+) / 8\.0\)", mistaken)
    assert score and float(score[1]) < 8, mistaken[:500]
    assert f"likely mistake: {hint(*MISTAKE)}" in mistaken, mistaken
    penalty = re.search(r"Late submission penalty \(Score: -([\d.]+)\)", mistaken)
    # The page's score is after the penalty: 10 % of the notebook's score before it.
    assert penalty and float(penalty[1]) == pytest.approx(
        (float(score[1]) + float(penalty[1])) / 10, abs=0.01
    )

    # The export: the late learner marked late, 10 % per started day off; the absent learner
    # "not submitted", with no score (not 0).
    rows = export_rows()
    assert rows[RIGHT]["status"] == "graded" and rows[RIGHT]["late"] == ""
    assert float(rows[RIGHT]["late_submission_penalty"]) == 0
    assert float(rows[RIGHT]["score"]) == float(rows[RIGHT]["max_score"])
    late = rows[MISTAKEN]
    assert late["status"] == "graded" and late["late"] == "yes", late
    raw = float(late["raw_score"])
    assert float(late["late_submission_penalty"]) == pytest.approx(raw / 10)
    assert float(late["score"]) == pytest.approx(raw * 0.9)
    # Late by the exchange's receipt time, which the learner's process does not write.
    assert late["timestamp"] > late["duedate"] > rows[RIGHT]["timestamp"], late
    assert rows[ABSENT]["status"] == "not submitted", rows[ABSENT]
    assert rows[ABSENT]["score"] == rows[ABSENT]["raw_score"] == "", rows[ABSENT]
    learners = {r["learner"]: r for r in json.loads((RESULTS / "learners.json").read_text())}
    assert learners[MISTAKEN]["score"] == pytest.approx(raw * 0.9)
    assert learners[MISTAKEN]["late"] == "yes"

    # The hostile learner's own text is on the page they read, as text; the payloads did not
    # run (checked as they read it) and got them nothing over the same right answers.
    hostile = loop["seen"][HOSTILE][1]
    assert "A learner's heading" in hostile, hostile[:500]
    assert "made inert" in learners[HOSTILE]["status"], learners[HOSTILE]["status"]
