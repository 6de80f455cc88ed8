"""Edits a learner made to the course's own cells.

nbgrader's OverwriteCells puts back read-only cells and the tests' sources, so an edit gains
the learner nothing; the instructor still hears of it. A graded cell the course never had
would be graded by nbgrader as if it were the course's, so its nbgrader metadata is removed.
"""

from __future__ import annotations

from pathlib import Path

from autograder.pipeline.course import read_notebook
from autograder.pipeline.reasons import Reason


def release_cells(*folders: Path) -> dict[str, dict[str, set[str]]]:
    """{notebook: {grade_id: sources}} of every nbgrader cell, as released and as authored."""
    cells: dict[str, dict[str, set[str]]] = {}
    for folder in folders:
        for path in sorted(folder.glob("*.ipynb")):
            for cell in read_notebook(path).cells:
                grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
                if grade_id:
                    cells.setdefault(path.name, {}).setdefault(grade_id, set()).add(cell.source)
    return cells


def tampering(notebook, released: dict[str, set[str]]) -> list[Reason]:
    """Edits of read-only cells and graded cells the course never had ("tampered", naming
    no notebook); undoes the latter.

    released: {grade_id: sources} of this notebook, from `release_cells`.
    """
    found = []
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        grade_id = meta.get("grade_id")
        if not grade_id:
            continue
        if grade_id not in released:
            if meta.get("grade"):
                found.append(
                    Reason(
                        "tampered",
                        f"added a graded cell '{grade_id}' that the course does not have; "
                        "it was not graded",
                    )
                )
            del cell.metadata["nbgrader"]
        elif meta.get("locked") and cell.source not in released[grade_id]:
            found.append(
                Reason("tampered", f"edited the read-only cell '{grade_id}' (nbgrader restored it)")
            )
    return found
