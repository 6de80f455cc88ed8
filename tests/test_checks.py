"""The checks that grade learners: right answers in any style pass, every known mistake is named."""

import inspect
import sys
import warnings

import correct_styles
import numpy as np
import pytest

from augcourse import checks as visible
from autograder import checks as hidden
from autograder.exercises import reference
from autograder.exercises.answers import ANSWERS
from autograder.exercises.mistakes import MISTAKES as BANK
from autograder.exercises.mistakes import lookup
from autograder.exercises.registry import learner_functions
from autograder.pipeline.course import ASSIGNMENT

# The mistakes of notebooks 01-03 (notebook 04's paired_gain mistakes go through its own
# test cell in tests/test_mistake_keys.py and tests/test_experiment_checks.py).
MISTAKES = [m for m in BANK if m.function in learner_functions(ASSIGNMENT)]

FUNCTIONS = correct_styles.LEARNER_FUNCTIONS


@pytest.fixture(params=[11, 12, 13])
def grading_seed(request, monkeypatch):
    """Inputs drawn at grading time differ per run; pin a few so failures reproduce."""
    monkeypatch.setenv("COURSE_GRADING_SEED", str(request.param))
    return request.param


@pytest.mark.parametrize("name", FUNCTIONS)
@pytest.mark.parametrize("source", [reference, correct_styles], ids=["reference", "other-style"])
def test_correct_functions_pass_hidden_and_visible_checks(name, source, grading_seed, capsys):
    getattr(hidden, f"grade_{name}")(getattr(source, name))
    getattr(visible, f"check_{name}")(getattr(source, name))
    assert "✓" in capsys.readouterr().out


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: f"{m.function}-{m.key}")
def test_hidden_check_names_every_mistake_of_the_bank(mistake, grading_seed):
    with pytest.raises(AssertionError) as failure:
        getattr(hidden, f"grade_{mistake.function}")(mistake.implementation)
    assert mistake.explanation in str(failure.value)


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: f"{m.function}-{m.key}")
def test_mistakes_that_the_visible_check_catches_get_expected_and_got(mistake):
    try:
        getattr(visible, f"check_{mistake.function}")(mistake.implementation)
    except AssertionError as failure:
        message = str(failure)
        assert "expected" in message and "got" in message
    else:
        # A few mistakes only show on hidden inputs; those must still fail the hidden check.
        with pytest.raises(AssertionError):
            getattr(hidden, f"grade_{mistake.function}")(mistake.implementation)


def test_a_correct_answer_that_warns_still_passes_and_writes_nothing_to_stderr(capfd):
    def noisy_mix_labels(label1, label2, patch_ratio):
        warnings.warn("this answer warns, but it is right", UserWarning, stacklevel=1)
        print("debug output", file=sys.stderr)
        return reference.mix_labels(label1, label2, patch_ratio)

    visible.check_mix_labels(noisy_mix_labels)
    hidden.grade_mix_labels(noisy_mix_labels)
    captured = capfd.readouterr()
    assert captured.err == ""
    assert "this answer warns" in captured.out


def test_failure_message_shows_the_smallest_failing_input():
    def off_by_one(height, width, cy, cx, box_h, box_w):
        box = reference.centered_box(height, width, cy, cx, box_h, box_w)
        return (box[0], box[1], box[2], box[3] + (1 if box[3] < width else 0))

    with pytest.raises(AssertionError) as failure:
        hidden.grade_centered_box(off_by_one)
    message = str(failure.value)
    assert message.startswith("centered_box(1, 1,") or "expected" in message
    assert "hidden cases fail" in message


def test_learner_error_is_reported_as_the_answer_not_a_crash():
    def broken(box, height, width):
        raise ZeroDivisionError("oops")

    with pytest.raises(AssertionError, match="ZeroDivisionError: oops"):
        hidden.grade_patch_ratio(broken)


