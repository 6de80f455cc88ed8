"""The exchange's store on its own (no hub): the submitter and the time are what the service
passes in, never what an upload says; paths stay inside; only the latest is kept."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest

from autograder.hub.store import CourseStore, StoreError

NOW = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)


def files(**named: str) -> dict[str, str]:
    return {name: base64.b64encode(text.encode()).decode() for name, text in named.items()}


@pytest.fixture
def store(tmp_path):
    store = CourseStore(tmp_path)
    store.release("course", "hw", {"01_a.ipynb": files(x="{}")["x"]}, force=False)
    return store


def test_submission_is_recorded_under_the_callers_name_and_time(store):
    upload = files(**{"01_a.ipynb": "{}", "timestamp.txt": "2000-01-01 00:00:00.000000 UTC"})
    receipt = store.submit("course", "learner-1", "hw", upload, now=NOW)
    assert receipt.student_id == "learner-1"
    assert receipt.timestamp == "2026-01-02 03:04:05.678901 UTC"
    assert store.latest("course", "learner-1", "hw") == receipt
    assert store.latest("course", "learner-2", "hw") is None


@pytest.mark.parametrize("name", ["../x.ipynb", "/etc/passwd", "a/../../b", ".hidden", "a\\b", ""])
def test_paths_that_leave_the_upload_are_refused(store, name):
    with pytest.raises(StoreError) as refused:
        store.submit("course", "learner-1", "hw", {name: ""}, now=NOW)
    assert refused.value.status == 400


@pytest.mark.parametrize("name", ["..", ".", "a/b", "", "-x"])
def test_names_that_are_not_names_are_refused(store, name):
    with pytest.raises(StoreError):
        store.submit("course", name, "hw", files(**{"01_a.ipynb": "{}"}), now=NOW)


def test_only_the_latest_submission_is_kept(store):
    store.submit("course", "learner-1", "hw", files(**{"01_a.ipynb": "first"}), now=NOW)
    later = NOW + timedelta(seconds=1)
    receipt = store.submit("course", "learner-1", "hw", files(**{"01_a.ipynb": "2"}), now=later)
    (record,) = store.submissions("course", ["learner-1"], "hw")
    assert record["timestamp"] == receipt.timestamp
    assert store.submitted_files("course", receipt) == files(**{"01_a.ipynb": "2"})


def test_submitting_an_unreleased_assignment_is_refused(store):
    with pytest.raises(StoreError) as refused:
        store.submit("course", "learner-1", "nope", {}, now=NOW)
    assert refused.value.status == 404


def test_feedback_belongs_to_the_submission_it_was_written_for(store):
    receipt = store.submit("course", "learner-1", "hw", files(**{"01_a.ipynb": "{}"}), now=NOW)
    with pytest.raises(StoreError):
        store.release_feedback("course", "learner-1", "hw", "another time", {})
    page = files(**{"01_a.html": "<p>ok</p>"})
    store.release_feedback("course", "learner-1", "hw", receipt.timestamp, page)
    assert store.feedback_files("course", "learner-1", "hw") == [
        {"timestamp": receipt.timestamp, "files": page}
    ]
    assert store.feedback_files("course", "learner-2", "hw") == []
