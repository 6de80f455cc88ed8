"""Confinement of learner code while grading: the kernel runs inside bubblewrap.

What the learner's kernel gets (see `bwrap_argv`):
  * its own notebook folder (the autograded copy) as the only writable place, plus a
    private /tmp; the system, Python, the virtual environment and the learner package
    `augcourse` read-only; nothing else of the project (no `autograder`, no
    `solutions/`, no gradebook, no other learner);
  * no network (a network namespace of its own), its own process namespace, a clean
    environment (no grading seed);
  * limits: address space, CPU time, file size, open files (rlimits), and a maximum
    number of processes (a cgroup's pids.max, where the machine lets us make one).

The kernel talks to the grader over unix sockets (IPC transport) in a runtime folder of
its own. Where bubblewrap is missing the kernel runs unconfined with the rlimits only, and
`protections()` says so loudly.

Used by nbgrader through a kernelspec (`write_kernelspec`) whose command is
`python -m autograder.plugins.sandbox kernel -f {connection_file}`.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import sys
import uuid
from pathlib import Path

from autograder.limits import (
    KERNEL_CPU_SECONDS,
    KERNEL_FILE_BYTES,
    KERNEL_MEMORY_BYTES,
    KERNEL_OPEN_FILES,
    KERNEL_PROCESSES,
)
from autograder.pipeline.gradebook import PASSWORD_VARIABLE

ROOT = Path(__file__).resolve().parents[2]
# augcourse/run_records.py's variables: records offered (read-only), records saved
RUN_RECORDS = ("AUGCOURSE_REUSE_RUNS", "AUGCOURSE_SAVE_RUNS")
LEARNER_PACKAGE = ROOT / "augcourse"

MEMORY_BYTES = KERNEL_MEMORY_BYTES
CPU_SECONDS = KERNEL_CPU_SECONDS
FILE_BYTES = KERNEL_FILE_BYTES
OPEN_FILES = KERNEL_OPEN_FILES
MAX_PROCESSES = KERNEL_PROCESSES
PIDS_CGROUP = Path("/sys/fs/cgroup/pids")  # cgroup v1 pids controller, where mounted


# The grader's environment variables a learner's kernel sees, as they change what it computes:
# COURSE_FAST (set by the course's tests) shortens notebook 04's experiment, the OpenBLAS ones
# pick its kernels. What depends on a kernel's results (the canary, the training records) is
# keyed by them too.
PASSED_ENVIRONMENT = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "COURSE_FAST")


def bwrap() -> str | None:
    return shutil.which("bwrap")


def pids_cgroup_root() -> Path | None:
    """Where a pids cgroup can be made for a kernel, or None."""
    for candidate in (PIDS_CGROUP, Path("/sys/fs/cgroup")):
        if (candidate / "pids.max").exists() or (candidate / "cgroup.procs").exists():
            if candidate == Path("/sys/fs/cgroup") and "pids" not in _read(
                candidate / "cgroup.subtree_control"
            ):
                continue
            if os.access(candidate, os.W_OK):
                return candidate
    return None


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def protections() -> tuple[list[str], list[str]]:
    """(what is on, what is off) for the learner's kernel on this machine."""
    on, off = [], []
    if bwrap():
        on += [
            "bubblewrap: read-only system, only its own folder writable, no network, own process namespace"
        ]
    else:
        off += [
            "bubblewrap is not installed: learner code runs unconfined (it can read files, "
            "use the network and see other learners); install it with `apt-get install bubblewrap`"
        ]
    on += [
        f"limits: {MEMORY_BYTES // 1024**3} GiB memory, {CPU_SECONDS} s CPU, {FILE_BYTES // 1024**2} MiB files"
    ]
    if pids_cgroup_root():
        on += [f"at most {MAX_PROCESSES} processes (cgroup)"]
    else:
        off += ["no cgroup for a process limit: a fork bomb is stopped only by the time limits"]
    return on, off


def write_kernelspec(folder: Path) -> Path:
    """A kernelspec named python3 that starts the confined kernel; put `folder` on JUPYTER_PATH."""
    spec = folder / "kernels" / "python3"
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [
                    sys.executable,
                    "-m",
                    "autograder.plugins.sandbox",
                    "kernel",
                    "-f",
                    "{connection_file}",
                ],
                "display_name": "Python 3 (confined for grading)",
                "language": "python",
            }
        )
    )
    return folder


