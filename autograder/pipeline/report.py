"""The instructor's class report after grading: one HTML page.

`write_class_report` writes `class_report.html`: a single self-contained file (inline CSS,
pictures as PNG data URIs, no scripts) that can be mailed or archived as it is. Its input,
rows and learners, is described in `tallies`.

Learners needing attention are never scored as 0: they are listed with their reasons,
left out of the grade distribution and the pass rates, and shown as "not graded".
Learner names and messages are untrusted and are escaped everywhere.
"""

from __future__ import annotations

import html
import statistics
from pathlib import Path

from matplotlib.figure import Figure

from autograder.pipeline.charts import (
    figure_data_uri,
    grade_histogram,
    mistakes_chart,
    pass_rate_chart,
)
from autograder.pipeline.tallies import (
    CellTally,
    MistakeTally,
    Overview,
    attention_reason,
    count_text,
    failed_count,
    needs_attention,
    number_text,
    overview_of,
    percent_text,
    score_percent,
    score_text,
    tally_mistakes,
    tally_tests,
)
from autograder.plugins.feedback import CSP_META

TITLE = "Cutout and CutMix: class report"
REPORT_NAME = "class_report.html"

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


def _header_section(overview: Overview, learners: list[dict]) -> str:
    maxima = {learner.get("max") for learner in learners if not needs_attention(learner)}
    points = ""
    if len(maxima) == 1 and overview.percents:
        (maximum,) = maxima
        scores = [learner["score"] for learner in learners if not needs_attention(learner)]
        points = (
            f"<p class='note'>In points: mean {statistics.mean(scores):.1f}/{number_text(maximum)}, "
            f"median {number_text(statistics.median(scores))}/{number_text(maximum)}.</p>"
        )
    attention_card = "card alert" if overview.attention else "card"
    cards = [
        ("card", overview.learners, "learners"),
        ("card", overview.graded, "graded"),
        (attention_card, len(overview.attention), "needing attention"),
        ("card", percent_text(overview.mean), "mean score (graded)"),
        ("card", percent_text(overview.median), "median score (graded)"),
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
            f"<h2>Needs attention, not graded: {count_text(len(overview.attention), 'learner')}</h2>"
            "<p>These learners have <strong>no score</strong> (this is not a 0). They are left "
            "out of the mean, the median, the grade distribution and the pass rates. "
            "Look at their submissions, fix the cause and grade them again.</p>"
            f"<ul>{items}</ul></div>"
        )
    else:
        attention = '<p class="ok">Every learner was graded.</p>'
    return f'<div class="cards">{html_cards}</div>{points}{attention}'


def _grades_section(overview: Overview) -> str:
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
        f"<p class='note'>{count_text(len(undiagnosed_rows), 'failed test')}, by "
        f"{count_text(len({r['learner'] for r in undiagnosed_rows}), 'learner')}, matched no known "
        "mistake: candidates for the bank (<code>autograder/exercises/mistakes/</code>).</p>"
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
            score = _e(score_text(learner))
            percent = percent_text(score_percent(learner))
            failed = str(failed_count(rows, name))
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


def _absent_section(absent: list[str]) -> str:
    if not absent:
        return ""
    items = "".join(f"<li>{_e(name)}</li>" for name in absent)
    return (
        '<div class="attention" id="no-submission">'
        f"<h2>No submission: {count_text(len(absent), 'learner')} of the platform's list</h2>"
        "<p>On the class list given to the grader but nothing of theirs was in the download: "
        "an empty grade in the platform's grade file, not a 0.</p>"
        f"<ul>{items}</ul></div>"
    )


def class_report_html(
    rows: list[dict], learners: list[dict], title: str = TITLE, absent: list[str] = ()
) -> str:
    """The whole report as one HTML document (see `write_class_report`)."""
    overview = overview_of(learners)
    body = "\n".join(
        [
            f"<h1>{_e(title)}</h1>",
            _header_section(overview, learners),
            _absent_section(list(absent)),
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
    rows: list[dict],
    learners: list[dict],
    out_dir: Path,
    title: str = TITLE,
    absent: list[str] = (),
) -> Path:
    """Write `out_dir/class_report.html`, self-contained, and return its path.

    It shows: counts (learners, graded, needing attention with their reasons, mean and
    median score), the grade distribution, the pass rate per test, the most common
    diagnosed mistakes with the bank's explanation, and one row per learner; absent: the
    learners of the platform's list who handed in nothing ("name (id)").
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / REPORT_NAME
    path.write_text(class_report_html(rows, learners, title, absent), encoding="utf-8")
    return path
