"""The plain-text summary printed at the end of grading: one line per learner and totals."""

from __future__ import annotations

from autograder.pipeline.tallies import (
    count_text,
    failed_count,
    learner_mistakes,
    needs_attention,
    overview_of,
    percent_text,
    score_text,
    tally_mistakes,
)


def _printable(text: str, width: int) -> str:
    """One line of at most `width` characters: control characters become "?"."""
    text = "".join(c if c.isprintable() else "?" for c in str(text))
    return text if len(text) <= width else text[: width - 1] + "…"


def class_summary_text(learners: list[dict], rows: list[dict]) -> str:
    """A fixed-width table, one line per learner, and a line of totals.

    Columns: learner, status, score/max ("not graded" when it needs attention),
    failed tests, the learner's most frequent diagnosed mistake.
    """
    headers = ["learner", "status", "score/max", "failed", "top mistake"]
    limits = [30, 40, 12, 6, 50]
    right = {2, 3}
    lines = []
    for learner in learners:
        name = learner["learner"]
        attention = needs_attention(learner)
        mistakes = [] if attention else learner_mistakes(rows, name)
        top = mistakes[0] if mistakes else "-"
        if len(mistakes) > 1:
            top += f" (+{len(mistakes) - 1} more)"
        lines.append(
            [
                name,
                learner["status"],
                score_text(learner),
                "-" if attention else str(failed_count(rows, name)),
                top,
            ]
        )
    lines = [
        [_printable(cell, limit) for cell, limit in zip(line, limits, strict=True)]
        for line in lines
    ]
    widths = [max([len(h), *(len(line[i]) for line in lines)]) for i, h in enumerate(headers)]

    def fmt(cells: list[str]) -> str:
        return "  ".join(
            cell.rjust(w) if i in right else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    overview = overview_of(learners)
    graded = {learner["learner"] for learner in learners if not needs_attention(learner)}
    failed = sum(r["status"] == "failed" and r["learner"] in graded for r in rows)
    mistakes = tally_mistakes(rows)
    common = ""
    if mistakes:
        most = mistakes[0]
        common = f"; most common mistake {most.mistake} ({count_text(most.count, 'learner')})"
    totals = (
        f"total: {count_text(overview.learners, 'learner')}, {overview.graded} graded, "
        f"{len(overview.attention)} needing attention; mean {percent_text(overview.mean)}, "
        f"median {percent_text(overview.median)}; {count_text(failed, 'failed test')}"
        + _printable(common, 90)
    )
    return "\n".join([fmt(headers), rule, *map(fmt, lines), rule, totals])
