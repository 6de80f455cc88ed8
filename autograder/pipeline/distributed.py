"""Grading a class on an existing Dask cluster (`python -m autograder.grade --scheduler ...`).

The command (the client) keeps what it does locally: intake, the canary, each learner's
sanitizing (`grading.prepare_learner`), the gradebook, the outputs. Only the autograde and
feedback of one learner, the costly part, runs on a worker, which assumes no shared folder:

  - the course comes through Dask: the assignment's source notebooks (solutions/), scattered
    once; each worker makes nbgrader's release and gradebook from them once per course, in
    its own folder (`Worker.local_directory`); the course's code and nbgrader are installed
    on the worker (checked before grading: `code_key` must match the client's);
  - notebook 04's training records (training_cache.py), when the command offers them, are
    scattered once as data; each worker lays them out read-only in its own folder once and
    offers that folder to its learners' kernels, as a local run offers the command's;
  - each learner's sanitized notebooks go with their task; the worker grades them in a course
    folder of that learner alone, with a private copy of the gradebook, through the same
    forked child as a local run (`course.LearnerGrading`), and removes the folder after;
  - what comes back is data (`Graded`): the outcome, the learner's rows of the gradebook,
    the autograded notebooks and the feedback pages, which the client writes into its course
    folder and gradebook before reading them as it reads a local learner (`finish_learner`).
    A gradebook that every worker reaches (PostgreSQL) would let the worker write its rows
    itself; then `gradebook` is None and the client merges nothing.

A worker that dies mid-learner loses nothing: the scheduler grades that learner again on
another worker (up to `distributed.scheduler.allowed-failures` times); past that, the learner
needs attention with the reason (`worker_lost`). The forked child dies with the worker
(course.py's `_die_with_parent`), and the confined kernel with the child (bwrap
--die-with-parent), so nothing keeps running on a machine whose worker was killed.

A nanny starts workers as daemonic processes, which multiprocessing forbids to start
children; workers must run with `distributed.worker.daemon: False` (for example
DASK_DISTRIBUTED__WORKER__DAEMON=False) or `--no-nanny` (docs/instructors.md).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import tempfile
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path

import nbformat

from autograder.limits import Limits
from autograder.pipeline.course import ROOT, SOLUTIONS, Course
from autograder.pipeline.intake import TIMESTAMP
from autograder.pipeline.learner_result import LearnerResult
from autograder.pipeline.reasons import Reason
from autograder.pipeline.training_cache import lay_out, offered, offered_records, record_files

# How long the workers may take to answer the check before grading (their first answer
# imports nbgrader and the course's code).
CHECK_SECONDS = 300
# What a worker returns of nbgrader's stages: files only, never links or anything above them.
RETURNED_STAGES = ("autograded", "feedback")


class ClusterNotReady(RuntimeError):
    """The cluster cannot grade: no worker, a worker that cannot fork, or other code."""


@functools.cache  # a worker runs the code it imported, whatever changes on its disk later
def code_key() -> str:
    """A digest of the course's code and the versions of what grades: equal on the client and
    on every worker, or a worker would grade with other checks than the canary passed."""
    from autograder.pipeline.canary import GRADING_DISTRIBUTIONS

    digest = hashlib.sha256()
    for name in GRADING_DISTRIBUTIONS:
        digest.update(f"{name}={metadata.version(name)}\0".encode())
    for package in ("augcourse", "autograder"):
        for path in sorted((ROOT / package).rglob("*")):
            if path.is_file() and path.suffix in (".py", ".j2", ".json"):
                if "__pycache__" not in path.parts:
                    digest.update(str(path.relative_to(ROOT)).encode() + b"\0")
                    digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def is_daemonic() -> bool:
    """Whether this (worker) process may not start children."""
    import multiprocessing

    return multiprocessing.current_process().daemon


def worker_state() -> dict:
    """What the client checks of each worker before grading (run on the worker; its first
    run imports what grading needs, some seconds)."""
    from autograder.plugins.sandbox import PASSED_ENVIRONMENT, protections

    return {
        "code": code_key(),
        "protections": protections(),
        "environment": {name: os.environ.get(name, "") for name in PASSED_ENVIRONMENT},
    }


def _other_settings(states: dict[str, dict]) -> list[str]:
    """The workers whose settings that reach learners' kernels (autograder/plugins/sandbox.py's
    PASSED_ENVIRONMENT: the experiment's length, OpenBLAS) differ from this machine's, which
    the canary passed with, each with what differs."""
    from autograder.plugins.sandbox import PASSED_ENVIRONMENT

    here = {name: os.environ.get(name, "") for name in PASSED_ENVIRONMENT}
    found = []
    for address, state in sorted(states.items()):
        theirs = state.get("environment", {})
        differ = [
            f"{n}={theirs.get(n, '')!r} (here {v!r})"
            for n, v in here.items()
            if theirs.get(n, "") != v
        ]
        if differ:
            found.append(f"{address}: {', '.join(differ)}")
    return found


def check_workers(client) -> int:
    """Raise ClusterNotReady unless every worker can grade; returns how many there are.
    (A worker that joins later is checked by each task: `grade_on_worker`'s `code`.)"""
    from distributed import wait

    daemonic = sorted(address for address, yes in client.run(is_daemonic).items() if yes)
    daemonic_problem = (
        f"workers {', '.join(daemonic)} run as daemonic processes (started by a nanny), "
        "which cannot start the per-learner grading process: start them with "
        "DASK_DISTRIBUTED__WORKER__DAEMON=False (or `dask worker --no-nanny`)"
    )
    # As tasks, one pinned to each worker, not client.run: hashing the code must not stall
    # the worker's event loop (and with it its heartbeats).
    addresses = list(client.scheduler_info(n_workers=-1)["workers"])
    pinned = {
        address: client.submit(
            worker_state, workers=[address], allow_other_workers=False, pure=False
        )
        for address in addresses
    }
    done, waiting = wait(list(pinned.values()), timeout=CHECK_SECONDS)
    if waiting:
        raise ClusterNotReady(
            f"workers of {client.scheduler.address} did not answer within {CHECK_SECONDS} s"
        )
    states = dict(zip(pinned, client.gather(list(pinned.values())), strict=True))
    if not states:
        raise ClusterNotReady(f"the Dask cluster at {client.scheduler.address} has no worker")
    # Both problems at once: each needs the worker restarted, so the instructor fixes both.
    problems = [daemonic_problem] if daemonic else []
    other_settings = _other_settings(states)
    if other_settings:
        problems.append(
            "workers grade with other settings than this machine, which the reference passed "
            f"with ({'; '.join(other_settings)}): start them with the same environment"
        )
    if problems:
        raise ClusterNotReady("; and ".join(problems))
    mine = code_key()
    other = sorted(address for address, state in states.items() if state["code"] != mine)
    if other:
        raise ClusterNotReady(
            f"workers {', '.join(other)} have other course code or package versions than this "
            "machine: install the same commit of the course (pip install -e .) on every worker"
        )
    from autograder.plugins.sandbox import protections

    here = set(protections()[0])
    weaker = sorted(
        address
        for address, state in states.items()
        if here - set(state["protections"][0])  # the canary passed with these on
    )
    if weaker:
        raise ClusterNotReady(
            f"workers {', '.join(weaker)} confine learner code less than this machine "
            "(python -m autograder.plugins.sandbox lists what is on): install bubblewrap there "
            "(make system-packages), or grade where the workers' protections are on"
        )
    return len(states)


def course_files(assignment: str) -> dict[str, bytes]:
    """The assignment's source folder as data: {path inside it: bytes}."""
    folder = SOLUTIONS / assignment
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.is_symlink() and ".ipynb_checkpoints" not in path.parts
    }


