"""Start, refuse and stop one hub instance.

Start refuses, saying how to stop it, when a hub of the instance is already running, and
refuses when the port is taken; otherwise it makes the accounts, the environments, the
proxy and the config, starts JupyterHub in its own session and waits until it answers.
Stop ends that process (JupyterHub stops its proxy, servers and service), then anything
still running under the instance's accounts.
"""

from __future__ import annotations

import errno
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from autograder.hub import accounts, environments, proxy
from autograder.hub.hub_config import SYSTEM_PATH, Ports, write_config
from autograder.hub.layout import HUB_ENV, Layout

START_SECONDS = 180
STOP_SECONDS = 60
# A clean environment for the hub: nothing of the caller's (pyenv, Jupyter folders under the
# repository, PYTHONPATH) reaches the hub, its service or the servers it spawns.
HUB_ENVIRONMENT = {"PATH": SYSTEM_PATH, "LANG": "C.UTF-8"}


class HubError(RuntimeError):
    """Why the hub cannot start or stop, in words for the person at the terminal."""


def port_in_use(port: int) -> bool:
    """Whether a program listens on 127.0.0.1:port (or on every interface)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As the proxy binds: connections of a hub stopped a moment ago (TIME_WAIT) do not
        # count, a listening socket does.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return True
            raise
    return False


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie has exited: only its parent has yet to read its status.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def running(layout: Layout) -> dict | None:
    """The record of the instance's hub if its process is alive, else None."""
    try:
        record = json.loads(layout.pid_file.read_text())
    except (OSError, ValueError):
        return None
    return record if alive(record["pid"]) else None


def refuse_if_running_or_taken(layout: Layout, port: int) -> None:
    record = running(layout)
    if record:
        raise HubError(
            f"A hub of this project is already running ({layout.instance}: pid {record['pid']}, "
            f"{record['url']}). Stop it first with `{layout.stop_command}`."
        )
    if port_in_use(port):
        raise HubError(
            f"Port {port} on 127.0.0.1 is in use by another program; "
            f"start the hub on a free one, e.g. `make hub PORT={free_port()}`."
        )


def prepare_state(layout: Layout) -> None:
    """The state folder: root's, traversable (0711) so that the exchange's account reaches
    its own folder inside (0700), readable by nobody else."""
    layout.state.mkdir(parents=True, exist_ok=True)
    os.chmod(layout.state.parent, 0o711)
    os.chmod(layout.state, 0o711)
    layout.exchange_root.mkdir(exist_ok=True)
    account = pwd.getpwnam(layout.exchange_account)
    os.chown(layout.exchange_root, account.pw_uid, account.pw_gid)
    os.chmod(layout.exchange_root, 0o700)


def wait_until_answering(url: str, process: subprocess.Popen, log_file: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise HubError(f"JupyterHub exited ({process.returncode}):\n{tail(log_file)}")
        try:
            with urllib.request.urlopen(f"{url}/hub/api", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise HubError(f"JupyterHub did not answer at {url} in {START_SECONDS} s:\n{tail(log_file)}")


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def start(layout: Layout, port: int) -> dict:
    """Set everything up (idempotently) and start the hub; returns its record."""
    if os.geteuid() != 0:
        raise HubError("The hub makes local accounts and serves them: run it as root.")
    refuse_if_running_or_taken(layout, port)
    layout.state.mkdir(parents=True, exist_ok=True)
    accounts.ensure_accounts(layout)
    prepare_state(layout)
    environments.ensure_hub_env()
    environments.ensure_learner_env()
    environments.deploy_instructor(layout)
    proxy_command = proxy.ensure_proxy()
    # Setting up can take minutes the first time: the port may have been taken meanwhile.
    refuse_if_running_or_taken(layout, port)
    ports = Ports(public=port, hub=free_port(), proxy_api=free_port(), service=free_port())
    config = write_config(layout, ports, proxy_command)
    with open(layout.log_file, "ab") as log:
        process = subprocess.Popen(
            [str(HUB_ENV / "bin" / "jupyterhub"), "-f", str(config)],
            cwd=layout.state,
            env=HUB_ENVIRONMENT,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    record = {"pid": process.pid, "port": port, "url": url, "instance": layout.instance}
    layout.pid_file.write_text(json.dumps(record))
    try:
        wait_until_answering(url, process, layout.log_file)
    except HubError:
        stop(layout)
        raise
    return record


def instance_processes(layout: Layout) -> list[int]:
    """Processes running as one of the instance's accounts (servers, the service)."""
    uids = set()
    for name in [*layout.people, layout.exchange_account]:
        try:
            uids.add(pwd.getpwnam(name).pw_uid)
        except KeyError:
            pass
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid in uids and alive(int(entry.name)):
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


def wait_gone(pids: list[int], seconds: float) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pids = [pid for pid in pids if alive(pid)]
        if not pids:
            return []
        time.sleep(0.2)
    return [pid for pid in pids if alive(pid)]


def signal_all(pids: list[int], signum: int) -> None:
    for pid in pids:
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass


def proxy_pid(layout: Layout) -> list[int]:
    """The proxy JupyterHub started, if it is still that process (a pid can be reused)."""
    try:
        pid = int((layout.state / "proxy.pid").read_text().strip())
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        return []
    return [pid] if b"configurable-http-proxy" in command else []


def stop(layout: Layout) -> bool:
    """Stop the instance's hub and everything it started; returns whether one was running."""
    record = running(layout)
    if record:
        # JupyterHub stops the servers, the service and the proxy on SIGTERM.
        signal_all([record["pid"]], signal.SIGTERM)
        if wait_gone([record["pid"]], STOP_SECONDS):
            signal_all([record["pid"]], signal.SIGKILL)
            wait_gone([record["pid"]], 10)
    # Whatever outlived it: the proxy it started, and processes of the instance's accounts.
    leftovers = [pid for pid in proxy_pid(layout) if alive(pid)] + instance_processes(layout)
    signal_all(leftovers, signal.SIGTERM)
    signal_all(wait_gone(leftovers, 20), signal.SIGKILL)
    for path in (layout.pid_file, layout.state / "proxy.pid"):
        path.unlink(missing_ok=True)
    return record is not None


def remove_state(layout: Layout) -> None:
    """Forget the instance's hub database and stored exchange (the tests start afresh)."""
    if running(layout):
        raise HubError(f"stop the hub first: `{layout.stop_command}`")
    shutil.rmtree(layout.state, ignore_errors=True)
