"""The exchange service's files on disk: releases, submissions and feedback of one course.

    <root>/<course>/releases/<assignment>/            the released files
    <root>/<course>/submissions/<student>/<assignment>/<stamp>/files/...
    <root>/<course>/submissions/<student>/<assignment>/<stamp>/receipt.json
    <root>/<course>/feedback/<student>/<assignment>/<stamp>/<notebook>.html

Only the service's account can read or write <root> (mode 0700). Who a submission belongs to
and when it arrived are the folder names and the receipt the service writes: nothing a
learner sends can choose them. Runs in the hub's environment, so it uses the standard library
alone.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

# Course, assignment and account names: what nbgrader and useradd accept, never a path.
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
# nbgrader's timestamp format, so that its own parsers read the receipts.
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"
STAMP_FORMAT = "%Y%m%dT%H%M%S%fZ"
# One upload, all files together (a kit with its photographs is a few megabytes).
MAX_UPLOAD_BYTES = 50 * 1000 * 1000
MAX_FILES = 500


class StoreError(Exception):
    """A request the store refuses; `status` is the HTTP status the service answers with."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def checked_name(kind: str, value: str) -> str:
    if not isinstance(value, str) or not NAME.match(value) or ".." in value:
        raise StoreError(400, f"invalid {kind}: {value!r}")
    return value


def checked_relative_path(value: str) -> PurePosixPath:
    """A file's path inside an upload: relative, no `..`, no hidden parts, no backslashes."""
    path = PurePosixPath(value) if isinstance(value, str) else None
    if (
        path is None
        or not value
        or "\\" in value
        or "\x00" in value
        or path.is_absolute()
        or any(part in ("", ".", "..") or part.startswith(".") for part in path.parts)
    ):
        raise StoreError(400, f"invalid file path: {value!r}")
    return path


def decode_files(files: dict) -> dict[PurePosixPath, bytes]:
    """{relative path: base64} as sent by the client -> {checked path: bytes}."""
    if not isinstance(files, dict) or len(files) > MAX_FILES:
        raise StoreError(400, f"files must be an object of at most {MAX_FILES} entries")
    decoded, total = {}, 0
    for name, content in files.items():
        path = checked_relative_path(name)
        try:
            data = base64.b64decode(content, validate=True)
        except (TypeError, ValueError) as error:
            raise StoreError(400, f"file {name!r} is not base64") from error
        total += len(data)
        if total > MAX_UPLOAD_BYTES:
            raise StoreError(413, f"upload larger than {MAX_UPLOAD_BYTES} bytes")
        decoded[path] = data
    return decoded


def encode_folder(folder: Path) -> dict[str, str]:
    """Every regular file under `folder` -> {relative posix path: base64}. Links are skipped."""
    files = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            relative = path.relative_to(folder).as_posix()
            files[relative] = base64.b64encode(path.read_bytes()).decode("ascii")
    return files


def _write_folder(destination: Path, files: dict[PurePosixPath, bytes]) -> None:
    """Write all files into a fresh folder beside `destination`, then move it in place, so a
    reader never sees half an upload."""
    destination.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    staging = Path(tempfile.mkdtemp(dir=destination.parent, prefix=".incoming-"))
    try:
        for relative, data in files.items():
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            target.write_bytes(data)
        if destination.exists():
            shutil.rmtree(destination)
        staging.rename(destination)
    finally:
        if staging.exists():
            shutil.rmtree(staging)


def notebooks_in(files) -> list[str]:
    """Notebook ids (file name without .ipynb) at the top of an upload, sorted."""
    return sorted(
        PurePosixPath(p).stem
        for p in files
        if len(PurePosixPath(p).parts) == 1 and str(p).endswith(".ipynb")
    )


@dataclass(frozen=True)
class Receipt:
    """What the service recorded when a submission arrived."""

    student_id: str
    assignment_id: str
    timestamp: str  # nbgrader's format, UTC, taken from the service's clock
    stamp: str  # the same instant as a folder name
    notebooks: tuple[str, ...]

    def as_json(self) -> dict:
        return {
            "student_id": self.student_id,
            "assignment_id": self.assignment_id,
            "timestamp": self.timestamp,
            "notebooks": list(self.notebooks),
        }


