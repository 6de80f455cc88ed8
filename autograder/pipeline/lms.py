"""Who a file of a learning platform's "download all submissions" archive belongs to.

Canvas names every uploaded file `<name>[_LATE]_<user id>_<file id>_<file name>`, where
`<name>` is the learner's sortable name ("Smith, Jane"), lower-cased with every character
that is not a letter, digit or `_` removed ("smithjane"), `LATE` marks late work, and an
anonymously graded assignment has `anon_<anonymous id>` instead of name and user id. Canvas
source, `get_filename` and `add_upload_submission`:
https://github.com/instructure/canvas-lms/blob/master/lib/content_zipper.rb
A learner who uploads a file whose name is already among their submitted files gets it
renamed `<stem>-1<ext>`, `-2`, ... (`Attachment.make_unique_filename`,
https://github.com/instructure/canvas-lms/blob/master/app/models/attachment.rb); the download
holds the files of the latest attempt only. (Canvas's Instructor Guide, "How do I download all
student submissions for an assignment?", shows the download but not this naming.)

Moodle puts each learner's files in a folder `<Full name>_<participant id>_assignsubmission_file`
(Moodle 4.x; `..._file_` before it, and `_onlinetext` for online text), or, when "Download
submissions in folders" is off, names each file `<Full name>_<participant id>_assignsubmission_file_<file name>`.
The participant id is the number of the grading worksheet's "Participant N". Moodle source,
`get_student_prefix` and `load_submissionplugin_filelist`:
https://github.com/moodle/moodle/blob/main/mod/assign/classes/downloader.php
and the setting "Download submissions in folders" (`downloadasfolders_help`):
https://github.com/moodle/moodle/blob/main/mod/assign/lang/en/assign.php
Moodle's archive does not mark late work.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CANVAS = "canvas"
MOODLE = "moodle"

# The name holds no "_<digits>_" and no "__" (Canvas removes the first from names so that the
# ids stay findable) and does not end in "_"; without a name, an anonymous id.
_CANVAS_FILE = re.compile(
    r"^(?:(?P<name>(?:[^\W_]|_(?!\d*_))*?[^\W_])_)??(?:(?P<late>LATE)_)?"
    r"(?:anon_(?P<anonymous>[A-Za-z0-9]+)|(?P<user>\d+))_(?P<file_id>\d+)_(?P<file>.+)$"
)
_MOODLE_PREFIX = re.compile(
    r"^(?P<name>.+?)_(?P<participant>\d+)_assignsubmission_(?P<plugin>file|onlinetext)"
)
_RESUBMITTED = re.compile(r"^(?P<stem>.+)-(?P<number>\d+)(?P<ext>\.[A-Za-z0-9]+)$")


@dataclass(frozen=True)
class LmsIdentity:
    """A learner as a learning platform's archive names them.

    lms: "canvas" or "moodle". user_id: Canvas user id ("anon_<id>" when anonymous) or
    Moodle participant id, as digits. name: the name the archive shows (Canvas: lower-case,
    no spaces or punctuation). late: the archive marks the work late (Canvas only).
    """

    lms: str
    user_id: str
    name: str
    late: bool = False

    @property
    def learner_id(self) -> str:
        """The id graded under: stable across renames and unique on the platform."""
        return f"{self.lms}-{self.user_id}"


def canvas_file(file_name: str) -> tuple[LmsIdentity, str] | None:
    """(who, the file name the learner uploaded) of a file of Canvas's download, or None."""
    match = _CANVAS_FILE.match(file_name)
    if not match:
        return None
    user = match["user"] or f"anon_{match['anonymous']}"
    identity = LmsIdentity(CANVAS, user, match["name"] or user, late=bool(match["late"]))
    return identity, match["file"]


def moodle_folder(folder_name: str) -> LmsIdentity | None:
    """Who a folder of Moodle's download ("Ada Lovelace_123_assignsubmission_file") holds."""
    match = _MOODLE_PREFIX.match(folder_name)
    rest = folder_name[match.end() :] if match else None
    if rest not in ("", "_"):
        return None
    return LmsIdentity(MOODLE, match["participant"], match["name"])


def moodle_file(file_name: str) -> tuple[LmsIdentity, str] | None:
    """(who, uploaded file name) of a file of Moodle's download without folders."""
    match = _MOODLE_PREFIX.match(file_name)
    if not match or not file_name[match.end() :].startswith("_"):
        return None
    uploaded = file_name[match.end() + 1 :]
    if not uploaded:
        return None
    return LmsIdentity(MOODLE, match["participant"], match["name"]), uploaded


def lms_file(file_name: str) -> tuple[LmsIdentity, str] | None:
    """Canvas's or Moodle's naming of a file in a flat download, whichever fits."""
    return canvas_file(file_name) or moodle_file(file_name)


def without_resubmission_number(file_name: str, expected: list[str]) -> str:
    """The expected notebook name a resubmitted file was renamed from by Canvas
    ("01_cutout-1.ipynb" -> "01_cutout.ipynb"); the file name itself otherwise."""
    match = _RESUBMITTED.match(file_name)
    if match:
        original = match["stem"] + match["ext"]
        if original.lower() in {name.lower() for name in expected}:
            return original
    return file_name
