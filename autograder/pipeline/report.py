"""The instructor's class report after grading: one HTML page and a table for the terminal.

Input, as the grading pipeline produces it:
  rows: one dict per (learner, graded test cell):
      {"learner": str, "notebook": str ("01_cutout.ipynb"), "test": str (grade_id),
       "points": float | None (None: could not be graded), "max": float,
       "status": "passed" | "failed" | "not graded",
       "mistake": str ("function:key" of the bank's mistake the checks recognised, or ""),
       "message": str (learner-facing explanation, or "")}
  learners: one dict per learner:
      {"learner": str, "status": "graded" | "needs attention: <reasons>" (for display),
       "reasons": [str] (why the learner needs attention; empty when graded),
       "score": float | None, "max": float, "seconds": float}

`write_class_report` writes `class_report.html`: a single self-contained file (inline CSS,
pictures as PNG data URIs, no scripts) that can be mailed or archived as it is.
`class_summary_text` is the plain-text summary printed at the end of grading.

Learners needing attention are never scored as 0: they are listed with their reason,
left out of the grade distribution and the pass rates, and shown as "not graded".
Learner names and messages are untrusted and are escaped everywhere.
"""

from __future__ import annotations

import base64
import html
import io
import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from autograder.checks.experiment import PAIRED_GAIN_MISTAKES
from autograder.exercises.mistakes import MISTAKES
from autograder.plugins.feedback import CSP_META

TITLE = "Cutout and CutMix: class report"
REPORT_NAME = "class_report.html"
TOP_MISTAKES = 10  # bars in the mistakes chart (the table lists them all)
DPI = 110
BAR_COLOUR = "#4c72b0"

_EXPLANATIONS = {(m.function, m.key): m.explanation for m in MISTAKES} | {
    ("paired_gain", key): hint for key, hint in PAIRED_GAIN_MISTAKES.items()
}


# --- reading the input ---------------------------------------------------------------


def needs_attention(learner: dict) -> bool:
    """True if the learner has no usable score (whatever the pipeline's reason)."""
    return bool(learner.get("reasons")) or learner.get("score") is None


def attention_reason(learner: dict) -> str:
    """Why a learner needs attention: their reasons, each a sentence for the instructor."""
    return "; ".join(learner.get("reasons") or []) or "no score recorded"


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
    explanation = _EXPLANATIONS.get((function, key), "")
    return function, explanation


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


def _learner_mistakes(rows: list[dict], learner: str) -> list[str]:
    """The learner's diagnosed mistakes, most frequent first (test order on ties)."""
    order = {cell: i for i, cell in enumerate(tests_in_order(rows))}
    own = [r for r in rows if r["learner"] == learner and r.get("mistake")]
    own.sort(key=lambda r: order[r["notebook"], r["test"]])
    return [mistake for mistake, _ in Counter(r["mistake"] for r in own).most_common()]


def _failed_count(rows: list[dict], learner: str) -> int:
    return sum(r["learner"] == learner and r["status"] == "failed" for r in rows)


def _number(value: float | None) -> str:
    """12.5 -> "12.5", 20.0 -> "20", None -> "-"."""
    return "-" if value is None else f"{value:g}"


def _score_text(learner: dict) -> str:
    if needs_attention(learner):
        return "not graded"
    return f"{_number(learner['score'])}/{_number(learner.get('max'))}"


@dataclass
class _Overview:
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


def _overview(learners: list[dict]) -> _Overview:
    attention = [learner for learner in learners if needs_attention(learner)]
    percents = [p for p in map(score_percent, learners) if p is not None]
    return _Overview(len(learners), len(learners) - len(attention), attention, percents)


def _count(n: int, noun: str) -> str:
    """1 learner, 2 learners."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _percent_text(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}%"


# --- pictures ---------------------------------------------------------------------------


def figure_data_uri(figure: Figure) -> str:
    """The figure as a PNG data URI ("data:image/png;base64,...") for an <img src>.

    Figures here are made with `matplotlib.figure.Figure` directly, never through
    pyplot, so they use the Agg canvas whatever the backend and leave nothing open.
    """
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _label(text: str) -> str:
    """Text shown literally by matplotlib (a "$" would start mathtext)."""
    return text.replace("$", r"\$")


def grade_histogram(percents: list[float], attention: int = 0) -> Figure:
    """Histogram of graded learners' total scores, in 10% bins from 0% to 100%."""
    figure = Figure(figsize=(7.5, 3.4))
    ax = figure.add_subplot()
    edges = np.linspace(0, 100, 11)
    counts, _ = np.histogram(np.clip(percents, 0, 100), bins=edges)
    bars = ax.bar(edges[:-1], counts, width=10, align="edge", color=BAR_COLOUR, edgecolor="white")
    ax.bar_label(bars, labels=[str(c) if c else "" for c in counts], padding=2)
    if percents:
        mean = statistics.mean(percents)
        ax.axvline(mean, color="#c44e52", linestyle="--", linewidth=1.5)
        ax.text(
            mean,
            1.0,
            f" mean {mean:.0f}%",
            color="#c44e52",
            va="top",
            transform=ax.get_xaxis_transform(),
        )
    ax.set_xlim(0, 100)
    ax.set_xticks(edges, labels=[f"{e:g}%" for e in edges])
    ax.set_ylim(0, max(1, counts.max(initial=0)) * 1.2)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("total score (% of maximum)")
    ax.set_ylabel("learners")
    ax.set_title(f"Grade distribution: {len(percents)} graded learners")
    ax.spines[["top", "right"]].set_visible(False)
    if attention:
        ax.text(
            0.0,
            -0.25,
            f"Not shown: {_count(attention, 'learner')} needing attention (not graded).",
            transform=ax.transAxes,
            color="#b03a2e",
            fontweight="bold",
        )
    return figure


