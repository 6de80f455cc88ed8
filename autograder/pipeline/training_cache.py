"""Notebook 04's training, done once per course instead of once for every learner.

Notebook 04 trains its networks (`augcourse.runs.run_experiment`) in its own cells, the same
runs for every learner who left the settings, seeds and methods as released. Before the
learners are graded, the grader runs the solution notebook's cells up to its last training
cell in a confined kernel of its own (the learners' kernel, `autograder/plugins/sandbox.py`,
so the numbers are computed the same way), which writes a record of each run
(`augcourse/run_records.py`). The records are then given read-only to every learner's kernel
(`AUGCOURSE_REUSE_RUNS`): a run whose key matches a record returns its results instead of
training; any run that differs (settings, seeds, an augmentation redefined, the course's
training functions replaced) trains, and its output says what differed; the learner's notes
and status say "retrained". Nothing is ever read back from a learner's kernel.

The records are kept in a folder with the digest of everything they depend on (as the
canary's, plus the environment that shortens or threads the training); a later run with the
same digest reuses them, any change makes them again. Runs that share the folder wait for
each other (a lock), so they are made once.

Graded on a Dask cluster (distributed.py), the learners' kernels run on machines that do not
see this folder: the records travel to each worker as data (`record_files`), which lays them
out read-only in a folder of its own (`lay_out`) and offers that folder to its kernels the
same way; the keys decide there as here.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import nbformat

from augcourse.run_records import RETRAINED, REUSE_VARIABLE, SAVE_VARIABLE
from autograder.limits import limits_for
from autograder.pipeline.canary import canary_key
from autograder.pipeline.course import SOLUTIONS, Course, notebook_names, read_notebook
from autograder.pipeline.reasons import Reason

TRAINS = "run_experiment("  # a code cell that trains calls this


def trains(assignment: str) -> bool:
    """Whether the assignment's solution notebooks train (notebook 04 does)."""
    return any(
        TRAINS in cell.source
        for name in notebook_names(SOLUTIONS / assignment)
        for cell in read_notebook(SOLUTIONS / assignment / name).cells
        if cell.cell_type == "code"
    )


def records_key(assignment: str) -> str:
    """A digest of everything the records depend on: what the canary depends on (solutions,
    the course's code, package versions, interpreter, confinement, limits and the environment
    passed to the kernel, which shortens or threads the training)."""
    return hashlib.sha256(f"training records {canary_key(assignment)}".encode()).hexdigest()


