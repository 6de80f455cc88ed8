"""Real nbgrader runs on a course folder: release, collect, autograde, read the gradebook.

Releases and exports run nbgrader's own command line in a subprocess, with the course
folder given explicitly; a learner is autograded through nbgrader's API in a forked child
(`LearnerGrading`), so that nbgrader is imported once per run. Tests, the demo and an
instructor's run all take these same paths.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

from autograder.limits import COMMAND_SECONDS, DEFAULT_LIMITS, NBGRADER_CELL_SECONDS
from autograder.pipeline.gradebook import creation_lock, sqlite_url
from autograder.plugins.settings import COURSE_ID, config_file_text

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions"
RELEASE = ROOT / "notebooks"
ASSIGNMENT = "cutout_cutmix"  # the graded course notebooks
EXPERIMENT = "measuring_the_effect"  # notebook 04, an assignment of its own


def assignments() -> list[str]:
    """Every assignment of the course: the folders of solutions/."""
    return sorted(p.name for p in SOLUTIONS.iterdir() if p.is_dir() and not p.name.startswith("."))


NBGRADER = Path(sys.executable).with_name("nbgrader")


class NbgraderError(RuntimeError):
    """An nbgrader command failed; the message holds the end of its log."""


@dataclass(frozen=True)
class Course:
    """A folder that nbgrader treats as a course: gradebook, submitted, autograded, feedback.

    assignment: the assignment (a folder of solutions/) that submit, autograde and scores use.
    db: the gradebook's URL without a password (gradebook.gradebook_url); "" for the
    course folder's own SQLite file.
    """

    root: Path
    source: Path = SOLUTIONS
    assignment: str = ASSIGNMENT
    db: str = ""

    def __post_init__(self):
        # nbgrader runs with the course folder as its working folder: a relative path given
        # by the instructor (`--out build/grading`) must not be read from there.
        object.__setattr__(self, "root", Path(self.root).resolve())
        object.__setattr__(self, "source", Path(self.source).resolve())

    @property
    def db_url(self) -> str:
        return self.db or sqlite_url(self.root)

    def gradebook(self):
        """nbgrader's Gradebook of this course (close it, or use it in a `with`)."""
        from nbgrader.api import Gradebook

        # The course id nbgrader's commands use: PostgreSQL enforces the assignment's link to it.
        return Gradebook(self.db_url, COURSE_ID)

    def run(self, *args: str, timeout: float = COMMAND_SECONDS) -> subprocess.CompletedProcess:
        """Run one nbgrader command on this course; raise NbgraderError if it fails."""
        self.root.mkdir(parents=True, exist_ok=True)
        # cwd is the course folder, so this file (and not the project's) configures nbgrader.
        (self.root / "nbgrader_config.py").write_text(config_file_text())
        command = [
            str(NBGRADER),
            *args,
            f"--CourseDirectory.root={self.root}",
            f"--CourseDirectory.source_directory={self.source}",
            f"--CourseDirectory.db_url={self.db_url}",
        ]
        # nbgrader calls helper programs (alembic) by name: the venv's bin must be on PATH.
        env = {**os.environ, "PATH": f"{NBGRADER.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
        process = subprocess.run(
            command, cwd=self.root, capture_output=True, text=True, timeout=timeout, env=env
        )
        if process.returncode != 0:
            log = (process.stdout + process.stderr)[-4000:]
            raise NbgraderError(f"nbgrader {' '.join(args)} failed:\n{log}")
        return process

    def stage_folder(self, stage: str, student: str) -> Path:
        """A learner's folder of this assignment in one of nbgrader's stages (submitted,
        autograded, feedback)."""
        return self.root / stage / student / self.assignment

    def generate_release(self, release_dir: Path | None = None) -> Path:
        """nbgrader generate_assignment from the source notebooks; returns the release folder."""
        release_dir = Path(release_dir or self.root / "release")
        with creation_lock(self.db_url):  # graders on other machines may release at once
            self.run(
                "generate_assignment",
                self.assignment,
                "--force",
                f"--CourseDirectory.release_directory={release_dir}",
            )
        return release_dir / self.assignment

    def submit(
        self,
        student: str,
        notebooks: dict[str, nbformat.NotebookNode | Path],
        timestamp: Path | None = None,
    ) -> Path:
        """Place a learner's notebooks where nbgrader expects a collected submission, with
        the time it was received (`timestamp.txt`, for nbgrader's late penalty) if known."""
        folder = self.root / "submitted" / student / self.assignment
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        if timestamp is not None:
            from nbgrader.utils import parse_utc

            text = Path(timestamp).read_text(errors="replace").strip()[:64]
            try:
                parse_utc(text)
            except (ValueError, OverflowError):
                text = ""  # not a time: graded as if none was given, as nbgrader would
            if text:
                (folder / "timestamp.txt").write_text(text)
        for name, notebook in notebooks.items():
            if isinstance(notebook, Path):
                shutil.copyfile(notebook, folder / name)
            else:
                nbformat.write(notebook, folder / name)
        return folder

    def autograde(
        self,
        student: str = "*",
        cell_timeout: int = NBGRADER_CELL_SECONDS,
        timeout: float = COMMAND_SECONDS,
    ) -> None:
        """nbgrader autograde for one student (or every submitted one with "*") as a command.

        cell_timeout bounds each cell (nbgrader interrupts it and records an error);
        timeout bounds the whole command (subprocess.TimeoutExpired).
        """
        self.run(
            "autograde",
            self.assignment,
            "--force",
            f"--student={student}",
            f"--Execute.timeout={cell_timeout}",
            timeout=timeout,
        )

    def start_grading(
        self,
        student: str,
        cell_timeout: int = DEFAULT_LIMITS.cell_seconds,
        timeout: float = DEFAULT_LIMITS.learner_seconds,
    ) -> LearnerGrading:
        """Start autograding one learner (and writing their feedback) in the background."""
        self.root.mkdir(parents=True, exist_ok=True)
        return LearnerGrading(self, student, cell_timeout, timeout)

    def grade_one(
        self,
        student: str,
        cell_timeout: int = DEFAULT_LIMITS.cell_seconds,
        timeout: float = DEFAULT_LIMITS.learner_seconds,
    ) -> dict:
        """Autograde one learner and write their feedback; wait for the outcome."""
        grading = self.start_grading(student, cell_timeout, timeout)
        while not grading.done():
            time.sleep(0.1)
        return grading.outcome()

    def scores(self, student: str) -> dict[str, dict[str, tuple[float, float]]]:
        """{notebook file name: {grade_id: (score, max_score)}} from nbgrader's gradebook."""
        with self.gradebook() as gradebook:
            submission = gradebook.find_submission(self.assignment, student)
            return {
                f"{notebook.name}.ipynb": {
                    grade.name: (grade.score, grade.max_score) for grade in notebook.grades
                }
                for notebook in submission.notebooks
            }


class LearnerGrading:
    """One learner autograded through nbgrader's own API, in a forked child process.

    nbgrader is imported once by the parent (about 3 s saved per learner against two
    commands). The child leads a session of its own, so a learner who hangs or crashes
    the grader is killed with every process it started, without touching anyone else.
    """

    def __init__(self, course: Course, student: str, cell_timeout: int, timeout: float):
        import multiprocessing

        import nbgrader.apps  # noqa: F401  (imported before the fork, shared by every child)

        self.student = student
        self.timeout = timeout
        self.timed_out = False
        self._scratch = tempfile.TemporaryDirectory(prefix="grading-")
        self._result = Path(self._scratch.name) / "result.json"
        self._child = multiprocessing.get_context("fork").Process(
            target=_grade_in_child,
            args=(course, student, cell_timeout, self._result, time.monotonic()),
        )
        self.started = time.monotonic()
        self._child.start()

    def done(self) -> bool:
        """Whether the child has finished (it is killed once it runs past the timeout)."""
        if self._child.is_alive() and time.monotonic() - self.started > self.timeout:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._child.pid, signal.SIGKILL)
            self.timed_out = True
        if self._child.is_alive():
            return False
        self._child.join()
        return True

    def outcome(self) -> dict:
        """{"success", "stage", "log"}; stage is "autograde", "feedback", "timeout" or "crash"."""
        try:
            if self.timed_out:
                return {
                    "success": False,
                    "stage": "timeout",
                    "log": f"grading took over {self.timeout:g} s",
                }
            if not self._result.exists():
                return {
                    "success": False,
                    "stage": "crash",
                    "log": f"the grader exited with code {self._child.exitcode}",
                }
            return json.loads(self._result.read_text())
        finally:
            self._scratch.cleanup()


