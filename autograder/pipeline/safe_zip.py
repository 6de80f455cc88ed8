"""Extract a zip an instructor downloaded without letting its member names write elsewhere.

A zip from a learning platform holds files named by learners; a member named `/etc/...`,
`C:\\...` or `../..` (zip slip) would otherwise be written outside the extraction folder.
"""

from __future__ import annotations

import os
import re
import shutil
import time
import zipfile
from pathlib import Path, PurePosixPath


def extract_zip(archive_path: Path, destination: Path) -> list[tuple[str, str]]:
    """Extract the zip into destination; return (member, what went wrong) of the members
    skipped, the second a sentence for the instructor.

    Members with an absolute path, a drive letter or a `..` part (zip slip) are never
    written. Windows separators are read as folders. Modification times are kept (intake
    prefers the newest of several copies).
    """
    skipped = []
    destination.mkdir(parents=True, exist_ok=True)
    destination = destination.resolve()
    with zipfile.ZipFile(archive_path) as archive:
        for info in archive.infolist():
            name = info.filename.replace("\\", "/")
            if info.is_dir() or name.endswith("/"):
                continue
            parts = [p for p in PurePosixPath(name).parts if p not in ("", ".")]
            unsafe = (
                name.startswith("/") or re.match(r"^[A-Za-z]:", name) or ".." in parts or not parts
            )
            target = destination.joinpath(*parts)
            if unsafe or not target.resolve().is_relative_to(destination):
                skipped.append((info.filename, f"unsafe path in zip skipped: '{info.filename}'"))
                continue
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(info) as source, open(target, "wb") as copy:
                    shutil.copyfileobj(source, copy)
                stamp = time.mktime((*info.date_time, 0, 0, -1))
                os.utime(target, (stamp, stamp))
            except (OSError, zipfile.BadZipFile, ValueError) as error:
                skipped.append(
                    (
                        info.filename,
                        f"zip member could not be extracted: '{info.filename}' ({error})",
                    )
                )
    return skipped
