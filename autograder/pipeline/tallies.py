"""Counting over a graded class: who needs attention, scores, outcomes per test, mistakes.

Input, as the grading pipeline produces it:
  rows: one dict per (learner, graded test cell):
      {"learner": str, "notebook": str ("01_cutout.ipynb"), "test": str (grade_id),
       "points": float | None (None: could not be graded), "max": float,
       "status": "passed" | "failed" | "not graded",
       "mistake": str ("function:key" of the bank's mistake the checks recognised, or ""),
       "message": str (learner-facing explanation, or "")}
  learners: one dict per learner (`learner_result.learner_row`):
      {"learner": str, "status": "graded" | "needs attention: <reasons>" (for display),
       "reasons": [Reason] (why the learner needs attention; empty when graded),
       "score": float | None, "max": float, "seconds": float}

Learners needing attention are never scored as 0: they are left out of the grade
distribution and the pass rates.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field

from autograder.exercises.mistakes import lookup_or_none


def needs_attention(learner: dict) -> bool:
    """True if the learner has no usable score (whatever the pipeline's reason)."""
    return bool(learner.get("reasons")) or learner.get("score") is None


def attention_reason(learner: dict) -> str:
    """Why a learner needs attention: their reasons' sentences, joined by "; "."""
    return "; ".join(reason.text for reason in learner.get("reasons") or []) or "no score recorded"


def score_percent(learner: dict) -> float | None:
    """The learner's total score as % of the maximum, or None if not graded."""
    if needs_attention(learner) or not learner.get("max"):
        return None
    return 100 * learner["score"] / learner["max"]


def explain_mistake(mistake: str) -> tuple[str, str]:
    """(function, explanation) of a "function:key" mistake, looked up in the bank.

    Keys are unique only per function (several functions have `input_modified`), so
    the lookup uses both parts.
    """
    function, _, key = mistake.partition(":")
    known = lookup_or_none(function, key)
    return function, known.explanation if known else ""


def tests_in_order(rows: list[dict]) -> list[tuple[str, str]]:
    """(notebook, test) pairs: notebooks by name (NN_topic), tests as first seen."""
    first_seen: dict[tuple[str, str], int] = {}
    for row in rows:
        first_seen.setdefault((row["notebook"], row["test"]), len(first_seen))
    return sorted(first_seen, key=lambda cell: (cell[0], first_seen[cell]))


@dataclass
class CellTally:
    """Outcomes of one graded test cell over the graded learners."""

    notebook: str
    test: str
    passed: int = 0
    failed: int = 0
    not_graded: int = 0
    mistakes: Counter = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return self.passed + self.failed + self.not_graded

    @property
    def rate(self) -> float | None:
        """Share of graded learners who passed, or None if no graded learner has this test."""
        return self.passed / self.total if self.total else None


def tally_tests(rows: list[dict], learners: list[dict]) -> list[CellTally]:
    """One tally per test, in `tests_in_order`, counting only learners who were graded."""
    graded = {learner["learner"] for learner in learners if not needs_attention(learner)}
    tallies = {cell: CellTally(*cell) for cell in tests_in_order(rows)}
    for row in rows:
        if row["learner"] not in graded:
            continue
        tally = tallies[row["notebook"], row["test"]]
        if row["status"] == "passed":
            tally.passed += 1
        elif row["status"] == "failed":
            tally.failed += 1
        else:
            tally.not_graded += 1
        if row.get("mistake"):
            tally.mistakes[row["mistake"]] += 1
    return list(tallies.values())


@dataclass
class MistakeTally:
    """One diagnosed mistake over the class: who made it and in which tests."""

    mistake: str  # "function:key"
    function: str
    explanation: str  # from the bank; "" if the key is not in the bank
    learners: list[str] = field(default_factory=list)  # distinct, as first seen
    tests: list[str] = field(default_factory=list)
    example_message: str = ""

    @property
    def count(self) -> int:
        return len(self.learners)


def tally_mistakes(rows: list[dict]) -> list[MistakeTally]:
    """Diagnosed mistakes, most learners first (then by key); each learner counted once."""
    tallies: dict[str, MistakeTally] = {}
    for row in rows:
        mistake = row.get("mistake") or ""
        if not mistake:
            continue
        if mistake not in tallies:
            tallies[mistake] = MistakeTally(mistake, *explain_mistake(mistake))
        tally = tallies[mistake]
        if row["learner"] not in tally.learners:
            tally.learners.append(row["learner"])
        if row["test"] not in tally.tests:
            tally.tests.append(row["test"])
        if not tally.example_message and row.get("message"):
            tally.example_message = row["message"]
    return sorted(tallies.values(), key=lambda t: (-t.count, t.mistake))


def learner_mistakes(rows: list[dict], learner: str) -> list[str]:
    """The learner's diagnosed mistakes, most frequent first (test order on ties)."""
    order = {cell: i for i, cell in enumerate(tests_in_order(rows))}
    own = [r for r in rows if r["learner"] == learner and r.get("mistake")]
    own.sort(key=lambda r: order[r["notebook"], r["test"]])
    return [mistake for mistake, _ in Counter(r["mistake"] for r in own).most_common()]


def failed_count(rows: list[dict], learner: str) -> int:
    return sum(r["learner"] == learner and r["status"] == "failed" for r in rows)


def number_text(value: float | None) -> str:
    """12.5 -> "12.5", 20.0 -> "20", None -> "-"."""
    return "-" if value is None else f"{value:g}"


def score_text(learner: dict) -> str:
    if needs_attention(learner):
        return "not graded"
    return f"{number_text(learner['score'])}/{number_text(learner.get('max'))}"


@dataclass
class Overview:
    learners: int
    graded: int
    attention: list[dict]
    percents: list[float]

    @property
    def mean(self) -> float | None:
        return statistics.mean(self.percents) if self.percents else None

    @property
    def median(self) -> float | None:
        return statistics.median(self.percents) if self.percents else None


def overview_of(learners: list[dict]) -> Overview:
    attention = [learner for learner in learners if needs_attention(learner)]
    percents = [p for p in map(score_percent, learners) if p is not None]
    return Overview(len(learners), len(learners) - len(attention), attention, percents)


def count_text(n: int, noun: str) -> str:
    """1 learner, 2 learners."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def percent_text(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}%"