@dataclass
class Graded:
    """What a worker returns for one learner: all of it data, nothing on a shared disk.

    outcome: LearnerGrading.outcome(). gradebook: the learner's rows (`gradebook_rows`),
    or None when the worker wrote them into a shared gradebook itself. files: {stage:
    {path inside the learner's folder of that stage: bytes}}."""

    outcome: dict
    gradebook: dict | None
    files: dict[str, dict[str, bytes]]
    worker: str


# --- on the worker --------------------------------------------------------------------

_templates: dict[tuple[str, str], Path] = {}
_templates_lock = threading.Lock()
_records: dict[tuple[str, str], Path] = {}
_fork_lock = threading.Lock()  # the environment the child inherits is the process's


def _course_template(local: Path, assignment: str, files: dict[str, bytes]) -> Path:
    """This worker's release of the course: the source folder and a gradebook holding the
    assignment and nothing else, made once per worker and course."""
    key = hashlib.sha256(
        json.dumps({k: hashlib.sha256(v).hexdigest() for k, v in files.items()}).encode()
        + assignment.encode()
    ).hexdigest()[:16]
    with _templates_lock:
        if (str(local), key) in _templates:
            return _templates[(str(local), key)]
        base = local / f"course-{key}"
        shutil.rmtree(base, ignore_errors=True)
        for name, data in files.items():
            path = base / "source" / assignment / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        Course(base / "template", source=base / "source", assignment=assignment).generate_release()
        _templates[(str(local), key)] = base
        return base