def test_learner_test_must_pass_correct_and_fail_wrong_functions():
    hidden.grade_test_cutmix_labels(correct_styles.test_cutmix_labels)
    visible.check_test_cutmix_labels(correct_styles.test_cutmix_labels)

    def test_at_one_half_only(fn):
        assert np.allclose(fn(np.array([1.0, 0.0]), np.array([0.0, 1.0]), 0.5), [0.5, 0.5])

    with pytest.raises(AssertionError, match="other than 0.5"):
        visible.check_test_cutmix_labels(test_at_one_half_only)
    with pytest.raises(AssertionError, match="misses this wrong version"):
        hidden.grade_test_cutmix_labels(test_at_one_half_only)

    def test_rejecting_everything(fn):
        raise AssertionError("always")

    for check in (hidden.grade_test_cutmix_labels, visible.check_test_cutmix_labels):
        with pytest.raises(AssertionError, match="your test also fails a right function"):
            check(test_rejecting_everything)


@pytest.mark.parametrize("question", sorted(ANSWERS))
def test_multiple_choice_right_letter_passes_and_others_fail_with_explanation(question, capsys):
    key = ANSWERS[question]
    hidden.grade_choice(question, key.letter.lower())
    assert key.explanation in capsys.readouterr().out
    for letter in "ABCD".replace(key.letter, ""):
        with pytest.raises(AssertionError) as failure:
            hidden.grade_choice(question, letter)
        assert key.explanation in str(failure.value)


def test_worked_example_values():
    example = reference.worked_example()
    for name, value in example.items():
        getattr(hidden, f"grade_{name}")(value)
        getattr(visible, f"check_{name}")(value)
    with pytest.raises(AssertionError, match="share kept"):
        visible.check_label_mix_ratio(0.25)
    with pytest.raises(AssertionError):
        hidden.grade_mixed_label(np.array([0.25, 0.75, 0.0]))


def test_while_autograding_the_hidden_check_names_the_mistake_the_visible_one_found(monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    swapped = lookup("mix_labels", "weights_swapped")
    visible.check_mix_labels(swapped.implementation)  # waits for the hidden check
    with pytest.raises(AssertionError) as failure:
        hidden.grade_mix_labels(swapped.implementation)
    assert swapped.explanation in str(failure.value)


def test_while_autograding_a_visible_failure_still_fails_when_hidden_cases_pass(monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")

    def wrong_only_on_the_visible_case(label1, label2, patch_ratio):
        if patch_ratio == 0.3 and len(label1) == 3 and label1[0] == 1.0:
            return np.array([0.3, 0.7, 0.0])
        return reference.mix_labels(label1, label2, patch_ratio)

    visible.check_mix_labels(wrong_only_on_the_visible_case)
    with pytest.raises(AssertionError, match="label weights are swapped"):
        hidden.grade_mix_labels(wrong_only_on_the_visible_case)


def test_outside_autograding_visible_checks_raise_at_once(monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    with pytest.raises(AssertionError):
        visible.check_patch_ratio(lambda box, height, width: 0.0)


def test_a_function_failing_because_of_a_wrong_helper_says_which_helper():
    namespace = {"np": np}
    wrong_box = lookup("centered_box", "centre_used_as_corner")

    source = "\n\n".join(
        [
            wrong_box.notebook_source(),
            inspect.getsource(correct_styles.apply_cutout),
            inspect.getsource(correct_styles.cutout),
        ]
    )
    exec(source, namespace)
    with pytest.raises(
        AssertionError, match="cutout calls your centered_box, which fails its own check"
    ):
        hidden.grade_cutout(namespace["cutout"])


def test_a_failure_that_waited_does_not_leak_into_the_next_cell(monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    swapped = lookup("mix_labels", "weights_swapped")
    visible.check_mix_labels(swapped.implementation)
    with pytest.raises(AssertionError):
        hidden.grade_mix_labels(swapped.implementation)
    hidden.grade_patch_ratio(reference.patch_ratio)  # the next cell, right: it passes
