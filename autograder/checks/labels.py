"""Hidden checks of the label exercises: mix_labels, cutmix_labels (the reversed-ratio bug
fixed) and the learner's test of it."""

from __future__ import annotations

from collections.abc import Callable

from augcourse.check_tools import call_quietly
from augcourse.diagnoses import label_mixture_mistake
from augcourse.failures import Ref
from augcourse.label_tests import RecordedCalls, missed_wrong_hint, require_right_functions_pass
from autograder.checks import inputs
from autograder.checks.common import failure, grading_rng, passed
from autograder.checks.compare import grade_deterministic, same_label
from autograder.checks.graders import grader
from autograder.exercises.mistakes import lookup_or_none, mistakes_for


def label_diagnosis(name: str, label, label1, label2, share: float) -> tuple[Ref | None, str]:
    """(the bank's mistake of `name`, or a hint) for a mixed label that is wrong."""
    key = label_mixture_mistake(label, label1, label2, share)
    if key is not None:
        mistake = lookup_or_none(name, key)
        return (mistake and mistake.ref), ""
    return (
        None,
        "label = (1 - patch_ratio) * label1 + patch_ratio * label2, with patch_ratio from the box.",
    )


@grader("mix_labels")
def grade_mix_labels(mix_labels: Callable) -> None:
    """mix_labels against the reference: one-hot and soft labels, float32 and float64, batches."""
    cases = inputs.label_cases(grading_rng(), batches=True)
    grade_deterministic("mix_labels", mix_labels, cases, same_label)


# --- The reversed-ratio bug ------------------------------------------------------------------


# Wrong versions a learner's test must catch (modifying label1 in place is left out:
# its returned value is right, and catching it is beyond what the exercise asks).
WRONG_CUTMIX_LABELS_KEYS = (
    "reversed_ratio",
    "weights_not_summing_to_one",
    "label1_only",
    "half_and_half",
)


def grade_test_cutmix_labels(test_cutmix_labels: Callable) -> None:
    """The learner's test passes right functions and fails (AssertionError) every wrong one.

    The right functions are the ones the visible check lends (augcourse.label_tests), so a
    test the visible check passes is never failed here for judging a right function."""
    require_right_functions_pass(test_cutmix_labels)
    for mistake in mistakes_for("cutmix_labels"):
        if mistake.key not in WRONG_CUTMIX_LABELS_KEYS:
            continue
        recorded = RecordedCalls(mistake.implementation, mistake.key)
        try:
            call_quietly(test_cutmix_labels, recorded)
        except AssertionError:
            continue
        except Exception as error:
            raise failure(
                "test_cutmix_labels(<a wrong cutmix_labels>)",
                ["  expected: AssertionError", f"  got:      {type(error).__name__}: {error}"],
                None,
                "call the function with numpy arrays and check its result with assert.",
            ) from None
        raise failure(
            "test_cutmix_labels(<a wrong cutmix_labels>)",
            ["  expected: AssertionError", "  got:      your test passed it"],
            None,
            f"your test misses this wrong version: {mistake.explanation} "
            + missed_wrong_hint(recorded),
        )
    passed("your test passes correct functions and catches the wrong ones.")


@grader("cutmix_labels")
def grade_cutmix_labels(cutmix_labels: Callable) -> None:
    """The fixed cutmix_labels against the reference."""
    cases = inputs.label_cases(grading_rng(), batches=False)
    grade_deterministic("cutmix_labels", cutmix_labels, cases, same_label)
