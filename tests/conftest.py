"""Fixtures shared by the whole test run: expensive results computed once per session."""

from __future__ import annotations

import pytest
from sample_class import grade_sample_class


@pytest.fixture(scope="session")
def canary_records(tmp_path_factory):
    """One folder of passing canaries for the whole run: every grading run of the tests reuses
    it, so the reference of each assignment is graded once (autograder/pipeline/canary.py)."""
    return tmp_path_factory.mktemp("canaries")


@pytest.fixture(scope="session")
def graded_sample_class(tmp_path_factory, canary_records):
    """The sample class graded once for the whole run (tests/sample_class.py)."""
    return grade_sample_class(tmp_path_factory.mktemp("sample-class"), canary_records)


@pytest.fixture(scope="session")
def postgres_server():
    """A real PostgreSQL server on 127.0.0.1 for the whole run (tests/postgres_server.py),
    stopped and removed at the end."""
    from postgres_server import PostgresServer

    server = PostgresServer()
    try:
        yield server.start()
    finally:
        server.stop()
