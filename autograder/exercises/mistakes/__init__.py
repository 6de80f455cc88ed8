"""A bank of mistakes that learners really make, each as a runnable wrong implementation.

Used three ways:
  * the hidden checks compare a failing learner function with these on the same
    inputs and name the mistake it matches, in a sentence a learner understands;
  * the reference tests run each one to show that the properties catch it;
  * the notebook tests paste their source into a solution notebook, rename the
    function, and check that real nbgrader grades it below full marks.

Each implementation is written the way a learner would write it in the notebook:
it uses only `np`, `math` and the course's other learner functions by name, so
its source runs unchanged inside a notebook.

One module per group of exercises; importing them here registers their mistakes in the
order of the notebooks. The sentences learners read are in augcourse/hints.py.
"""

# Registered in the order of the notebooks.
from autograder.exercises.mistakes import cutout, cutmix, batch, labels, experiment  # noqa: F401  isort: skip
from autograder.exercises.mistakes.bank import (
    MISTAKES,
    Mistake,
    lookup,
    lookup_or_none,
    mistake,
    mistakes_for,
)
from autograder.exercises.mistakes.labels import (
    WRONG_TESTS,
    WrongTest,
    cutmix_labels_reversed_ratio,
)

__all__ = [
    "MISTAKES",
    "WRONG_TESTS",
    "Mistake",
    "WrongTest",
    "cutmix_labels_reversed_ratio",
    "lookup",
    "lookup_or_none",
    "mistake",
    "mistakes_for",
]
