"""nbgrader's exchange, spoken over HTTP to the course's exchange service.

nbgrader 0.9 builds its exchange from replaceable classes (`c.ExchangeFactory.submit = ...`);
these send the user's own JupyterHub API token (JUPYTERHUB_API_TOKEN, set in every
single-user server) to the service, which asks the hub whose token it is. Nothing here
names the submitter or the time: `--student`, JUPYTERHUB_USER or a timestamp.txt change
nothing the service records.

This file is copied into the learners' and the instructor's environments as the module
`cutout_course_exchange` (autograder/hub/environments.py), so it imports nbgrader and the
standard library only.
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import json
import os
import shutil
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from nbgrader.exchange.abc import (
    Exchange,
    ExchangeCollect,
    ExchangeFetchAssignment,
    ExchangeFetchFeedback,
    ExchangeList,
    ExchangeReleaseAssignment,
    ExchangeReleaseFeedback,
    ExchangeSubmit,
)
from traitlets import Unicode, default

# Long enough for a kit with photographs on a slow disk, short enough to not hang a Submit.
TIMEOUT_SECONDS = 120


class CourseExchange(Exchange):
    """What every exchange class shares: the service's address, the token, the requests."""

    url = Unicode(
        help="The exchange service's URL, ending in /; by default $COURSE_EXCHANGE_URL, "
        "which the hub puts in every single-user server's environment."
    ).tag(config=True)

    @default("url")
    def _url_default(self):
        return os.environ.get("COURSE_EXCHANGE_URL", "")

    token = Unicode(help="The user's JupyterHub API token; by default $JUPYTERHUB_API_TOKEN.").tag(
        config=False
    )

    @default("token")
    def _token_default(self):
        return os.environ.get("JUPYTERHUB_API_TOKEN", "")

    def request(self, method: str, path: str, body: dict | None = None, query: dict | None = None):
        """JSON in, JSON out; a refusal of the service becomes nbgrader's ExchangeError."""
        if not self.url or not self.token:
            self.fail(
                "The course exchange needs COURSE_EXCHANGE_URL and JUPYTERHUB_API_TOKEN: "
                "run nbgrader from your server on the course's JupyterHub."
            )
        address = self.url.rstrip("/") + "/api/" + path
        if query:
            address += "?" + urllib.parse.urlencode(query)
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(address, data=data, method=method)
        request.add_header("Authorization", f"token {self.token}")
        request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            try:
                message = json.loads(error.read()).get("error", error.reason)
            except ValueError:
                message = error.reason
            self.fail(f"The course exchange refused ({error.code}): {message}")
        except urllib.error.URLError as error:
            self.fail(f"The course exchange is not reachable at {self.url}: {error.reason}")

    def course_path(self, *parts: str) -> str:
        course_id = self.coursedir.course_id
        if not course_id:
            self.fail("No course id specified. Re-run with --course flag.")
        return "/".join(["courses", course_id, *parts])

    def local_assignment(self, assignment_id: str) -> Path:
        return Path(self.assignment_dir, assignment_id).absolute()

    def read_folder(self, folder: Path) -> dict[str, str]:
        """The files to send: everything under `folder` but the course's ignore patterns,
        within nbgrader's size limits."""
        files, total = {}, 0
        ignore = self.coursedir.ignore
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(folder)
            if any(fnmatch.fnmatch(part, pattern) for part in relative.parts for pattern in ignore):
                continue
            # Hidden files stay home: the service refuses them in an upload.
            if any(part.startswith(".") for part in relative.parts):
                continue
            if not path.is_file() or path.is_symlink():
                continue
            size = path.stat().st_size
            if size > 1000 * self.coursedir.max_file_size:
                self.log.warning("Leaving out %s: larger than max_file_size", relative)
                continue
            total += size
            if total > 1000 * self.coursedir.max_dir_size:
                self.fail(f"{folder} is larger than max_dir_size")
            files[relative.as_posix()] = base64.b64encode(path.read_bytes()).decode("ascii")
        return files

    def write_folder(self, folder: Path, files: dict[str, str], only_missing: bool = False):
        """Write the files received under `folder`, refusing any path that leaves it."""
        root = folder.resolve()
        for name, content in files.items():
            target = (folder / name).resolve()
            if root not in target.parents:
                self.fail(f"The course exchange sent a file outside the assignment: {name}")
            if only_missing and target.exists():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(base64.b64decode(content))

    # nbgrader's Exchange.start calls these three; each class does its work in one of them.
    def init_src(self):
        pass

    def init_dest(self):
        pass

    def copy_files(self):
        pass


