"""Fixtures shared by the whole test run: expensive results computed once per session."""

from __future__ import annotations

import pytest
from sample_class import grade_sample_class


@pytest.fixture(scope="session")
def graded_sample_class(tmp_path_factory):
    """The sample class graded once for the whole run (tests/sample_class.py)."""
    return grade_sample_class(tmp_path_factory.mktemp("sample-class"))
