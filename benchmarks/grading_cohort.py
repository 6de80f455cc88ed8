"""Grading speed on a synthetic cohort: stock nbgrader against the course's grading command.

    make benchmark [N=40] [ASSIGNMENTS="cutout_cutmix measuring_the_effect"] [BASELINE=0] [WORKERS=1]
    .venv/bin/python benchmarks/grading_cohort.py --learners 40 [--assignments ...] [--no-baseline]

For each assignment, a cohort of N learners (autograder/exercises/cohort.py: 60% right, 30%
with one or two of the bank's mistakes, 10% broken, at most one in forty hanging) is graded
  (a) "stock": one serial `nbgrader autograde` of the whole cohort, nbgrader's own Execute
      step, hidden tests run in the learner's kernel, no confinement, no feedback;
  (b) "course": the course's grading command (`python -m autograder.grade`), with its
      canary, confinement, decisions outside the kernel and feedback pages.
For each: wall seconds and CPU-seconds (user + system of every process, kernels included)
per learner, learners per minute, and peak memory (the whole process tree's resident memory,
sampled every 0.1 s). For (b) also the mean seconds per learner of each grading phase,
as recorded while grading (autograder/plugins/timing.py; learners.json).
Writes build/benchmark/benchmark.json and build/benchmark/benchmark.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from autograder.exercises.cohort import HANG_EVERY, MISTAKES, RIGHT, cohort_counts, write_cohort
from autograder.limits import limits_for
from autograder.pipeline.course import SOLUTIONS, assignments
from autograder.plugins.timing import PHASES

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "build" / "benchmark"
NBGRADER = Path(sys.executable).with_name("nbgrader")
STOCK_CONFIG = """\
# Stock nbgrader: its own preprocessors, Execute in the usual python3 kernel.
c = get_config()  # noqa: F821
c.CourseDirectory.course_id = "benchmark"
c.OverwriteCells.add_missing_cells = True
"""


def process_tree(root: int) -> dict[tuple[int, str], tuple[int, float]]:
    """{(pid, start time): (resident bytes, CPU-seconds so far)} of a process and all its
    descendants, read from /proc."""
    children: dict[int, list[int]] = {}
    found: dict[int, tuple[str, int, float]] = {}
    page, tick = os.sysconf("SC_PAGE_SIZE"), os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            resident = int((entry / "statm").read_text().split()[1]) * page
        except (OSError, IndexError, ValueError):
            continue
        fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (name) "
        parent, cpu = int(fields[1]), (int(fields[11]) + int(fields[12])) / tick
        children.setdefault(parent, []).append(int(entry.name))
        found[int(entry.name)] = (fields[19], resident, cpu)
    tree, stack = {}, [root]
    while stack:
        pid = stack.pop()
        if pid in found:
            started, resident, cpu = found[pid]
            tree[(pid, started)] = (resident, cpu)
        stack += children.get(pid, [])
    return tree


class Measured:
    """Run a command; its wall time, CPU-seconds of its whole tree, and peak tree memory.

    The tree is sampled from /proc every 0.1 s: CPU-seconds are each process's last sample
    (a kernel killed with its bubblewrap is never waited for, so getrusage would miss it;
    up to 0.1 s per process is missed here instead), memory the largest sum of resident
    memory at one sample."""

    def __init__(self, command: list[str], cwd: Path, env: dict[str, str], may_fail=False):
        self.command, self.cwd, self.env, self.may_fail = command, cwd, env, may_fail
        self.peak_bytes = 0
        self.cpu: dict[tuple[int, str], float] = {}

    def _sample(self, process: subprocess.Popen, stop: threading.Event) -> None:
        while not stop.wait(0.1):
            tree = process_tree(process.pid)
            self.peak_bytes = max(self.peak_bytes, sum(rss for rss, _ in tree.values()))
            for key, (_, cpu) in tree.items():
                self.cpu[key] = max(cpu, self.cpu.get(key, 0.0))

    def run(self) -> dict:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        with open(self.cwd / "command.log", "w") as log:
            process = subprocess.Popen(
                self.command, cwd=self.cwd, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
            stop = threading.Event()
            sampler = threading.Thread(target=self._sample, args=(process, stop), daemon=True)
            sampler.start()
            code = process.wait()
            stop.set()
            sampler.join()
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        waited = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        cpu = max(waited, sum(self.cpu.values()))
        if code != 0 and not self.may_fail:
            tail = (self.cwd / "command.log").read_text()[-3000:]
            raise RuntimeError(f"{' '.join(self.command[:3])} failed ({code}):\n{tail}")
        return {
            "wall": wall,
            "cpu": cpu,
            "cpu_waited": waited,
            "peak_mib": self.peak_bytes / 2**20,
            "exit": code,
        }


def environment() -> dict[str, str]:
    env = dict(os.environ, MPLBACKEND="Agg")
    env["PATH"] = f"{NBGRADER.parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def grade_stock(assignment: str, submitted: Path, work: Path) -> dict:
    """nbgrader autograde, serially, for the whole cohort, as nbgrader ships."""
    course = work / "stock"
    shutil.rmtree(course, ignore_errors=True)
    course.mkdir(parents=True)
    (course / "nbgrader_config.py").write_text(STOCK_CONFIG)
    shutil.copytree(SOLUTIONS / assignment, course / "source" / assignment)
    options = ["--CourseDirectory.root=" + str(course)]
    subprocess.run(
        [str(NBGRADER), "generate_assignment", assignment, "--force", *options],
        cwd=course,
        env=environment(),
        capture_output=True,
        text=True,
    ).check_returncode()
    shutil.copytree(submitted, course / "submitted")
    cell_seconds = limits_for(assignment).cell_seconds
    command = [str(NBGRADER), "autograde", assignment, "--force", *options]
    # nbgrader exits non-zero when any learner failed (a broken notebook): expected here.
    command.append(f"--Execute.timeout={cell_seconds}")
    return Measured(command, course, environment(), may_fail=True).run()


def grade_course(assignment: str, submitted: Path, work: Path, workers: int) -> dict:
    """The course's grading command, canary included; the phases per learner from learners.json."""
    out = work / "course"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    command = [sys.executable, "-m", "autograder.grade", str(submitted)]
    command += ["--assignment", assignment, "--out", str(out), "--workers", str(workers)]
    figures = Measured(command, out, environment()).run()
    learners = json.loads((out / "learners.json").read_text())
    log = (out / "command.log").read_text()
    canary = [line for line in log.splitlines() if "reference: full marks" in line]
    figures["canary_line"] = canary[0].strip() if canary else ""
    figures["learners"] = [
        {k: row[k] for k in ("learner", "status", "score", "seconds", "timings")}
        for row in learners
    ]
    return figures