def prepare_records(
    folder: Path, assignment: str, progress: Callable[[str], None] = print
) -> Path | None:
    """The folder of training records for `assignment`, made now or reused from `folder`;
    None when the assignment does not train or the records could not be made (every
    learner then trains, as without records)."""
    if not trains(assignment):
        return None
    folder.mkdir(parents=True, exist_ok=True)
    records = folder / f"training-{assignment}"
    key = records_key(assignment)
    with open(folder / f"training-{assignment}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another run making the same records: wait for it
        stamp = records / "key.json"
        try:
            known = json.loads(stamp.read_text())
        except (OSError, ValueError):
            known = {}
        if known.get("key") == key:
            progress(f"  training: reused, {known['runs']} runs made at {known['made_at']}")
            return records / "runs"
        _remove(records)
        started = time.perf_counter()
        try:
            runs = _record(assignment, records / "runs")
        except (RuntimeError, subprocess.SubprocessError, OSError) as error:
            _remove(records)
            progress(f"  training: no records ({error}); every learner trains")
            return None
        seconds = time.perf_counter() - started
        made_at = time.strftime("%Y-%m-%d %H:%M:%S")
        stamp.write_text(json.dumps({"key": key, "runs": runs, "made_at": made_at}))
        progress(f"  training: {runs} runs trained once for the class ({seconds:.1f} s)")
        return records / "runs"


@contextmanager
def offered(records: Path | None):
    """Offer `records` to the learners' kernels while the block runs (the sandbox binds the
    folder read-only and passes the variable on); None offers nothing."""
    before = os.environ.pop(REUSE_VARIABLE, None)
    if records is not None:  # absolute: the kernels run in folders of their own
        os.environ[REUSE_VARIABLE] = str(Path(records).resolve())
    try:
        yield
    finally:
        os.environ.pop(REUSE_VARIABLE, None)
        if before is not None:
            os.environ[REUSE_VARIABLE] = before


def offered_records() -> Path | None:
    """The records offered now (`offered`), for a grader that sends them elsewhere."""
    folder = os.environ.get(REUSE_VARIABLE)
    return Path(folder) if folder else None


def record_files(records: Path) -> dict[str, bytes]:
    """The records in `records` as data: {file name: JSON bytes}."""
    return {path.name: path.read_bytes() for path in sorted(records.glob("*.json"))}


def lay_out(files: dict[str, bytes], folder: Path) -> Path:
    """Write records received as data (`record_files`) read-only into `folder`/runs, made
    anew, and return that folder to offer. A file that is not a well-formed record under its
    own key is left out (the run it would have matched trains, and says so)."""
    _remove(folder)
    runs = folder / "runs"
    runs.mkdir(parents=True)
    for name, data in files.items():
        if Path(name).name != name or not name.endswith(".json"):
            continue  # never a path out of the folder
        try:
            record = json.loads(data)
        except ValueError:
            continue
        if _well_formed(Path(name).stem, record):
            target = runs / name
            target.write_bytes(data)
            target.chmod(0o444)
    runs.chmod(0o555)
    return runs


def _well_formed(key: str, record) -> bool:
    """Whether `record` is a record of the run `key`: that key and a table of rows."""
    return (
        isinstance(record, dict)
        and record.get("key") == key
        and isinstance(record.get("rows"), list)
        and all(isinstance(row, dict) for row in record["rows"])
    )


def retrained(course: Course, learner: str) -> list[Reason]:
    """Why the learner's notebooks trained although records were offered, as their runs
    said in their outputs (informational: no grade depends on it)."""
    found = []
    for path in sorted(course.stage_folder("autograded", learner).glob("*.ipynb")):
        try:
            notebook = read_notebook(path)
        except Exception:  # an unreadable notebook is reported elsewhere
            continue
        lines = [
            line[len(RETRAINED) :].strip()
            for cell in notebook.cells
            for output in cell.get("outputs", [])
            if output.get("output_type") == "stream"
            for line in str(output.get("text", "")).splitlines()
            if line.startswith(RETRAINED)
        ]
        if lines:
            # "these runs differ from the grader's in the seeds, so they were trained here."
            why = "; ".join(dict.fromkeys(line.split(", so ")[0].rstrip(".") for line in lines))
            found.append(Reason("retrained", f"retrained: {why}").about(path.name))
    return found


def _remove(folder: Path) -> None:
    if folder.exists():
        subprocess.run(["chmod", "-R", "u+rwx", str(folder)], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def _record(assignment: str, into: Path) -> int:
    """Run the solution's cells up to its last training cell in a confined kernel that saves
    a record of each run; check the records and keep them read-only in `into`."""
    with tempfile.TemporaryDirectory(prefix="training-") as scratch:
        workdir = Path(scratch) / "work"
        workdir.mkdir()
        saved = workdir / "runs"
        for name in notebook_names(SOLUTIONS / assignment):
            notebook = _training_cells(read_notebook(SOLUTIONS / assignment / name))
            if notebook.cells:
                nbformat.write(notebook, workdir / name)
        env = {**os.environ, SAVE_VARIABLE: str(saved)}
        env.pop(REUSE_VARIABLE, None)
        limits = limits_for(assignment)
        for path in sorted(workdir.glob("*.ipynb")):
            process = subprocess.run(
                [sys.executable, "-m", __name__, str(path), str(limits.cell_seconds)],
                env=env,
                capture_output=True,
                text=True,
                timeout=limits.learner_seconds,
            )
            if process.returncode != 0:
                raise RuntimeError(f"running {path.name} failed: {process.stderr.strip()[-500:]}")
        into.mkdir(parents=True)
        count = 0
        for path in sorted(saved.glob("*.json")):
            record = json.loads(path.read_text())
            if not _well_formed(path.stem, record):
                raise RuntimeError(f"an unexpected record: {path.name}")
            target = into / path.name
            target.write_text(json.dumps(record))
            target.chmod(0o444)
            count += 1
        if not count:
            raise RuntimeError("the solution trained no run")
        into.chmod(0o555)
        return count


def _training_cells(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The code cells up to the last one that trains, without graded test cells (their
    hidden tests import what the confined kernel cannot see)."""
    cells = [
        cell
        for cell in notebook.cells
        if cell.cell_type == "code" and not cell.metadata.get("nbgrader", {}).get("grade")
    ]
    last = max((i for i, cell in enumerate(cells) if TRAINS in cell.source), default=-1)
    notebook = nbformat.from_dict(notebook)
    notebook.cells = cells[: last + 1]
    return notebook


def _execute(path: Path, cell_seconds: int) -> None:
    """Execute a notebook in place in the confined kernel of grading (as the learners' run)."""
    from jupyter_client import KernelManager
    from nbclient import NotebookClient

    from autograder.plugins.sandbox import write_kernelspec

    jupyter = Path(tempfile.mkdtemp(prefix="training-jupyter-"))
    try:
        os.environ["JUPYTER_PATH"] = str(write_kernelspec(jupyter / "data"))
        runtime = jupyter / "runtime"
        runtime.mkdir()
        os.environ["JUPYTER_RUNTIME_DIR"] = str(runtime)
        tempfile.tempdir = str(runtime)  # jupyter_client writes connection files with tempfile
        # The kernel has no network: it talks over unix sockets in its runtime folder.
        manager = KernelManager(kernel_name="python3", transport="ipc", ip=str(runtime / "kernel"))
        notebook = read_notebook(path)
        client = NotebookClient(
            notebook,
            km=manager,
            timeout=cell_seconds,
            resources={"metadata": {"path": str(path.parent)}},
        )
        client.execute()
    finally:
        shutil.rmtree(jupyter, ignore_errors=True)


if __name__ == "__main__":
    _execute(Path(sys.argv[1]), int(sys.argv[2]))
