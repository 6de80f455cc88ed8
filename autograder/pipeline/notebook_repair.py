"""Make one submitted notebook safe to hand to `nbgrader autograde`.

nbgrader aborts the whole class's run on a duplicated grade_id or an unknown nbgrader schema
version, and crashes on invalid JSON. `sanitize` returns a copy that nbgrader grades, with
what it repaired, or `(None, [reason])` for a file that cannot be graded at all.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
from nbformat.reader import reads as _read_any_version

from autograder.pipeline.reasons import Reason

NBGRADER_SCHEMA_VERSION = 3
# All outputs are cleared (autograde runs every notebook again); above this size it is noted.
HUGE_OUTPUT_BYTES = 10_000_000
CELL_ID = re.compile(r"^[a-zA-Z0-9-_]{1,64}$")
GRADE_ID = re.compile(r"^[a-zA-Z0-9_\-]+$")
NBGRADER_REQUIRED = ("schema_version", "grade", "locked", "solution")
NBGRADER_FLAGS = ("grade", "locked", "solution", "task")
NBGRADER_KEYS = {*NBGRADER_FLAGS, "schema_version", "grade_id", "points", "checksum", "cell_type"}


class _Unreadable(ValueError):
    """The file is not a notebook that can be graded; the message is the short reason."""


def sanitize(
    path: Path, expected_grade_ids: set[str] | None = None
) -> tuple[nbformat.NotebookNode | None, list[Reason]]:
    """A copy of the notebook at path that nbgrader can grade, and what was changed.

    expected_grade_ids: grade_ids of the graded cells of the release notebook (e.g.
        `intake.grade_ids_of(release)`); graded cells missing from the submission are
        reported as "restored_cell" (nbgrader's OverwriteCells.add_missing_cells restores
        them during autograde); every other change is "repaired".
    Returns (None, [Reason("not_a_notebook", "not a valid notebook: <why>")]) when the file
    cannot be graded. The reasons name no notebook: the caller knows which one this is.
    Outputs and execution counts are always cleared: autograde runs the notebook again.
    """
    try:
        return _sanitize(Path(path), expected_grade_ids)
    except _Unreadable as error:
        return None, [_not_a_notebook(str(error))]
    except Exception as error:  # a learner's file must never stop the class's grading
        return None, [_not_a_notebook(_first_line(f"{type(error).__name__}: {error}"))]


def _not_a_notebook(why: str) -> Reason:
    return Reason("not_a_notebook", f"not a valid notebook: {why}")


def _sanitize(
    path: Path, expected_grade_ids: set[str] | None
) -> tuple[nbformat.NotebookNode | None, list[Reason]]:
    notebook, repairs = _read(path)
    repairs += _clear_outputs(notebook)
    repairs += _repair_nbgrader_metadata(notebook)
    repairs += _remove_duplicates(notebook)
    problems = [Reason("repaired", text) for text in repairs]
    if expected_grade_ids:
        present = {
            c.metadata.nbgrader.get("grade_id") for c in notebook.cells if "nbgrader" in c.metadata
        }
        problems += [
            Reason(
                "restored_cell",
                f"graded cell {grade_id} was deleted; it is restored from the release",
            )
            for grade_id in sorted(set(expected_grade_ids) - present)
        ]
    problems += [Reason("repaired", text) for text in _repair_cell_ids(notebook)]
    try:
        nbformat.validate(notebook)
    except nbformat.ValidationError as error:
        raise _Unreadable(_first_line(error.message)) from None
    return notebook, problems


def write_clean(notebook: nbformat.NotebookNode, path: Path) -> Path:
    """Write a sanitized notebook (nbformat 4), creating the folder; returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path, version=nbformat.NO_CONVERT)
    return path


def _first_line(text: str, limit: int = 120) -> str:
    line = str(text).strip().splitlines()[0] if str(text).strip() else "unknown error"
    return line if len(line) <= limit else line[: limit - 3] + "..."


