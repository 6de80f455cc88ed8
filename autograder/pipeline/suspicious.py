"""Flag learner code that tries to reach past its own answers.

Grading is safe without this (verdicts are decided outside the kernel, and the kernel
is confined): the flags are for the instructor, who should know that a submission
tried to patch numpy, plant modules or read files, even though it gained nothing.
"""

from __future__ import annotations

import ast
import re

import nbformat

# (what the instructor reads, pattern in the learner's code)
PATTERNS = [
    ("changes numpy or its test helpers", re.compile(r"^\s*(np|numpy)(\.testing)?\.\w+\s*=", re.M)),
    ("changes Python's builtins", re.compile(r"\b(builtins\.\w+\s*=|__builtins__)")),
    ("changes sys.modules", re.compile(r"\bsys\.modules\b")),
    ("looks for the grader (NBGRADER_EXECUTION)", re.compile(r"NBGRADER")),
    ("imports or reads the grader's code", re.compile(r"\bautograder\b|reference\.py|solutions/")),
    (
        "reads or writes files outside the exercise",
        re.compile(
            r"[\"'](/|\.\./)|os\.(remove|unlink|rmdir|rename|listdir)|shutil\.|glob\.|gradebook"
        ),
    ),
    ("opens network connections", re.compile(r"\b(socket|urllib|http\.client|requests)\b")),
    (
        "starts processes",
        re.compile(r"os\.fork|subprocess|os\.system|os\.spawn|multiprocessing|os\.exec"),
    ),
    ("exits the kernel", re.compile(r"os\._exit|sys\.exit|os\.kill")),
    ("changes signal handling", re.compile(r"\bsignal\.signal\b")),
]


def is_learner_code(cell) -> bool:
    """Code the learner could write: not a locked (read-only) cell of the course."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return cell.get("cell_type") == "code" and not meta.get("locked")


def findings(notebook: nbformat.NotebookNode) -> list[str]:
    """What the learner's code in this notebook tries to do, one line per kind and cell."""
    found = []
    for index, cell in enumerate(notebook.cells):
        if not is_learner_code(cell):
            continue
        source = _without_comments(cell.source)
        where = (
            cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            or cell.get("id")
            or f"cell {index + 1}"
        )
        found += [f"{what} ({where})" for what, pattern in PATTERNS if pattern.search(source)]
    return found


def _without_comments(source: str) -> str:
    try:
        ast.parse(source)
    except SyntaxError:
        return source
    return "\n".join(
        line.split("#", 1)[0] if "#" in line and "'" not in line and '"' not in line else line
        for line in source.splitlines()
    )