def pass_rate_chart(tallies: list[CellTally]) -> Figure:
    """Horizontal bars, one per test in order, coloured by notebook, labelled "passed/total"."""
    figure = Figure(figsize=(7.5, 1.4 + 0.32 * len(tallies)))
    ax = figure.add_subplot()
    notebooks = list(dict.fromkeys(t.notebook for t in tallies))
    palette = matplotlib.colormaps["tab10"]
    colour = {nb: palette(i % 10) for i, nb in enumerate(notebooks)}
    y = np.arange(len(tallies))
    rates = [100 * (t.rate or 0) for t in tallies]
    ax.barh(y, rates, color=[colour[t.notebook] for t in tallies], height=0.7)
    for position, rate, tally in zip(y, rates, tallies, strict=True):
        text = f"{tally.passed}/{tally.total}" if tally.total else "no graded learners"
        ax.text(rate + 1, position, text, va="center", fontsize=9)
    ax.set_yticks(y, labels=[_label(t.test) for t in tallies])
    ax.set_ylim(len(tallies) - 0.5, -0.5)  # first test on top
    ax.set_xlim(0, 112)
    ax.set_xticks(np.linspace(0, 100, 6), labels=[f"{p:g}%" for p in np.linspace(0, 100, 6)])
    ax.set_xlabel("graded learners who passed")
    ax.set_title("Pass rate per test")
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(
        handles=[
            Patch(color=colour[nb], label=_label(nb.removesuffix(".ipynb"))) for nb in notebooks
        ],
        loc="upper center",
        bbox_to_anchor=(0.5, -0.55 / (0.77 * figure.get_figheight())),  # below the x label
        ncol=min(len(notebooks), 4),
        frameon=False,
    )
    return figure


def mistakes_chart(tallies: list[MistakeTally], top: int = TOP_MISTAKES) -> Figure:
    """Horizontal bars of the `top` most common mistakes: learners who made each."""
    shown = tallies[:top]
    figure = Figure(figsize=(7.5, 1.2 + 0.32 * len(shown)))
    ax = figure.add_subplot()
    y = np.arange(len(shown))
    bars = ax.barh(y, [t.count for t in shown], color=BAR_COLOUR, height=0.7)
    ax.bar_label(bars, padding=3)
    ax.set_yticks(y, labels=[_label(t.mistake) for t in shown])
    ax.set_ylim(len(shown) - 0.5, -0.5)  # most common on top
    ax.set_xlim(0, max((t.count for t in shown), default=1) * 1.15)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("learners")
    title = "Most common diagnosed mistakes"
    if len(tallies) > len(shown):
        title += f" (top {len(shown)} of {len(tallies)})"
    ax.set_title(title)
    ax.spines[["top", "right"]].set_visible(False)
    return figure


# --- the HTML page ----------------------------------------------------------------------

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222;
       max-width: 1050px; margin: 2em auto; padding: 0 1em; line-height: 1.4; }
