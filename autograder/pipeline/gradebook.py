"""Where nbgrader's gradebook lives: a SQLite file in the course folder (the default), or a
PostgreSQL database named by a SQLAlchemy URL (`--db`), which graders on several machines can
write at once.

    postgresql://grader:PASSWORD@db.example.org:5432/gradebook

The password never stays in the URL: `gradebook_url` moves it into PGPASSWORD, which libpq
reads at every connection, so no command line (visible in `ps`), configuration file or printed
line holds it. The driver is named in the URL nbgrader gets (psycopg 3), whatever SQLAlchemy's
default for a bare `postgresql://` is.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

PASSWORD_VARIABLE = "PGPASSWORD"  # libpq's own: psycopg and every PostgreSQL tool read it
DRIVER = "postgresql+psycopg"
# Any number, the same for every grader of every course: graders that create or update the
# assignment in one database wait for each other (see `creation_lock`).
LOCK_KEY = 0x6E62677261646572  # "nbgrader"
# What a grading run's log says when another writer got in the way, per database: SQLite
# locks the whole file; PostgreSQL aborts one of two transactions that wait for each other
# and refuses connections past max_connections. The learner is graded again.
BUSY_MESSAGES = (
    "database is locked",
    "deadlock detected",
    "could not serialize access",
    "too many clients already",
)


class GradebookUnreachable(RuntimeError):
    """The gradebook's database refused or did not answer; the message holds no password."""


def sqlite_url(course_root: Path) -> str:
    """The default gradebook: gradebook.db in the course folder."""
    return f"sqlite:///{Path(course_root) / 'gradebook.db'}"


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def gradebook_url(url: str) -> tuple[str, dict[str, str]]:
    """(the URL to give nbgrader, the environment that carries its password).

    A PostgreSQL URL gets the psycopg 3 driver and loses its password; the environment is
    {"PGPASSWORD": password} when it had one. Raises ValueError for a URL SQLAlchemy cannot read.
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ValueError(
            "not a database URL (e.g. postgresql://user@host:5432/gradebook)"
        ) from None
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername=DRIVER)
    secret = {} if parsed.password is None else {PASSWORD_VARIABLE: str(parsed.password)}
    # URL.set leaves a field given None unchanged; _replace clears it (URL is a named tuple).
    return parsed._replace(password=None).render_as_string(hide_password=False), secret


def without_password(url: str) -> str:
    """The URL as printed: any password replaced by ***."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def busy(log: str) -> bool:
    """Whether a grading run failed only because another writer held the gradebook."""
    return any(message in log for message in BUSY_MESSAGES)


@contextlib.contextmanager
def creation_lock(url: str) -> Iterator[None]:
    """Hold PostgreSQL's advisory lock for the gradebook's tables and the assignment's rows.

    nbgrader creates its tables when it finds none and updates the assignment on every
    release; two graders doing so at once fail on PostgreSQL's unique constraints. A grader
    holds this lock while it releases; writers of different learners need none (each writes
    rows of its own). SQLite needs none: one machine, and the file is locked on every write.
    """
    if is_sqlite(url):
        yield
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    engine = create_engine(url)
    try:
        try:
            connection = engine.connect()
        except OperationalError as error:
            reason = " ".join(str(error.orig or error).split())  # libpq's lines, on one
            raise GradebookUnreachable(
                f"cannot reach the gradebook at {without_password(url)}: {reason}"
            ) from None
        with connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": LOCK_KEY})
            connection.commit()
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
                connection.commit()
    finally:
        engine.dispose()
