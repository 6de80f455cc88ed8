"""Tests for the checks of notebook 4: the visible ones (augcourse.experiment_checks) and the
hidden ones (autograder.checks.experiment), on right answers and on likely mistakes."""

from __future__ import annotations

import math

import numpy as np
import pytest

from augcourse.experiment_checks import (
    EXAMPLE_GAINS,
    EXAMPLE_RESULTS,
    check_method_name,
    check_paired_gain,
)
from autograder.checks.experiment import (
    grade_best_method,
    grade_paired_gain,
    reference_paired_gain,
)
from autograder.exercises.mistakes import mistakes_for


def paired_gain_loops(results, method, baseline, occluder, size):
    """A correct paired_gain in another style: plain loops, statistics by hand."""
    base = {}
    for row in results:
        if (row["method"], row["occluder"], row["size"]) == (baseline, occluder, size):
            base[row["seed"]] = row["accuracy"]
    differences = [
        row["accuracy"] - base[row["seed"]]
        for row in results
        if (row["method"], row["occluder"], row["size"]) == (method, occluder, size)
    ]
    mean = sum(differences) / len(differences)
    variance = sum((d - mean) ** 2 for d in differences) / (len(differences) - 1)
    return mean, variance**0.5, sum(d > 0 for d in differences)


@pytest.mark.parametrize("seed", ["21", "22", "23"])
@pytest.mark.parametrize("fn", [reference_paired_gain, paired_gain_loops])
def test_correct_paired_gain_passes(fn, seed, monkeypatch, capsys):
    monkeypatch.setenv("COURSE_GRADING_SEED", seed)
    check_paired_gain(fn)
    grade_paired_gain(fn)
    assert capsys.readouterr().out.count("✓") == 2


# Mistakes written as the bank writes them (autograder/exercises/mistakes/experiment.py); the
# others below are written differently on purpose, so the diagnosis is seen to name a mistake
# however the learner wrote it.
BANK = {m.key: m.implementation for m in mistakes_for("paired_gain")}


def _population_std(results, method, baseline, occluder, size):
    mean, std, wins = reference_paired_gain(results, method, baseline, occluder, size)
    n = len({r["seed"] for r in results})
    return mean, std * math.sqrt((n - 1) / n), wins


def _standard_error(results, method, baseline, occluder, size):
    mean, std, wins = reference_paired_gain(results, method, baseline, occluder, size)
    return mean, std / math.sqrt(len({r["seed"] for r in results})), wins


def _share_of_wins(results, method, baseline, occluder, size):
    mean, std, wins = reference_paired_gain(results, method, baseline, occluder, size)
    return mean, std, wins / len({r["seed"] for r in results})


def _unpaired_std(results, method, baseline, occluder, size):
    mean, _, wins = reference_paired_gain(results, method, baseline, occluder, size)
    spread = [
        np.std(
            [r["accuracy"] for r in results if (r["method"], r["occluder"], r["size"]) == key],
            ddof=1,
        )
        for key in ((method, occluder, size), (baseline, occluder, size))
    ]
    return mean, math.hypot(*spread), wins


def _clean_only(results, method, baseline, occluder, size):
    return reference_paired_gain(results, method, baseline, "none", 0)


def _sorts_in_place(results, method, baseline, occluder, size):
    results.sort(key=lambda r: r["seed"])
    return reference_paired_gain(results, method, baseline, occluder, size)


@pytest.mark.parametrize(
    ("wrong", "message", "visible_too"),
    [
        (_population_std, "ddof=1", True),
        (BANK["ties_win"], "not a win", True),
        (BANK["unpaired"], "pair", True),
        (_standard_error, "standard error", True),
        (_share_of_wins, "count of seeds", False),
        (_unpaired_std, "spread that the seeds share", False),
        (_clean_only, "expected", True),
        (_sorts_in_place, "modified|reordered", True),
        (BANK["any_size"], "size", True),
    ],
)
def test_wrong_paired_gain_fails_with_the_likely_mistake(wrong, message, visible_too, monkeypatch):
    monkeypatch.setenv("COURSE_GRADING_SEED", "5")
    with pytest.raises(AssertionError, match=message):
        grade_paired_gain(wrong)
    if visible_too:
        with pytest.raises(AssertionError, match=message):
            check_paired_gain(wrong)


def test_reversed_paired_gain_is_named(monkeypatch):
    monkeypatch.setenv("COURSE_GRADING_SEED", "5")

    def reversed_gain(*args):
        mean, std, wins = reference_paired_gain(*args)
        ours = reference_paired_gain(args[0], args[2], args[1], *args[3:])
        return -mean, std, ours[2]

    with pytest.raises(AssertionError, match="reversed"):
        grade_paired_gain(reversed_gain)
    with pytest.raises(AssertionError, match="reversed"):
        check_paired_gain(reversed_gain)


def test_visible_check_of_paired_gain_reports_the_example_values():
    for (occluder, size), expected in EXAMPLE_GAINS.items():
        mean, std, wins = reference_paired_gain(
            EXAMPLE_RESULTS, "cutmix", "baseline", occluder, size
        )
        assert math.isclose(mean, expected[0], abs_tol=1e-12) and wins == expected[2]
        assert math.isclose(std, expected[1], rel_tol=1e-9)


def test_best_method_is_graded_against_the_learners_own_table(capsys):
    results = [
        {"method": m, "seed": s, "occluder": "grey", "size": 4, "accuracy": a + 0.001 * s}
        for m, a in (("baseline", 0.70), ("cutout", 0.88), ("cutmix", 0.80), ("both", 0.877))
        for s in range(3)
    ]
    check_method_name("cutout", results)
    grade_best_method("cutout", results, "grey", 4)
    grade_best_method(" both ", results, "grey", 4)  # within the tie tolerance of the best
    out = capsys.readouterr().out
    assert out.count("✓") == 2 and out.startswith("• answer 'cutout' recorded; judged when graded")
    with pytest.raises(AssertionError, match="not the most accurate"):
        grade_best_method("cutmix", results, "grey", 4)
    grade_best_method("Cutout", results, "grey", 4)  # names are not case-sensitive
    with pytest.raises(AssertionError, match="not one of"):
        grade_best_method("Cutout!", results, "grey", 4)
    with pytest.raises(AssertionError, match="one of the method names"):
        check_method_name("mixup", results)
    with pytest.raises(AssertionError, match="Rerun"):
        grade_best_method("cutout", {"cutout": 0.9}, "grey", 4)
    with pytest.raises(AssertionError, match="no rows"):
        grade_best_method("cutout", results, "erase", 4)
    grade_best_method("cutmix", results, "grey", 4, among=["baseline", "cutmix"])
