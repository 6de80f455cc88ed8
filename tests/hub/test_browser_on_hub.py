"""The whole loop in Chromium on the real hub, each person in a browser context of their own:
the instructor releases in Formgrader; two learners log in, fetch in the Assignment List,
write their answers, Validate a notebook and Submit: one gets everything right, the other
makes a mistake of the bank (centered_box:box_not_clipped) and submits after the due date
the instructor set meanwhile. The instructor collects in Formgrader, grades with the
course's grading command and releases the feedback; each learner fetches their feedback and
reads it in JupyterLab: their score, the mistake named in the bank's words, the late
penalty. grades.csv shows the penalty and the roster's learner who handed nothing in as
"not submitted". The instructor's Formgrader shows the class the grading command graded: the
learners with their scores in Manage Students, and the manual-grading view of a submission.
A third learner hands in the payload bank of tests/payloads.py (as the browser tests'
`mallory`), beside answers that fail fast; the feedback they read through the hub and
Formgrader's manual-grading view of their notebooks are checked with the browser tests'
detectors (tests/browser/inert_checks.py), and Formgrader serves none of their other files.

The learners' servers are started at once through the hub's API before the browsers log in,
as a class's would be: their start times overlap instead of adding up.

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
from urllib.parse import quote, urlparse

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
    wait_for_kernel,
)
from conftest import ASSIGNMENT, LAYOUT
from payloads import FILES, add_payloads
from system_tools import needs_chromium

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
VALIDATE_MS = 180_000
GRADING_SECONDS = 600
NOTEBOOK = "01_cutout"
NOTEBOOKS = ("01_cutout", "02_cutmix", "03_reversed_ratio_bug")
# Formgrader's own page loads MathJax from its CDN (nbconvert's default); nothing else leaves
# the instructor's server (as in tests/browser/test_inert_views.py).
FORMGRADER_OWN_EXTERNAL = "https://cdnjs.cloudflare.com/ajax/libs/mathjax/"
FORMGRADER_OWN_PATHS = ("/formgrader/static/", "/formgrader/api/", "/static/")
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
    payloads_to, the payload bank (aimed at that listener) in HOSTILE_NOTEBOOK and beside it,
    and the released notebooks' unanswered cells, whose tests fail fast in the grading."""
    folder = Path("/home", name, ASSIGNMENT)
    account = folder.stat()
    for released in sorted((RELEASE / ASSIGNMENT).glob("*.ipynb")):
        if payloads_to:
            notebook = nbformat.read(released, as_version=4)
        else:
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


def learner_fetches_and_writes(
    hub, browser, name: str, steps: Steps, mistaken: bool, payloads_to: str | None = None
):
    """The learner logs in, fetches in the Assignment List and writes their answers; without
    payloads they open NOTEBOOK and press Validate, whose result learner_submits reads (so
    that the learners' validations run at once). Returns their logged-in page."""
    _, page = log_in(browser, hub, name, steps)
    with steps(f"{name}: fetch in the Assignment List"):
        panel = assignment_list(page)
        list_button(panel, "released_assignments_list", "Fetch").click()
        list_button(panel, "fetched_assignments_list", "Submit").wait_for()
    write_answers(name, mistaken, payloads_to)
    if payloads_to is None:  # the hostile learner's work matters for what others see
        with steps(f"{name}: open {NOTEBOOK} and press Validate"):
            page.goto(f"{hub.url}/user/{name}/lab/tree/{ASSIGNMENT}/{NOTEBOOK}.ipynb")
            page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for()
            wait_for_kernel(page)
            page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .validate-button").click()
    return page


def learner_submits(page, name: str, steps: Steps, mistaken: bool | None) -> None:
    """Read Validate's result unless mistaken is None (nothing validated), then Submit."""
    steps.page = page
    if mistaken is not None:
        with steps(f"{name}: Validate's result"):
            message = page.locator(".jp-Dialog #validation-message")
            message.wait_for(timeout=VALIDATE_MS)
            text = message.inner_text()
            # Validate passes the right answers and lists the failing check of the mistake.
            assert ("Success!" in text) != mistaken, text
            close_dialog(page)
    with steps(f"{name}: Submit"):
        panel = assignment_list(page)
        list_button(panel, "fetched_assignments_list", "Submit").click()
        submitted = panel.locator("#submitted_assignments_list .list_item", has_text=ASSIGNMENT)
        submitted.first.wait_for()


