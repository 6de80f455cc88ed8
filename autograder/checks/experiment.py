"""Hidden checks for notebook 4 (measuring the effect).

- `grade_paired_gain` compares the learner's `paired_gain` with `reference_paired_gain` on
  results tables drawn at grading time (seeds in any order, rows shuffled, other methods
  and conditions mixed in, ties, two to twelve seeds), and names the likely mistake.
- `grade_best_method` checks a method named by the learner against the learner's own
  results table, recomputed here: the right answer follows the learner's run, whatever
  the seeds and the machine gave, and is never hard-coded.

Each grader ends with `autograder.checks.passed`, which raises a visible check's failure
that waited for the hidden checks (see `augcourse.failures.visible_check`).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Sequence

import numpy as np

from augcourse.check_tools import call_quietly
from augcourse.experiment_checks import as_gain, describe_gain
from augcourse.failures import CheckFailed, check_failed
from augcourse.hints import hint
from augcourse.stats import accuracy_by_seed, methods_in
from autograder.checks.common import grading_rng, passed
from autograder.exercises.mistakes import lookup

ROW_KEYS = {"method", "seed", "occluder", "size", "accuracy"}

# Two methods whose means differ by less than this are tied: a learner who read either
# off their table is right (float32 training differs in the last digits between machines,
# and the table prints three decimals).
TIE = 0.005


# --- paired_gain ------------------------------------------------------------------------


def reference_paired_gain(
    results: Sequence[dict], method: str, baseline: str, occluder: str, size: int
) -> tuple[float, float, int]:
    """Mean and sample std (ddof=1) of method - baseline per seed, and the seeds it wins."""
    ours = accuracy_by_seed(results, method, occluder, size)
    theirs = accuracy_by_seed(results, baseline, occluder, size)
    differences = np.array([ours[seed] - theirs[seed] for seed in theirs if seed in ours])
    return (
        float(differences.mean()),
        float(differences.std(ddof=1)),
        int((differences > 0).sum()),
    )


# The order in which notebook 04's known mistakes of paired_gain are tried when a wrong
# answer could be more than one (the bank's implementations, autograder/exercises/mistakes/
# experiment.py; the learner reads augcourse/hints.py's sentence).
PAIRED_GAIN_KEYS = (
    "population_std",
    "ties_win",
    "share_of_wins",
    "reversed",
    "standard_error",
    "unpaired",
    "any_size",
    "method_std",
    "combined_std",
)
PAIRED_GAIN_MISTAKES = {key: hint("paired_gain", key) for key in PAIRED_GAIN_KEYS}


def _wrong_versions(results, method, baseline, occluder, size) -> dict[str, tuple]:
    """What the bank's mistakes return on this table, keyed by the mistake's key."""
    return {
        key: lookup("paired_gain", key).implementation(
            copy.deepcopy(results), method, baseline, occluder, size
        )
        for key in PAIRED_GAIN_KEYS
    }


def _same_gain(expected, got) -> bool:
    gain = as_gain(got)
    if gain is None or isinstance(got, (str, bytes)):
        return False
    return (
        math.isclose(gain[0], expected[0], rel_tol=1e-7, abs_tol=1e-9)
        and math.isclose(gain[1], expected[1], rel_tol=1e-7, abs_tol=1e-9)
        and gain[2] == expected[2]
    )


def _same_wrong(expected, got) -> bool:
    """Like _same_gain, but a share of wins (a float) must match as a float."""
    try:
        values = [float(v) for v in got]
    except (TypeError, ValueError):
        return False
    return len(values) == 3 and all(
        math.isclose(a, float(b), rel_tol=1e-7, abs_tol=1e-9)
        for a, b in zip(values, expected, strict=True)
    )


def _table(rng: np.random.Generator, seeds: list[int], ties: int) -> list[dict]:
    """A shuffled results table: 3 methods, clean and two occluded conditions.

    Accuracies are counts out of 1497 test images, as in the notebook. Seeds move all
    methods together (a shared offset), and `ties` seeds give cutmix exactly the
    baseline's clean accuracy.
    """
    rows = []
    # Each occluder at two sizes: a paired_gain that keeps the occluder but not the size
    # mixes them up.
    levels = {("none", 0): 0.95, ("grey", 4): 0.75, ("grey", 8): 0.6, ("erase", 3): 0.5}
    levels[("erase", 6)] = 0.35
    for seed in seeds:
        offset = rng.normal(0, 0.02)
        for occluder, size in levels:
            level = levels[(occluder, size)] + offset
            for method, gain in (("baseline", 0.0), ("cutout", 0.05), ("cutmix", 0.02)):
                value = level + gain * (occluder != "none") + rng.normal(0, 0.01)
                correct = int(np.clip(round(value * 1497), 0, 1497))
                rows.append(
                    {
                        "method": method,
                        "seed": seed,
                        "occluder": occluder,
                        "size": size,
                        "accuracy": correct / 1497,
                    }
                )
    for seed in seeds[:ties]:
        base = next(r for r in rows if (r["method"], r["seed"], r["size"]) == ("baseline", seed, 0))
        tied = next(r for r in rows if (r["method"], r["seed"], r["size"]) == ("cutmix", seed, 0))
        tied["accuracy"] = base["accuracy"]
    rng.shuffle(rows)
    return rows


def _cases(rng: np.random.Generator) -> list[tuple]:
    """(results, method, baseline, occluder, size) to grade on."""
    cases = []
    # The first failing case is reported: start with tables where the usual mistakes give
    # different numbers (with 2 seeds, std(ddof=1) / sqrt(2) is std(ddof=0)).
    for count, ties in ((5, 2), (10, 1), (3, 1), (12, 0), (2, 0)):
        seeds = [int(s) for s in rng.choice(1000, size=count, replace=False)]
        results = _table(rng, seeds, ties)
        cases += [
            (results, "cutmix", "baseline", "none", 0),
            (results, "cutout", "baseline", "grey", 4),
            (results, "cutmix", "cutout", "erase", 3),
        ]
    return cases


def grade_paired_gain(paired_gain: Callable) -> None:
    """paired_gain against the reference on drawn tables; names the likely mistake."""
    for results, method, baseline, occluder, size in _cases(grading_rng()):
        args = (results, method, baseline, occluder, size)
        seeds = len({r["seed"] for r in results})
        call = (
            f"paired_gain(<{len(results)} rows, {seeds} seeds, shuffled>, {method!r}, "
            f"{baseline!r}, {occluder!r}, {size})"
        )
        expected = reference_paired_gain(*args)
        copies = copy.deepcopy(results)
        try:
            got = call_quietly(paired_gain, copies, method, baseline, occluder, size)
        except Exception as error:  # learner code may raise anything; report it
            raise check_failed(
                call,
                [
                    f"  expected: {describe_gain(expected)}",
                    f"  got:      {type(error).__name__}: {error}",
                ],
            ) from None
        if copies != results:
            raise check_failed(
                call,
                ["  expected: the results table left unchanged", "  got:      it was modified"],
                hint_text="do not edit, sort in place or remove rows.",
            )
        if not _same_gain(expected, got):
            key = next(
                (
                    known
                    for known, wrong in _wrong_versions(*args).items()
                    if not _same_gain(expected, wrong) and _same_wrong(wrong, _as_list(got))
                ),
                None,
            )
            raise check_failed(
                call,
                [f"  expected: {describe_gain(expected)}", f"  got:      {describe_gain(got)}"],
                mistake=("paired_gain", key) if key else None,
                hint_text="return a tuple (mean, std, wins): two floats and an int."
                if as_gain(got) is None
                else None,
            )
    passed("paired_gain passes the hidden checks.")


def _as_list(value):
    try:
        return list(value)
    except TypeError:
        return value


# --- the method that the learner reads off the table --------------------------------------------


def _valid_table(results) -> bool:
    return (
        isinstance(results, list)
        and len(results) > 0
        and all(isinstance(r, dict) and ROW_KEYS <= r.keys() for r in results)
    )


def grade_best_method(
    answer,
    results,
    occluder: str,
    size: int,
    among: Sequence[str] | None = None,
    name: str = "your answer",
) -> None:
    """The answer is the method with the highest mean accuracy in the learner's own table.

    Methods within TIE of the best count as right. among: the methods to choose from
    (default: every method of the table).
    """
    if not _valid_table(results):
        raise CheckFailed(
            f"{name}: `results` is not the table that run_experiment returned (a list of "
            "dicts with method, seed, occluder, size, accuracy). Rerun the experiment cell "
            "and do not reassign `results`."
        )
    methods = list(among) if among is not None else methods_in(results)
    means = {}
    for method in methods:
        values = list(accuracy_by_seed(results, method, occluder, size).values())
        if not values:
            raise CheckFailed(
                f"{name}: your table has no rows for {method!r} with {occluder} squares of "
                f"{size}x{size}. Rerun the experiment cell as given."
            )
        means[method] = float(np.mean(values))
    best = max(means.values())
    ranking = ", ".join(f"{m} {v:.3f}" for m, v in sorted(means.items(), key=lambda kv: -kv[1]))
    given = answer.strip().lower() if isinstance(answer, str) else answer
    if given not in means:
        raise CheckFailed(
            f"{name}: {answer!r} is not one of {', '.join(repr(m) for m in methods)}.\n"
            f"  your table's mean accuracies, {occluder} squares of {size}x{size}: {ranking}"
        )
    if means[given] < best - TIE:
        raise CheckFailed(
            f"{name}: {given!r} is not the most accurate in your table with {occluder} "
            f"squares of {size}x{size}.\n  your table's mean accuracies: {ranking}"
        )
    passed(f"{name}: right, by your own table ({ranking}).")
