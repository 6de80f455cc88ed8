"""Every visible ✓ is earned: each visible check is run against the whole bank of mistakes.

For each check: what its ✓ message claims, the bank's wrong versions it claims to exclude
(each must fail it), and the ones left to the hidden checks (they may pass it, and must then
fail the hidden check). A failing visible check names the mistake it saw, not a neighbour.
"""

from __future__ import annotations

import contextlib
import io
import re

import numpy as np
import pytest

from augcourse import checks as visible
from autograder import checks as hidden
from autograder.exercises import reference
from autograder.exercises.mistakes import MISTAKES as BANK
from autograder.exercises.mistakes import WRONG_TESTS, mistakes_for
from autograder.exercises.registry import learner_functions
from autograder.pipeline.course import ASSIGNMENT

# The mistakes of notebooks 01-03 (notebook 04's paired_gain mistakes go through its own
# test cell in tests/test_mistake_keys.py and tests/test_experiment_checks.py).
MISTAKES = [m for m in BANK if m.function in learner_functions(ASSIGNMENT)]

# check -> (what the ✓ message says, keys of the bank's mistakes it leaves to the hidden checks;
# it must fail every other mistake of its function, new ones included)
CLAIMS = {
    "centered_box": ("right clipped boxes", set()),
    "apply_cutout": ("zeroes exactly the box in every channel, on a copy", set()),
    "cutout": (
        "masks one clipped square, reaches every border, every pixel can be its centre, "
        "and it is reproducible",
        set(),
    ),
    "cutmix_box": ("right boxes, sides truncated by int()", set()),
    "paste_patch": ("copies the box from source into a copy of target", set()),
    "patch_ratio": ("the box's share of the area", set()),
    "mix_labels": ("mixes the labels by the patch's share", set()),
    "cutmix": (
        "pastes one box and mixes the labels by the pasted share; lam follows "
        "Beta(alpha, alpha) and the centre reaches every pixel",
        {"centre_kept_from_border"},  # the ✓ does not claim boxes clipped at every border
    ),
    "cutmix_batch": (
        "one box, partners from a random permutation, and labels that follow the images; lam "
        "follows Beta(alpha, alpha) and the centre reaches every pixel",
        {"global_random"},  # the ✓ does not claim reproducibility
    ),
    "cutmix_labels": ("cutmix_labels is fixed", set()),
}

# (function, key) -> words of the visible message that name that very mistake.
NAMED = {
    ("centered_box", "box_not_clipped"): "not clipped",
    ("centered_box", "box_shifted_inside"): "shifted to stay inside",
    ("centered_box", "height_width_swapped"): "Height and width are swapped",
    ("centered_box", "odd_size_one_short"): "For odd sizes",
    ("centered_box", "centre_used_as_corner"): "used as the top-left corner",
    ("centered_box", "cy_cx_swapped"): "cy and cx are swapped",
    ("apply_cutout", "input_modified"): "modified in place",
    ("apply_cutout", "one_channel_masked"): "Only the first channel",
    ("apply_cutout", "rows_columns_swapped"): "Rows and columns are swapped",
    ("apply_cutout", "mask_inverted"): "mask is inverted",
    ("apply_cutout", "bottom_right_inclusive"): "half-open",
    ("apply_cutout", "dtype_changed"): "dtype differs",
    ("cutout", "centre_kept_from_border"): "kept away from the border",
    ("cutout", "global_random"): "global np.random",
    ("cutout", "height_width_swapped"): "Height and width are swapped",
    ("cutout", "input_modified"): "modified in place",
    ("cutout", "centre_never_last"): "never reaches the last row",
    ("cutout", "centre_fixed"): "always at the image's centre",
    ("cutout", "filled_with_mean"): "mean",
    ("cutmix_box", "sqrt_lam"): "sqrt(lam)",
    ("cutmix_box", "no_square_root"): "scaled by 1 - lam",
    ("cutmix_box", "height_width_swapped"): "Height and width are swapped",
    ("cutmix_box", "rounded"): "sides are rounded",
    ("cutmix_box", "box_not_clipped"): "not clipped",
    ("paste_patch", "input_modified"): "modified in place",
    ("paste_patch", "roles_swapped"): "Target and source are swapped",
    ("paste_patch", "patch_from_corner"): "top-left corner",
    ("paste_patch", "one_channel_pasted"): "Only the first channel",
    ("patch_ratio", "kept_share"): "share that is kept",
    ("patch_ratio", "integer_division"): "Integer division",
    ("patch_ratio", "square_assumed"): "multiply both sides",
    ("patch_ratio", "side_ratio"): "multiply both sides",
    ("mix_labels", "weights_swapped"): "weights are swapped",
    ("mix_labels", "not_a_mixture"): "do not add up to 1",
    ("mix_labels", "label1_modified"): "modified in place",
    ("cutmix", "lam_not_readjusted"): "re-adjusts lam",
    ("cutmix", "weights_swapped"): "weights are swapped",
    ("cutmix", "global_random"): "global np.random",
    ("cutmix", "input_modified"): "modified in place",
    ("cutmix", "centre_never_last"): "never reaches the last row",
    ("cutmix", "centre_fixed"): "always pasted at the image's centre",
    ("cutmix", "alpha_ignored"): "alpha is not used",
    ("cutmix", "lam_fixed"): "lam is fixed",
    ("cutmix_batch", "labels_not_permuted"): "labels[perm[i]]",
    ("cutmix_batch", "lam_not_readjusted"): "sampled lam",
    ("cutmix_batch", "box_per_image"): "its own box",
    ("cutmix_batch", "input_modified"): "modified in place",
    ("cutmix_batch", "partners_rolled"): "np.roll",
    ("cutmix_batch", "alpha_ignored"): "alpha is not used",
    ("cutmix_labels", "reversed_ratio"): "reversed-ratio bug",
    ("cutmix_labels", "weights_not_summing_to_one"): "do not add up to 1",
    ("cutmix_labels", "label1_only"): "Only label1",
    ("cutmix_labels", "half_and_half"): "half and half",
    ("cutmix_labels", "label1_modified"): "modified in place",
}