def learner_reads_feedback(
    hub, page, name: str, steps: Steps, notebook: str = NOTEBOOK, listener=None
) -> tuple[Path, str]:
    """Fetch Feedback in the Assignment List of the learner's lab, follow "view feedback" and
    open the notebook's page in JupyterLab; returns the fetched page's file and the text the
    learner sees. With a listener, the page is checked with the payloads' detectors as the
    learner reads it."""
    steps.page = page
    watched = Watched(page)
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
    (page_file,) = Path("/home", name, ASSIGNMENT, "feedback").glob(f"*/{notebook}.html")
    return page_file, text


def formgrader_needs(base: str, page_path: str):
    """The requests Formgrader's page of page_path needs on the instructor's server (base)."""

    server = urlparse(base)

    def allowed(url: str) -> bool:
        if url.startswith(FORMGRADER_OWN_EXTERNAL) or url.startswith("data:"):
            return True
        parsed = urlparse(url)
        if parsed.netloc != server.netloc or not parsed.path.startswith(server.path + "/"):
            return False
        path = parsed.path.removeprefix(server.path)
        return path == page_path or path.startswith(FORMGRADER_OWN_PATHS)

    return allowed


def submission_ids(learner: str) -> dict[str, str]:
    """The ids of a learner's notebooks in Formgrader's gradebook (the deployment's)."""
    from nbgrader.api import Gradebook

    gradebook = LAYOUT.deployment / "build" / "grading" / "course" / "gradebook.db"
    with Gradebook(f"sqlite:///{gradebook}") as book:
        return {
            name: book.find_submission_notebook(name, ASSIGNMENT, learner).id for name in NOTEBOOKS
        }


def instructor_reviews_in_formgrader(hub, page, steps: Steps, listener: Listener) -> dict:
    """The instructor's Formgrader after the grading: Manage Students' score of each learner
    (returned), the manual-grading view of the payload learner's notebooks checked with the
    payloads' detectors, the submission-files handler serving none of their other files; then
    the instructor releases the feedback the grading wrote (Manage Assignments)."""
    steps.page = page
    base = f"{hub.url}/user/{LAYOUT.instructor}"
    watched = Watched(page)
    with steps("instructor: Manage Students in Formgrader lists the graded learners"):
        page.goto(f"{base}/formgrader/manage_students")
        page.locator("#main-table td.score", has_text="/").first.wait_for()
        scores = {
            name: page.locator("#main-table tr", has_text=name)
            .locator("td.score")
            .inner_text()
            .strip()
            for name in LAYOUT.learners
        }
    ids = submission_ids(HOSTILE)
    for name, submission in ids.items():
        path = f"/formgrader/submissions/{submission}/"
        with steps(f"instructor: Formgrader's manual grading of {HOSTILE}'s {name}"):
            watched.open(f"{base}{path}")
            page.locator("#notebook-container .cell").first.wait_for()
            # Formgrader's own navigation has handlers; learner content is in the notebook.
            assert_inert(
                watched,
                listener,
                formgrader_needs(base, path),
                f"Formgrader {name} on the hub",
                "#notebook-container *",
            )
    with steps(f"instructor: Formgrader serves none of {HOSTILE}'s other files"):
        submission = ids[HOSTILE_NOTEBOOK.removesuffix(".ipynb")]
        files = f"{base}/formgrader/submissions/{submission}"
        for name in [*FILES, "written.html", "written.svg", "linked.html", "written/page.html"]:
            status = page.request.get(f"{files}/{quote(name)}").status
            assert status == 404, f"Formgrader serves {name!r} (HTTP {status})"
        # The handler works: only the learner's files are gone.
        assert page.request.get(f"{files}/{HOSTILE_NOTEBOOK}").status == 200
    autograded = LAYOUT.deployment / "build" / "grading" / "course" / "autograded" / HOSTILE
    assert sorted(p.name for p in (autograded / ASSIGNMENT).iterdir()) == [
        f"{name}.ipynb" for name in NOTEBOOKS
    ]
    with steps("instructor: release the feedback in Formgrader"):
        page.goto(f"{base}/formgrader/manage_assignments")
        formgrader_action(page, page, "release-feedback", "glyphicon-envelope", "released feedback")
    return scores


def start_servers(hub, names) -> None:
    """Every server started at once through the hub's API, as when a class logs in."""
    with ThreadPoolExecutor(max_workers=len(names)) as pool:
        for started in [pool.submit(lambda n: hub.person(n).start_server(), n) for n in names]:
            started.result()