class CourseFetchAssignment(CourseExchange, ExchangeFetchAssignment):
    def copy_files(self):
        assignment_id = self.coursedir.assignment_id
        destination = self.local_assignment(assignment_id)
        if destination.exists() and not self.replace_missing_files:
            self.fail(
                f"You already have a copy of the assignment in this directory: {assignment_id}"
            )
        reply = self.request("GET", self.course_path("assignments", assignment_id))
        destination.mkdir(parents=True, exist_ok=True)
        self.write_folder(destination, reply["files"], only_missing=True)
        self.log.info("Fetched as: %s %s", self.coursedir.course_id, assignment_id)


class CourseSubmit(CourseExchange, ExchangeSubmit):
    def copy_files(self):
        assignment_id = self.coursedir.assignment_id
        source = self.local_assignment(assignment_id)
        if not source.is_dir():
            self.fail(f"Assignment not found at: {source}")
        if self.coursedir.student_id not in ("", "*"):
            self.log.warning(
                "Ignoring the student id %r: the exchange records you as the hub knows you.",
                self.coursedir.student_id,
            )
        released = self.request("GET", self.course_path("assignments"))["assignments"]
        expected = next(
            (a["notebooks"] for a in released if a["assignment_id"] == assignment_id), None
        )
        if expected is None:
            self.fail(f"Assignment not found: {assignment_id} is not released")
        files = self.read_folder(source)
        missing = sorted(set(expected) - {Path(n).stem for n in files if n.endswith(".ipynb")})
        if missing and self.strict:
            self.fail(f"Assignment {assignment_id} not submitted; missing notebooks: {missing}")
        if missing:
            self.log.warning("Submitting %s without the notebooks %s", assignment_id, missing)
        receipt = self.request(
            "POST", self.course_path("assignments", assignment_id, "submissions"), {"files": files}
        )
        self.timestamp = receipt["timestamp"]
        self.log.info(
            "Submitted as: %s %s %s (by %s)",
            self.coursedir.course_id,
            assignment_id,
            receipt["timestamp"],
            receipt["student_id"],
        )


def _md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


