"""Mistakes of cutmix_labels (the reversed-ratio bug) and of the learner's test of it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from autograder.exercises.mistakes.bank import mistake

# --- cutmix_labels (the reversed-ratio bug) --------------------------------------------


@mistake("cutmix_labels", "reversed_ratio")
def cutmix_labels_reversed_ratio(label1, label2, patch_ratio):
    mixed_label = label1 * patch_ratio + label2 * (1 - patch_ratio)
    return mixed_label


@mistake("cutmix_labels", "weights_not_summing_to_one")
def cutmix_labels_weights_not_summing_to_one(label1, label2, patch_ratio):
    return label1 + label2 * patch_ratio


@mistake("cutmix_labels", "label1_only")
def cutmix_labels_label1_only(label1, label2, patch_ratio):
    return np.array(label1, dtype=float)


@mistake("cutmix_labels", "half_and_half")
def cutmix_labels_half_and_half(label1, label2, patch_ratio):
    return 0.5 * label1 + 0.5 * label2


@mistake("cutmix_labels", "label1_modified")
def cutmix_labels_in_place(label1, label2, patch_ratio):
    label1 *= 1 - patch_ratio
    label1 += label2 * patch_ratio
    return label1


# --- test_cutmix_labels (a learner's test, judged on right and wrong functions) ----------


@dataclass(frozen=True)
class WrongTest:
    """One known wrong way to write the learner's test of cutmix_labels."""

    key: str
    named_by: str  # words of the message (visible and hidden) that name what is wrong
    implementation: Callable


def _fails_everything(cutmix_labels):
    raise AssertionError("always")


def _checks_shape_and_sum_only(cutmix_labels):
    got = cutmix_labels(np.array([1.0, 0.0]), np.array([0.0, 1.0]), 0.3)
    assert got.shape == (2,) and np.isclose(got.sum(), 1.0)


def _only_at_one_half(cutmix_labels):
    got = cutmix_labels(np.array([1.0, 0.0]), np.array([0.0, 1.0]), 0.5)
    np.testing.assert_allclose(got, [0.5, 0.5])


WRONG_TESTS = [
    WrongTest("fails_right_functions", "your test also fails a right function", _fails_everything),
    WrongTest("shape_and_sum_only", "not only its shape or sum", _checks_shape_and_sum_only),
    WrongTest("only_at_one_half", "other than 0.5", _only_at_one_half),
]
