"""Intake: find, in whatever an instructor downloaded, one submission per learner.

`find_submissions` reads a folder or a zip in any of the usual layouts:
  - nbgrader's: `<learner>/<assignment>/*.ipynb` (or a course folder holding `submitted/`);
  - one folder per learner: `<learner>/*.ipynb` (subfolders inside are searched too);
  - LMS downloads, flat: `<learner>_<notebook>`, `<learner>-<notebook>`,
    `<learner>__<anything>_<notebook>` (the notebook name is matched as a suffix,
    ignoring case);
  - Canvas's and Moodle's "download all submissions" archives as they come (`lms.py`): the
    learner is their Canvas user id or Moodle participant id, late work is marked;
  - a `.zip` of any of these, extracted safely (absolute and `..` members are skipped); a
    learner's own `.zip` in it (the package `augcourse.submission` makes) is opened too.
Notebooks under another name are recognised by their graded cells, and notebooks of the
course's other assignment are named as such. Whatever is wrong is written into that
learner's `problems`; nothing in one learner's files stops another's.
Each notebook found is then made gradable by `notebook_repair.sanitize`.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from autograder.pipeline.course import ASSIGNMENT, SOLUTIONS, assignments, notebook_names
from autograder.pipeline.lms import (
    CANVAS,
    LmsIdentity,
    lms_file,
    moodle_folder,
    without_resubmission_number,
)
from autograder.pipeline.reasons import Reason
from autograder.pipeline.safe_zip import extract_zip

log = logging.getLogger(__name__)

# A renamed notebook is graded as the expected notebook whose graded cells it shares best,
# if they share more than this fraction (graded cells in both / graded cells in either).
CONTENT_MATCH = 0.5
# Besides hidden names (".ipynb_checkpoints", ".DS_Store", ...): what archivers and
# operating systems add on their own.
JUNK_NAMES = {"__macosx", "__pycache__", "thumbs.db", "desktop.ini"}
TIMESTAMP = "timestamp.txt"  # nbgrader's submission time, kept beside the notebooks
SEPARATORS = "_-. "
SAFE_ID = re.compile(r"[^A-Za-z0-9_.-]")


@dataclass
class Submission:
    """One learner's files, ready for `notebook_repair.sanitize`.

    learner: safe id (letters, digits, `_`, `-`, `.`), unique among the submissions.
    notebooks: expected notebook name -> the file to grade as that notebook.
    problems: what an instructor should know: "missing_notebook", "duplicate_files",
        "zip_member_skipped", "wrong_assignment", and the notes "renamed", "extra_file",
        "similar_name" and "late".
    source: the folder the learner's files were found in (inside the extraction folder
        for a zip; for a flat download, the folder holding everyone's files).
    name: the learner as named in the download, before it was made safe.
    timestamp: nbgrader's `timestamp.txt` of the submission, if there was one.
    lms: who the learning platform's archive says this is (then `learner` is
        `lms.learner_id`), or None for other layouts.
    """

    learner: str
    notebooks: dict[str, Path]
    problems: list[Reason]
    source: Path
    name: str = ""
    timestamp: Path | None = None
    lms: LmsIdentity | None = None

    @property
    def late(self) -> bool:
        return bool(self.lms and self.lms.late)


@dataclass
class _Found:
    """A file of one learner, before the notebooks are chosen."""

    path: Path
    label: str  # how the instructor sees it: relative to the learner's folder
    stem: str  # the name to compare with the expected names (LMS prefix removed)
    flat: bool  # named per learner in a flat download


@dataclass
class _Learner:
    name: str
    source: Path
    files: list[_Found] = field(default_factory=list)
    problems: list[Reason] = field(default_factory=list)
    identity: LmsIdentity | None = None

    def mark(self, identity: LmsIdentity | None) -> None:
        """Remember the platform's identity; late if any of the learner's files is."""
        if identity and (self.identity is None or identity.late):
            self.identity = identity


class _Unzipper:
    """Opens the zips learners handed in, into folders of its own (never the instructor's)."""

    def __init__(self, workdir: Path | None):
        self.workdir = workdir
        self.folder: Path | None = None

    def __call__(self, archive: Path) -> tuple[Path, list[tuple[str, str]]]:
        if self.folder is None:
            if self.workdir is not None:
                Path(self.workdir).mkdir(parents=True, exist_ok=True)
            self.folder = Path(tempfile.mkdtemp(prefix="learner-zips-", dir=self.workdir))
        target = Path(tempfile.mkdtemp(prefix=_safe_id(archive.stem) + "-", dir=self.folder))
        return target, extract_zip(archive, target)


# --- finding submissions ----------------------------------------------------------------


def find_submissions(
    path: Path,
    expected: list[str],
    grade_ids: dict[str, set[str]] | None = None,
    *,
    assignment: str = ASSIGNMENT,
    workdir: Path | None = None,
) -> list[Submission]:
    """One Submission per learner found in the folder or zip at `path`, sorted by learner.

    expected: the assignment's notebook file names, e.g. ["01_cutout.ipynb", ...].
    grade_ids: {expected name: grade_ids of its graded cells} (see `grade_ids_of`), to
        recognise renamed notebooks; without it they are reported as extra files.
    assignment: the assignment folder name of nbgrader's layout.
    workdir: where a zip is extracted (into a new folder `intake-*/<zip name>/`); default
        the system's temporary folder. The extracted files are left for the caller: the
        returned paths point into them.

    Raises FileNotFoundError for a missing path and ValueError for a file that is not a
    zip. Files that belong to no learner are logged as warnings and skipped.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no submissions at {path}")
    skipped: list[tuple[str, str]] = []
    if path.is_dir():
        root = path
    elif zipfile.is_zipfile(path):
        if workdir is not None:
            Path(workdir).mkdir(parents=True, exist_ok=True)
        # Inside a folder named like the zip: a zip of one learner's notebooks is theirs.
        root = Path(tempfile.mkdtemp(prefix="intake-", dir=workdir)) / _safe_id(path.stem)
        skipped = extract_zip(path, root)
    else:
        raise ValueError(f"{path} is neither a folder nor a zip file")

    learners, loose = _collect(_submissions_root(root, expected, assignment), expected, assignment)
    unzip = _Unzipper(workdir)
    for learner in learners.values():
        _open_zips(learner, unzip)
    for member, text in skipped:
        owner = _owner_of_member(member, learners, expected)
        if owner is None:
            log.warning("%s: %s; it belongs to no learner that was found", path, text)
        else:
            owner.problems.append(
                Reason("zip_member_skipped", text, _notebook_of_member(member, expected))
            )
    for found in loose:
        log.warning("%s: not named after a learner, ignored", found.path)

    ids = _learner_ids(learners)
    others = _other_assignments(assignment)
    submissions = [
        _choose(learners[key], ids[key], expected, grade_ids or {}, others) for key in learners
    ]
    _note_similar_names(submissions)
    return sorted(submissions, key=lambda s: s.learner)


def assignments_in(path: Path, notebooks: dict[str, list[str]]) -> list[str]:
    """The assignments whose files a folder or zip of submissions holds, sorted.

    notebooks: {assignment: its notebook file names}. An assignment counts when a folder is
    named after it (nbgrader's `<learner>/<assignment>/`) or a file name ends with one of its
    notebook names (`alice_01_cutout.ipynb`), ignoring case.
    """
    path = Path(path)
    if path.is_dir():
        names = [p.relative_to(path).as_posix() for p in _walk(path)]
    elif zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    else:
        return []
    found = set()
    every = [f for files in notebooks.values() for f in files]
    for name in names:
        parts = [part.lower() for part in PurePosixPath(name).parts]
        if not parts:
            continue
        uploaded = lms_file(PurePosixPath(name).name)
        last = without_resubmission_number(uploaded[1], every) if uploaded else parts[-1]
        last = last.lower()
        for assignment, files in notebooks.items():
            in_folder = assignment.lower() in parts[:-1]
            packaged = last.startswith(f"{assignment.lower()}-submission")
            if in_folder or packaged or any(last.endswith(f.lower()) for f in files):
                found.add(assignment)
    return sorted(found)


def grade_ids_of(notebook_path: Path) -> set[str]:
    """The grade_ids of the graded cells (nbgrader `grade: true`) of a notebook file.

    Lenient: any nbformat version; an unreadable file has none.
    """
    try:
        data = json.loads(Path(notebook_path).read_bytes().decode("utf-8-sig"))
        cells = list(data.get("cells") or [])
        for worksheet in data.get("worksheets") or []:  # nbformat 3
            cells += worksheet.get("cells") or []
    except (OSError, ValueError, AttributeError, TypeError):
        return set()
    ids = set()
    for cell in cells:
        metadata = cell.get("metadata") if isinstance(cell, dict) else None
        meta = metadata.get("nbgrader") if isinstance(metadata, dict) else None
        if isinstance(meta, dict) and meta.get("grade") and isinstance(meta.get("grade_id"), str):
            ids.add(meta["grade_id"])
    return ids


def _ignored(entry: Path) -> bool:
    return entry.name.startswith(".") or entry.name.lower() in JUNK_NAMES


def _children(folder: Path) -> tuple[list[Path], list[Path]]:
    """(files, folders) directly in folder, sorted, without hidden and junk entries."""
    entries = sorted(e for e in folder.iterdir() if not _ignored(e))
    return [e for e in entries if e.is_file()], [e for e in entries if e.is_dir()]


def _walk(folder: Path) -> list[Path]:
    """Every file under folder, sorted, skipping hidden and junk files and folders."""
    found = []
    for top, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not _ignored(Path(d)))
        found += [Path(top) / f for f in sorted(files) if not _ignored(Path(f))]
    return found


def _lms_name(file_name: str, expected: list[str]) -> tuple[str, str] | None:
    """(learner, notebook part) of a file named per learner, e.g. "alice_01_cutout.ipynb"."""
    lower = file_name.lower()
    for name in sorted(expected, key=len, reverse=True):
        if lower.endswith(name.lower()) and len(file_name) > len(name):
            prefix = file_name[: -len(name)]
            learner = prefix.split("__", 1)[0].strip(SEPARATORS)
            if learner:
                return learner, file_name[-len(name) :]
    return None


def _flat_owner(file_name: str, expected: list[str]) -> tuple[str, str, LmsIdentity | None] | None:
    """(learner key, uploaded file name, platform identity) of a file named per learner:
    Canvas's and Moodle's naming first, then `<learner>_<notebook>`."""
    uploaded = lms_file(file_name)
    if uploaded:
        identity, name = uploaded
        if identity.lms == CANVAS:  # Canvas numbers a file handed in again: "x-1.ipynb"
            name = without_resubmission_number(name, expected)
        return identity.learner_id, name, identity
    parsed = _lms_name(file_name, expected)
    return (parsed[0], parsed[1], None) if parsed else None


def _exact(file_name: str, expected: list[str]) -> bool:
    return file_name.lower() in {name.lower() for name in expected}


def _named(folder: Path, name: str) -> Path | None:
    """The subfolder of folder called name, ignoring case."""
    return next((d for d in _children(folder)[1] if d.name.lower() == name.lower()), None)


def _submissions_root(root: Path, expected: list[str], assignment: str) -> Path:
    """The folder whose entries are learners: below `submitted/` and wrapper folders."""

    def is_wrapper(folder: Path) -> bool:
        if (folder / "submitted").is_dir():
            return True
        files, dirs = _children(folder)
        if any(_flat_owner(f.name, expected) for f in files):
            return True  # a flat download inside a folder
        if files:
            return False  # a learner's own folder
        if len(dirs) == 1:
            return dirs[0].name.lower() != assignment.lower()
        return len(dirs) > 1

    while True:
        if (root / "submitted").is_dir():
            root = root / "submitted"
            continue
        files, dirs = _children(root)
        if not files and len(dirs) == 1 and is_wrapper(dirs[0]):
            root = dirs[0]
            continue
        return root


def _collect(
    root: Path, expected: list[str], assignment: str
) -> tuple[dict[str, _Learner], list[_Found]]:
    """({learner name: their files}, files that belong to nobody) of a submissions root."""
    files, dirs = _children(root)
    flat = any(_flat_owner(f.name, expected) for f in files)
    exact = any(_exact(f.name, expected) for f in files)
    single = (exact and not flat) or _named(root, assignment) is not None
    if single:  # the folder of one learner, e.g. submitted/alice or submitted/alice/<assignment>
        name = root.parent.name if root.name.lower() == assignment.lower() else root.name
        learner = _Learner(name, root)
        learner.files = _files_of(root, assignment)
        return {name: learner}, []

    learners: dict[str, _Learner] = {}
    for folder in dirs:
        # Moodle: one folder per participant and kind of submission (files, online text)
        identity = moodle_folder(folder.name)
        key, name = (identity.learner_id, identity.name) if identity else (folder.name,) * 2
        learner = learners.setdefault(key, _Learner(name, folder))
        learner.mark(identity)
        learner.files += _files_of(folder, assignment)
    loose = []
    for path in files:
        owner = _flat_owner(path.name, expected)
        if owner:
            key, uploaded, identity = owner
            name = identity.name if identity else key
            learner = learners.setdefault(key, _Learner(name, root))
            learner.mark(identity)
            learner.files.append(_Found(path, path.name, uploaded, flat=True))
        else:
            loose.append(_Found(path, path.name, path.name, flat=True))

    # A flat file not named like a notebook may still start with a learner's name,
    # e.g. "alice_01_cutout (1).ipynb" or "alice_notes.txt".
    unclaimed = []
    by_length = sorted(learners, key=len, reverse=True)
    for found in loose:
        owner = next(
            (
                name
                for name in by_length
                if found.path.name.lower().startswith(name.lower())
                and found.path.name[len(name) : len(name) + 1] in tuple(SEPARATORS)
            ),
            None,
        )
        if owner is None:
            unclaimed.append(found)
        else:
            learners[owner].files.append(found)
    return learners, unclaimed


def _files_of(folder: Path, assignment: str) -> list[_Found]:
    """A learner's files, labelled relative to their assignment folder (or their folder).

    The folders of the course's other assignments (nbgrader's `submitted/<learner>/` holds
    them all) are not this assignment's files: they are skipped without a note.
    """
    base = _named(folder, assignment) or folder
    others = {name.lower() for name in assignments()} - {assignment.lower()}
    found = []
    for path in _walk(folder):
        if path.relative_to(folder).parts[0].lower() in others:
            continue
        label = path.relative_to(base) if path.is_relative_to(base) else path.relative_to(folder)
        found.append(_Found(path, label.as_posix(), path.name, flat=False))
    return found


def _open_zips(learner: _Learner, unzip: _Unzipper) -> None:
    """Replace each zip among a learner's files by the files in it (one level deep): a
    learner may upload their notebooks as one zip, even inside a platform's zip."""
    opened = []
    for found in learner.files:
        if found.path.suffix.lower() != ".zip":
            opened.append(found)
            continue
        if not zipfile.is_zipfile(found.path):
            learner.problems.append(
                Reason("zip_member_skipped", f"'{found.label}' is not a zip that can be opened")
            )
            continue
        folder, skipped = unzip(found.path)
        learner.problems += [Reason("zip_member_skipped", text) for _, text in skipped]
        for path in _walk(folder):
            inner = path.relative_to(folder).as_posix()
            opened.append(_Found(path, f"{found.label}/{inner}", path.name, flat=False))
    learner.files = opened


def _learner_ids(learners: dict[str, _Learner]) -> dict[str, str]:
    """{learner key: id graded under}: the platform's id when the archive gives one, else
    the name made safe and unique."""
    ids = {
        key: learner.identity.learner_id for key, learner in learners.items() if learner.identity
    }
    named = _safe_unique_ids(sorted(key for key in learners if key not in ids), set(ids.values()))
    return ids | named


def _other_assignments(assignment: str) -> dict[str, dict[str, set[str]]]:
    """{other assignment of the course: {its notebook name: grade ids of its graded cells}}."""
    others = {}
    for other in assignments():
        if other.lower() != assignment.lower():
            names = notebook_names(SOLUTIONS / other)
            others[other] = {name: grade_ids_of(SOLUTIONS / other / name) for name in names}
    return others


def _other_assignment_of(found: _Found, others: dict[str, dict[str, set[str]]]) -> str | None:
    """The other assignment whose notebook this file is, by its name or its graded cells."""
    for other, notebooks in others.items():
        if any(found.stem.lower().endswith(name.lower()) for name in notebooks):
            return other
    if found.path.suffix.lower() == ".ipynb":
        carried = grade_ids_of(found.path)
        for other, notebooks in others.items():
            if any(carried and carried <= ids for ids in notebooks.values()):
                return other
    return None


def _note_similar_names(submissions: list[Submission]) -> None:
    """Learners whose names differ only in case or accents are graded apart; say so to both,
    naming the other, so that two files of one learner are not taken for two learners unseen
    (nor two learners merged)."""
    by_plain: dict[str, list[Submission]] = {}
    for submission in submissions:
        if submission.lms is None:
            by_plain.setdefault(_safe_id(submission.name).lower(), []).append(submission)
    for group in by_plain.values():
        for submission in group:
            others = [s for s in group if s is not submission]
            if others:
                named = ", ".join(f"'{o.name}' (graded as {o.learner})" for o in others)
                submission.problems.append(
                    Reason(
                        "similar_name",
                        f"another learner's name differs only in case or accents: {named}; "
                        "graded apart",
                    )
                )


def _choose(
    learner: _Learner,
    safe_id: str,
    expected: list[str],
    grade_ids: dict[str, set[str]],
    others: dict[str, dict[str, set[str]]] | None = None,
) -> Submission:
    """Decide which file is graded as which notebook, and say what is off."""
    submission = Submission(
        safe_id, {}, list(learner.problems), learner.source, learner.name, lms=learner.identity
    )
    if submission.late:
        submission.problems.append(
            Reason("late", f"submitted late (as {learner.identity.lms} marks it)")
        )
    wrong = []
    # expected name -> [(rank, depth, -mtime, label, found)]; rank 0 exact name, 1 name
    # with a prefix, 2 recognised by content.
    candidates: dict[str, list[tuple]] = {name: [] for name in expected}
    extras = []
    stamp_depth = None
    for found in learner.files:
        if found.path.name.lower() == TIMESTAMP:
            # The shallowest wins: the one nbgrader's (or the hub exchange's) collect wrote
            # beside the notebooks, never one a learner put in a subfolder.
            depth = found.label.count("/")
            if stamp_depth is None or depth < stamp_depth:
                submission.timestamp, stamp_depth = found.path, depth
            continue
        target, rank = _match_name(found, expected)
        if target is None and found.path.suffix.lower() == ".ipynb":
            target, rank = _match_content(found.path, expected, grade_ids), 2
        if target is None:
            other = _other_assignment_of(found, others or {})
            if other:
                wrong.append((found.label, other))
            else:
                extras.append(found.label)
            continue
        key = (rank, found.label.count("/"), -_mtime(found.path), found.label)
        candidates[target].append((*key, found))

    # Said first: it explains the missing notebooks that follow. One sentence per other
    # assignment, naming its files; they stay where they are in the download.
    by_other: dict[str, list[str]] = {}
    for label, other in wrong:
        by_other.setdefault(other, []).append(f"'{label}'")
    submission.problems += [
        Reason(
            "wrong_assignment",
            f"handed in {other}'s notebooks ({', '.join(labels)}), not this assignment's; "
            f"not graded here (grade them with --assignment {other})",
        )
        for other, labels in by_other.items()
    ]
    for name in expected:
        if not candidates[name]:
            submission.problems.append(missing_notebook(name))
            continue
        chosen, *others = (c[-1] for c in sorted(candidates[name], key=lambda c: c[:-1]))
        submission.notebooks[name] = chosen.path
        if chosen.stem != name:
            submission.problems.append(
                Reason("renamed", f"notebook renamed: '{chosen.label}' graded as {name}", name)
            )
        submission.problems += [
            Reason(
                "duplicate_files",
                f"more than one file for {name}: graded '{chosen.label}', ignored '{other.label}'",
                name,
            )
            for other in others
        ]
    submission.problems += [Reason("extra_file", f"extra file {label} ignored") for label in extras]
    return submission


def missing_notebook(name: str) -> Reason:
    return Reason("missing_notebook", f"missing notebook {name}", name)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _match_name(found: _Found, expected: list[str]) -> tuple[str | None, int]:
    for name in expected:
        if found.stem.lower() == name.lower():
            return name, 0 if found.stem == found.path.name else 1
    if not found.flat:
        parsed = _lms_name(found.path.name, expected)
        if parsed:
            return next(n for n in expected if n.lower() == parsed[1].lower()), 1
    return None, 0


def _match_content(path: Path, expected: list[str], grade_ids: dict[str, set[str]]) -> str | None:
    carried = grade_ids_of(path) if grade_ids else set()
    best, best_share = None, 0.0
    for name in expected:
        ids = grade_ids.get(name) or set()
        if carried and ids:
            share = len(carried & ids) / len(carried | ids)
            if share > best_share:
                best, best_share = name, share
    return best if best_share > CONTENT_MATCH else None


def _safe_id(name: str) -> str:
    """Letters, digits, `_`, `-`, `.` only (accents dropped, the rest `_`); never hidden."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    safe = SAFE_ID.sub("_", plain)
    if safe.startswith("."):
        safe = "_" + safe[1:]
    return safe or "learner"


def _safe_unique_ids(names: list[str], taken_ids: set[str] = frozenset()) -> dict[str, str]:
    """{name: safe id}; ids that would collide (ignoring case, as some file systems do) with
    each other or with `taken_ids` get a suffix -2, -3, ... in the order of the names."""
    ids: dict[str, str] = {}
    taken: set[str] = {t.lower() for t in taken_ids}
    for name in names:
        base = candidate = _safe_id(name)
        number = 1
        while candidate.lower() in taken:
            number += 1
            candidate = f"{base}-{number}"
        taken.add(candidate.lower())
        ids[name] = candidate
    return ids


# --- zip members that could not be extracted ---------------------------------------------


def _owner_of_member(member: str, learners: dict[str, _Learner], expected: list[str]):
    """The learner a skipped zip member belongs to, by its folders or its file name."""
    parts = [p for p in member.replace("\\", "/").split("/") if p not in ("", ".", "..")]
    if not parts:
        return None
    parsed = _flat_owner(parts[-1], expected)
    folders = [(moodle_folder(p).learner_id if moodle_folder(p) else p) for p in parts[:-1]]
    for name in ([parsed[0]] if parsed else []) + folders[::-1]:
        if name in learners:
            return learners[name]
    return None


def _notebook_of_member(member: str, expected: list[str]) -> str | None:
    """The expected notebook a skipped zip member would have been, by its file name."""
    file_name = member.replace("\\", "/").rsplit("/", 1)[-1].lower()
    return next((name for name in expected if file_name.endswith(name.lower())), None)


class NoSubmissions(ValueError):
    """The submissions folder or zip holds no learner's work of the assignment."""


def no_submissions_message(path: Path, assignment: str, expected: list[str]) -> str:
    """Why nothing was graded: what the grading command looked for, and what it found."""
    if path.is_dir():
        names = sorted(str(p.relative_to(path)) for p in path.rglob("*") if p.is_file())
    else:
        try:
            with zipfile.ZipFile(path) as archive:
                names = sorted(n for n in archive.namelist() if not n.endswith("/"))
        except (OSError, zipfile.BadZipFile):
            names = []
    shown = "\n".join(f"    {name}" for name in names[:10])
    more = f"\n    ... and {len(names) - 10} more" if len(names) > 10 else ""
    found = f"{len(names)} files:\n{shown}{more}" if names else "no files at all"
    example = expected[0] if expected else "<notebook>.ipynb"
    return (
        f"no learner's {assignment} notebooks in {path}, so nobody was graded.\n"
        f"  looked for: {', '.join(expected)}, as nbgrader's submitted/<learner>/{assignment}/, "
        f"a folder per learner (<learner>/{example}), or files named per learner "
        f"(<learner>_{example}), in a folder or a .zip\n"
        f"  found: {found}"
    )
