"""What learners see in their feedback: their work, the checks' verdicts, nothing hidden.

`CleanFeedback` runs in nbgrader's generate_feedback step (see nbgrader_settings.py). It
removes the hidden-test regions from test cells (their outputs stay: they are the
verdicts, written for learners) and replaces tracebacks by the error's message, so the
feedback shows no grader source and no stack noise.
"""

from __future__ import annotations

import re

from nbgrader.preprocessors import NbGraderPreprocessor

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