def bwrap_argv(workdir: Path, runtime: Path, kernel_argv: list[str]) -> list[str]:
    """The bubblewrap command that runs kernel_argv confined (see the module docstring)."""
    binds = ["--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc"]
    for link in ("bin", "lib", "lib64", "sbin"):
        target = Path("/") / link
        if target.is_symlink():
            binds += ["--symlink", os.readlink(target), str(target)]
        elif target.exists():
            binds += ["--ro-bind", str(target), str(target)]
    for folder in {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve()}:
        binds += ["--ro-bind", str(folder), str(folder)]
    binds += ["--ro-bind", str(LEARNER_PACKAGE), str(LEARNER_PACKAGE)]
    binds += ["--bind", str(runtime), str(runtime), "--bind", str(workdir), str(workdir)]
    environment = {
        "PATH": f"{Path(sys.prefix) / 'bin'}:/usr/bin:/bin",
        "HOME": "/tmp/home",
        "IPYTHONDIR": "/tmp/home/.ipython",
        "MPLCONFIGDIR": "/tmp/home/.matplotlib",
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "OPENBLAS_NUM_THREADS": "1",
    }
    # COURSE_FAST=1 (set by the course's tests) shortens notebook 04's experiment; the
    # reference and the learners then run the same short form.
    # Notebook 04's training records, made once by the grader (pipeline/training_cache.py),
    # are offered read-only; only the grader's own run of the solution saves records.
    for name in (*PASSED_ENVIRONMENT, *RUN_RECORDS):
        if name in os.environ:
            environment[name] = os.environ[name]
    records = os.environ.get(RUN_RECORDS[0])
    if records and Path(records).is_dir():
        binds += ["--ro-bind", records, records]
    env_args = [arg for name, value in environment.items() for arg in ("--setenv", name, value)]
    return [
        bwrap(),
        "--die-with-parent",
        "--new-session",
        "--unshare-all",
        "--clearenv",
        *env_args,
        # A private /tmp first: the binds below may lie under /tmp and must stay visible.
        "--tmpfs", "/tmp",
        "--dir", "/tmp/home",
        *binds,
        "--proc", "/proc",
        "--dev", "/dev",
        "--chdir", str(workdir),
        *kernel_argv,
    ]  # fmt: skip


def _limit_resources() -> None:
    for limit, value in [
        (resource.RLIMIT_AS, MEMORY_BYTES),
        (resource.RLIMIT_CPU, CPU_SECONDS),
        (resource.RLIMIT_FSIZE, FILE_BYTES),
        (resource.RLIMIT_NOFILE, OPEN_FILES),
        (resource.RLIMIT_CORE, 0),
    ]:
        try:
            resource.setrlimit(limit, (value, value))
        except (ValueError, OSError):
            pass


def _join_pids_cgroup() -> None:
    """Put this process (and so everything it starts) in a fresh cgroup with pids.max."""
    root = pids_cgroup_root()
    if root is None:
        return
    parent = root / "course-grading"
    try:
        parent.mkdir(exist_ok=True)
        for old in parent.iterdir():  # groups of finished kernels: empty, removable
            try:
                old.rmdir()
            except OSError:
                pass
        group = parent / uuid.uuid4().hex[:12]
        group.mkdir()
        (group / "pids.max").write_text(str(MAX_PROCESSES))
        (group / "cgroup.procs").write_text(str(os.getpid()))
    except OSError:
        pass


def launch_kernel(connection_file: str, extra: list[str]) -> None:
    """Replace this process by the confined kernel (never returns)."""
    workdir = Path.cwd()
    connection = Path(connection_file).resolve()
    kernel = [sys.executable, "-m", "ipykernel_launcher", "-f", str(connection), *extra]
    _join_pids_cgroup()
    _limit_resources()
    # bubblewrap clears the environment; unconfined, the kernel must not inherit the
    # PostgreSQL gradebook's password (autograder/pipeline/gradebook.py) either.
    os.environ.pop(PASSWORD_VARIABLE, None)
    argv = bwrap_argv(workdir, connection.parent, kernel) if bwrap() else kernel
    os.execv(argv[0], argv)


def main(argv: list[str]) -> None:
    if len(argv) >= 3 and argv[0] == "kernel" and argv[1] == "-f":
        launch_kernel(argv[2], argv[3:])  # nbgrader appends kernel options (history in memory)
    on, off = protections()
    print("\n".join([*(f"on:  {p}" for p in on), *(f"OFF: {p}" for p in off)]))


if __name__ == "__main__":
    main(sys.argv[1:])
