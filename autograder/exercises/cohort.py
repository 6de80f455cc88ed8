"""A synthetic cohort for measuring grading speed: right, wrong and broken submissions in
stated, realistic proportions, built from the solutions and the mistake bank.

Of N learners (rounded to whole learners, the rest broken):
  60% right             the solution notebooks as they are;
  30% with mistakes     one or two of the bank's mistakes pasted into the answer cells;
  10% broken            in turn: a notebook that is not valid JSON, a kernel that dies,
                        an answer that raises (the release's stub left in place);
                        of these, one in forty learners of the cohort (none below 40) hangs:
                        a loop that ignores the grader's interrupt, stopped by the cell limit.
Deterministic for a given seed, so two runs grade the same cohort.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import nbformat

from autograder.exercises.mistakes import mistakes_for
from autograder.exercises.samples import (
    ENDLESS_LOOP,
    KERNEL_DEATH,
    answer_cells,
    mistake_answers,
    with_answers,
)
from autograder.pipeline.course import SOLUTIONS

RIGHT, MISTAKES, BROKEN = 0.6, 0.3, 0.1
HANG_EVERY = 40  # at most one learner in this many hangs
BROKEN_KINDS = ("invalid_json", "kernel_dies", "raises")
STUB = "raise NotImplementedError()\n"


@dataclass(frozen=True)
class Synthetic:
    """One synthetic learner: their name, what kind of submission, and how it was made."""

    learner: str
    kind: str  # "right", "mistakes", or a broken kind: "invalid_json", "kernel_dies", "raises", "hang"
    detail: tuple[str, ...] = ()  # the bank's mistakes ("function:key"), or the broken cell


def cohort_counts(n: int) -> dict[str, int]:
    """{kind: learners} for a cohort of n: right, mistakes, broken (of which hang)."""
    right = round(n * RIGHT)
    mistakes = min(n - right, round(n * MISTAKES))
    broken = n - right - mistakes
    return {
        "right": right,
        "mistakes": mistakes,
        "broken": broken,
        "hang": min(broken, n // HANG_EVERY),
    }


def plan_cohort(assignment: str, n: int, seed: int = 0) -> list[Synthetic]:
    """Who is in the cohort, shuffled (so the broken ones are spread through the run)."""
    rng = random.Random(seed)
    counts = cohort_counts(n)
    functions = sorted(_answer_functions(assignment) & {m.function for m in _bank()})
    kinds = ["right"] * counts["right"] + ["mistakes"] * counts["mistakes"]
    kinds += ["hang"] * counts["hang"]
    kinds += [BROKEN_KINDS[i % len(BROKEN_KINDS)] for i in range(counts["broken"] - counts["hang"])]
    rng.shuffle(kinds)
    cohort = []
    for number, kind in enumerate(kinds):
        detail: tuple[str, ...] = ()
        if kind == "mistakes":
            chosen = rng.sample(functions, k=min(len(functions), rng.choice((1, 2))))
            detail = tuple(f"{f}:{rng.choice(mistakes_for(f)).key}" for f in chosen)
        cohort.append(Synthetic(f"learner{number:04d}", kind, detail))
    return cohort


def write_cohort(submitted: Path, assignment: str, n: int, seed: int = 0) -> list[Synthetic]:
    """Write the cohort in nbgrader's layout (`submitted/<learner>/<assignment>/`)."""
    source = SOLUTIONS / assignment
    cohort = plan_cohort(assignment, n, seed)
    for member in cohort:
        folder = submitted / member.learner / assignment
        folder.mkdir(parents=True, exist_ok=True)
        notebooks = _notebooks(member, source)
        for name, notebook in notebooks.items():
            nbformat.write(notebook, folder / name)
        if member.kind == "invalid_json":
            last = sorted(notebooks)[-1]
            (folder / last).write_text('{"cells": [{"cell_type": "code", "source": "trunc')
    return cohort


def _bank():
    from autograder.exercises.mistakes import MISTAKES

    return MISTAKES


def _answer_functions(assignment: str) -> set[str]:
    return {
        exercise
        for notebook in with_answers({}, SOLUTIONS / assignment).values()
        for exercise in answer_cells(notebook)
    }


def _notebooks(member: Synthetic, source: Path) -> dict[str, nbformat.NotebookNode]:
    if member.kind == "mistakes":
        return with_answers(mistake_answers(*member.detail), source)
    notebooks = with_answers({}, source)
    broken_source = {"kernel_dies": KERNEL_DEATH, "raises": STUB, "hang": ENDLESS_LOOP}
    if member.kind in broken_source:
        # The last notebook's first answer cell: the ones before it are graded as usual.
        last = notebooks[sorted(notebooks)[-1]]
        first_answer = next(iter(answer_cells(last).values()))
        first_answer.source = broken_source[member.kind]
    return notebooks
