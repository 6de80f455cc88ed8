"""Visible checks for notebook 4 (measuring the effect), in the style of `augcourse.checks`.

Each check uses a small fixed input and, on failure, raises `CheckFailed` saying what was
called, what was expected, what came back and the likely mistake.

A results table is a list of dicts, one per method, seed, occluder and size, with the keys
"method", "seed", "occluder" ("none" for the clean test set), "size" (0 for clean) and
"accuracy", as `augcourse.runs.run_experiment` returns it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from augcourse.check_tools import call_quietly, passed, recorded
from augcourse.failures import fail, visible_check
from augcourse.stats import methods_in

# A small results table: four seeds (in a different order for each method), a distractor
# method, and the grey occluder at two sizes (size 8 after size 4 for the baseline, before it
# for cutmix, so filtering the occluder but not the size gives wrong numbers whichever row
# wins). Against "baseline" on clean images, "cutmix" ties on seed 3, wins on seeds 5 and 8
# and loses on seed 13; under the grey 4 x 4 occluder it wins on every seed.
EXAMPLE_RESULTS = [
    {"method": "baseline", "seed": 3, "occluder": "none", "size": 0, "accuracy": 0.90},
    {"method": "baseline", "seed": 5, "occluder": "none", "size": 0, "accuracy": 0.94},
    {"method": "baseline", "seed": 8, "occluder": "none", "size": 0, "accuracy": 0.92},
    {"method": "baseline", "seed": 13, "occluder": "none", "size": 0, "accuracy": 0.93},
    {"method": "baseline", "seed": 3, "occluder": "grey", "size": 4, "accuracy": 0.70},
    {"method": "baseline", "seed": 5, "occluder": "grey", "size": 4, "accuracy": 0.74},
    {"method": "baseline", "seed": 8, "occluder": "grey", "size": 4, "accuracy": 0.69},
    {"method": "baseline", "seed": 13, "occluder": "grey", "size": 4, "accuracy": 0.75},
    {"method": "cutmix", "seed": 8, "occluder": "none", "size": 0, "accuracy": 0.95},
    {"method": "cutmix", "seed": 13, "occluder": "none", "size": 0, "accuracy": 0.92},
    {"method": "cutmix", "seed": 3, "occluder": "none", "size": 0, "accuracy": 0.90},
    {"method": "cutmix", "seed": 5, "occluder": "none", "size": 0, "accuracy": 0.96},
    {"method": "baseline", "seed": 3, "occluder": "grey", "size": 8, "accuracy": 0.60},
    {"method": "baseline", "seed": 5, "occluder": "grey", "size": 8, "accuracy": 0.61},
    {"method": "baseline", "seed": 8, "occluder": "grey", "size": 8, "accuracy": 0.58},
    {"method": "baseline", "seed": 13, "occluder": "grey", "size": 8, "accuracy": 0.66},
    {"method": "cutmix", "seed": 8, "occluder": "grey", "size": 8, "accuracy": 0.70},
    {"method": "cutmix", "seed": 13, "occluder": "grey", "size": 8, "accuracy": 0.71},
    {"method": "cutmix", "seed": 3, "occluder": "grey", "size": 8, "accuracy": 0.75},
    {"method": "cutmix", "seed": 5, "occluder": "grey", "size": 8, "accuracy": 0.69},
    {"method": "cutmix", "seed": 8, "occluder": "grey", "size": 4, "accuracy": 0.83},
    {"method": "cutmix", "seed": 13, "occluder": "grey", "size": 4, "accuracy": 0.80},
    {"method": "cutmix", "seed": 3, "occluder": "grey", "size": 4, "accuracy": 0.81},
    {"method": "cutmix", "seed": 5, "occluder": "grey", "size": 4, "accuracy": 0.85},
    {"method": "cutout", "seed": 3, "occluder": "none", "size": 0, "accuracy": 0.99},
    {"method": "cutout", "seed": 5, "occluder": "none", "size": 0, "accuracy": 0.91},
    {"method": "cutout", "seed": 8, "occluder": "none", "size": 0, "accuracy": 0.97},
    {"method": "cutout", "seed": 13, "occluder": "none", "size": 0, "accuracy": 0.98},
]


def as_gain(value) -> tuple[float, float, int] | None:
    """value as (mean, std, wins) with float mean and std and a whole-number wins, or None."""
    try:
        items = list(value)
    except TypeError:
        return None
    if len(items) != 3:
        return None
    try:
        mean, std, wins = (float(v) for v in items)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(wins) or wins != int(wins):
        return None
    return mean, std, int(wins)


def describe_gain(value) -> str:
    gain = as_gain(value)
    if gain is None:
        return repr(value)
    return f"(mean {gain[0]:.6f}, std {gain[1]:.6f}, wins {gain[2]})"


# (occluder, size) -> what paired_gain(EXAMPLE_RESULTS, "cutmix", "baseline", ...) returns.
# Clean, per seed: 3: 0.90 - 0.90, 5: 0.96 - 0.94, 8: 0.95 - 0.92, 13: 0.92 - 0.93.
# Grey 4 x 4: 3: 0.81 - 0.70, 5: 0.85 - 0.74, 8: 0.83 - 0.69, 13: 0.80 - 0.75.
EXAMPLE_GAINS = {
    ("none", 0): (0.01, math.sqrt(0.001 / 3), 2),
    ("grey", 4): (0.1025, math.sqrt(0.004275 / 3), 4),
}


def _paired_gain_mistake(mean: float, std: float, wins: int, expected, n: int) -> str | None:
    """The key of the likely mistake (augcourse/hints.py), from how the learner's gain differs
    from the expected one, or None."""
    if math.isclose(mean, -expected[0], abs_tol=1e-9):
        return "reversed"
    if math.isclose(std, expected[1] * math.sqrt((n - 1) / n), abs_tol=1e-9):
        return "population_std"
    if math.isclose(std, expected[1] / math.sqrt(n), abs_tol=1e-9):
        return "standard_error"
    if not math.isclose(std, expected[1], abs_tol=1e-9) and math.isclose(
        mean, expected[0], abs_tol=1e-9
    ):
        return "spread_not_of_the_differences"
    if wins > expected[2] and math.isclose(mean, expected[0], abs_tol=1e-9):
        return "ties_win"
    if wins < expected[2] and math.isclose(mean, expected[0], abs_tol=1e-9):
        return "wins_too_few"
    if not math.isclose(mean, expected[0], abs_tol=1e-9):
        return "rows_not_kept"
    return None


@visible_check
def check_paired_gain(paired_gain: Callable) -> None:
    """paired_gain on a small table, clean and occluded: pairs by seed, keeps one occluder and
    size, sample std, ties are not wins, the table left as it is."""
    for (occluder, size), expected in EXAMPLE_GAINS.items():
        call = f'paired_gain(EXAMPLE_RESULTS, "cutmix", "baseline", {occluder!r}, {size})'
        rows = [dict(row) for row in EXAMPLE_RESULTS]
        got = call_quietly(paired_gain, rows, "cutmix", "baseline", occluder, size)
        if rows != EXAMPLE_RESULTS:
            reordered = sorted(map(repr, rows)) == sorted(map(repr, EXAMPLE_RESULTS))
            fail(
                call,
                "the results table left unchanged",
                "its rows were reordered" if reordered else "it was modified",
                "sort a copy (sorted(results, key=...)), not the table itself."
                if reordered
                else "do not edit the rows.",
            )
        gain = as_gain(got)
        if gain is None:
            fail(call, "a tuple (mean, std, wins) of two floats and an int", repr(got))
        mean, std, wins = gain
        if (
            not math.isclose(mean, expected[0], abs_tol=1e-9)
            or not math.isclose(std, expected[1], abs_tol=1e-9)
            or wins != expected[2]
        ):
            key = _paired_gain_mistake(mean, std, wins, expected, 4)
            fail(
                call,
                describe_gain(expected),
                describe_gain(got),
                mistake=("paired_gain", key) if key else None,
            )
    passed(
        "paired_gain pairs by seed, keeps one occluder and size, uses the sample std and "
        "counts strict wins."
    )


@visible_check
def check_method_name(answer, results: Sequence[dict], among: Sequence[str] | None = None) -> None:
    """The answer names one of the methods in the results table (graded on submission)."""
    methods = list(among) if among is not None else methods_in(results)
    if not isinstance(answer, str) or answer.strip().lower() not in methods:
        fail(
            "your answer",
            f"one of the method names {', '.join(repr(m) for m in methods)}, as a string",
            repr(answer),
        )
    recorded(f"answer {answer.strip().lower()!r} recorded; judged when graded, from your table.")
