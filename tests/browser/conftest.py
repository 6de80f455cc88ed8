"""Fixtures of the browser tests: real JupyterLab servers on 127.0.0.1, Debian's chromium driven
by Playwright, and a sample class graded in the background for Formgrader.

Every server, browser and grading process a fixture starts is stopped in its teardown, which
pytest runs also when a test fails. Screenshots go to build/screenshots/<test>/, server and
grading logs to build/screenshots/logs/.
"""

from __future__ import annotations

import shutil
import subprocess
import time

import pytest
from inert_checks import Listener
from labtools import (
    CHROMIUM,
    CHROMIUM_ARGS,
    RELEASE,
    ROOT,
    SCREENSHOTS,
    VIEWPORT,
    LabServer,
    Steps,
    screenshot_folder,
    start_grading,
    stop_process_tree,
)
from system_tools import needs_chromium

LOGS = SCREENSHOTS / "logs"
GRADING_TIMEOUT = 600  # seconds; the sample class takes about a minute
# Playwright waits 5 s by default. On a 2-core CI machine that also grades the sample class in
# the background, a page or Formgrader's table can take longer; a real failure still shows.
WAIT_MS = 30_000


def pytest_collection_modifyitems(config, items):
    # Tests that need the graded sample class run after the other browser tests, which run
    # while it is graded in the background.
    late = [item for item in items if "graded_course" in getattr(item, "fixturenames", ())]
    if late:
        rest = [item for item in items if item not in late]
        browser = [n for n, item in enumerate(rest) if "browser" in item.keywords]
        end = browser[-1] + 1 if browser else len(rest)
        items[:] = rest[:end] + late + rest[end:]
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(needs_chromium)


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium (Debian's, never a downloaded one) with a fresh profile."""
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


@pytest.fixture
def page(browser):
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # "leave the page?" when loading again
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def steps(page, request):
    return Steps(page, screenshot_folder(request.node.name))


@pytest.fixture(scope="module")
def learner_lab(tmp_path_factory):
    """The learner's JupyterLab on a copy of notebooks/ (the tests write into it)."""
    work = tmp_path_factory.mktemp("learner")
    root = work / "notebooks"
    shutil.copytree(
        RELEASE,
        root,
        ignore=shutil.ignore_patterns(".ipynb_checkpoints"),
        copy_function=shutil.copyfile,  # fresh times, as in a fresh clone
    )
    with LabServer("learner", root, work / "state", LOGS / "learner.log") as server:
        yield server


@pytest.fixture(scope="module")
def instructor_lab(tmp_path_factory):
    """The instructor's JupyterLab on the project, configured by its nbgrader_config.py."""
    state = tmp_path_factory.mktemp("instructor") / "state"
    with LabServer("instructor", ROOT, state, LOGS / "instructor.log") as server:
        yield server


@pytest.fixture(scope="session")
def listener():
    server = Listener()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="session", autouse=True)
def background_grading(request, tmp_path_factory):
    """Start grading the sample class at once if a selected test needs it; stop it at the end."""
    wanted = any(
        "graded_course" in getattr(item, "fixturenames", ()) for item in request.session.items
    )
    if not wanted or not CHROMIUM.exists():
        yield None
        return
    listener = request.getfixturevalue("listener")  # the payloads must know where to report
    out_dir = tmp_path_factory.mktemp("grading")
    canary_records = request.getfixturevalue("canary_records")  # shared with the other tests
    process = start_grading(out_dir, LOGS / "grading.log", listener.base, canary_records)
    try:
        yield process, out_dir, time.monotonic()
    finally:
        if process.poll() is None:
            stop_process_tree(process)


@pytest.fixture(scope="session")
def graded_course(background_grading):
    """The course folder (gradebook.db, autograded/, feedback/) of the graded sample class."""
    if background_grading is None:
        pytest.fail(f"the sample class was not graded: {CHROMIUM} is missing")
    process, out_dir, started = background_grading
    try:
        process.wait(timeout=max(1, GRADING_TIMEOUT - (time.monotonic() - started)))
    except subprocess.TimeoutExpired:
        pytest.fail(f"grading the sample class took over {GRADING_TIMEOUT} s; see {LOGS}")
    log = (LOGS / "grading.log").read_text(errors="replace")
    if process.returncode != 0:
        pytest.fail(f"grading the sample class failed (code {process.returncode}):\n{log[-3000:]}")
    return out_dir / "graded" / "course"


@pytest.fixture(scope="module")
def graded_lab(graded_course, tmp_path_factory):
    """The instructor's JupyterLab on the graded course (python -m autograder.lab instructor
    --course-root ...): Formgrader reads that course's gradebook."""
    state = tmp_path_factory.mktemp("graded") / "state"
    with LabServer(
        "instructor", graded_course, state, LOGS / "graded.log", course_root=graded_course
    ) as server:
        yield server
