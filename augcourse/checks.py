"""Visible checks that learners run after each exercise.

Each check uses small fixed inputs and, on failure, raises `CheckFailed` (an
AssertionError) whose message says what was called, what was expected, what
came back and, where the answer matches a common slip, the likely mistake (in the
words of augcourse/hints.py, which the hidden checks use too).

Released notebooks import this module (`from augcourse import checks`), so its path and
names are frozen; the checks live in one module per exercise group, beside the tools
they share:

    cutout_checks.py, cutmix_checks.py, batch_checks.py, label_checks.py, choice_checks.py
    failures.py     how a check fails (one formatter, keyed by mistake), and waits while
                    autograding
    check_tools.py  calling learner code, describing values, inspecting results
    label_tests.py  right and wrong cutmix_labels lent to a learner's test
"""

from augcourse.batch_checks import check_cutmix_batch
from augcourse.check_tools import (
    RECORDED_MARK,
    Box,
    as_box,
    call_quietly,
    changed_box,
    describe,
    describe_call,
    expect_array,
    expect_unchanged,
    passed,
    recorded,
)
from augcourse.choice_checks import (
    check_choice,
    check_label_mix_ratio,
    check_mixed_label,
    check_output_shape,
)
from augcourse.cutmix_checks import (
    check_cutmix,
    check_cutmix_box,
    check_paste_patch,
    check_patch_ratio,
)
from augcourse.cutout_checks import check_apply_cutout, check_centered_box, check_cutout
from augcourse.failures import (
    MESSAGE_WIDTH,
    CheckFailed,
    check_failed,
    fail,
    message_lines,
    take_deferred,
    visible_check,
)
from augcourse.label_checks import check_cutmix_labels, check_mix_labels, check_test_cutmix_labels
from augcourse.label_tests import (
    VISIBLE_WRONG_CUTMIX_LABELS,
    LentFunction,
    RecordedCalls,
    buggy_cutmix_labels,
    lent_right_cutmix_labels,
    missed_wrong_hint,
    require_right_functions_pass,
)

__all__ = [
    # the checks, in the order of the notebooks
    "check_centered_box",
    "check_apply_cutout",
    "check_cutout",
    "check_cutmix_box",
    "check_paste_patch",
    "check_patch_ratio",
    "check_mix_labels",
    "check_cutmix",
    "check_cutmix_batch",
    "check_label_mix_ratio",
    "check_mixed_label",
    "check_output_shape",
    "check_test_cutmix_labels",
    "check_cutmix_labels",
    "check_choice",
    # what notebooks show or call besides the checks
    "buggy_cutmix_labels",
    "changed_box",
    # the tools, for the hidden checks and for anyone writing a check
    "MESSAGE_WIDTH",
    "RECORDED_MARK",
    "VISIBLE_WRONG_CUTMIX_LABELS",
    "Box",
    "CheckFailed",
    "LentFunction",
    "RecordedCalls",
    "as_box",
    "call_quietly",
    "check_failed",
    "describe",
    "describe_call",
    "expect_array",
    "expect_unchanged",
    "fail",
    "lent_right_cutmix_labels",
    "message_lines",
    "missed_wrong_hint",
    "passed",
    "recorded",
    "require_right_functions_pass",
    "take_deferred",
    "visible_check",
]
