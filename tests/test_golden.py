"""The sample class grades as recorded in tests/golden/sample_class.json: scores, verdicts,
mistake keys, messages and feedback text, so a restructuring that changes none of them is seen
to change none of them. To record a meant change: `python tests/sample_class.py`."""

import difflib
import json

import pytest
from sample_class import GOLDEN, record

pytestmark = pytest.mark.nbgrader


def differences(expected: dict, actual: dict) -> list[str]:
    found = []
    if sorted(actual) != sorted(expected):
        found.append(f"learners graded: {sorted(expected)} -> {sorted(actual)}")
    for learner in sorted(set(expected) & set(actual)):
        was, now = expected[learner], actual[learner]
        for key in ("score", "max", "graded"):
            if now[key] != was[key]:
                found.append(f"{learner}: {key} {was[key]!r} -> {now[key]!r}")
        if len(now["tests"]) != len(was["tests"]):
            found.append(f"{learner}: {len(was['tests'])} tests -> {len(now['tests'])}")
        for before, after in zip(was["tests"], now["tests"], strict=False):
            if after != before:
                found.append(
                    f"{learner}: {before['notebook']} {before['test']}: {before} -> {after}"
                )
        for page in sorted(set(was["feedback"]) | set(now["feedback"])):
            old, new = was["feedback"].get(page, ""), now["feedback"].get(page, "")
            if old != new:
                diff = difflib.unified_diff(old.split(". "), new.split(". "), lineterm="", n=0)
                found.append(
                    f"{learner}: {page} reads differently:\n" + "\n".join(list(diff)[2:12])
                )
    return found


def test_the_sample_class_grades_as_recorded(graded_sample_class):
    expected = json.loads(GOLDEN.read_text())
    actual = json.loads(json.dumps(record(graded_sample_class)))
    found = differences(expected, actual)
    assert not found, f"{len(found)} differences from {GOLDEN.name}:\n" + "\n".join(found[:20])
