"""Package your notebooks of one assignment into one zip to upload to your course's platform.

In a terminal, in the folder of your notebooks (your kit):

    python -m augcourse.submission

or in a cell of a new notebook in that folder (not in a graded notebook, which the grader
runs):

    from augcourse.submission import package
    package()

It reads the notebooks as saved on disk (save each one first), checks that each of the
assignment's notebooks is there, is a notebook, was run and has its answers written, says
plainly what is wrong, and writes `<assignment>-submission.zip` (the notebooks only) beside
them. Upload that zip. Only the standard library is used, so it runs wherever Python does.
"""

from __future__ import annotations

import json
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

# Written into each kit by the course: {"assignment": name, "notebooks": {file name: grade ids
# of its graded cells}}. The grade ids recognise a notebook that was renamed.
MANIFEST = "submission.json"
UNANSWERED = ("YOUR CODE HERE", "YOUR ANSWER HERE")  # what nbgrader leaves in answer cells


@dataclass
class Packaged:
    """What `package` did.

    zip_path: the zip written, or None when no notebook could be packaged.
    errors: what makes the submission incomplete (missing, empty or unreadable notebooks).
    warnings: what is worth fixing before uploading (never run, unanswered, renamed).
    """

    zip_path: Path | None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.zip_path is not None and not self.errors


def package(folder: str | Path = ".", *, quiet: bool = False) -> Packaged:
    """Check the assignment's notebooks in `folder` and zip them for upload; print a report
    unless `quiet`. Returns what was done (see `Packaged`)."""
    folder = Path(folder).resolve()
    assignment, expected = _assignment(folder)
    result = Packaged(None)
    if expected is None:
        expected = {p.name: set() for p in sorted(folder.glob("[0-9][0-9]_*.ipynb"))}
        result.warnings.append(
            f"no {MANIFEST} here (it comes with the kit), so whether a notebook is missing "
            f"cannot be checked; packaging {', '.join(expected) or 'nothing'}"
        )
    chosen: dict[str, Path] = {}
    for name, grade_ids in expected.items():
        path = folder / name
        if not path.is_file():
            path = _renamed(folder, name, grade_ids, expected)
            if path is None:
                result.errors.append(f"{name} is missing: it is not in {folder}")
                continue
            result.warnings.append(f"{name}: found as '{path.name}', packaged as {name}")
        problem, notes = _check(path)
        if problem:
            result.errors.append(f"{name}: {problem}")
            continue
        result.warnings += [f"{name}: {note}" for note in notes]
        chosen[name] = path
    if chosen:
        result.zip_path = folder / f"{assignment}-submission.zip"
        with zipfile.ZipFile(result.zip_path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, path in chosen.items():
                archive.write(path, name)
    if not quiet:
        print(report(result, list(expected)))
    return result


def report(result: Packaged, expected: list[str]) -> str:
    """The report a learner reads: what is wrong first, then what to upload."""
    lines = [f"✗ {error}" for error in result.errors]
    lines += [f"! {warning}" for warning in result.warnings]
    if result.zip_path is None:
        lines.append("Nothing was packaged: fix the notebooks above and run this again.")
    elif result.errors:
        lines.append(
            f"{result.zip_path.name} was written but is INCOMPLETE: fix what is marked ✗ "
            "and run this again before you upload, or upload it as it is if the deadline is now."
        )
    else:
        lines.append(f"✓ {len(expected)} notebooks checked. Upload {result.zip_path}")
    return "\n".join(lines)


def _assignment(folder: Path) -> tuple[str, dict[str, set[str]] | None]:
    manifest = folder / MANIFEST
    if not manifest.is_file():
        return folder.name, None
    data = json.loads(manifest.read_text(encoding="utf-8"))
    return data["assignment"], {name: set(ids) for name, ids in data["notebooks"].items()}


def _read(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _graded_ids(notebook: dict) -> set[str]:
    ids = set()
    for cell in notebook.get("cells") or []:
        meta = (cell.get("metadata") or {}).get("nbgrader") if isinstance(cell, dict) else None
        if isinstance(meta, dict) and meta.get("grade") and isinstance(meta.get("grade_id"), str):
            ids.add(meta["grade_id"])
    return ids


def _renamed(folder: Path, name: str, grade_ids: set[str], expected) -> Path | None:
    """Another notebook of the folder that carries more than half of `name`'s graded cells."""
    if not grade_ids:
        return None
    for path in sorted(folder.glob("*.ipynb")):
        if path.name in expected:
            continue
        carried = _graded_ids(_read(path) or {})
        if carried and len(carried & grade_ids) / len(carried | grade_ids) > 0.5:
            return path
    return None


def _check(path: Path) -> tuple[str | None, list[str]]:
    """(why the notebook cannot be submitted, or None; what is worth a look)."""
    if path.stat().st_size == 0:
        return "is empty (0 bytes): it was not saved; open it in JupyterLab and save it", []
    notebook = _read(path)
    if notebook is None:
        return "is not a notebook (not readable as notebook JSON); was it saved by JupyterLab?", []
    if not isinstance(notebook.get("cells"), list) or "nbformat" not in notebook:
        return "is JSON but not a notebook (no cells or no nbformat version)", []
    notes = []
    code = [c for c in notebook["cells"] if isinstance(c, dict) and c.get("cell_type") == "code"]
    if code and not any(c.get("execution_count") for c in code):
        notes.append(
            "was never run (or saved without outputs): Kernel > Restart Kernel and Run All "
            "Cells, then save"
        )
    unanswered = sum(
        1
        for c in notebook["cells"]
        if isinstance(c, dict)
        and ((c.get("metadata") or {}).get("nbgrader") or {}).get("solution")
        and any(marker in _source(c) for marker in UNANSWERED)
    )
    if unanswered:
        notes.append(f"{unanswered} answer cell(s) still say YOUR CODE HERE / YOUR ANSWER HERE")
    return None, notes


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def main(argv: list[str] | None = None) -> int:
    """`python -m augcourse.submission [FOLDER]`: exit status 0 when the zip is complete."""
    args = sys.argv[1:] if argv is None else argv
    return 0 if package(args[0] if args else ".").complete else 1


if __name__ == "__main__":
    raise SystemExit(main())