class CourseList(CourseExchange, ExchangeList):
    """Released assignments, or submissions (`--inbound` for the instructor: everyone's;
    `cached` for the Assignment List: the learner's own), in the shapes of nbgrader's
    default ExchangeList, which the Assignment List reads."""

    def list_files(self):
        if self.inbound or self.cached:
            return self.list_submissions()
        return self.list_released()

    def remove_files(self):
        if self.inbound or self.cached:
            self.fail("Submissions are kept by the course exchange; they cannot be removed.")
        released = self.list_released()
        for info in released:
            self.request("DELETE", self.course_path("assignments", info["assignment_id"]))
            info["status"] = "removed"
        return released

    def list_released(self):
        course_id = self.coursedir.course_id
        wanted = self.coursedir.assignment_id
        assignments = []
        for record in self.request("GET", self.course_path("assignments"))["assignments"]:
            assignment_id = record["assignment_id"]
            if wanted and wanted != assignment_id:
                continue
            local = self.local_assignment(assignment_id)
            fetched = local.is_dir()
            folder = str(local) if fetched else f"{self.url}{course_id}/{assignment_id}"
            assignments.append(
                {
                    "course_id": course_id,
                    "assignment_id": assignment_id,
                    "status": "fetched" if fetched else "released",
                    "path": folder,
                    "notebooks": [
                        {"notebook_id": nb, "path": f"{folder}/{nb}.ipynb"}
                        for nb in record["notebooks"]
                    ],
                }
            )
            self.log.info("%s %s%s", course_id, assignment_id, " (already downloaded)" * fetched)
        return assignments

    def list_submissions(self):
        course_id = self.coursedir.course_id
        query = {"assignment_id": self.coursedir.assignment_id or ""}
        records = self.request("GET", self.course_path("submissions"), query=query)["submissions"]
        grouped = []
        for record in records:
            submission = self.submission_info(course_id, record)
            self.log.info(
                "%s %s %s %s",
                course_id,
                record["student_id"],
                record["assignment_id"],
                record["timestamp"],
            )
            grouped.append(
                {
                    "course_id": course_id,
                    "student_id": record["student_id"],
                    "assignment_id": record["assignment_id"],
                    "status": "submitted",
                    "submissions": [submission],
                }
            )
        return grouped

    def submission_info(self, course_id: str, record: dict) -> dict:
        local_feedback = self.local_assignment(record["assignment_id"]) / "feedback"
        local_feedback = local_feedback / record["timestamp"]
        notebooks = []
        for notebook_id in record["notebooks"]:
            page = local_feedback / f"{notebook_id}.html"
            has_local = page.is_file()
            remote = record["feedback"].get(notebook_id)
            notebooks.append(
                {
                    "notebook_id": notebook_id,
                    "path": f"{notebook_id}.ipynb",
                    "has_local_feedback": has_local,
                    "has_exchange_feedback": remote is not None,
                    "local_feedback_path": str(page) if has_local else None,
                    "feedback_updated": has_local and remote is not None and _md5(page) != remote,
                }
            )
        has_local = bool(notebooks) and all(nb["has_local_feedback"] for nb in notebooks)
        return {
            "course_id": course_id,
            "student_id": record["student_id"],
            "assignment_id": record["assignment_id"],
            "timestamp": record["timestamp"],
            "status": "submitted",
            "path": f"{self.url}{course_id}/{record['student_id']}/{record['assignment_id']}",
            "notebooks": notebooks,
            "has_local_feedback": has_local,
            "has_exchange_feedback": bool(notebooks)
            and all(nb["has_exchange_feedback"] for nb in notebooks),
            "feedback_updated": any(nb["feedback_updated"] for nb in notebooks),
            "local_feedback_path": str(local_feedback) if has_local else None,
        }


class CourseFetchFeedback(CourseExchange, ExchangeFetchFeedback):
    def copy_files(self):
        # The service answers with the caller's own feedback: there is no name to ask for.
        assignment_id = self.coursedir.assignment_id
        path = self.course_path("assignments", assignment_id, "feedback")
        for feedback in self.request("GET", path)["feedback"]:
            folder = self.local_assignment(assignment_id) / "feedback" / feedback["timestamp"]
            folder.mkdir(parents=True, exist_ok=True)
            self.write_folder(folder, feedback["files"])
            self.log.info("Fetched feedback: %s", folder)


class CourseReleaseAssignment(CourseExchange, ExchangeReleaseAssignment):
    kit_directory = Unicode(
        "",
        help="Release <course root>/<kit_directory>/<assignment> (the learner kit that "
        "`python -m autograder.kit` builds: notebooks and the modules they import) instead of "
        "nbgrader's release folder, which holds the notebooks alone.",
    ).tag(config=True)

    def copy_files(self):
        assignment_id = self.coursedir.assignment_id
        folder = self.kit_directory or self.coursedir.release_directory
        source = Path(self.coursedir.format_path(folder, ".", assignment_id))
        if not source.is_dir():
            self.fail(f"Assignment not found at: {source}")
        files = self.read_folder(source)
        body = {"files": files, "force": self.force}
        self.request("PUT", self.course_path("assignments", assignment_id), body)
        self.log.info("Released %s as: %s %s", source, self.coursedir.course_id, assignment_id)