class CourseStore:
    """The releases, submissions and feedback of every course, under `root`."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def _course(self, course_id: str) -> Path:
        return self.root / checked_name("course", course_id)

    # Releases -------------------------------------------------------------------------

    def _release(self, course_id: str, assignment_id: str) -> Path:
        return self._course(course_id) / "releases" / checked_name("assignment", assignment_id)

    def released(self, course_id: str) -> list[dict]:
        folder = self._course(course_id) / "releases"
        if not folder.is_dir():
            return []
        return [
            {"assignment_id": path.name, "notebooks": notebooks_in(encode_folder(path))}
            for path in sorted(folder.iterdir())
            if path.is_dir() and NAME.match(path.name)
        ]

    def release(self, course_id: str, assignment_id: str, files: dict, force: bool) -> None:
        decoded = decode_files(files)
        if not notebooks_in(decoded):
            raise StoreError(400, "a release needs at least one notebook at its top level")
        destination = self._release(course_id, assignment_id)
        if destination.exists() and not force:
            raise StoreError(409, f"{assignment_id} is already released; release with --force")
        _write_folder(destination, decoded)

    def unrelease(self, course_id: str, assignment_id: str) -> None:
        shutil.rmtree(self._release(course_id, assignment_id), ignore_errors=True)

    def released_files(self, course_id: str, assignment_id: str) -> dict[str, str]:
        folder = self._release(course_id, assignment_id)
        if not folder.is_dir():
            raise StoreError(404, f"{assignment_id} is not released in {course_id}")
        return encode_folder(folder)

    # Submissions ----------------------------------------------------------------------

    def _submissions(self, course_id: str, student_id: str, assignment_id: str) -> Path:
        return (
            self._course(course_id)
            / "submissions"
            / checked_name("student", student_id)
            / checked_name("assignment", assignment_id)
        )

    def submit(
        self, course_id: str, student_id: str, assignment_id: str, files: dict, now: datetime
    ) -> Receipt:
        """Store a submission under `student_id` (the hub's name for the caller), received at
        `now` (the service's clock). Earlier submissions are removed: only the latest is
        collected, and a learner's history is the submissions they keep themselves."""
        if not self._release(course_id, assignment_id).is_dir():
            raise StoreError(404, f"{assignment_id} is not released in {course_id}")
        decoded = decode_files(files)
        now = now.astimezone(UTC)
        receipt = Receipt(
            student_id=student_id,
            assignment_id=assignment_id,
            timestamp=now.strftime(TIMESTAMP_FORMAT),
            stamp=now.strftime(STAMP_FORMAT),
            notebooks=tuple(notebooks_in(decoded)),
        )
        folder = self._submissions(course_id, student_id, assignment_id)
        _write_folder(folder / receipt.stamp / "files", decoded)
        (folder / receipt.stamp / "receipt.json").write_text(json.dumps(receipt.as_json()))
        for older in folder.iterdir():
            if older.name != receipt.stamp and not older.name.startswith("."):
                shutil.rmtree(older)
        return receipt

    def _receipts(self, course_id: str, student_id: str, assignment_id: str) -> list[Receipt]:
        folder = self._submissions(course_id, student_id, assignment_id)
        receipts = []
        if folder.is_dir():
            for path in sorted(folder.iterdir()):
                record = path / "receipt.json"
                if record.is_file():
                    data = json.loads(record.read_text())
                    receipts.append(
                        Receipt(
                            student_id=data["student_id"],
                            assignment_id=data["assignment_id"],
                            timestamp=data["timestamp"],
                            stamp=path.name,
                            notebooks=tuple(data["notebooks"]),
                        )
                    )
        return receipts

    def latest(self, course_id: str, student_id: str, assignment_id: str) -> Receipt | None:
        receipts = self._receipts(course_id, student_id, assignment_id)
        return receipts[-1] if receipts else None

    def students(self, course_id: str) -> list[str]:
        folder = self._course(course_id) / "submissions"
        return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []

    def submissions(
        self, course_id: str, student_ids: list[str], assignment_id: str | None
    ) -> list[dict]:
        """The latest submission of each of `student_ids` (of one assignment, or of all),
        with the checksums of the feedback released for it."""
        found = []
        for student_id in student_ids:
            folder = self._course(course_id) / "submissions" / checked_name("student", student_id)
            if not folder.is_dir():
                continue
            assignments = [assignment_id] if assignment_id else sorted(os.listdir(folder))
            for assignment in assignments:
                receipt = self.latest(course_id, student_id, assignment)
                if receipt is not None:
                    record = receipt.as_json()
                    record["feedback"] = self._feedback_checksums(course_id, receipt)
                    found.append(record)
        return found

    def submitted_files(self, course_id: str, receipt: Receipt) -> dict[str, str]:
        folder = self._submissions(course_id, receipt.student_id, receipt.assignment_id)
        return encode_folder(folder / receipt.stamp / "files")

    # Feedback -------------------------------------------------------------------------

    def _feedback(self, course_id: str, receipt: Receipt) -> Path:
        return (
            self._course(course_id)
            / "feedback"
            / receipt.student_id
            / receipt.assignment_id
            / receipt.stamp
        )

    def _feedback_checksums(self, course_id: str, receipt: Receipt) -> dict[str, str]:
        folder = self._feedback(course_id, receipt)
        if not folder.is_dir():
            return {}
        return {
            path.stem: hashlib.md5(path.read_bytes()).hexdigest()
            for path in sorted(folder.glob("*.html"))
        }

    def release_feedback(
        self, course_id: str, student_id: str, assignment_id: str, timestamp: str, files: dict
    ) -> None:
        """Feedback for the student's submission received at `timestamp` (as collected)."""
        receipt = self.latest(course_id, student_id, assignment_id)
        if receipt is None or receipt.timestamp != timestamp:
            raise StoreError(
                409, f"no submission of {assignment_id} by {student_id} received at {timestamp}"
            )
        decoded = decode_files(files)
        for path in decoded:
            if len(path.parts) != 1 or path.suffix != ".html":
                raise StoreError(400, f"feedback files are notebook pages (.html): {path}")
        _write_folder(self._feedback(course_id, receipt), decoded)

    def feedback_files(self, course_id: str, student_id: str, assignment_id: str) -> list[dict]:
        """The feedback on the student's latest submission: [{timestamp, files}]."""
        receipt = self.latest(course_id, student_id, assignment_id)
        if receipt is None:
            return []
        folder = self._feedback(course_id, receipt)
        if not folder.is_dir():
            return []
        return [{"timestamp": receipt.timestamp, "files": encode_folder(folder)}]
