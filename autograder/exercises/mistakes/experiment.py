"""Mistakes of notebook 04's paired_gain: the gain of `method` over `baseline`, seed by seed,
as (mean, std, wins).

Each is written whole, as a learner writes paired_gain in the notebook (the right one matches
each seed's two accuracies, then takes the mean, the sample standard deviation, ddof=1, and
the number of seeds where the method wins). The hidden check runs them on the same table to
name the mistake a wrong answer matches.
"""

from __future__ import annotations

import math

import numpy as np

from autograder.exercises.mistakes.bank import mistake


@mistake("paired_gain", "share_of_wins")
def paired_gain_share_of_wins(results, method, baseline, occluder, size):
    ours = {
        r["seed"]: r["accuracy"]
        for r in results
        if (r["method"], r["occluder"], r["size"]) == (method, occluder, size)
    }
    theirs = {
        r["seed"]: r["accuracy"]
        for r in results
        if (r["method"], r["occluder"], r["size"]) == (baseline, occluder, size)
    }
    differences = np.array([ours[seed] - theirs[seed] for seed in theirs])
    return differences.mean(), differences.std(ddof=1), float((differences > 0).mean())


@mistake("paired_gain", "reversed")
def paired_gain_reversed(results, method, baseline, occluder, size):
    ours = {
        r["seed"]: r["accuracy"]
        for r in results
        if (r["method"], r["occluder"], r["size"]) == (method, occluder, size)
    }
    theirs = {
        r["seed"]: r["accuracy"]
        for r in results
        if (r["method"], r["occluder"], r["size"]) == (baseline, occluder, size)
    }
    differences = np.array([theirs[seed] - ours[seed] for seed in theirs])
    return differences.mean(), differences.std(ddof=1), int((differences > 0).sum())


@mistake("paired_gain", "standard_error")
def paired_gain_standard_error(results, method, baseline, occluder, size):
    ours = {
        r["seed"]: r["accuracy"]
        for r in results
        if (r["method"], r["occluder"], r["size"]) == (method, occluder, size)
    }
    theirs = {
        r["seed"]: r["accuracy"]
        for r in results
        if (r["method"], r["occluder"], r["size"]) == (baseline, occluder, size)
    }
    differences = np.array([ours[seed] - theirs[seed] for seed in theirs])
    std = differences.std(ddof=1) / math.sqrt(len(differences))
    return differences.mean(), std, int((differences > 0).sum())


@mistake("paired_gain", "unpaired")
def paired_gain_unpaired(results, method, baseline, occluder, size):
    # rows taken in the order they come, not matched by seed
    ours = [
        r["accuracy"]
        for r in results
        if (r["method"], r["occluder"], r["size"]) == (method, occluder, size)
    ]
    theirs = [
        r["accuracy"]
        for r in results
        if (r["method"], r["occluder"], r["size"]) == (baseline, occluder, size)
    ]
    differences = np.array(ours) - np.array(theirs)
    return differences.mean(), differences.std(ddof=1), int((differences > 0).sum())


@mistake("paired_gain", "any_size")
def paired_gain_any_size(results, method, baseline, occluder, size):
    # the occluder kept but not its size: a later row of the same seed overwrites an earlier
    ours = {
        r["seed"]: r["accuracy"]
        for r in results
        if (r["method"], r["occluder"]) == (method, occluder)
    }
    theirs = {
        r["seed"]: r["accuracy"]
        for r in results
        if (r["method"], r["occluder"]) == (baseline, occluder)
    }
    differences = np.array([ours[seed] - theirs[seed] for seed in theirs if seed in ours])
    std = float(differences.std(ddof=1)) if len(differences) > 1 else float("nan")
    return float(differences.mean()), std, int((differences > 0).sum())


@mistake("paired_gain", "method_std")
def paired_gain_method_std(results, method, baseline, occluder, size):
    ours = {
        r["seed"]: r["accuracy"]
        for r in results
        if (r["method"], r["occluder"], r["size"]) == (method, occluder, size)
    }
    theirs = {
        r["seed"]: r["accuracy"]
        for r in results
        if (r["method"], r["occluder"], r["size"]) == (baseline, occluder, size)
    }
    differences = np.array([ours[seed] - theirs[seed] for seed in theirs])
    return (
        differences.mean(),
        np.array(list(ours.values())).std(ddof=1),
        int((differences > 0).sum()),
    )


@mistake("paired_gain", "combined_std")
def paired_gain_combined_std(results, method, baseline, occluder, size):
    ours = {
        r["seed"]: r["accuracy"]
        for r in results
        if (r["method"], r["occluder"], r["size"]) == (method, occluder, size)
    }
    theirs = {
        r["seed"]: r["accuracy"]
        for r in results
        if (r["method"], r["occluder"], r["size"]) == (baseline, occluder, size)
    }
    differences = np.array([ours[seed] - theirs[seed] for seed in theirs])
    mine, base = np.array(list(ours.values())), np.array(list(theirs.values()))
    std = math.sqrt(mine.var(ddof=1) + base.var(ddof=1))
    return differences.mean(), std, int((differences > 0).sum())


@mistake("paired_gain", "population_std")
def paired_gain_population_std(results, method, baseline, occluder, size):
    ours = {
        r["seed"]: r["accuracy"]
        for r in results
        if (r["method"], r["occluder"], r["size"]) == (method, occluder, size)
    }
    theirs = {
        r["seed"]: r["accuracy"]
        for r in results
        if (r["method"], r["occluder"], r["size"]) == (baseline, occluder, size)
    }
    differences = np.array([ours[seed] - theirs[seed] for seed in theirs])
    return differences.mean(), differences.std(), int((differences > 0).sum())


@mistake("paired_gain", "ties_win")
def paired_gain_ties_win(results, method, baseline, occluder, size):
    ours = {
        r["seed"]: r["accuracy"]
        for r in results
        if (r["method"], r["occluder"], r["size"]) == (method, occluder, size)
    }
    theirs = {
        r["seed"]: r["accuracy"]
        for r in results
        if (r["method"], r["occluder"], r["size"]) == (baseline, occluder, size)
    }
    differences = np.array([ours[seed] - theirs[seed] for seed in theirs])
    return differences.mean(), differences.std(ddof=1), int((differences >= 0).sum())
