"""Grading on a Dask cluster (autograder/pipeline/distributed.py): a real `dask scheduler` and
two `dask worker` processes on 127.0.0.1, started and stopped here.

One run grades four learners of the sample class that cover every outcome (right: reference;
wrong: ada; broken JSON: eve; a kernel that dies: hugo) and, while it runs, a worker is killed
in the middle of a learner. Everything must equal the local run of the same learners (the
session's `graded_sample_class`): scores, statuses, every test's verdict and message, and the
feedback pages; the killed learner is graded again elsewhere (or needs attention saying the
workers died), and nothing of the killed grading keeps running.

Notebook 04 on the cluster reuses the command's training records, which reach the workers as
data: each worker's kernels read its own read-only copy, never the command's folder, and the
points and messages equal the local run's (COURSE_FAST=1: the experiment's short form).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import psutil
import pytest
from sample_class import LIMITS, record, regrade_folders
from system_tools import needs_bubblewrap

from augcourse.run_records import REUSE_VARIABLE, REUSED
from autograder import grade
from autograder.exercises.samples import (
    EXPERIMENT,
    EXPERIMENT_NOTEBOOK,
    misread_experiment,
    solved_release,
)
from autograder.pipeline.course import ASSIGNMENT, SOLUTIONS, Course
from autograder.pipeline.distributed import ClusterNotReady, connect
from autograder.pipeline.grading import grade_class

pytestmark = [pytest.mark.nbgrader, needs_bubblewrap]

DASK = Path(sys.executable).with_name("dask")
SUBSET = ["reference", "ada", "eve", "hugo"]
# The workers as docs/instructors.md starts them: a nanny whose worker is not daemonic;
# notebook 04's short experiment, as the command's (set below) and the tests' runs.
WORKER_ENV = {"DASK_DISTRIBUTED__WORKER__DAEMON": "False", "COURSE_FAST": "1"}
# A learner's cell that shows which folder of records their kernel was offered.
SHOWS_RECORDS = f"""\
import os

print("records offered:", os.environ.get({REUSE_VARIABLE!r}))
"""


def wait_for(condition, what: str, seconds: float = 180):
    """condition()'s first truthy value; fails after `seconds` (generous: a busy 2-core CI)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"waited {seconds} s for {what}")


def address_in(scheduler_file: Path) -> str | None:
    """The address the scheduler wrote, once it has written all of its file."""
    try:
        return json.loads(scheduler_file.read_text()).get("address")
    except (OSError, ValueError):
        return None


class Cluster:
    """A scheduler on a free loopback port and its workers, each a process group of ours."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.processes: list[subprocess.Popen] = []
        self.logs: list[Path] = []
        scheduler_file = folder / "scheduler.json"
        self._start(
            "scheduler",
            [
                "scheduler",
                "--host=127.0.0.1",
                "--port=0",
                "--no-dashboard",
                f"--scheduler-file={scheduler_file}",
            ],
        )
        self.address = wait_for(lambda: address_in(scheduler_file), "the scheduler's address")

    def _start(self, name: str, args: list[str], env: dict | None = None) -> subprocess.Popen:
        log = self.folder / f"{name}.log"
        self.logs.append(log)
        process = subprocess.Popen(
            [str(DASK), *args],
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
            start_new_session=True,  # stopped as a group: nanny, worker and what they start
        )
        self.processes.append(process)
        return process

    def add_worker(self, name: str, env: dict | None = None) -> None:
        self._start(
            name,
            [
                "worker",
                self.address,
                "--host=127.0.0.1",
                "--nthreads=1",
                "--no-dashboard",
                f"--name={name}",
                f"--local-directory={self.folder / name}",
            ],
            env,
        )

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    from distributed import Client

    cluster = Cluster(tmp_path_factory.mktemp("dask"))
    try:
        for name in ("w1", "w2"):
            cluster.add_worker(name, WORKER_ENV)
        with Client(cluster.address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=180)
        yield cluster
    finally:
        cluster.stop()


def kernel_under(pid: int) -> list[psutil.Process]:
    """The worker's grading processes once a learner's kernel runs under it, else []."""
    try:
        below = psutil.Process(pid).children(recursive=True)
        if any("ipykernel" in " ".join(p.cmdline()) for p in below):
            return below
    except psutil.Error:
        pass
    return []


def kill_a_worker_mid_learner(address: str, killed: dict) -> None:
    """SIGKILL the first worker seen with a learner's kernel running; note who and what."""
    from distributed import Client

    with Client(address, timeout="60s") as client:
        pids = client.run(os.getpid)

        def grading():
            for worker, keys in client.processing().items():
                if keys and worker in pids:
                    below = kernel_under(pids[worker])
                    if below:
                        return worker, keys[0], below
            return None

        worker, key, below = wait_for(grading, "a worker grading a learner")
        os.kill(pids[worker], signal.SIGKILL)
        killed.update(worker=worker, learner=key.split("-")[1], below=below)