class CourseCollect(CourseExchange, ExchangeCollect):
    """Each learner's latest submission into nbgrader's submitted folder, with the time the
    service received it as timestamp.txt."""

    def copy_files(self):
        assignment_id = self.coursedir.assignment_id
        query = {"assignment_id": assignment_id}
        records = self.request("GET", self.course_path("submissions"), query=query)["submissions"]
        wanted = self.coursedir.student_id
        if wanted and wanted != "*":
            records = [r for r in records if r["student_id"] == wanted]
        if not records:
            self.log.warning("No submissions of '%s' to collect", assignment_id)
        for record in records:
            student_id = record["student_id"]
            destination = Path(
                self.coursedir.format_path(
                    self.coursedir.submitted_directory, student_id, assignment_id
                )
            )
            if destination.is_dir():
                if not self.update:
                    self.log.info("Submission already exists, use --update: %s", student_id)
                    continue
                stamp = destination / "timestamp.txt"
                if stamp.is_file() and stamp.read_text().strip() == record["timestamp"]:
                    self.log.info("No newer submission to collect: %s", student_id)
                    continue
                shutil.rmtree(destination)
            path = self.course_path(
                "assignments", assignment_id, "submissions", student_id, "latest"
            )
            submission = self.request("GET", path)
            destination.mkdir(parents=True)
            self.write_folder(destination, submission["files"])
            # Written last, from the service's record: whatever timestamp.txt a learner put in
            # their folder is replaced by the time the service received the submission.
            (destination / "timestamp.txt").write_text(submission["timestamp"])
            self.log.info("Collected submission: %s %s", student_id, assignment_id)


class CourseReleaseFeedback(CourseExchange, ExchangeReleaseFeedback):
    """Each learner's feedback pages, sent for the submission they were written for: the
    receipt time of the collected submission, which the service checks is still the
    learner's latest."""

    collected_directory = Unicode(
        "",
        help="Where collected submissions keep the service's timestamp.txt "
        "(<collected_directory>/<student>/<assignment>/timestamp.txt), for feedback folders "
        "without one: the course's grading command grades a copy of the notebooks alone.",
    ).tag(config=True)

    def receipt_time(self, feedback: Path, student_id: str, assignment_id: str) -> str | None:
        candidates = [feedback / "timestamp.txt"]
        if self.collected_directory:
            candidates.append(
                Path(self.collected_directory, student_id, assignment_id, "timestamp.txt")
            )
        for candidate in candidates:
            if candidate.is_file():
                return candidate.read_text().strip()
        return None

    def copy_files(self):
        assignment_id = self.coursedir.assignment_id
        wanted = self.coursedir.student_id if self.coursedir.student_id else "*"
        pattern = self.coursedir.format_path(
            self.coursedir.feedback_directory, wanted, assignment_id
        )
        folders = sorted(Path("/").glob(pattern.lstrip("/")))
        if not folders:
            self.log.warning("No feedback of '%s' to release in %s", assignment_id, pattern)
        for folder in folders:
            student_id = folder.parent.name
            pages = sorted(folder.glob("*.html"))
            timestamp = self.receipt_time(folder, student_id, assignment_id)
            if not pages:
                continue
            if timestamp is None:
                self.fail(f"No timestamp.txt for the feedback of {student_id} in {folder}")
            files = {
                page.name: base64.b64encode(page.read_bytes()).decode("ascii") for page in pages
            }
            path = self.course_path("assignments", assignment_id, "feedback", student_id)
            self.request("PUT", path, {"timestamp": timestamp, "files": files})
            self.log.info("Released feedback for %s on %s", student_id, assignment_id)


# The settings that make nbgrader use these classes, for an nbgrader_config.py.
CLASSES = {
    "exchange": CourseExchange,
    "fetch_assignment": CourseFetchAssignment,
    "fetch_feedback": CourseFetchFeedback,
    "release_assignment": CourseReleaseAssignment,
    "release_feedback": CourseReleaseFeedback,
    "list": CourseList,
    "submit": CourseSubmit,
    "collect": CourseCollect,
}
