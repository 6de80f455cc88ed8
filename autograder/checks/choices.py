"""Hidden checks of answers that are values, not functions: the 25% patch's worked example
(read off by the learner) and multiple-choice letters."""

from __future__ import annotations

from augcourse.check_tools import describe
from augcourse.failures import CheckFailed, take_deferred
from autograder.checks.common import failure, passed
from autograder.checks.compare import same_label, same_number
from autograder.exercises import reference
from autograder.exercises.answers import ANSWERS

# --- The 25% patch -------------------------------------------------------------------------


def grade_label_mix_ratio(label_mix_ratio) -> None:
    """The share of image 1 that stays, against the reference's worked example."""
    expected = reference.worked_example()["label_mix_ratio"]
    if not same_number(expected, label_mix_ratio):
        raise failure(
            "label_mix_ratio",
            [f"  expected: {expected}", f"  got:      {label_mix_ratio!r}"],
            None,
            "the share of image 1's pixels that stay.",
        )
    passed("label_mix_ratio is right.")


def grade_mixed_label(mixed_label) -> None:
    """The mixed label of the worked example."""
    expected = reference.worked_example()["mixed_label"]
    if not same_label(expected, mixed_label):
        raise failure(
            "mixed_label",
            [f"  expected: {describe(expected)}", f"  got:      {mixed_label!r}"],
            None,
            "label1 keeps the share of its image that stays.",
        )
    passed("mixed_label is right.")


def grade_output_shape(output_shape) -> None:
    """The shape of the mixed image of the worked example."""
    expected = reference.worked_example()["output_shape"]
    try:
        got = tuple(int(v) for v in output_shape)
    except (TypeError, ValueError):
        got = None
    if got != tuple(expected):
        raise failure("output_shape", [f"  expected: {expected}", f"  got:      {output_shape!r}"])
    passed("output_shape is right.")


# --- Multiple choice ----------------------------------------------------------------------------


def grade_choice(question_id: str, answer) -> None:
    """A multiple-choice answer against the key; the explanation is shown either way."""
    take_deferred()  # the key decides; a visible complaint about the format is superseded
    key = ANSWERS[question_id]
    given = answer.strip().upper() if isinstance(answer, str) else answer
    if given != key.letter:
        raise CheckFailed(
            f"{question_id}: {given!r} is not the best answer; it is {key.letter!r}.\n{key.explanation}"
        )
    print(f"✓ {question_id}: right. {key.explanation}")
