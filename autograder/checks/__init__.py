"""Hidden checks: compare learner functions with the reference on inputs the learner never sees.

Deterministic functions are compared exactly with `autograder.exercises.reference` on fixed
edge cases (every border, odd sizes, non-square images, uint8 and float inputs) plus
cases drawn at grading time. Random functions are checked by their properties, never
by one exact random stream, so any correct use of `rng` passes.

On failure a grader raises `CheckFailed` (an AssertionError) naming the smallest
failing input and, where the learner's output matches a mistake of the bank
(`autograder.exercises.mistakes`), the mistake in words a learner understands
(augcourse/hints.py), with its key.

Graded test cells import the graders from this package (`from autograder.checks import
grade_cutout`), and nbgrader's gradebook keeps that source, so the names stay here. The
checks live in one module per job:

    common.py      grading rng, the verdict (passed, failure), calling learner code
    pictures.py    pictures shown with a failure, collected while a cell is decided
    inputs.py      images, boxes and labels drawn at grading time
    compare.py     deterministic functions against the reference, mistakes matched
    randomness.py  what the random functions share: results, reproducibility, draws
    graders.py     a check becomes `grade_<function>`, naming a wrong helper it calls
    cutout.py, cutmix.py, batch.py, labels.py   the learner functions, by exercise
    choices.py     values read off the worked example, multiple choice
    experiment.py  notebook 04
"""

from autograder.checks.batch import grade_cutmix_batch
from autograder.checks.choices import (
    grade_choice,
    grade_label_mix_ratio,
    grade_mixed_label,
    grade_output_shape,
)
from autograder.checks.common import grading_rng, passed
from autograder.checks.cutmix import (
    grade_cutmix,
    grade_cutmix_box,
    grade_paste_patch,
    grade_patch_ratio,
)
from autograder.checks.cutout import grade_apply_cutout, grade_centered_box, grade_cutout
from autograder.checks.labels import grade_cutmix_labels, grade_mix_labels, grade_test_cutmix_labels
from autograder.checks.pictures import show_comparison

__all__ = [
    "grade_apply_cutout",
    "grade_centered_box",
    "grade_choice",
    "grade_cutmix",
    "grade_cutmix_batch",
    "grade_cutmix_box",
    "grade_cutmix_labels",
    "grade_cutout",
    "grade_label_mix_ratio",
    "grade_mix_labels",
    "grade_mixed_label",
    "grade_output_shape",
    "grade_paste_patch",
    "grade_patch_ratio",
    "grade_test_cutmix_labels",
    "grading_rng",
    "passed",
    "show_comparison",
]