def run_visible(function: str, implementation) -> str | None:
    """The visible check's failure message, or None when it gives its ✓."""
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            getattr(visible, f"check_{function}")(implementation)
    except AssertionError as failure:
        return str(failure)
    return None


def excluded(function: str) -> set[str]:
    return {m.key for m in mistakes_for(function)} - CLAIMS[function][1]


@pytest.mark.parametrize("function", sorted(CLAIMS))
def test_the_check_mark_keeps_its_claims(function, capsys):
    getattr(visible, f"check_{function}")(getattr(reference, function))
    out = capsys.readouterr().out
    assert out.startswith("✓ ") and CLAIMS[function][0] in out, out


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: f"{m.function}-{m.key}")
def test_no_wrong_version_the_check_mark_excludes_gets_it(mistake):
    message = run_visible(mistake.function, mistake.implementation)
    if mistake.key in excluded(mistake.function):
        assert message is not None, f"✓ for {mistake.function}:{mistake.key}"
    else:  # left to the hidden checks, which must catch it
        with pytest.raises(AssertionError):
            getattr(hidden, f"grade_{mistake.function}")(mistake.implementation)


CAUGHT = [m for m in MISTAKES if m.key in excluded(m.function)]


@pytest.mark.parametrize("mistake", CAUGHT, ids=lambda m: f"{m.function}-{m.key}")
def test_a_failing_visible_check_names_the_mistake_it_saw(mistake):
    message = run_visible(mistake.function, mistake.implementation)
    assert NAMED[(mistake.function, mistake.key)] in message.split("likely mistake:")[-1], message


def test_every_mistake_the_visible_checks_catch_has_its_named_words():
    assert set(NAMED) == {(m.function, m.key) for m in CAUGHT}


# Mistakes a visible check names only by a failure of its own (augcourse/hints.py's
# VISIBLE_HINTS), because on its inputs they look like something else too: filling with the
# mean leaves an image of 7s unchanged; a square image and one side only both give 0.5; a
# label that was not mixed has no partner to tell. Every other mistake it catches carries its
# own key, which fills the mistake column when the failure waits for the hidden checks.
NAMED_WITHOUT_KEY = {
    ("cutout", "filled_with_mean"),
    ("patch_ratio", "square_assumed"),
    ("patch_ratio", "side_ratio"),
    ("cutmix_batch", "labels_not_permuted"),
}


