"""Every limit of grading lives in autograder/limits.py, and the pieces that apply one read it."""

from traitlets.config import Config

from autograder import grade, lab, limits
from autograder.pipeline.course import assignments
from autograder.plugins import decide, sandbox
from autograder.plugins.settings import apply


def test_every_assignment_with_limits_of_its_own_exists():
    assert set(limits.ASSIGNMENT_LIMITS) <= set(assignments())
    assert limits.limits_for("no such assignment") == limits.DEFAULT_LIMITS


def test_the_pieces_that_apply_a_limit_read_it_from_the_limits_module():
    config = Config()
    apply(config)
    assert config.Execute.timeout == limits.NBGRADER_CELL_SECONDS
    assert f"c.Execute.timeout = {limits.VALIDATE_CELL_SECONDS}" in lab.LEARNER_CONFIG
    assert limits.VALIDATE_CELL_SECONDS >= max(
        lim.cell_seconds for lim in limits.ASSIGNMENT_LIMITS.values()
    )
    assert decide.CALL_SECONDS == limits.CALL_SECONDS
    assert grade.DEFAULT_WORKERS == limits.DEFAULT_WORKERS
    assert (sandbox.MEMORY_BYTES, sandbox.CPU_SECONDS, sandbox.MAX_PROCESSES) == (
        limits.KERNEL_MEMORY_BYTES,
        limits.KERNEL_CPU_SECONDS,
        limits.KERNEL_PROCESSES,
    )


def test_a_broken_kernel_channel_is_reported_as_what_the_learners_code_did():
    from autograder.pipeline.reasons import failure_reason

    log = (
        "Converting notebook /c/submitted/ada/cutout_cutmix/02_cutmix.ipynb\n"
        "ValueError: Invalid Signature: b'27e7'"
    )
    reason = failure_reason({"stage": "autograde", "log": log}, limits.DEFAULT_LIMITS)
    assert (reason.kind, reason.notebook) == ("channel_broken", "02_cutmix.ipynb")
    assert reason.text.startswith(
        "the learner's code wrote into the kernel's message channel in 02"
    )
    assert "Invalid Signature" not in reason.text