h1 { margin-bottom: 0.2em; }
h2 { margin-top: 2em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
.cards { display: flex; flex-wrap: wrap; gap: 0.8em; margin: 1em 0; }
.card { border: 1px solid #ccc; border-radius: 6px; padding: 0.5em 1em; min-width: 7em; }
.card .value { font-size: 1.8em; font-weight: bold; }
.card.alert { border: 2px solid #b03a2e; background: #fdecea; color: #b03a2e; }
.attention { border: 2px solid #b03a2e; background: #fdecea; border-radius: 6px;
             padding: 0.6em 1.2em; margin: 1em 0; }
.attention h2 { margin-top: 0.3em; color: #b03a2e; border: none; }
.ok { border: 1px solid #2e7d32; background: #e8f5e9; border-radius: 6px; padding: 0.5em 1em; }
table { border-collapse: collapse; margin: 1em 0; width: 100%; }
th, td { border: 1px solid #ddd; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.needs-attention td { background: #fdecea; }
.badge { color: #b03a2e; font-weight: bold; }
code { background: #f3f3f3; padding: 0 0.2em; }
img { max-width: 100%; }
.note { color: #555; }
"""


def _e(value) -> str:
    """Escaped text for HTML: learner names, messages and keys are untrusted."""
    return html.escape(str(value), quote=True)


def _img(figure: Figure, alt: str) -> str:
    return f'<p><img src="{figure_data_uri(figure)}" alt="{_e(alt)}"></p>'


def _table(headers: list[str], rows: list, numeric: frozenset[int] = frozenset()) -> str:
    """An HTML table of already-escaped cells; columns in `numeric` are right-aligned.

    A row is a list of cells, or (css_class, cells).
    """
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = []
    for row in rows:
        row_class, cells = ("", row) if not isinstance(row, tuple) else row
        tds = "".join(
            f'<td class="num">{cell}</td>' if i in numeric else f"<td>{cell}</td>"
            for i, cell in enumerate(cells)
        )
        body.append(f'<tr class="{row_class}">{tds}</tr>' if row_class else f"<tr>{tds}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _header_section(overview: _Overview, learners: list[dict]) -> str:
    maxima = {learner.get("max") for learner in learners if not needs_attention(learner)}
    points = ""
    if len(maxima) == 1 and overview.percents:
        (maximum,) = maxima
        scores = [learner["score"] for learner in learners if not needs_attention(learner)]
        points = (
            f"<p class='note'>In points: mean {statistics.mean(scores):.1f}/{_number(maximum)}, "
            f"median {_number(statistics.median(scores))}/{_number(maximum)}.</p>"
        )
    attention_card = "card alert" if overview.attention else "card"
    cards = [
        ("card", overview.learners, "learners"),
        ("card", overview.graded, "graded"),
        (attention_card, len(overview.attention), "needing attention"),
        ("card", _percent_text(overview.mean), "mean score (graded)"),
        ("card", _percent_text(overview.median), "median score (graded)"),
    ]
    html_cards = "".join(
        f'<div class="{cls}"><div class="value">{_e(value)}</div>{_e(label)}</div>'
        for cls, value, label in cards
    )
    if overview.attention:
        items = "".join(
            f"<li><strong>{_e(learner['learner'])}</strong>: {_e(attention_reason(learner))}</li>"
            for learner in overview.attention
        )
        attention = (
            '<div class="attention" id="needs-attention">'
            f"<h2>Needs attention, not graded: {_count(len(overview.attention), 'learner')}</h2>"
            "<p>These learners have <strong>no score</strong> (this is not a 0). They are left "
            "out of the mean, the median, the grade distribution and the pass rates. "
            "Look at their submissions, fix the cause and grade them again.</p>"
            f"<ul>{items}</ul></div>"
        )
    else:
        attention = '<p class="ok">Every learner was graded.</p>'
    return f'<div class="cards">{html_cards}</div>{points}{attention}'


def _grades_section(overview: _Overview) -> str:
    if not overview.percents:
        return "<h2>Grade distribution</h2><p>No learner was graded.</p>"
    figure = grade_histogram(overview.percents, len(overview.attention))
    return (
        "<h2>Grade distribution</h2>"
        + _img(figure, "Histogram of total scores of graded learners, in % of the maximum")
        + "<p class='note'>Total score as % of the maximum, graded learners only.</p>"
    )


def _tests_section(tallies: list[CellTally]) -> str:
    if not tallies:
        return "<h2>Pass rate per test</h2><p>No graded test cells.</p>"
    rows = []
    for t in tallies:
        rate = f"{t.passed}/{t.total} ({100 * t.rate:.0f}%)" if t.total else "-"
        common = t.mistakes.most_common(1)
        mistake = f"<code>{_e(common[0][0])}</code> ({common[0][1]})" if common else ""
        rows.append(
            [
                _e(t.notebook),
                _e(t.test),
                str(t.passed),
                str(t.failed),
                str(t.not_graded),
                rate,
                mistake,
            ]
        )
    table = _table(
        ["notebook", "test", "passed", "failed", "not graded", "pass rate", "most common mistake"],
        rows,
        numeric=frozenset({2, 3, 4, 5}),
    )
    return (
        "<h2>Pass rate per test</h2>"
        + _img(pass_rate_chart(tallies), "Bar chart of the pass rate of each test")
        + "<p class='note'>Among graded learners; tests in notebook order.</p>"
        + table
    )


def _mistakes_section(mistakes: list[MistakeTally], rows: list[dict]) -> str:
    undiagnosed_rows = [r for r in rows if r["status"] == "failed" and not r.get("mistake")]
    undiagnosed = (
        f"<p class='note'>{_count(len(undiagnosed_rows), 'failed test')}, by "
        f"{_count(len({r['learner'] for r in undiagnosed_rows}), 'learner')}, matched no known "
        "mistake: candidates for the bank (<code>autograder/exercises/mistakes.py</code>).</p>"
    )
    if not mistakes:
        return "<h2>Most common diagnosed mistakes</h2><p>No mistake was diagnosed.</p>" + (
            undiagnosed if undiagnosed_rows else ""
        )
    table_rows = []
    for t in mistakes:
        if t.explanation:
            explanation = _e(t.explanation)
        else:
            example = f" Example message: {_e(t.example_message)}" if t.example_message else ""
            explanation = f"<em>Not in the bank of mistakes.</em>{example}"
        table_rows.append(
            [
                f"<code>{_e(t.mistake)}</code>",
                _e(t.function),
                explanation,
                str(t.count),
                _e(", ".join(t.learners)),
                _e(", ".join(t.tests)),
            ]
        )
    table = _table(
        ["mistake", "function", "explanation", "learners", "who", "tests"],
        table_rows,
        numeric=frozenset({3}),
    )
    return (
        "<h2>Most common diagnosed mistakes</h2>"
        + _img(mistakes_chart(mistakes), "Bar chart of the most common diagnosed mistakes")
        + table
        + (undiagnosed if undiagnosed_rows else "")
    )


def _learners_section(learners: list[dict], rows: list[dict]) -> str:
    table_rows = []
    for learner in learners:
        name = learner["learner"]
        if needs_attention(learner):
            status = f'<span class="badge">{_e(learner["status"])}</span>'
            score = '<span class="badge">not graded</span>'
            percent, failed = "-", "-"
        else:
            status = _e(learner["status"])
            score = _e(_score_text(learner))
            percent = _percent_text(score_percent(learner))
            failed = str(_failed_count(rows, name))
        seconds = learner.get("seconds")
        cells = [
            _e(name),
            status,
            score,
            percent,
            failed,
            "-" if seconds is None else f"{seconds:.1f}",
        ]
        table_rows.append(("needs-attention", cells) if needs_attention(learner) else cells)
    table = _table(
        ["learner", "status", "score/max", "score", "failed tests", "seconds"],
        table_rows,
        numeric=frozenset({2, 3, 4, 5}),
    )
    return "<h2>Learners</h2>" + table


def class_report_html(rows: list[dict], learners: list[dict], title: str = TITLE) -> str:
    """The whole report as one HTML document (see `write_class_report`)."""
    overview = _overview(learners)
    body = "\n".join(
        [
            f"<h1>{_e(title)}</h1>",
            _header_section(overview, learners),
            _grades_section(overview),
            _tests_section(tally_tests(rows, learners)),
            _mistakes_section(tally_mistakes(rows), rows),
            _learners_section(learners, rows),
        ]
    )
    return (
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n{CSP_META}\n<meta charset="utf-8">\n'
        f"<title>{_e(title)}</title>\n<style>{_CSS}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def write_class_report(
    rows: list[dict], learners: list[dict], out_dir: Path, title: str = TITLE
) -> Path:
    """Write `out_dir/class_report.html`, self-contained, and return its path.

    It shows: counts (learners, graded, needing attention with their reasons, mean and
    median score), the grade distribution, the pass rate per test, the most common
    diagnosed mistakes with the bank's explanation, and one row per learner.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / REPORT_NAME
    path.write_text(class_report_html(rows, learners, title), encoding="utf-8")
    return path


# --- the terminal table -----------------------------------------------------------------


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
        mistakes = [] if attention else _learner_mistakes(rows, name)
        top = mistakes[0] if mistakes else "-"
        if len(mistakes) > 1:
            top += f" (+{len(mistakes) - 1} more)"
        lines.append(
            [
                name,
                learner["status"],
                _score_text(learner),
                "-" if attention else str(_failed_count(rows, name)),
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
    overview = _overview(learners)
    graded = {learner["learner"] for learner in learners if not needs_attention(learner)}
    failed = sum(r["status"] == "failed" and r["learner"] in graded for r in rows)
    mistakes = tally_mistakes(rows)
    common = ""
    if mistakes:
        most = mistakes[0]
        common = f"; most common mistake {most.mistake} ({_count(most.count, 'learner')})"
    totals = (
        f"total: {_count(overview.learners, 'learner')}, {overview.graded} graded, "
        f"{len(overview.attention)} needing attention; mean {_percent_text(overview.mean)}, "
        f"median {_percent_text(overview.median)}; {_count(failed, 'failed test')}"
        + _printable(common, 90)
    )
    return "\n".join([fmt(headers), rule, *map(fmt, lines), rule, totals])
