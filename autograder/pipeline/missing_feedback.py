"""A feedback page for each notebook that nbgrader could not turn into feedback.

nbgrader writes no feedback for a learner whose grading failed (the kernel died, a cell
never ended), nor for a notebook it could not read or never received. Without a page the
learner learns nothing from the grading; this page says why the notebook was not graded
and lists what was recorded for it, test by test, so the learner knows what to fix.
"""

from __future__ import annotations

import html
from pathlib import Path

from autograder.pipeline.reasons import Reason
from autograder.plugins.feedback import CSP_META

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem;
       color: #222; line-height: 1.45; }
.why { background: #fff4e5; border-left: 4px solid #e8a33d; padding: 0.6rem 1rem; }
table { border-collapse: collapse; margin-top: 1rem; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: 0.35rem 0.5rem; text-align: left;
         vertical-align: top; }
td.passed { color: #1b7a2f; } td.failed { color: #b3261e; } td.not-graded { color: #777; }
"""


def reasons_for(notebook: str, reasons: list[Reason]) -> list[Reason]:
    """The learner's reasons for attention that concern this notebook or no notebook at all."""
    return [reason for reason in reasons if reason.notebook in (notebook, None)]


def page(
    learner: str, assignment: str, notebook: str, reasons: list[Reason], rows: list[dict]
) -> str:
    """The HTML of one notebook's page."""
    why = "".join(f"<li>{html.escape(reason.text)}</li>" for reason in reasons) or (
        "<li>grading stopped in another of your notebooks before this one's feedback "
        "could be written</li>"
    )
    lines = []
    for row in rows:
        status = row["status"]
        points = "-" if row["points"] is None else f"{row['points']:g}"
        lines.append(
            f"<tr><td>{html.escape(row['test'])}</td>"
            f"<td class='{status.replace(' ', '-')}'>{html.escape(status)}</td>"
            f"<td>{points} / {row['max']:g}</td>"
            f"<td>{html.escape(row.get('message') or '')}</td></tr>"
        )
    return (
        f"<!DOCTYPE html>\n<html lang='en'><head>{CSP_META}<meta charset='utf-8'>"
        f"<title>{html.escape(notebook)}: not graded</title><style>{STYLE}</style></head><body>"
        f"<h1>{html.escape(notebook)}</h1>"
        f"<p>{html.escape(assignment)}, feedback for {html.escape(learner)}</p>"
        "<div class='why'><p><strong>This notebook could not be graded in full.</strong> "
        "Your instructor sees the same reasons and will look at it; the points below are "
        "what was recorded, not your final score.</p>"
        f"<ul>{why}</ul></div>"
        "<table><thead><tr><th>test</th><th>result</th><th>points</th><th>message</th></tr>"
        f"</thead><tbody>{''.join(lines)}</tbody></table>"
        "<p>Run the notebook from the top (Kernel, Restart Kernel and Run All Cells) and "
        "press Validate: a notebook that runs to the end there can be graded.</p>"
        "</body></html>\n"
    )


def write_missing_feedback(
    feedback_dir: Path, assignment: str, learner: str, reasons: list[Reason], rows: list[dict]
) -> list[Path]:
    """Write `<feedback_dir>/<learner>/<assignment>/<notebook>.html` for every notebook of
    the learner's rows that has no feedback page yet; return the pages written."""
    notebooks = list(dict.fromkeys(row["notebook"] for row in rows))
    folder = Path(feedback_dir) / learner / assignment
    written = []
    for notebook in notebooks:
        path = folder / f"{Path(notebook).stem}.html"
        if path.exists():
            continue
        folder.mkdir(parents=True, exist_ok=True)
        mine = [row for row in rows if row["notebook"] == notebook]
        why = reasons_for(notebook, reasons)
        path.write_text(page(learner, assignment, notebook, why, mine))
        written.append(path)
    return written
