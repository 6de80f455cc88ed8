"""What learners see in their feedback: their work, the checks' verdicts, nothing hidden,
nothing that runs.

`CleanFeedback` runs in nbgrader's generate_feedback step (see nbgrader_settings.py). It
removes the hidden-test regions from test cells (their outputs stay: they are the
verdicts, written for learners) and replaces tracebacks by the error's message, so the
feedback shows no grader source and no stack noise. `InertFeedbackExporter` writes the page
with nbgrader's feedback template under `CONTENT_SECURITY_POLICY` and without MathJax.
"""

from __future__ import annotations

import re
import time
from html.parser import HTMLParser
from pathlib import Path

import nbgrader
from nbconvert.exporters import HTMLExporter
from nbgrader.preprocessors import NbGraderPreprocessor

from autograder.plugins import timing

# Every page that shows learner work: no script, no request; inline styles, data: pictures.
CONTENT_SECURITY_POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
CSP_META = f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'
FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}")
TEMPLATES = Path(__file__).with_name("templates")
NBGRADER_TEMPLATES = (
    Path(nbgrader.__file__).parent / "server_extensions" / "formgrader" / "templates"
)
INERT_TEMPLATE = "feedback_inert"
# Where the template finds nbgrader's feedback template ("feedback/index.html.j2", which it
# extends) and the Bootstrap CSS that nbgrader inlines into the page.
INERT_TEMPLATE_PATHS = [
    str(NBGRADER_TEMPLATES),
    str(NBGRADER_TEMPLATES.parent / "static" / "node_modules" / "bootstrap" / "dist" / "css"),
]

HIDDEN_REGION = re.compile(
    r"^[ \t]*#+[ \t]*BEGIN HIDDEN TESTS.*?^[ \t]*#+[ \t]*END HIDDEN TESTS[^\n]*\n?",
    re.MULTILINE | re.DOTALL,
)
HIDDEN_NOTE = "# Hidden checks ran here, on inputs you have not seen; their verdict is below.\n"


def without_hidden_tests(source: str) -> str:
    """The cell source with every hidden-test region replaced by a one-line note."""
    return HIDDEN_REGION.sub(HIDDEN_NOTE, source)


def short_error(output) -> list[str]:
    """A traceback reduced to the error's name and message (red name, as Jupyter shows it)."""
    return [f"\x1b[0;31m{output.get('ename', 'Error')}\x1b[0m: {output.get('evalue', '')}"]


class CleanFeedback(NbGraderPreprocessor):
    """Strip hidden tests and traceback noise from a notebook before it becomes feedback."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code":
            cell.source = without_hidden_tests(cell.source)
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = short_error(output)
        return cell, resources


class _FirstInHead(HTMLParser):
    def __init__(self):
        super().__init__()
        self.in_head, self.first = False, None

    def handle_starttag(self, tag, attrs):
        if tag == "head":
            self.in_head = True
        elif self.in_head and self.first is None:
            self.first = (tag, dict(attrs))


def policy_comes_first(page: str) -> bool:
    """Whether the page's head starts with the course's Content-Security-Policy."""
    parser = _FirstInHead()
    parser.feed(page[: page.find("</head>") + 7])
    tag, attributes = parser.first or ("", {})
    return (
        tag == "meta"
        and attributes.get("http-equiv", "").lower() == "content-security-policy"
        and attributes.get("content") == CONTENT_SECURITY_POLICY
    )


class InertFeedbackExporter(HTMLExporter):
    """nbgrader's feedback page with a Content-Security-Policy first in its head, no MathJax
    (math is shown as TeX source) and no other script. Refuses to write a page without it.

    Its template settings are configured in autograder/plugins/settings.py: nbgrader sets
    HTMLExporter's template in its config, which only configuration of this class overrides."""

    def from_notebook_node(self, nb, resources=None, **kw):
        resources = {**(resources or {}), "content_security_policy": CONTENT_SECURITY_POLICY}
        before, started = timing.spent(), time.perf_counter()
        output, resources = super().from_notebook_node(nb, resources, **kw)
        timing.rest("feedback HTML", time.perf_counter() - started, before)
        # Bootstrap's inlined CSS names icon fonts by relative URL: the page needs none.
        head = output.find("</head>")
        output = FONT_FACE.sub("", output[:head]) + output[head:]
        if not policy_comes_first(output) or "<script" in output[: output.find("</head>")]:
            raise RuntimeError(
                f"the feedback template {self.template_name!r} did not put the "
                "Content-Security-Policy first and alone: no feedback written"
            )
        return output, resources
