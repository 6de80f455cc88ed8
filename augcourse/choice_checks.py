"""Visible checks of answers that are values: the 25% patch's worked example and
multiple-choice letters (judged when graded)."""

from __future__ import annotations

import numpy as np

from augcourse.check_tools import (
    passed,
    recorded,
)
from augcourse.failures import fail, visible_check

# --- The 25% patch -----------------------------------------------------------------


@visible_check
def check_label_mix_ratio(label_mix_ratio) -> None:
    """The share of image 1 that stays when the patch covers 25% of the area."""
    if not isinstance(label_mix_ratio, (int, float, np.number)):
        fail("label_mix_ratio", 0.75, repr(label_mix_ratio), "assign a number.")
    if not np.isclose(float(label_mix_ratio), 0.75):
        hint = None
        if np.isclose(float(label_mix_ratio), 0.25):
            hint = "that is the patch's share; label_mix_ratio is the share kept from image 1."
        fail("label_mix_ratio", 0.75, label_mix_ratio, hint)
    passed("label_mix_ratio is the share kept from image 1.")


@visible_check
def check_mixed_label(mixed_label) -> None:
    """The label of the 25%-patch example."""
    if np.shape(mixed_label) != (3,) or not np.allclose(mixed_label, [0.75, 0.25, 0.0]):
        hint = None
        if np.shape(mixed_label) == (3,) and np.allclose(mixed_label, [0.25, 0.75, 0.0]):
            hint = "the weights are reversed: label1's image keeps 75% of its pixels."
        fail("mixed_label", [0.75, 0.25, 0.0], mixed_label, hint)
    passed("mixed_label is right.")


@visible_check
def check_output_shape(output_shape) -> None:
    """CutMix keeps the image's shape."""
    if tuple(np.atleast_1d(output_shape).tolist()) != (3, 32, 32):
        fail(
            "output_shape",
            (3, 32, 32),
            output_shape,
            "pasting a patch does not change the image's shape.",
        )
    passed("output_shape is right.")


# --- Multiple choice -------------------------------------------------------------------


@visible_check
def check_choice(answer, choices: str = "ABCD") -> None:
    """A multiple-choice answer is one of the offered letters (its correctness is graded later)."""
    if not (isinstance(answer, str) and answer.strip().upper() in set(choices)):
        fail(
            "your answer",
            f'one of the letters {", ".join(choices)} as a string, e.g. "A"',
            repr(answer),
        )
    recorded(f"answer {answer.strip().upper()!r} recorded; judged when graded.")