def _training_records(local: Path, files: dict[str, bytes] | None) -> Path | None:
    """This worker's read-only copy of the command's training records, laid out once per
    worker and set of records; None when the command offered none."""
    if not files:
        return None
    key = hashlib.sha256(
        json.dumps({k: hashlib.sha256(v).hexdigest() for k, v in sorted(files.items())}).encode()
    ).hexdigest()[:16]
    with _templates_lock:
        if (str(local), key) not in _records:
            _records[(str(local), key)] = lay_out(files, local / f"training-{key}")
        return _records[(str(local), key)]


def _read_stage(folder: Path) -> dict[str, bytes]:
    """Regular files under `folder`, by relative path; links are never followed."""
    found = {}
    if folder.is_symlink():
        return found
    for where, _, names in os.walk(folder, followlinks=False):
        for name in sorted(names):
            path = Path(where) / name
            if path.is_file() and not path.is_symlink():
                found[str(path.relative_to(folder))] = path.read_bytes()
    return found


def gradebook_rows(course: Course, learner: str) -> dict | None:
    """The learner's submission in the course's gradebook, as plain data; None if there is
    none (nbgrader recorded nothing)."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(course.db_url) as gradebook:
        try:
            submission = gradebook.find_submission(course.assignment, learner)
        except MissingEntry:
            return None
        return {
            "timestamp": submission.timestamp.isoformat() if submission.timestamp else None,
            "notebooks": {
                notebook.name: {
                    "flagged": notebook.flagged,
                    "late_submission_penalty": notebook.late_submission_penalty,
                    "grades": {
                        grade.name: {
                            "auto_score": grade.auto_score,
                            "manual_score": grade.manual_score,
                            "extra_credit": grade.extra_credit,
                            "needs_manual_grade": grade.needs_manual_grade,
                        }
                        for grade in notebook.grades
                    },
                    "comments": {
                        comment.name: {
                            "auto_comment": comment.auto_comment,
                            "manual_comment": comment.manual_comment,
                        }
                        for comment in notebook.comments
                    },
                }
                for notebook in submission.notebooks
            },
        }


def grade_on_worker(
    files: dict[str, bytes],
    assignment: str,
    learner: str,
    notebooks: dict[str, str],
    limits: Limits,
    seed: str,
    code: str,
    received: str | None = None,
    duedate: datetime | None = None,
    records: dict[str, bytes] | None = None,
) -> Graded:
    """A Dask task: grade one learner's sanitized notebooks ({file name: JSON text}) in a
    folder of this worker's own, and return everything as data. code: the client's
    `code_key`, which this worker's must equal. received: the submission's timestamp.txt and
    duedate: the assignment's due date in the command's gradebook, so that nbgrader applies
    the late penalty here as it would on the command's machine. records: the training
    records the command offers (`training_cache.record_files`), offered to the learner's
    kernel from this worker's own copy; None offers none, as locally."""
    from distributed import get_worker

    from autograder.pipeline.course import LearnerGrading

    if code_key() != code:
        raise RuntimeError(
            "this worker has other course code or package versions than the grading command"
        )
    worker = get_worker()
    local = Path(worker.local_directory) / "course-grading"
    base = _course_template(local, assignment, files)
    offer = _training_records(local, records)
    work = Path(tempfile.mkdtemp(prefix="learner-", dir=base))
    try:
        course = Course(work, source=base / "source", assignment=assignment)
        shutil.copyfile(base / "template" / "gradebook.db", work / "gradebook.db")
        # The release beside the learner's course, as locally: grading compares the learner's
        # demonstration cells with it (autograder/plugins/demonstrations.py).
        shutil.copytree(base / "template" / "release", work / "release")
        course.submit(learner, {n: nbformat.reads(t, as_version=4) for n, t in notebooks.items()})
        if received is not None:
            (course.stage_folder("submitted", learner) / TIMESTAMP).write_text(received)
        if duedate is not None:
            from nbgrader.api import Gradebook

            with Gradebook(course.db_url) as gradebook:
                gradebook.update_or_create_assignment(assignment, duedate=duedate)
        with _fork_lock, offered(offer):  # the forked child and its kernel inherit both
            os.environ["COURSE_GRADING_SEED"] = seed
            grading = LearnerGrading(course, learner, limits.cell_seconds, limits.learner_seconds)
        while not grading.done():
            time.sleep(0.05)
        outcome = grading.outcome()
        return Graded(
            outcome=outcome,
            gradebook=gradebook_rows(course, learner),
            files={s: _read_stage(course.stage_folder(s, learner)) for s in RETURNED_STAGES},
            worker=worker.address,
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


# --- on the client --------------------------------------------------------------------


def store_graded(course: Course, learner: str, graded: Graded) -> None:
    """Write what a worker returned into the client's course folder and gradebook, where
    `finish_learner`, Formgrader and the exports read it."""
    for stage, files in graded.files.items():
        folder = course.stage_folder(stage, learner)
        shutil.rmtree(folder, ignore_errors=True)
        for name, data in files.items():
            path = (folder / name).resolve()
            if not path.is_relative_to(folder.resolve()):
                continue  # a path that leaves the learner's folder is never written
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    if graded.gradebook is not None:
        store_gradebook_rows(course, learner, graded.gradebook)


def store_gradebook_rows(course: Course, learner: str, rows: dict) -> None:
    """Recreate the learner's submission in the course's gradebook from `gradebook_rows`."""
    from nbgrader.api import Gradebook, MissingEntry
    from sqlalchemy.exc import SAWarning

    with Gradebook(course.db_url) as gradebook, warnings.catch_warnings():
        # add_submission builds its rows before adding them to the session, as it does in
        # nbgrader's own autograde; SQLAlchemy's note about that says nothing of the result.
        warnings.simplefilter("ignore", SAWarning)
        try:
            gradebook.remove_submission(course.assignment, learner)
        except MissingEntry:
            pass
        gradebook.update_or_create_student(learner)
        extra = {"timestamp": rows["timestamp"]} if rows["timestamp"] else {}
        submission = gradebook.add_submission(course.assignment, learner, **extra)
        for notebook in submission.notebooks:
            recorded = rows["notebooks"].get(notebook.name)
            if recorded is None:
                continue
            notebook.flagged = recorded["flagged"]
            notebook.late_submission_penalty = recorded["late_submission_penalty"]
            for grade in notebook.grades:
                for field, value in recorded["grades"].get(grade.name, {}).items():
                    setattr(grade, field, value)
            for comment in notebook.comments:
                for field, value in recorded["comments"].get(comment.name, {}).items():
                    setattr(comment, field, value)
        gradebook.db.commit()


def lost_reason(error: BaseException) -> Reason:
    """Why a learner whose task failed on the cluster is not graded."""
    from distributed.scheduler import KilledWorker

    if isinstance(error, KilledWorker):
        return Reason(
            "worker_lost",
            "the Dask workers grading this learner died "
            f"{error.allowed_failures + 1} times; grade the learner again",
        )
    return Reason("grader_crashed", f"the grader crashed on a Dask worker ({error!r})")


def connect(scheduler: str, seconds: float = 60):
    """A Dask client of the cluster at `scheduler`, its workers checked (`check_workers`);
    raises ClusterNotReady when it cannot be reached or cannot grade."""
    from distributed import Client

    try:
        client = Client(scheduler, timeout=f"{seconds}s")
    except (OSError, ValueError) as error:  # refused, timed out, or not an address
        raise ClusterNotReady(f"cannot reach the Dask scheduler at {scheduler}: {error}") from None
    try:
        check_workers(client)
    except BaseException:
        client.close()
        raise
    return client


def cluster_grading(scheduler: str, seconds: float = 60) -> Callable[..., list[LearnerResult]]:
    """`grading.grade_learners` on the Dask cluster at `scheduler` (tcp://HOST:PORT). The
    cluster is reached and checked now, before the canary; the client is closed once the
    learners are graded (or when the command ends, if the canary stops it first)."""
    client = connect(scheduler, seconds)

    def grade(
        course: Course,
        submissions: list,
        points: dict[str, dict[str, float]],
        limits: Limits,
        workers: int = 1,
        on_result: Callable[[LearnerResult], None] = lambda result: None,
        released: dict | None = None,
    ) -> list[LearnerResult]:
        """`workers` is unused: the cluster's workers and their threads say how many at once."""
        try:
            check_workers(client)  # again: workers may have come or gone during the canary
            return _grade_on(client, course, submissions, points, limits, on_result, released)
        finally:
            client.close()

    return grade


def _duedate(course: Course) -> datetime | None:
    """The assignment's due date in the command's gradebook (from Formgrader's, course_book.py)."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(course.db_url) as gradebook:
        try:
            return gradebook.find_assignment(course.assignment).duedate
        except MissingEntry:
            return None


def _grade_on(client, course, submissions, points, limits, on_result, released):
    from distributed import as_completed

    from autograder.pipeline.grading import finish_learner, prepare_learner

    seed, code = os.environ.get("COURSE_GRADING_SEED", ""), code_key()
    files = client.scatter(course_files(course.assignment), broadcast=False, hash=True)
    # The training records offered here (grading.py's `offered`) are not on the workers' disks.
    offer = offered_records()
    records = (
        client.scatter(record_files(offer), broadcast=False, hash=True)
        if offer is not None
        else None
    )
    duedate = _duedate(course)
    prepared, futures = {}, {}
    for submission in submissions:
        ready = prepare_learner(course, submission, points, released)
        prepared[submission.learner] = ready
        if ready.clean:
            notebooks = {name: nbformat.writes(nb) for name, nb in ready.clean.items()}
            stamp = course.stage_folder("submitted", submission.learner) / TIMESTAMP
            future = client.submit(
                grade_on_worker,
                files,
                course.assignment,
                submission.learner,
                notebooks,
                limits,
                seed,
                code,
                stamp.read_text() if stamp.is_file() else None,
                duedate,
                records,
                key=f"grade-{submission.learner}-{os.urandom(4).hex()}",
                pure=False,
            )
            futures[future] = submission.learner
    results: dict[str, LearnerResult] = {}
    for learner, ready in prepared.items():
        if not ready.clean:  # nothing to grade: decided here, as a local run does
            results[learner] = finish_learner(course, ready, None, points, limits)
            on_result(results[learner])
    for future in as_completed(list(futures)):
        learner = futures[future]
        ready = prepared[learner]
        if future.status == "finished":
            graded = future.result()
            store_graded(course, learner, graded)
            results[learner] = finish_learner(course, ready, graded.outcome, points, limits)
        else:  # the workers died too often, or the task itself failed
            ready.attention.append(lost_reason(future.exception()))
            results[learner] = finish_learner(course, ready, None, points, limits)
        on_result(results[learner])
    return [results[s.learner] for s in submissions]
