"""Helpers of the browser tests: a JupyterLab server, named steps with screenshots, and the
clicks a learner or an instructor makes in JupyterLab and nbgrader's extension.

Also a command, run by the tests in the background while the browser works:

    python tests/browser/labtools.py grade OUT_DIR [BASE]  # grade a small sample class into
                                                       # OUT_DIR; BASE: the payloads' listener
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import psutil
from system_tools import CHROMIUM  # noqa: F401  (the browser tests take it from here)

from autograder.exercises.samples import solved_release
from autograder.lab import ROOT, lab_command
from autograder.pipeline.course import ASSIGNMENT, RELEASE

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 800}
SCREENSHOTS = ROOT / "build" / "screenshots"
# The sample learners graded for Formgrader: full marks and typical mistakes (autograder.exercises.samples),
# and a hostile learner: ada's answers with every payload of tests/payloads.py.
HONEST_LEARNER, TYPICAL_LEARNER, HOSTILE_LEARNER = "reference", "ada", "mallory"
SAMPLE_LEARNERS = (HONEST_LEARNER, TYPICAL_LEARNER, HOSTILE_LEARNER)
HOSTILE_NOTEBOOK = "03_reversed_ratio_bug.ipynb"  # the payloads' notebook


# --- processes ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_process_tree(process: subprocess.Popen, grace: float = 10.0) -> None:
    """Stop a process started with start_new_session=True and everything it started.

    Kernels and grading children start sessions of their own, so they are found by parentage
    (before the parent goes) and stopped one by one, by process id.
    """
    try:
        family = psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        family = []
    with contextlib.suppress(ProcessLookupError, PermissionError):
        process.send_signal(signal.SIGTERM)  # Jupyter shuts its kernels down on SIGTERM
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(grace)
    _, alive = psutil.wait_procs(family, timeout=grace)
    for child in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            child.kill()
    psutil.wait_procs(alive, timeout=grace)


class LabServer:
    """A real JupyterLab server (autograder.lab's command) on 127.0.0.1, with a token.

    Use as a context manager: the server and its kernels are stopped on the way out, also
    when the body raises.
    """

    def __init__(
        self,
        role: str,
        root_dir: Path,
        state_dir: Path,
        log: Path,
        course_root: Path | None = None,
        timeout: float = 90,
        db_url: str | None = None,
    ):
        self.role = role
        self.root_dir = Path(root_dir)
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = Path(log)
        self.timeout = timeout
        self.argv, self.env = lab_command(
            role,
            self.port,
            self.root_dir,
            state_dir,
            course_root=course_root,
            token=self.token,
            db_url=db_url,
        )
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> LabServer:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(
                self.argv,
                env=self.env,
                cwd=self.root_dir,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        try:
            self._wait_until_up()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"the {self.role}'s JupyterLab exited with code {self.process.returncode}:\n"
                    + self.log_tail()
                )
            with contextlib.suppress(OSError, ValueError):
                if json.loads(self.get("/api/status")).get("started"):
                    return
            time.sleep(0.25)
        raise TimeoutError(
            f"the {self.role}'s JupyterLab did not answer /api/status within "
            f"{self.timeout:g} s:\n{self.log_tail()}"
        )

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            stop_process_tree(self.process)
        elif self.process is not None:
            self.process.wait()

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def request(self, path: str, method: str = "GET") -> tuple[int, str]:
        """(status, body) of an authenticated request to the server."""
        request = urllib.request.Request(
            self.url + path, method=method, headers={"Authorization": f"token {self.token}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")

    def get(self, path: str) -> str:
        status, body = self.request(path)
        if status != 200:
            raise ValueError(f"GET {path}: HTTP {status}")
        return body

    def page_url(self, path: str = "lab") -> str:
        """A URL of the lab that logs in with the token and resets the saved layout."""
        return f"{self.url}/{path}?reset&token={self.token}"

    def shut_down_kernels(self) -> None:
        """Shut down every kernel (a finished test's notebooks), freeing the machine."""
        with contextlib.suppress(OSError, ValueError):
            for session in json.loads(self.get("/api/sessions")):
                self.request(f"/api/sessions/{session['id']}", method="DELETE")


# --- steps with screenshots -----------------------------------------------------------------


class StepFailed(AssertionError):
    """A named step of a browser test failed; the message names it and its screenshot."""


class Steps:
    """Named steps of one test; each saves build/screenshots/<test>/<NN>_<step>.png.

        with steps("validate untouched notebook"):
            ...

    A failing step saves <NN>_<step>_FAILED.png and raises StepFailed naming the step.
    """

    def __init__(self, page, folder: Path):
        self.page = page
        self.folder = Path(folder)
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self.count = 0
        self.shots: dict[str, Path] = {}

    @contextlib.contextmanager
    def __call__(self, name: str):
        self.count += 1
        stem = f"{self.count:02d}_{re.sub(r'[^A-Za-z0-9]+', '_', name).strip('_')}"
        try:
            yield
        except Exception as error:
            shot = self._screenshot(self.folder / f"{stem}_FAILED.png")
            summary = "\n".join(str(error).splitlines()[:8])  # Playwright appends page dumps
            raise StepFailed(
                f"step {self.count} '{name}' failed (screenshot: {shot}):\n"
                f"{type(error).__name__}: {summary}\n"
                f"what the page showed (CI keeps no screenshots):\n{self._visible_text()}"
            ) from error
        self.shots[name] = self._screenshot(self.folder / f"{stem}.png")

    def _visible_text(self, limit: int = 1500) -> str:
        """The text of the page and of each frame in it (Formgrader lives in an iframe)."""
        parts = []
        for frame in self.page.frames:
            try:
                text = " ".join(frame.locator("body").inner_text(timeout=2000).split())
            except Exception as error:  # a frame that is gone or still loading
                text = f"({type(error).__name__})"
            parts.append(f"  [{frame.url}] {text[:limit]}")
        return "\n".join(parts) or "  (no frames)"

    def _screenshot(self, path: Path) -> Path | str:
        try:
            self.page.screenshot(path=str(path))
            return path
        except Exception as error:  # the page or browser is gone: say so, keep the real error
            return f"none ({type(error).__name__})"


def screenshot_folder(nodeid_name: str) -> Path:
    """build/screenshots/<test>: the test's name with parameters, safe as a folder name."""
    return SCREENSHOTS / re.sub(r"[^A-Za-z0-9_.-]+", "-", nodeid_name).strip("-")


# --- JupyterLab, as a user clicks it ----------------------------------------------------------

KERNEL_DONE = """() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  if (!panel) return false;
  const indicator = panel.querySelector('.jp-Notebook-ExecutionIndicator');
  const prompts = [...panel.querySelectorAll('.jp-InputArea-prompt')].map(p => p.textContent);
  return indicator !== null && indicator.dataset.status === 'idle'
    && prompts.some(p => /\\[\\d+\\]/.test(p)) && !prompts.some(p => p.includes('*'));
}"""


def open_lab(page, server: LabServer, path: str = "lab") -> None:
    """Load JupyterLab (or a document in it, path="lab/tree/<file>") and wait for the menus."""
    page.goto(server.page_url(path))
    page.locator("#jp-menu-panel .lm-MenuBar-item").first.wait_for(timeout=60_000)
    page.locator(".jp-DirListing-item").first.wait_for(timeout=60_000)


def open_notebook(page, server: LabServer, path: str) -> None:
    """Open a notebook in a freshly loaded lab and wait until its kernel is idle."""
    open_lab(page, server, f"lab/tree/{path}")
    page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for(timeout=60_000)
    wait_for_kernel(page)


def wait_for_kernel(page, timeout: float = 60_000) -> None:
    """Wait until the notebook's kernel is started, connected and idle, as the status bar says
    ("Python 3 (ipykernel) | Idle"); before that, Run All would ask to select a kernel."""
    page.locator("#jp-main-statusbar", has_text=re.compile(r"\| Idle")).wait_for(timeout=timeout)


def open_menu(page, label: str):
    """Open a menu of the menu bar; return its visible items (a locator)."""
    page.locator("#jp-menu-panel .lm-MenuBar-item").filter(
        has_text=re.compile(f"^{re.escape(label)}$")
    ).click()
    return page.locator(".lm-Menu li.lm-Menu-item:not(.lm-mod-hidden)")


def main_menu(page, label: str, command: str, timeout: float = 30) -> None:
    """Open a menu of the menu bar and click the item of the given command id, once enabled
    (JupyterLab enables notebook commands only when the notebook is active and connected)."""
    deadline = time.monotonic() + timeout
    while True:
        open_menu(page, label)
        item = page.locator(f"li.lm-Menu-item[data-command='{command}']")
        item.wait_for()
        if "lm-mod-disabled" not in (item.get_attribute("class") or ""):
            item.click()
            return
        page.keyboard.press("Escape")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{label} > {command} stayed disabled for {timeout:g} s")
        page.wait_for_timeout(250)


def menu_labels(page) -> list[str]:
    return page.locator("#jp-menu-panel .lm-MenuBar-itemLabel").all_inner_texts()


def right_sidebar_titles(page) -> list[str]:
    """Titles of the panels in the right sidebar (e.g. Nbgrader's Create Assignment)."""
    return page.locator(".jp-SideBar.jp-mod-right .lm-TabBar-tab").evaluate_all(
        "tabs => tabs.map(t => t.getAttribute('title') || t.textContent)"
    )


NOTEBOOK_STATE = """() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  if (!panel) return 'no notebook';
  const indicator = panel.querySelector('.jp-Notebook-ExecutionIndicator');
  const prompts = [...panel.querySelectorAll('.jp-InputArea-prompt')].map(p => p.textContent);
  return `kernel ${indicator && indicator.dataset.status}, prompts ${prompts.join(' ')}`;
}"""


def run_all(page, timeout: float = 120_000) -> None:
    """Run > Run All Cells, then wait until no cell is queued and the kernel is idle."""
    main_menu(page, "Run", "runmenu:run-all")
    try:
        page.wait_for_function(KERNEL_DONE, timeout=timeout, polling=250)
    except Exception as error:
        raise TimeoutError(f"cells still running: {page.evaluate(NOTEBOOK_STATE)}") from error


def validate(page, timeout: float = 120_000):
    """Press nbgrader's Validate button; return the Validation Results message element."""
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .validate-button").click()
    message = page.locator(".jp-Dialog #validation-message")
    message.wait_for(timeout=timeout)
    return message


def close_dialog(page) -> None:
    page.locator(".jp-Dialog .jp-mod-accept").click()
    page.locator(".jp-Dialog").wait_for(state="detached")


def open_formgrader(page) -> object:
    """Nbgrader > Formgrader; returns the frame locator of the Formgrader tab."""
    main_menu(page, "Nbgrader", "nbgrader:open-formgrader")
    frame = page.frame_locator(".jp-MainAreaWidget iframe").first
    frame.locator("#main-table").wait_for(timeout=60_000)
    return frame


# --- notebooks ------------------------------------------------------------------------------


def released_notebooks() -> list[str]:
    """Every released notebook as `<assignment>/<name>`, the course notebooks first."""
    return sorted(p.relative_to(RELEASE).as_posix() for p in RELEASE.glob("*/*.ipynb"))


def solved_notebook(path: str) -> nbformat.NotebookNode:
    """The released notebook with every answer cell written as the solution writes it."""
    return solved_release(path)


# --- the sample class graded for Formgrader -------------------------------------------------


def grade_sample_class(
    out_dir: Path, payload_base: str = "http://127.0.0.1:9", canary_records: str = ""
) -> None:
    """Grade a small sample class (SAMPLE_LEARNERS) with the instructor's grading command; the
    hostile learner's payloads aim at `payload_base`."""
    from payloads import add_payloads

    from autograder.exercises.samples import write_sample_class
    from autograder.limits import Limits
    from autograder.pipeline.grading import grade_class

    out_dir = Path(out_dir)
    shutil.rmtree(out_dir, ignore_errors=True)
    submitted = out_dir / "submitted"
    write_sample_class(submitted, RELEASE / ASSIGNMENT)
    for folder in submitted.iterdir():
        if folder.name not in SAMPLE_LEARNERS:
            shutil.rmtree(folder)
    hostile = submitted / HOSTILE_LEARNER / ASSIGNMENT
    shutil.copytree(submitted / TYPICAL_LEARNER / ASSIGNMENT, hostile)
    notebook = nbformat.read(hostile / HOSTILE_NOTEBOOK, as_version=4)
    add_payloads(notebook, hostile, payload_base)
    nbformat.write(notebook, hostile / HOSTILE_NOTEBOOK)
    grade_class(
        submitted,
        out_dir / "graded",
        limits=Limits(cell_seconds=20),
        reuse_canary_from=Path(canary_records) if canary_records else None,
    )


def start_grading(
    out_dir: Path, log: Path, payload_base: str, canary_records: Path
) -> subprocess.Popen:
    """Grade the sample class in a background process (its output goes to `log`)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    # The payload bank lives in tests/, beside this file's folder.
    path = os.pathsep.join([str(ROOT / "tests"), os.environ.get("PYTHONPATH", "")])
    with open(log, "w") as handle:
        return subprocess.Popen(
            [sys.executable, __file__, "grade", str(out_dir), payload_base, str(canary_records)],
            cwd=ROOT,
            stdout=handle,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env={**os.environ, "PYTHONPATH": path},
        )


if __name__ == "__main__":
    if sys.argv[1:2] == ["grade"] and len(sys.argv) in (3, 4, 5):
        grade_sample_class(Path(sys.argv[2]), *sys.argv[3:])
    else:
        sys.exit(f"usage: python {sys.argv[0]} grade OUT_DIR [PAYLOAD_BASE [CANARY_RECORDS]]")
