"""Judging a learner's test of cutmix_labels: right functions lent to it, wrong ones recorded.

The visible check (augcourse.checks.check_test_cutmix_labels) and the hidden one
(autograder.checks.labels.grade_test_cutmix_labels) lend the same right functions, so a test
that the visible check passes is never failed by the hidden one for judging a right function.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import numpy as np

from augcourse.check_tools import call_quietly
from augcourse.failures import fail


class LentFunction:
    """A right cutmix_labels that a check lends to the learner's test; it stops working when
    the check returns (`revoke`), so it cannot stand in for the learner's own answer."""

    def __init__(self, function: Callable, style: str):
        self._function = function
        self.style = style

    def __call__(self, label1, label2, patch_ratio):
        if self._function is None:
            raise RuntimeError(
                "this right cutmix_labels was lent to your test by a check and no longer works"
            )
        return self._function(label1, label2, patch_ratio)

    def revoke(self) -> None:
        self._function = None


@contextlib.contextmanager
def lent_right_cutmix_labels():
    """Right cutmix_labels in three styles, for judging a learner's test (visible and hidden
    checks lend the same ones). They keep the labels' dtype and differ from each other only by
    float64 rounding, so a test that compares with np.allclose or
    numpy.testing.assert_allclose at its defaults passes them all."""

    def weighted(label1, label2, patch_ratio):
        return (1 - patch_ratio) * np.asarray(label1) + patch_ratio * np.asarray(label2)

    def interpolated(label1, label2, patch_ratio):
        label1 = np.asarray(label1)
        return label1 + patch_ratio * (np.asarray(label2) - label1)

    def looped(label1, label2, patch_ratio):
        label1, label2 = np.asarray(label1), np.asarray(label2)
        dtype = np.result_type(label1.dtype, label2.dtype, np.float16)
        return np.array(
            [(1 - patch_ratio) * a + patch_ratio * b for a, b in zip(label1, label2, strict=True)],
            dtype=dtype,
        )

    lent = [LentFunction(f, f.__name__) for f in (weighted, interpolated, looped)]
    try:
        yield lent
    finally:
        for function in lent:
            function.revoke()


class RecordedCalls:
    """A function that remembers the patch_ratio of every call (to say how a test missed it)."""

    def __init__(self, function: Callable, name: str):
        self.function, self.name, self.ratios = function, name, []

    def __call__(self, label1, label2, patch_ratio):
        self.ratios.append(patch_ratio)
        return self.function(label1, label2, patch_ratio)


def buggy_cutmix_labels(label1, label2, patch_ratio):
    """The course's snippet, exactly as shown: it weights label1 by patch_ratio."""
    mixed_label = label1 * patch_ratio + label2 * (1 - patch_ratio)
    return mixed_label


# Wrong versions the visible check hands to the learner's test besides the snippet.
VISIBLE_WRONG_CUTMIX_LABELS = {
    "the reversed-ratio snippet": buggy_cutmix_labels,
    "a cutmix_labels that always mixes half and half": (
        lambda label1, label2, patch_ratio: 0.5 * np.asarray(label1) + 0.5 * np.asarray(label2)
    ),
    "a cutmix_labels that returns label1 unchanged": (
        lambda label1, label2, patch_ratio: np.array(label1, dtype=float)
    ),
}


def require_right_functions_pass(test_cutmix_labels: Callable) -> None:
    """Fail (CheckFailed) unless the learner's test passes every lent right cutmix_labels."""
    with lent_right_cutmix_labels() as right_functions:
        for right in right_functions:
            try:
                call_quietly(test_cutmix_labels, right)
            except NotImplementedError:
                raise  # the exercise is not done yet
            except Exception as error:
                fail(
                    f"test_cutmix_labels(<a right cutmix_labels, {right.style} style>)",
                    "your test passes (the function is right)",
                    f"{type(error).__name__}: {first_line(error)}",
                    "your test also fails a right function: compare the result with the "
                    "expected label using np.allclose (or numpy.testing.assert_allclose), "
                    "not == on floats, and call it with numpy arrays.",
                )


def missed_wrong_hint(recorded: RecordedCalls) -> str:
    """Why a learner's test passed a wrong function, from the calls it made."""
    if not recorded.ratios:
        return "your test never called the function it was given: call fn(label1, label2, r)."
    if all(np.isclose(float(r), 0.5) for r in recorded.ratios):
        return (
            "your test only used patch_ratio 0.5, where both weights are equal and the bug "
            "hides: use a patch_ratio other than 0.5, e.g. 0.3."
        )
    ratios = ", ".join(f"{float(r):g}" for r in recorded.ratios[:4])
    return (
        f"your test called it with patch_ratio {ratios} but did not check the label's values: "
        "assert that it equals (1 - patch_ratio) * label1 + patch_ratio * label2 "
        "(np.allclose), not only its shape or sum."
    )


def first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0][:120] if text else "(no message)"
