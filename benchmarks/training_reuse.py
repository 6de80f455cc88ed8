"""Notebook 04 graded with the grader's training records and without them (`--retrain`):
seconds and CPU-seconds per learner.

    .venv/bin/python benchmarks/training_reuse.py [--learners 3] [--workers 1]

The learners are notebook 04's sample class (a right notebook, a misread table, the untouched
release), repeated up to --learners. Both ways grade the same learners, one after the other,
with the canary graded once beforehand and not counted; the time to make the records (once
per course) is reported on its own. CPU-seconds count the grading process and everything it
waited for (forked graders, nbgrader commands), plus the kernels it started, read from /proc
while they run (they live in bubblewrap's PID namespace, are never reaped by a process of
ours, so getrusage misses them). Without COURSE_FAST=1 this is the full experiment, as
learners are graded; the points must come out equal both ways.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import tempfile
import threading
import time
from pathlib import Path

from autograder.exercises.samples import (
    EXPERIMENT,
    EXPERIMENT_NOTEBOOK,
    write_experiment_sample_class,
)
from autograder.pipeline.canary import run_canary
from autograder.pipeline.course import Course
from autograder.pipeline.grading import grade_class
from autograder.pipeline.training_cache import prepare_records


class KernelCPU(threading.Thread):
    """CPU-seconds of the kernels started by this process, sampled from /proc."""

    def __init__(self, interval: float = 0.2):
        super().__init__(daemon=True)
        self.interval, self.seen, self.done = interval, {}, threading.Event()

    def run(self) -> None:
        while not self.done.wait(self.interval):
            for pid in filter(str.isdigit, os.listdir("/proc")):
                try:
                    if b"ipykernel_launcher" not in Path(f"/proc/{pid}/cmdline").read_bytes():
                        continue
                    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                    if self._ours(int(pid)):
                        ticks = int(fields[11]) + int(fields[12])  # utime + stime
                        self.seen[(pid, fields[19])] = ticks / os.sysconf("SC_CLK_TCK")
                except (OSError, ValueError, IndexError):
                    continue

    @staticmethod
    def _ours(pid: int) -> bool:
        while pid > 1:
            if pid == os.getpid():
                return True
            stat = Path(f"/proc/{pid}/stat").read_text()
            pid = int(stat.rsplit(")", 1)[1].split()[1])
        return False

    def seconds(self) -> float:
        return sum(self.seen.values())


KERNELS = KernelCPU()


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    waited = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + waited.ru_utime + waited.ru_stime + KERNELS.seconds()


def measure(step) -> tuple[object, float, float]:
    wall, cpu = time.perf_counter(), cpu_seconds()
    value = step()
    return value, time.perf_counter() - wall, cpu_seconds() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    KERNELS.start()
    root = Path(tempfile.mkdtemp(prefix="training-reuse-"))
    try:
        release = Course(root / "release", assignment=EXPERIMENT).generate_release()
        samples = root / "samples"
        kinds = sorted(write_experiment_sample_class(samples, release))
        submitted = root / "submitted"
        for number in range(args.learners):
            kind = kinds[number % len(kinds)]
            target = submitted / f"{kind}{number}" / EXPERIMENT
            target.mkdir(parents=True)
            shutil.copyfile(
                samples / kind / EXPERIMENT / EXPERIMENT_NOTEBOOK, target / EXPERIMENT_NOTEBOOK
            )
        kept = root / "kept"  # canary and records, as --reuse-canary keeps them
        _, canary_wall, _ = measure(lambda: run_canary(root / "canary-run", EXPERIMENT, kept))
        _, records_wall, records_cpu = measure(lambda: prepare_records(kept, EXPERIMENT, print))
        figures = {
            "learners": args.learners,
            "workers": args.workers,
            "canary_seconds": canary_wall,
        }
        figures["records_seconds"], figures["records_cpu_seconds"] = records_wall, records_cpu
        points = {}
        for way, reuse in (("reused", True), ("retrained", False)):
            out = root / way
            out.mkdir()
            (out / "grading_seed.txt").write_text("1")
            results, wall, cpu = measure(
                lambda out=out, reuse=reuse: grade_class(
                    submitted,
                    out,
                    progress=lambda line: None,
                    workers=args.workers,
                    assignment=EXPERIMENT,
                    reuse_canary_from=kept,
                    reuse_training=reuse,
                )
            )
            points[way] = {r.learner: [row["points"] for row in r.rows] for r in results}
            figures[way] = {
                "seconds_per_learner": wall / args.learners,
                "cpu_seconds_per_learner": cpu / args.learners,
            }
        figures["same_points"] = points["reused"] == points["retrained"]
        print(json.dumps(figures, indent=2))
        print(
            f"per learner: {figures['retrained']['seconds_per_learner']:.1f} s "
            f"({figures['retrained']['cpu_seconds_per_learner']:.1f} CPU-s) retrained, "
            f"{figures['reused']['seconds_per_learner']:.1f} s "
            f"({figures['reused']['cpu_seconds_per_learner']:.1f} CPU-s) with the records; "
            f"records made once in {records_wall:.1f} s; same points: {figures['same_points']}"
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