def test_grading_on_dask_equals_the_local_run_and_survives_a_killed_worker(
    cluster, graded_sample_class, canary_records, tmp_path
):
    local = graded_sample_class
    submitted, out = regrade_folders(local, SUBSET, tmp_path)

    killed: dict = {}
    killer = threading.Thread(target=kill_a_worker_mid_learner, args=(cluster.address, killed))
    killer.start()
    lines: list[str] = []
    results = grade_class(
        submitted,
        out,
        progress=lines.append,
        limits=LIMITS,
        reuse_canary_from=canary_records,
        scheduler=cluster.address,
    )
    killer.join(timeout=60)

    # A worker was killed while a learner's kernel ran under it; its grader and kernel died too.
    assert killed.get("learner") in SUBSET, killed
    for process in killed["below"]:
        wait_for(
            lambda p=process: not p.is_running() or p.status() == psutil.STATUS_ZOMBIE,
            f"process {process.pid} of the killed worker to end",
            60,
        )
    by_name = {r.learner: r for r in results}
    lost = by_name[killed["learner"]]
    if lost.reasons and lost.reasons[-1].kind == "worker_lost":
        assert "died" in lost.status  # graded nowhere: the instructor is told why
        del by_name[killed["learner"]]
    # Everything else (and the killed learner, graded again) equals the local run.
    expected = record({"out": local["out"], "results": local["results"]})
    got = record({"out": out, "results": by_name})
    assert got == {name: expected[name] for name in by_name}
    for name in by_name:
        assert [r.kind for r in by_name[name].reasons] == [
            r.kind for r in local["results"][name].reasons
        ]
    # The client's gradebook holds the workers' grades, for Formgrader and the exports.
    course = Course(out / "course", assignment=ASSIGNMENT)
    assert course.scores("ada") == Course(local["out"] / "course").scores("ada")
    assert "ada" in (out / "grades.csv").read_text()
    assert any("Dask cluster" in line for line in lines)
    # Workers keep only their release of the course, no learner's folder.
    left = [p for p in cluster.folder.glob("w*/**/learner-*")]
    assert not left, left


def _grade_04(submitted: Path, out: Path, canary_records: Path, scheduler: str | None = None):
    out.mkdir(parents=True)
    (out / "grading_seed.txt").write_text("20261130")  # the same drawn inputs both ways
    results = grade_class(
        submitted,
        out,
        progress=lambda line: None,
        assignment=EXPERIMENT,
        reuse_canary_from=canary_records,
        workers=2,
        scheduler=scheduler,
    )
    return {r.learner: r for r in results}


def _offered_in(out: Path, learner: str) -> Path:
    page = (out / "feedback" / learner / EXPERIMENT / "04_measuring_the_effect.html").read_text()
    assert f"{REUSED} the grader trained exactly" in page
    (folder,) = re.findall(r"records offered: (\S+)", page)
    return Path(folder)


