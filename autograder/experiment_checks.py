"""Frozen import path: the hidden test cells of notebook 04, in solution notebooks, released
gradebooks and graded notebooks, import from `autograder.experiment_checks`. The checks live in
autograder/checks/experiment.py."""

from autograder.checks.experiment import grade_best_method, grade_paired_gain

__all__ = ["grade_best_method", "grade_paired_gain"]