def _grade_in_child(
    course: Course, student: str, cell_timeout: int, result_path: Path, forked: float
) -> None:
    """Body of Course.grade_one's child: its own session, quiet, nbgrader's API.

    forked: time.monotonic() just before the fork (the clock is the machine's, shared by
    parent and child), so the start-up counts from there."""
    os.setsid()  # so the parent can kill this process and every kernel it starts at once
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)  # kernels inherit this: their chatter stays out of the progress output
    os.environ["PATH"] = f"{NBGRADER.parent}{os.pathsep}{os.environ.get('PATH', '')}"
    from nbgrader.apps import NbGraderAPI
    from traitlets.config import Config

    from autograder.plugins import timing
    from autograder.plugins.sandbox import write_kernelspec
    from autograder.plugins.settings import apply

    # The learner's kernel starts confined (autograder/plugins/sandbox.py), with its connection
    # file and unix sockets in a runtime folder of its own.
    jupyter = Path(tempfile.mkdtemp(prefix="grading-jupyter-"))
    os.environ["JUPYTER_PATH"] = str(write_kernelspec(jupyter / "data"))
    runtime = jupyter / "runtime"
    runtime.mkdir()
    os.environ["JUPYTER_RUNTIME_DIR"] = str(runtime)
    tempfile.tempdir = str(runtime)  # jupyter_client writes connection files with tempfile
    config = Config()
    apply(config)
    config.KernelManager.transport = "ipc"
    config.KernelManager.ip = str(runtime / "kernel")  # absolute: kernel and grader differ in cwd
    config.CourseDirectory.root = str(course.root)
    config.CourseDirectory.source_directory = str(course.source)
    config.CourseDirectory.db_url = course.db_url
    config.Execute.timeout = cell_timeout
    # Demonstrations unchanged from the release that nothing graded depends on are left out
    # (autograder/plugins/demonstrations.py); the release is where generate_release put it.
    # COURSE_RUN_EVERY_CELL=1 runs them all (to compare, or to see every output in feedback).
    if os.environ.get("COURSE_RUN_EVERY_CELL") != "1":
        release = course.root / "release" / course.assignment
        config.ExecuteAndDecide.skip_demonstrations_of = str(release)
    # nbgrader's post-convert hook (nbgrader_settings.py) removes what the learner's code
    # wrote beside its notebooks; here it also tells what, for the instructor's notes.
    removed: list[str] = []
    config.Autograde.post_convert_hook = lambda **hook: removed.extend(remove_learner_files(**hook))
    api = NbGraderAPI(config=config)
    timing.add("start-up", time.monotonic() - forked)

    def timed(step, *args):
        before, started = timing.spent(), time.perf_counter()
        with timing.steps_timed():
            done = step(*args)
        timing.rest("nbgrader other", time.perf_counter() - started, before)
        return done

    graded = timed(api.autograde, course.assignment, student)
    result = {
        "success": graded["success"],
        "stage": "autograde",
        "log": graded.get("log", "") + graded.get("error", ""),
        "removed": removed,
    }
    if graded["success"]:
        feedback = timed(api.generate_feedback, course.assignment, student)
        result = {
            "success": feedback["success"],
            "stage": "feedback",
            "log": feedback.get("log", "") + feedback.get("error", ""),
            "removed": removed,
        }
    result["timings"] = timing.take()
    Path(result_path).write_text(json.dumps(result))