def test_notebook_04_on_dask_reuses_the_records_sent_to_the_workers(
    cluster, canary_records, tmp_path, monkeypatch
):
    """The workers do not read the command's records folder: they get its records through
    Dask and offer their own read-only copy, so notebook 04 is not retrained there."""
    monkeypatch.setenv("COURSE_FAST", "1")
    # nbgrader's gradebook calls `alembic` by name: the virtual environment's bin folder
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    right = solved_release(f"{EXPERIMENT}/{EXPERIMENT_NOTEBOOK}")
    at = next(i for i, cell in enumerate(right.cells) if cell.get("id") == "setup")
    right.cells.insert(at + 1, nbformat.v4.new_code_cell(SHOWS_RECORDS))
    for learner, notebook in {"lou": right, "kim": misread_experiment()}.items():
        folder = tmp_path / "submitted" / learner / EXPERIMENT
        folder.mkdir(parents=True)
        nbformat.write(notebook, folder / EXPERIMENT_NOTEBOOK)

    local = _grade_04(tmp_path / "submitted", tmp_path / "local", canary_records)
    on_dask = _grade_04(
        tmp_path / "submitted", tmp_path / "dask", canary_records, scheduler=cluster.address
    )

    def table(results):
        return {
            (name, row["test"]): (row["points"], row["status"], row["mistake"], row["message"])
            for name, result in results.items()
            for row in result.rows
        }

    assert table(on_dask) == table(local)
    assert {n: r.score for n, r in on_dask.items()} == {"lou": 6, "kim": 1}
    assert {n: r.status for n, r in on_dask.items()} == {n: r.status for n, r in local.items()}
    assert not any("retrained" in r.status for r in on_dask.values())
    assert not [reason for r in on_dask.values() for reason in r.remarks]
    # Locally the kernel reads the command's records; on the cluster, a worker's own copy.
    records = canary_records / f"training-{EXPERIMENT}" / "runs"
    assert _offered_in(tmp_path / "local", "lou") == records.resolve()
    copy = _offered_in(tmp_path / "dask", "lou")
    assert copy.is_relative_to(cluster.folder) and not copy.is_relative_to(canary_records)
    assert {p.name: p.read_bytes() for p in copy.iterdir()} == {
        p.name: p.read_bytes() for p in records.iterdir()
    }
    assert not any(p.stat().st_mode & 0o222 for p in [copy, *copy.iterdir()])  # read-only


def test_workers_that_cannot_fork_stop_the_command_before_the_canary(
    cluster, tmp_path, capsys, monkeypatch
):
    """A nanny's daemonic worker could not start the per-learner grader, and a worker with
    other settings would grade under other conditions than the reference passed: the command
    stops before grading anything, saying how to start the workers."""
    monkeypatch.setenv("COURSE_FAST", "1")
    from distributed import Client

    submitted = tmp_path / "submitted" / "reference" / ASSIGNMENT
    shutil.copytree(SOLUTIONS / ASSIGNMENT, submitted)
    # The nanny's default, a daemonic worker, and with a setting that reaches learners'
    # kernels other than this machine's: both are said at once.
    cluster.add_worker("daemonic", {"COURSE_FAST": ""})
    with Client(cluster.address, timeout="60s") as client:
        wait_for(
            lambda: any(
                w.get("name") == "daemonic"
                for w in client.scheduler_info(n_workers=-1)["workers"].values()
            ),
            "the daemonic worker to join",
        )
    out = tmp_path / "out"
    code = grade.main(
        [str(tmp_path / "submitted"), "--out", str(out), "--scheduler", cluster.address]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "DASK_DISTRIBUTED__WORKER__DAEMON=False" in err
    assert "other settings" in err and "COURSE_FAST='' (here '1')" in err
    assert not (out / "canary").exists()


def test_a_scheduler_that_cannot_be_reached_is_said_so(tmp_path):
    with socket.socket() as probe:  # a loopback port nothing listens on
        probe.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{probe.getsockname()[1]}"
    with pytest.raises(ClusterNotReady, match=f"cannot reach the Dask scheduler at {address}"):
        connect(address, seconds=2)


def test_a_workers_files_come_without_links_and_land_only_in_the_learners_folder(tmp_path):
    from autograder.pipeline.distributed import Graded, _read_stage, store_graded

    graded_folder = tmp_path / "worker" / "autograded"
    (graded_folder / "sub").mkdir(parents=True)
    (graded_folder / "01_cutout.ipynb").write_text("{}")
    (graded_folder / "sub" / "page.html").write_text("<p>")
    (graded_folder / "secrets").symlink_to("/etc")
    (graded_folder / "passwd").symlink_to("/etc/passwd")
    files = _read_stage(graded_folder)
    assert files == {"01_cutout.ipynb": b"{}", "sub/page.html": b"<p>"}

    course = Course(tmp_path / "course", assignment=ASSIGNMENT)
    files["../../../../outside.txt"] = b"no"
    store_graded(course, "ada", Graded({}, None, {"autograded": files}, "tcp://worker"))
    landed = course.stage_folder("autograded", "ada")
    assert (landed / "sub" / "page.html").read_text() == "<p>"
    assert not list(tmp_path.rglob("outside.txt"))
