"""Visible checks of the label exercises: mix_labels, the learner's test of cutmix_labels,
and cutmix_labels fixed."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from augcourse.check_tools import (
    call_quietly,
    describe_call,
    expect_unchanged,
    passed,
)
from augcourse.failures import fail, visible_check
from augcourse.label_tests import (
    VISIBLE_WRONG_CUTMIX_LABELS,
    RecordedCalls,
    first_line,
    missed_wrong_hint,
    require_right_functions_pass,
)


def _check_label_mixer(name: str, fn: Callable) -> None:
    label1, label2 = np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0])
    for ratio, expected in [
        (0.3, [0.7, 0.3, 0.0]),
        (0.25, [0.75, 0.25, 0.0]),
        (0.0, [1.0, 0.0, 0.0]),
    ]:
        originals = label1.copy(), label2.copy()
        call = describe_call(name, label1, label2, ratio)
        got = call_quietly(fn, label1, label2, ratio)
        expect_unchanged(call, "label1", originals[0], label1, (name, "label1_modified"))
        expect_unchanged(call, "label2", originals[1], label2)
        if np.shape(got) != (3,) or not np.allclose(got, expected, rtol=1e-9, atol=1e-12):
            key, hint = _label_mixer_diagnosis(name, got, expected)
            fail(call, expected, got, hint, mistake=(name, key) if key else None)


# Keys that differ between the two label mixers (the reversed-ratio bug is cutmix_labels' name
# for swapped weights); "label1_only" and "half_and_half" are the same for both.
SWAPPED_KEY = {"mix_labels": "weights_swapped", "cutmix_labels": "reversed_ratio"}
NOT_SUMMING_TO_ONE_KEY = {
    "mix_labels": "not_a_mixture",
    "cutmix_labels": "weights_not_summing_to_one",
}


def _label_mixer_diagnosis(name: str, got, expected: list[float]) -> tuple[str | None, str | None]:
    """(key of the mistake, or a hint) of a label mixer, from what it returned for
    label1 = [1, 0, 0] and label2 = [0, 1, 0]."""
    if np.shape(got) != (3,):
        return None, "return an array of the labels' shape."
    got = np.asarray(got, dtype=float)
    if np.allclose(got, [expected[1], expected[0], 0.0]):
        return SWAPPED_KEY[name], None
    if np.allclose(got, [1.0, 0.0, 0.0]):
        return "label1_only", None
    if np.allclose(got, [0.5, 0.5, 0.0]):
        return "half_and_half", None
    if not np.isclose(got.sum(), 1.0):
        return NOT_SUMMING_TO_ONE_KEY[name], None
    return None, None


@visible_check
def check_mix_labels(mix_labels: Callable) -> None:
    """mix_labels weights label1 by 1 - patch_ratio and label2 by patch_ratio."""
    _check_label_mixer("mix_labels", mix_labels)
    passed("mix_labels mixes the labels by the patch's share.")


# --- The reversed-ratio bug ---------------------------------------------------------


@visible_check
def check_test_cutmix_labels(test_cutmix_labels: Callable) -> None:
    """Your test passes right cutmix_labels (three styles) and fails (AssertionError) the
    reversed-ratio snippet and two other wrong versions."""
    require_right_functions_pass(test_cutmix_labels)
    for name, wrong in VISIBLE_WRONG_CUTMIX_LABELS.items():
        recorded = RecordedCalls(wrong, name)
        try:
            call_quietly(test_cutmix_labels, recorded)
        except AssertionError:
            continue
        except NotImplementedError:
            raise
        except Exception as error:
            fail(
                f"test_cutmix_labels(<{name}>)",
                "AssertionError (the function is wrong)",
                f"{type(error).__name__}: {first_line(error)}",
                "check the function's result with assert, so a wrong one raises AssertionError.",
            )
        fail(
            f"test_cutmix_labels(<{name}>)",
            "AssertionError (the function is wrong)",
            "no error: your test passed it",
            missed_wrong_hint(recorded),
        )
    passed(
        "your test passes right functions and catches the reversed-ratio bug and two other "
        "wrong versions."
    )


@visible_check
def check_cutmix_labels(cutmix_labels: Callable) -> None:
    """The fixed cutmix_labels: label1 keeps 1 - patch_ratio."""
    _check_label_mixer("cutmix_labels", cutmix_labels)
    passed("cutmix_labels is fixed.")
