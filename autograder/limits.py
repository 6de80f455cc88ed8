"""Every limit of grading, in one place: per call, per cell, per learner, per kernel, and how
many learners are graded at once. Everything else reads them from here."""

from __future__ import annotations

import os
from dataclasses import dataclass

# A learner function answering one request of a graded test cell (autograder/plugins/decide.py).
CALL_SECONDS = 30.0
# One nbgrader command run by the course (release, export, a whole autograde by command).
COMMAND_SECONDS = 900
# Each cell of a notebook autograded by an nbgrader command in a course folder, outside the
# grading command (an instructor typing `nbgrader autograde`, Formgrader's button).
NBGRADER_CELL_SECONDS = 120


@dataclass(frozen=True)
class Limits:
    """How long one learner may take: each cell, and the whole autograde of the learner."""

    cell_seconds: int = 60
    learner_seconds: float = 900


DEFAULT_LIMITS = Limits()
# measuring_the_effect trains 40 small nets in one cell and more in another (about 40 s in
# all on 2 cores; a course notebook cell takes about a second): room for slower machines.
# Keyed by assignment name (autograder.pipeline.course.EXPERIMENT; a test checks the names exist).
ASSIGNMENT_LIMITS = {"measuring_the_effect": Limits(cell_seconds=300, learner_seconds=900)}


def limits_for(assignment: str) -> Limits:
    """The time limits that fit an assignment's notebooks."""
    return ASSIGNMENT_LIMITS.get(assignment, DEFAULT_LIMITS)


# Validate runs the whole notebook, each cell within nbgrader's Execute.timeout (30 s by
# default). Notebook 04 trains its models in one cell, about 22 s on 2 cores: a slower laptop
# would see Validate fail on a right answer. Learners get the grader's longest cell limit.
VALIDATE_CELL_SECONDS = max(
    limits.cell_seconds for limits in (DEFAULT_LIMITS, *ASSIGNMENT_LIMITS.values())
)

# The confined kernel of one learner (autograder/plugins/sandbox.py).
KERNEL_MEMORY_BYTES = 3 * 1024**3
KERNEL_CPU_SECONDS = 600
KERNEL_FILE_BYTES = 256 * 1024**2
KERNEL_OPEN_FILES = 512
KERNEL_PROCESSES = 64

# Learners graded at once: each one's kernel keeps about one core busy, the grader little.
DEFAULT_WORKERS = max(1, min(4, os.cpu_count() or 1))