def keep_only_notebooks(folder: Path, keep: set[str] | None = None) -> list[str]:
    """Remove everything in `folder` but its notebooks (`keep`: these names only): files a
    learner's code wrote there while it was graded, links, folders. Returns what was removed,
    sorted; links are removed, never followed."""
    folder = Path(folder)
    removed = []
    if not folder.is_dir() or folder.is_symlink():
        return removed
    for entry in sorted(folder.iterdir()):
        wanted = keep is None or entry.name in keep
        if entry.suffix == ".ipynb" and wanted and entry.is_file() and not entry.is_symlink():
            continue
        removed.append(entry.name)
        if entry.is_dir() and not entry.is_symlink():
            # A folder the learner's code made unreadable is made readable first.
            subprocess.run(["chmod", "-R", "u+rwx", str(entry)], capture_output=True)
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
    return removed


def remove_learner_files(assignment: str, student: str, notebooks: list[str], **_) -> list[str]:
    """nbgrader's post-convert hook of autograde (nbgrader_settings.py): only the notebooks
    stay in each graded folder, before feedback copies that folder and also when an
    instructor autogrades from Formgrader (whose file handler serves it). Returns what went."""
    removed = []
    for submitted in sorted({Path(path).parent for path in notebooks}):
        if submitted.parent.parent.name == "submitted":  # <course>/submitted/<student>/<a>
            course_root = submitted.parent.parent.parent
            graded = course_root / "autograded" / submitted.parent.name / submitted.name
            removed += keep_only_notebooks(graded)
    return removed


def read_notebook(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=nbformat.NO_CONVERT)


def notebook_names(folder: Path = SOLUTIONS / ASSIGNMENT) -> list[str]:
    """The notebook file names in a folder (by default: the graded course notebooks)."""
    return sorted(p.name for p in folder.glob("*.ipynb"))


def graded_cells(notebook: nbformat.NotebookNode) -> dict[str, float]:
    """{grade_id: points} of the notebook's graded cells."""
    return {
        cell.metadata["nbgrader"]["grade_id"]: float(cell.metadata["nbgrader"].get("points", 0))
        for cell in notebook.cells
        if cell.metadata.get("nbgrader", {}).get("grade")
    }