def _read(path: Path) -> tuple[nbformat.NotebookNode, list[str]]:
    """The notebook as nbformat 4.5 and what had to change to get there."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise _Unreadable(f"cannot read the file ({error.strerror})") from None
    if not raw.strip():
        raise _Unreadable("empty file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _Unreadable("not UTF-8 text") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise _Unreadable(
            f"invalid JSON ({error.msg}: line {error.lineno}, column {error.colno})"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("nbformat"), int):
        raise _Unreadable("JSON but not a notebook (no nbformat version)")
    major = data["nbformat"]
    if major > 4:
        raise _Unreadable(f"nbformat {major} is newer than this course supports (4)")
    cells = data.get("cells") if major == 4 else None
    if major == 4 and not isinstance(cells, list):
        raise _Unreadable("no list of cells")
    if major == 4 and not all(isinstance(c, dict) and "cell_type" in c for c in cells):
        raise _Unreadable("a cell without a cell type")
    try:
        notebook = _read_any_version(text)
        problems = []
        if major < 4:
            notebook = nbformat.convert(notebook, 4)
            problems.append(f"notebook format {major} converted to 4")
    except Exception as error:  # nbformat raises many kinds for broken files
        raise _Unreadable(_first_line(f"{type(error).__name__}: {error}")) from None
    for number, cell in enumerate(notebook.cells, start=1):
        if not isinstance(cell.get("metadata", {}), dict):
            problems.append(f"cell {number} had unreadable metadata; it was cleared")
            cell.metadata = nbformat.NotebookNode()
        cell.setdefault("metadata", nbformat.NotebookNode())
        cell.setdefault("source", "")
        tags = cell.metadata.get("tags")
        if tags is not None and not (
            isinstance(tags, list) and all(isinstance(t, str) and "," not in t for t in tags)
        ):
            problems.append(f"cell {number} had tags nbformat does not allow; they were removed")
            del cell.metadata["tags"]
    return notebook, problems


def _clear_outputs(notebook: nbformat.NotebookNode) -> list[str]:
    size = 0
    for cell in notebook.cells:
        size += len(json.dumps(cell.get("outputs", []), default=str))
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        else:
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
    if size > HUGE_OUTPUT_BYTES:
        return [f"outputs of {size / 1e6:.0f} MB cleared"]
    return []


def _grade_id(meta: dict) -> str | None:
    grade_id = meta.get("grade_id")
    return grade_id if isinstance(grade_id, str) and GRADE_ID.match(grade_id) else None


def _tracked(meta: dict) -> bool:
    """nbgrader keeps a record of this cell (and so needs its grade_id to be unique)."""
    return bool(meta.get("grade") or meta.get("solution") or meta.get("locked"))


def _repair_nbgrader_metadata(notebook: nbformat.NotebookNode) -> list[str]:
    """Fill in what nbgrader's metadata schema (version 3) requires; drop what it forbids."""
    problems = []
    unknown_versions = []
    for number, cell in enumerate(notebook.cells, start=1):
        if "nbgrader" not in cell.metadata:
            continue
        meta = cell.metadata.nbgrader
        label = _grade_id(meta) if isinstance(meta, dict) else None
        where = f"cell {label}" if label else f"cell {number}"
        if not isinstance(meta, dict) or (_tracked(meta) and label is None):
            del cell.metadata["nbgrader"]
            problems.append(
                f"{where} had nbgrader metadata without a usable grade_id; it is graded as an ordinary cell"
            )
            continue
        fixed = []
        version = meta.get("schema_version")
        if version is None:
            fixed.append("missing schema_version")
        elif version != NBGRADER_SCHEMA_VERSION or isinstance(version, bool):
            if version not in unknown_versions:
                unknown_versions.append(version)
        meta["schema_version"] = NBGRADER_SCHEMA_VERSION
        for flag in NBGRADER_FLAGS:
            if flag not in meta:
                if flag in NBGRADER_REQUIRED:
                    fixed.append(f"missing {flag}")
                    meta[flag] = False
            elif not isinstance(meta[flag], bool):
                fixed.append(f"invalid {flag} {meta[flag]!r}")
                meta[flag] = str(meta[flag]).strip().lower() in ("true", "1", "yes")
        if "grade_id" in meta and label is None:
            fixed.append(f"invalid grade_id {meta['grade_id']!r}")
            del meta["grade_id"]
        points = meta.get("points")
        if meta["grade"] and points is None:
            fixed.append("missing points")
            meta["points"] = 0  # OverwriteCells puts the release's points back
        elif points is not None and (
            isinstance(points, bool) or not isinstance(points, int | float) or points < 0
        ):
            fixed.append(f"invalid points {points!r}")
            meta["points"] = _points(points)
        checksum = meta.get("checksum")
        if checksum is not None and not (isinstance(checksum, str) and len(checksum) == 32):
            del meta["checksum"]  # OverwriteCells computes it again
            fixed.append("invalid checksum")
        if meta.get("cell_type", "code") not in ("code", "markdown", "raw"):
            del meta["cell_type"]
            fixed.append("invalid cell_type")
        for key in sorted(set(meta) - NBGRADER_KEYS, key=str):
            del meta[key]
            fixed.append(f"unknown key {key!r}")
        if fixed:
            problems.append(f"nbgrader metadata of {where} repaired: {', '.join(fixed)}")
    problems[:0] = [
        f"unknown nbgrader schema version {version if type(version) is int else repr(version)}, "
        f"treated as {NBGRADER_SCHEMA_VERSION}"
        for version in unknown_versions
    ]
    return problems