@pytest.mark.parametrize("mistake", CAUGHT, ids=lambda m: f"{m.function}-{m.key}")
def test_a_failing_visible_check_carries_the_key_of_the_mistake_it_saw(mistake):
    with pytest.raises(visible.CheckFailed) as failure:
        with contextlib.redirect_stdout(io.StringIO()):
            getattr(visible, f"check_{mistake.function}")(mistake.implementation)
    if (mistake.function, mistake.key) in NAMED_WITHOUT_KEY:
        assert failure.value.mistake is None
    else:
        assert failure.value.mistake == f"{mistake.function}:{mistake.key}"


# --- the learner's own test of cutmix_labels ----------------------------------------------


def right_test_with_allclose_defaults(cutmix_labels):
    label1, label2 = np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0])
    np.testing.assert_allclose(cutmix_labels(label1, label2, 0.3), [0.7, 0.3, 0.0])


def right_test_with_assert_and_isclose(cutmix_labels):
    label1, label2 = np.array([0.0, 1.0]), np.array([1.0, 0.0])
    got = cutmix_labels(label1, label2, 0.2)
    assert np.isclose(got[0], 0.2) and np.isclose(got[1], 0.8)


def right_test_with_several_ratios_and_float32(cutmix_labels):
    label1 = np.array([1.0, 0.0, 0.0], dtype=np.float32)
    label2 = np.array([0.0, 0.0, 1.0], dtype=np.float32)
    for ratio in (0.1, 0.25, 0.9):
        got = cutmix_labels(label1, label2, ratio)
        assert got.dtype == np.float32
        np.testing.assert_allclose(got, (1 - ratio) * label1 + ratio * label2, rtol=1e-6)


RIGHT_TESTS = [
    right_test_with_allclose_defaults,
    right_test_with_assert_and_isclose,
    right_test_with_several_ratios_and_float32,
]


@pytest.mark.parametrize("test", RIGHT_TESTS, ids=lambda t: t.__name__)
def test_a_right_test_passes_visible_and_hidden_alike(test, capsys):
    visible.check_test_cutmix_labels(test)
    hidden.grade_test_cutmix_labels(test)
    assert capsys.readouterr().out.count("✓") == 2


@pytest.mark.parametrize("wrong", WRONG_TESTS, ids=lambda w: w.key)
def test_a_wrong_test_of_the_bank_fails_visible_and_hidden_with_its_reason(wrong):
    for check in (visible.check_test_cutmix_labels, hidden.grade_test_cutmix_labels):
        with pytest.raises(AssertionError, match=re.escape(wrong.named_by)):
            check(wrong.implementation)


def test_the_right_function_lent_to_a_test_stops_working_when_the_check_returns():
    kept = []

    def keeps_a_reference(cutmix_labels):
        kept.append(cutmix_labels)
        right_test_with_allclose_defaults(cutmix_labels)

    with contextlib.suppress(AssertionError):
        visible.check_test_cutmix_labels(keeps_a_reference)
    lent_functions = [f for f in kept if isinstance(f, visible.LentFunction)]
    assert len(lent_functions) == 3, "the check lends three right functions"
    for lent in lent_functions:
        with pytest.raises(RuntimeError, match="no longer works"):
            lent(np.array([1.0, 0.0]), np.array([0.0, 1.0]), 0.3)
    with pytest.raises(AssertionError):  # a kept right function gains nothing when graded
        hidden.grade_cutmix_labels(lent_functions[0])


def test_the_other_check_marks_keep_their_claims(capsys):
    from augcourse.experiment_checks import check_paired_gain
    from autograder.checks.experiment import reference_paired_gain

    visible.check_test_cutmix_labels(right_test_with_allclose_defaults)
    check_paired_gain(reference_paired_gain)
    visible.check_choice("b")
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        "✓ your test passes right functions and catches the reversed-ratio bug and two other "
        "wrong versions."
    )
    assert out[1].startswith("✓ paired_gain pairs by seed, keeps one occluder and size")
    assert out[2] == "• answer 'B' recorded; judged when graded."  # never a ✓


def test_what_is_left_to_the_hidden_checks_are_mistakes_of_the_bank():
    for function, (_, left) in CLAIMS.items():
        assert left <= {m.key for m in mistakes_for(function)}, (function, left)