def set_due_date_now(hub, instructor) -> datetime:
    """The instructor sets the assignment's due date in the gradebook Formgrader reads (as
    Formgrader's Edit assignment does): now, by the machine's clock, which the exchange's is."""
    due = datetime.now(UTC)
    result = hub.instructor_nbgrader(
        instructor, "db", "assignment", "add", ASSIGNMENT, f"--duedate={due.isoformat()}"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return due


def instructor_releases(page, steps: Steps) -> None:
    """In the instructor's lab: Nbgrader > Formgrader, release (again, if an earlier run did)."""
    steps.page = page
    with steps("instructor: release in Formgrader"):
        frame = open_formgrader(page)
        row = formgrader_row(frame)
        row.wait_for()
        if row.locator("td.release .glyphicon-remove").count():
            formgrader_action(page, frame, "release", "glyphicon-remove", "unreleased")
        formgrader_action(page, frame, "release", "glyphicon-cloud-upload", "released")


def instructor_collects(hub, page, steps: Steps) -> None:
    """Formgrader's Manage Assignments, on the instructor's server: collect."""
    steps.page = page
    with steps("instructor: collect in Formgrader"):
        page.goto(f"{hub.url}/user/{LAYOUT.instructor}/formgrader/manage_assignments")
        formgrader_action(page, page, "collect", "glyphicon-cloud-download", "collected")


def grade(hub, instructor) -> None:
    """The course's grading command as documented, as the instructor's account in their
    deployment: into the course folder Formgrader shows."""
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


def whole_loop(hub, instructor, steps: Steps, listener: Listener) -> dict:
    """Each person logs in once, in a browser context of their own, and keeps it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            started = time.monotonic()
            _, instructor_page = log_in(browser, hub, LAYOUT.instructor, steps)
            instructor_releases(instructor_page, steps)
            pages = {
                RIGHT: learner_fetches_and_writes(hub, browser, RIGHT, steps, mistaken=False),
                MISTAKEN: learner_fetches_and_writes(hub, browser, MISTAKEN, steps, mistaken=True),
                HOSTILE: learner_fetches_and_writes(
                    hub, browser, HOSTILE, steps, mistaken=False, payloads_to=listener.base
                ),
            }
            learner_submits(pages[HOSTILE], HOSTILE, steps, mistaken=None)
            learner_submits(pages[RIGHT], RIGHT, steps, mistaken=False)
            due = set_due_date_now(hub, instructor)
            learner_submits(pages[MISTAKEN], MISTAKEN, steps, mistaken=True)
            instructor_collects(hub, instructor_page, steps)
            with steps("instructor: grade with the course's command"):
                grade(hub, instructor)
            formgrader = instructor_reviews_in_formgrader(hub, instructor_page, steps, listener)
            seen = {
                name: learner_reads_feedback(hub, pages[name], name, steps)
                for name in (RIGHT, MISTAKEN)
            }
            seen[HOSTILE] = learner_reads_feedback(
                hub,
                pages[HOSTILE],
                HOSTILE,
                steps,
                HOSTILE_NOTEBOOK.removesuffix(".ipynb"),
                listener,
            )
            return {
                "seen": seen,
                "due": due,
                "formgrader": formgrader,
                "seconds": time.monotonic() - started,
            }
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


@needs_chromium
def test_release_fetch_validate_submit_collect_grade_feedback_in_browsers(hub, instructor, request):
    steps = Steps(None, screenshot_folder(request.node.name))
    # Playwright's sync API runs its own event loop: a thread of its own keeps it apart from
    # the browser tests' Playwright of the same session.
    start_servers(hub, [LAYOUT.instructor, *BROWSER_LEARNERS])
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

    # Formgrader shows the class the grading command graded: every learner of the roster
    # with their score out of the assignment's (before the late penalty, as nbgrader sums
    # grades), the one who handed nothing in with none.
    shown = loop["formgrader"]
    maximum = float(rows[RIGHT]["max_score"])
    for name, score in ((RIGHT, maximum), (MISTAKEN, raw), (ABSENT, 0.0)):
        got = re.fullmatch(r"([\d.]+) / ([\d.]+)", shown.get(name, ""))
        assert got, (name, shown)
        assert float(got[1]) == pytest.approx(score, abs=0.01), (name, shown)
        assert float(got[2]) == pytest.approx(maximum), (name, shown)

    # The hostile learner's own text is on the page they read, as text; the payloads did not
    # run (checked as they read it) and got them nothing over the same right answers.
    hostile = loop["seen"][HOSTILE][1]
    assert "A learner's heading" in hostile, hostile[:500]
    assert "made inert" in learners[HOSTILE]["status"], learners[HOSTILE]["status"]