def _points(value) -> float:
    try:
        points = float(str(value).strip())
    except ValueError:
        return 0.0
    return points if points >= 0 else 0.0


def _remove_duplicates(notebook: nbformat.NotebookNode) -> list[str]:
    """Keep the first cell of each grade_id. A later copy of a test or locked cell is
    removed; a later copy of an answer cell stays as ordinary code, so the notebook runs
    as the learner ran it."""
    seen: set[str] = set()
    copies: dict[str, list[str]] = {}
    kept = []
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader")
        grade_id = meta.get("grade_id") if meta and _tracked(meta) else None
        if grade_id is None or grade_id not in seen:
            seen.add(grade_id)
            kept.append(cell)
            continue
        if meta.get("solution"):
            del cell.metadata["nbgrader"]
            kept.append(cell)
            copies.setdefault(grade_id, []).append("kept")
        else:
            copies.setdefault(grade_id, []).append("removed")
    notebook.cells = kept
    problems = []
    for grade_id, fates in copies.items():
        times = "twice" if len(fates) == 1 else f"{len(fates) + 1} times"
        if "kept" in fates:
            problems.append(
                f"answer cell {grade_id} appeared {times}; the first is graded, "
                "the later copies run as ordinary code"
            )
        else:
            copy = "the copy was" if len(fates) == 1 else "the copies were"
            problems.append(f"graded cell {grade_id} appeared {times}; {copy} removed")
    return problems


def _repair_cell_ids(notebook: nbformat.NotebookNode) -> list[str]:
    """Give every cell a valid, unique id (nbformat 4.5). Deterministic, unlike nbformat's
    own normalisation, so sanitizing the same file twice gives the same notebook."""
    had_ids = notebook.get("nbformat_minor", 0) >= 5
    notebook.nbformat_minor = max(notebook.get("nbformat_minor", 0), 5)
    seen: set[str] = set()
    repaired = 0
    for number, cell in enumerate(notebook.cells, start=1):
        cell_id = cell.get("id")
        if isinstance(cell_id, str) and CELL_ID.match(cell_id) and cell_id not in seen:
            seen.add(cell_id)
            continue
        repaired += 1
        new_id = f"cell-{number}"
        while new_id in seen:
            new_id = f"{new_id}-x"
        cell["id"] = new_id
        seen.add(new_id)
    if had_ids and repaired:
        return [f"{repaired} cell ids missing, invalid or duplicated; new ids given"]
    return []
