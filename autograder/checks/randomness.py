"""Checks shared by the random learner functions (cutout, cutmix, cutmix_batch): the image
they return, reproducibility from `rng` alone, and augcourse.draws' properties at
grading-time seeds."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from augcourse import draws
from augcourse.check_tools import changed_box
from augcourse.diagnoses import draws_mistake
from augcourse.failures import CheckFailed
from autograder.checks.common import Raised, failure, grading_rng, run, run_many
from autograder.checks.pictures import difference, show_comparison
from autograder.exercises.mistakes import lookup_or_none

# How a change in one channel only is named in the bank (apply_cutout, paste_patch).
ONE_CHANNEL_KEYS = ("one_channel_masked", "one_channel_pasted")


def check_image_result(name: str, call: str, image: np.ndarray, result, modified: bool):
    """Common checks of an image-returning random function; returns the changed box."""
    if modified:
        mistake = lookup_or_none(name, "input_modified")
        raise failure(
            call,
            ["  expected: the input unchanged", "  got:      it was modified"],
            mistake and mistake.ref,
        )
    if isinstance(result, Raised):
        raise failure(call, [f"  expected: an image {image.shape}", f"  got:      {result}"])
    if (
        not isinstance(result, np.ndarray)
        or result.shape != image.shape
        or result.dtype != image.dtype
    ):
        got = (
            f"{type(result).__name__} {getattr(result, 'shape', '')} {getattr(result, 'dtype', '')}"
        )
        raise failure(
            call,
            [f"  expected: an array {image.shape} of dtype {image.dtype}", f"  got:      {got}"],
        )
    box, problem = changed_box(image, result)
    if problem:
        show_comparison(
            {"input": image, "yours": result, "changed pixels": difference(image, result)}
        )
        mistake = None
        if problem.startswith("the changed pixels are not the same in every channel"):
            mistake = next(filter(None, (lookup_or_none(name, k) for k in ONE_CHANNEL_KEYS)), None)
        raise failure(
            call,
            ["  expected: one box changed in every channel", f"  got:      {problem}"],
            mistake and mistake.ref,
            "change the box in every channel: image[:, top:bottom, left:right].",
        )
    return box


def check_reproducible(name: str, fn: Callable, args: tuple, seed: int, first) -> None:
    """Same rng seed, different global np.random state: the result must not change."""
    np.random.seed(seed % 2**32)  # noqa: NPY002  (deliberately disturb the global state)
    np.random.random(7)  # noqa: NPY002
    again, _ = run(fn, (*args, np.random.default_rng(seed)))
    first_parts = first if isinstance(first, tuple) else (first,)
    again_parts = again if isinstance(again, tuple) else (again,)
    same = len(first_parts) == len(again_parts) and all(
        isinstance(a, np.ndarray) and np.array_equal(a, b)
        for a, b in zip(again_parts, first_parts, strict=True)
    )
    if not same:
        mistake = lookup_or_none(name, "global_random")
        raise failure(
            f"{name}(..., rng=np.random.default_rng({seed})) called twice",
            ["  expected: the same result both times", "  got:      different results"],
            mistake and mistake.ref,
        )


def draws_observed(fn: Callable, args_for: Callable, box_of: Callable) -> draws.Observed:
    """augcourse.draws' properties at grading-time seeds, the learner's calls sent in batches.

    args_for(alpha, rng): the call's arguments; box_of(result): the box it pasted, or None."""
    keys = draws.draw_keys(first_seed=int(grading_rng().integers(2**31)))
    outcomes = run_many(fn, [args_for(alpha, np.random.default_rng(seed)) for alpha, seed in keys])
    return draws.observed_boxes(keys, [box_of(result) for result, _ in outcomes])


def draws_failure(name: str, seen: draws.Observed, title: str) -> CheckFailed | None:
    """The failure of `name` (cutmix or cutmix_batch) on the draws' properties, naming the
    bank's mistake it shows, or None."""
    found = seen.problem()
    if found is None:
        return None
    problem, hint = found
    key = draws_mistake(name, seen)
    expected = "patch sizes drawn from Beta(alpha, alpha) and centres over every pixel"
    return failure(
        title,
        [f"  expected: {expected}", f"  got:      {problem}"],
        (name, key) if key else None,
        hint,
    )
