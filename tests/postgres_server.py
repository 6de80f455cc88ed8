"""A real PostgreSQL server for the tests, from Debian's packages (make system-packages):
a cluster made by `initdb` in a temporary folder, served by `pg_ctl` on a free port of
127.0.0.1 only, with a password (SCRAM), removed when the tests end.

initdb and pg_ctl refuse to run as root, so as root (CI) they run as Debian's `postgres`
user through runuser, in a folder of its own under /tmp (pytest's temporary folders are
private to root).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

USER = "grader"
SERVER_SECONDS = 60


def postgresql_bin() -> Path | None:
    """The programs of the newest PostgreSQL installed by Debian (/usr/lib/postgresql/N/bin)."""
    found = [
        folder
        for folder in Path("/usr/lib/postgresql").glob("*/bin")
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists()
    ]
    found.sort(key=lambda folder: int(folder.parent.name) if folder.parent.name.isdigit() else 0)
    return found[-1] if found else None


def as_root() -> bool:
    return os.geteuid() == 0


def runnable() -> bool:
    """Whether this machine can start a server: the programs, and the postgres user as root."""
    if postgresql_bin() is None:
        return False
    if as_root():
        import pwd

        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return False
        return shutil.which("runuser") is not None
    return True


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresServer:
    """One PostgreSQL cluster; `url(database)` names a database in it, password included."""

    def __init__(self):
        self.bin = postgresql_bin()
        self.password = secrets.token_hex(12)
        self.folder = Path(tempfile.mkdtemp(prefix="course-postgres-"))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self.port = 0

    def _run(self, program: str, *args: str) -> subprocess.CompletedProcess:
        command = [str(self.bin / program), *args]
        if as_root():
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(
            command, capture_output=True, text=True, timeout=SERVER_SECONDS, cwd=self.folder
        )

    def start(self) -> PostgresServer:
        if as_root():
            shutil.chown(self.folder, "postgres", "postgres")
        (self.folder / "password").write_text(self.password)
        if as_root():
            shutil.chown(self.folder / "password", "postgres", "postgres")
        made = self._run(
            "initdb",
            f"--pgdata={self.data}",
            f"--username={USER}",
            "--auth=scram-sha-256",
            f"--pwfile={self.folder / 'password'}",
            "--encoding=UTF8",
            "--no-sync",
        )
        (self.folder / "password").unlink()
        if made.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{made.stdout}{made.stderr}")
        for _attempt in range(3):  # a free port may be taken before the server binds it
            self.port = _free_port()
            options = (
                f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
                "-c fsync=off -c full_page_writes=off"
            )
            started = self._run(
                "pg_ctl",
                f"--pgdata={self.data}",
                f"--log={self.log}",
                f"--timeout={SERVER_SECONDS}",
                "--wait",
                "-o",
                options,
                "start",
            )
            if started.returncode == 0:
                return self
        log = self.log.read_text(errors="replace") if self.log.exists() else ""
        raise RuntimeError(f"pg_ctl start failed:\n{started.stdout}{started.stderr}\n{log}")

    def stop(self) -> None:
        if self.port and (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", f"--pgdata={self.data}", "--mode=fast", "--wait", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        """A SQLAlchemy URL of `database`, as an instructor writes it (password included)."""
        return f"postgresql://{USER}:{self.password}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """Create an empty database; return its URL."""
        import psycopg

        with contextlib.closing(
            psycopg.connect(
                host="127.0.0.1",
                port=self.port,
                user=USER,
                password=self.password,
                dbname="postgres",
                autocommit=True,
            )
        ) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)
