"""How many learners' servers the hub starts on this machine: learners log in and start their
servers one more at a time (each earlier one kept running) until a start takes over 60 s,
the machine's memory use passes 80 %, or 30 servers run. Reports, per server, the seconds
from the start request to the server being ready, the memory its account's processes use,
and the machine's memory in use.

    sudo .venv/bin/python benchmarks/hub_servers.py [--max 30]    # or: make hub-benchmark

Runs a hub of its own (instance `bench`, accounts course-bench-instructor and
course-bench-learner-N, a free port of 127.0.0.1), stopped at the end with every server;
the accounts stay, like the hub tests' (remove them with userdel if you like). Results also go
to build/benchmarks/hub_servers.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "hub"))

from hub_people import Person  # noqa: E402  (logging in as the hub tests do)

from autograder.hub import accounts, launcher  # noqa: E402
from autograder.hub.layout import Layout  # noqa: E402

SLOW_START = 60.0  # seconds: a start this slow means the machine is full
MEMORY_LIMIT = 80.0  # percent of the machine's memory in use
GIVE_UP = 180.0  # seconds to wait for one server before calling it failed


def account_memory_mb(name: str) -> float:
    """Resident memory of every process running as the account, in MB."""
    total = 0
    for process in psutil.process_iter(["username", "memory_info"]):
        if process.info["username"] == name and process.info["memory_info"]:
            total += process.info["memory_info"].rss
    return total / 2**20


def start_and_time(person: Person) -> float | None:
    """Seconds from the start request until the hub says the server is ready; None if it
    was not ready within GIVE_UP."""
    started = time.monotonic()
    reply = person.api("POST", f"users/{person.name}/server")
    if reply.status_code not in (201, 202):
        raise RuntimeError(f"{person.name}: the hub refused to start the server: {reply.text}")
    while time.monotonic() - started < GIVE_UP:
        server = person.api("GET", f"users/{person.name}").json().get("servers", {}).get("", {})
        if server.get("ready"):
            return time.monotonic() - started
        time.sleep(0.25)
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max", type=int, default=30, help="at most this many servers")
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root: the benchmark makes local accounts and runs the hub")
    layout = Layout(instance="bench", prefix="course-bench", learner_count=args.max)
    print(f"setting up the hub and {args.max} learner accounts (the first time takes minutes)")
    launcher.stop(layout)
    record = launcher.start(layout, launcher.free_port())
    rows, reason = [], f"{args.max} servers running"
    try:
        passwords = accounts.passwords(layout)
        print(f"{'servers':>7} {'start s':>8} {'server MB':>10} {'machine %':>10}")
        for count, name in enumerate(layout.learners, start=1):
            person = Person(record["url"], name, passwords[name])
            person.log_in()
            seconds = start_and_time(person)
            memory = psutil.virtual_memory()
            row = {
                "servers": count,
                "start_seconds": seconds,
                "server_mb": round(account_memory_mb(name), 1),
                "machine_used_percent": memory.percent,
            }
            rows.append(row)
            shown = "failed" if seconds is None else f"{seconds:.1f}"
            print(
                f"{count:>7} {shown:>8} {row['server_mb']:>10.1f} {row['machine_used_percent']:>10.1f}",
                flush=True,
            )
            if seconds is None or seconds > SLOW_START:
                reason = f"server {count} took over {SLOW_START:g} s to start"
                break
            if memory.percent > MEMORY_LIMIT:
                reason = f"memory in use passed {MEMORY_LIMIT:g} % with {count} servers"
                break
    finally:
        launcher.stop(layout)
    total = psutil.virtual_memory().total / 2**30
    summary = {
        "stopped_because": reason,
        "machine": {"cpus": os.cpu_count(), "memory_gb": round(total, 1)},
        "load_average_at_end": os.getloadavg(),
        "servers": rows,
    }
    out = ROOT / "build" / "benchmarks" / "hub_servers.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(summary, indent=1))
    print(f"stopped: {reason}; {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