def phase_means(learners: list[dict]) -> dict[str, float]:
    """Mean seconds per learner of each phase; "unmeasured": the rest of each learner's time."""
    n = max(1, len(learners))
    means = {phase: sum(r["timings"].get(phase, 0.0) for r in learners) / n for phase in PHASES}
    measured = sum(means.values())
    means["unmeasured"] = max(0.0, sum(r["seconds"] for r in learners) / n - measured)
    return means


def summary(figures: dict, n: int) -> dict:
    """Per learner: wall, CPU and rate over the whole command (the course's canary, release
    and outputs included); for the course's command also the mean of its learners' own
    seconds (canary excluded), as recorded in learners.json."""
    learners = figures.get("learners") or []
    return {
        "seconds_per_learner": figures["wall"] / n,
        "learner_seconds_mean": (
            sum(r["seconds"] for r in learners) / len(learners) if learners else None
        ),
        "cpu_seconds_per_learner": figures["cpu"] / n,
        "learners_per_minute": 60 * n / figures["wall"],
        "peak_memory_mib": figures["peak_mib"],
        "wall_seconds": figures["wall"],
    }


def markdown(report: dict) -> str:
    lines = [
        f"# Grading benchmark: {report['learners']} learners per assignment",
        "",
        f"{report['conditions']}",
        "",
        "| assignment | mode | s/learner | CPU-s/learner | learners/min | peak MiB | wall s "
        "| s/learner, canary excluded |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for assignment, modes in report["assignments"].items():
        for mode, s in modes["summary"].items():
            lines.append(
                f"| {assignment} | {mode} | {s['seconds_per_learner']:.2f} | "
                f"{s['cpu_seconds_per_learner']:.2f} | {s['learners_per_minute']:.1f} | "
                f"{s['peak_memory_mib']:.0f} | {s['wall_seconds']:.0f} | "
                + ("-" if s["learner_seconds_mean"] is None else f"{s['learner_seconds_mean']:.2f}")
                + " |"
            )
    lines += [
        "",
        "s/learner, CPU-s/learner, learners/min: the whole command over N (the course's canary,",
        "release and outputs included). CPU-seconds: every process of the command's tree.",
        "",
        "Per learner, course's command, mean seconds by phase:",
        "",
    ]
    names = list(report["assignments"])
    lines += ["| phase | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for phase in [*PHASES, "unmeasured"]:
        cells = [f"{report['assignments'][a]['phases'].get(phase, 0):.2f}" for a in names]
        lines.append(f"| {phase} | " + " | ".join(cells) + " |")
    totals = [f"{sum(report['assignments'][a]['phases'].values()):.2f}" for a in names]
    lines.append("| **learner total** | " + " | ".join(totals) + " |")
    canaries = [report["assignments"][a].get("canary_line", "") for a in names]
    lines += ["", "Canary: " + "; ".join(c for c in canaries if c)]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=40)
    parser.add_argument("--assignments", nargs="+", choices=assignments(), default=assignments())
    parser.add_argument(
        "--no-baseline", action="store_true", help="grade with the course's command only"
    )
    parser.add_argument("--workers", type=int, default=1, help="the course's command's --workers")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    n = args.learners
    args.out = args.out.resolve()
    counts = cohort_counts(n)
    conditions = (
        f"Cohort per assignment: {counts['right']} right ({RIGHT:.0%}), {counts['mistakes']} with "
        f"one or two bank mistakes ({MISTAKES:.0%}), {counts['broken']} broken "
        f"(of which {counts['hang']} hanging; at most one in {HANG_EVERY}). "
        f"{os.cpu_count()} CPUs ({platform.processor() or platform.machine()}), load average "
        f"at start {os.getloadavg()[0]:.1f}; course's command with --workers {args.workers}; "
        f"COURSE_FAST={os.environ.get('COURSE_FAST', '')!r}."
    )
    report = {"learners": n, "conditions": conditions, "counts": counts, "assignments": {}}
    args.out.mkdir(parents=True, exist_ok=True)
    for assignment in args.assignments:
        work = args.out / "work" / assignment
        shutil.rmtree(work, ignore_errors=True)
        submitted = work / "submitted"
        cohort = write_cohort(submitted, assignment, n, args.seed)
        entry = {"cohort": {m.learner: [m.kind, *m.detail] for m in cohort}, "summary": {}}
        if not args.no_baseline:
            print(f"{assignment}: stock nbgrader autograde, {n} learners...", flush=True)
            entry["stock"] = grade_stock(assignment, submitted, work)
            entry["summary"]["stock nbgrader"] = summary(entry["stock"], n)
        print(f"{assignment}: the course's grading command, {n} learners...", flush=True)
        course = grade_course(assignment, submitted, work, args.workers)
        entry["course"] = course
        entry["summary"]["course command"] = summary(course, n)
        entry["phases"] = phase_means(course["learners"])
        entry["canary_line"] = course["canary_line"]
        report["assignments"][assignment] = entry
    text = markdown(report)
    (args.out / "benchmark.json").write_text(json.dumps(report, indent=1))
    (args.out / "benchmark.md").write_text(text)
    print(text)
    print(f"Written: {args.out / 'benchmark.json'}, {args.out / 'benchmark.md'}")


if __name__ == "__main__":
    main()
