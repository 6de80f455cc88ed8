"""The course exchange on a real hub, acting as the learners' own accounts: their tokens,
their servers' Assignment List, and nbgrader run as them with runuser. Each of nbgrader's
known exchange holes is tried the way a learner would try it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import ASSIGNMENT, COURSE, LAYOUT
from dateutil.parser import parse

pytestmark = pytest.mark.hub

SUBMITTED = LAYOUT.deployment / "build" / "course" / "submitted"
# Where nbgrader_config.py has feedback released from: the grading command's course folder.
FEEDBACK = LAYOUT.deployment / "build" / "grading" / "course" / "feedback"


def assignment_list(person, action: str | None = None) -> list[dict]:
    """The learner's server's Assignment List (what its panel shows, or a button's result)."""
    params = {"course_id": COURSE}
    if action is None:
        reply = person.server("GET", "assignments", params=params)
    else:
        params["assignment_id"] = ASSIGNMENT
        reply = person.server("POST", f"assignments/{action}", params=params)
    reply.raise_for_status()
    body = reply.json()
    assert body["success"], body
    return body["value"]


def home_copy(person) -> Path:
    return Path("/home") / person.name / ASSIGNMENT


def ensure_fetched(person) -> Path:
    if not home_copy(person).is_dir():
        assignment_list(person, "fetch")
    return home_copy(person)


def write_as(hub, person, name: str, text: str) -> None:
    """A file in the learner's copy, written by the learner's own account."""
    result = hub.run_as(
        person,
        ["/bin/sh", "-c", 'printf %s "$CONTENT" > "$TARGET"'],
        home_copy(person),
        {"CONTENT": text, "TARGET": str(home_copy(person) / name)},
    )
    assert result.returncode == 0, result.stderr


def own_submissions(person) -> list[dict]:
    reply = person.exchange("GET", "submissions", params={"assignment_id": ASSIGNMENT})
    reply.raise_for_status()
    return reply.json()["submissions"]


def collect(hub, instructor) -> None:
    result = hub.instructor_nbgrader(instructor, "collect", ASSIGNMENT, "--update")
    assert result.returncode == 0, result.stdout + result.stderr


def collected(person) -> Path:
    return SUBMITTED / person.name / ASSIGNMENT


def latest_as_instructor(instructor, person) -> dict:
    path = f"assignments/{ASSIGNMENT}/submissions/{person.name}/latest"
    reply = instructor.exchange("GET", path)
    reply.raise_for_status()
    return reply.json()


def test_release_list_fetch_submit_collect(hub, instructor, learners, released):
    """(a) Released by the instructor, listed, fetched and submitted in the learner's server,
    collected by the instructor: the learner's files, with the service's receipt time."""
    learner = learners[0]
    before = {a["assignment_id"]: a for a in assignment_list(learner) if "submissions" not in a}
    assert before[ASSIGNMENT]["status"] in ("released", "fetched"), before
    assert [nb["notebook_id"] for nb in before[ASSIGNMENT]["notebooks"]] == [
        "01_cutout",
        "02_cutmix",
        "03_reversed_ratio_bug",
    ]
    ensure_fetched(learner)
    copy = home_copy(learner)
    learner_uid = Path(f"/home/{learner.name}").stat().st_uid
    assert copy.stat().st_uid == learner_uid, "fetched by the learner's own server"
    assert (copy / "augcourse" / "checks.py").is_file(), "the kit's modules come with it"
    marker = uuid.uuid4().hex
    write_as(hub, learner, "answer.txt", marker)

    sent_at = datetime.now(UTC)
    after = assignment_list(learner, "submit")
    (record,) = own_submissions(learner)
    assert record["student_id"] == learner.name
    received = parse(record["timestamp"])
    assert abs(received - sent_at) < timedelta(minutes=2)
    shown = [a for a in after if a.get("status") == "submitted"]
    assert shown and shown[0]["submissions"][-1]["timestamp"] == record["timestamp"]

    collect(hub, instructor)
    folder = collected(learner)
    assert (folder / "answer.txt").read_text() == marker
    for notebook in ("01_cutout.ipynb", "02_cutmix.ipynb", "03_reversed_ratio_bug.ipynb"):
        assert (folder / notebook).read_bytes() == (copy / notebook).read_bytes()
    assert (folder / "timestamp.txt").read_text() == record["timestamp"]
    assert folder.stat().st_uid != learner_uid, "collected files belong to the instructor"


def test_learner_cannot_submit_as_another(hub, instructor, learners, released):
    """(b) nbgrader#1097: --student, JUPYTERHUB_USER and a student id in the request change
    nothing: the submission is the real submitter's."""
    learner, other = learners
    ensure_fetched(learner)
    marker = uuid.uuid4().hex
    write_as(hub, learner, "answer.txt", marker)
    result = hub.learner_nbgrader(
        learner,
        "submit",
        ASSIGNMENT,
        f"--student={other.name}",
        extra_env={"JUPYTERHUB_USER": other.name, "USER": other.name, "LOGNAME": other.name},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert latest_as_instructor(instructor, learner)["files"].get("answer.txt")

    # The service's API, asked directly with a student id in the body and the query.
    reply = learner.exchange(
        "POST",
        f"assignments/{ASSIGNMENT}/submissions",
        params={"student_id": other.name},
        json={"student_id": other.name, "student": other.name, "files": {}},
    )
    assert reply.status_code == 201, reply.text
    assert reply.json()["student_id"] == learner.name

    others = instructor.exchange("GET", "submissions").json()["submissions"]
    for record in others:
        if record["student_id"] == other.name:
            files = latest_as_instructor(instructor, other)["files"]
            assert "answer.txt" not in files or marker not in str(files)

    # Nor can the learner get the other's token, or log in with their own password.
    assert learner.api("POST", f"users/{other.name}/tokens", json={}).status_code == 403
    imposter = type(learner)(hub.url, other.name, learner.password)
    with pytest.raises(AssertionError):
        imposter.log_in()


def test_learner_cannot_change_a_submission_time(hub, instructor, learners, released):
    """(c) nbgrader#1104: the time is the service's receipt; a timestamp.txt, a timestamp in
    the request, or writing to the stored submission changes nothing."""
    learner = learners[0]
    ensure_fetched(learner)
    forged = "2000-01-01 00:00:00.000000 UTC"
    write_as(hub, learner, "timestamp.txt", forged)
    result = hub.learner_nbgrader(learner, "submit", ASSIGNMENT)
    assert result.returncode == 0, result.stdout + result.stderr
    (record,) = own_submissions(learner)
    assert record["timestamp"] != forged
    assert abs(parse(record["timestamp"]) - datetime.now(UTC)) < timedelta(minutes=2)

    # Every way to write to the stored submission through the service is refused.
    latest = f"assignments/{ASSIGNMENT}/submissions/{learner.name}/latest"
    for method in ("PUT", "PATCH", "POST", "DELETE"):
        reply = learner.exchange(method, latest, json={"timestamp": forged})
        assert reply.status_code in (403, 405), (method, reply.status_code)
    reply = learner.exchange(
        "POST", f"assignments/{ASSIGNMENT}/submissions", json={"timestamp": forged, "files": {}}
    )
    assert reply.json()["timestamp"] != forged
    (record,) = own_submissions(learner)

    # And the store on disk is closed to the learner's account.
    exchange = str(LAYOUT.exchange_root)
    for command in (["ls", exchange], ["touch", f"{exchange}/x"]):
        result = hub.run_as(learner, command, Path("/"))
        assert result.returncode != 0 and "Permission denied" in result.stderr, command

    collect(hub, instructor)
    assert (collected(learner) / "timestamp.txt").read_text() == record["timestamp"]


def test_learners_see_only_their_own_submissions_and_feedback(hub, instructor, learners, released):
    """(d) nbgrader#978: a learner lists and fetches their own submissions and feedback
    only; collecting and releasing are the instructor's."""
    learner, other = learners
    ensure_fetched(other)
    secret = uuid.uuid4().hex
    write_as(hub, other, "answer.txt", secret)
    assignment_list(other, "submit")
    (theirs,) = own_submissions(other)
    collect(hub, instructor)

    # Feedback for the other learner, released the instructor's way.
    folder = FEEDBACK / other.name / ASSIGNMENT
    page = f"<html><body>feedback {secret}</body></html>"
    result = hub.run_as(
        instructor,
        [
            "/bin/sh",
            "-c",
            'mkdir -p "$F" && printf %s "$PAGE" > "$F/01_cutout.html" && '
            'cp "$S/timestamp.txt" "$F/timestamp.txt"',
        ],
        LAYOUT.deployment,
        {"F": str(folder), "PAGE": page, "S": str(collected(other))},
    )
    assert result.returncode == 0, result.stderr
    result = hub.instructor_nbgrader(instructor, "release_feedback", ASSIGNMENT)
    assert result.returncode == 0, result.stdout + result.stderr

    # The other learner gets it, in their server.
    assignment_list(other, "fetch_feedback")
    fetched = home_copy(other) / "feedback" / theirs["timestamp"] / "01_cutout.html"
    assert fetched.read_text() == page

    # The learner sees nothing of it, however they ask.
    listed = learner.exchange("GET", "submissions").json()["submissions"]
    assert {r["student_id"] for r in listed} <= {learner.name}
    for path in (
        f"assignments/{ASSIGNMENT}/submissions/{other.name}/latest",
        f"assignments/{ASSIGNMENT}/feedback/{other.name}",
    ):
        reply = learner.exchange("GET", path)
        assert reply.status_code in (403, 405) and secret not in reply.text, path
    mine = learner.exchange("GET", f"assignments/{ASSIGNMENT}/feedback").json()["feedback"]
    assert secret not in str(mine)
    for args in (("list", "--inbound"), ("list", "--cached"), ("fetch_feedback", ASSIGNMENT)):
        result = hub.learner_nbgrader(learner, *args)
        assert other.name not in result.stdout + result.stderr, args
    assert not list(home_copy(learner).glob(f"feedback/{theirs['timestamp']}/*"))

    # What only the instructor may do.
    files = {"01_cutout.ipynb": ""}
    refused = [
        learner.exchange("PUT", f"assignments/{ASSIGNMENT}", json={"files": files}),
        learner.exchange("DELETE", f"assignments/{ASSIGNMENT}"),
        learner.exchange(
            "PUT",
            f"assignments/{ASSIGNMENT}/feedback/{learner.name}",
            json={"timestamp": "x", "files": {}},
        ),
    ]
    assert [r.status_code for r in refused] == [403, 403, 403]
    result = hub.learner_nbgrader(learner, "collect", ASSIGNMENT)
    assert result.returncode != 0 and "403" in result.stdout + result.stderr


def test_resubmitting_keeps_only_the_latest_for_collection(hub, instructor, learners, released):
    """(f) Two submissions: the service keeps the second, and collecting gets it."""
    learner = learners[0]
    ensure_fetched(learner)
    stamps = []
    for attempt in ("first", "second"):
        write_as(hub, learner, "answer.txt", attempt)
        assignment_list(learner, "submit")
        (record,) = own_submissions(learner)
        stamps.append(record["timestamp"])
    assert parse(stamps[1]) > parse(stamps[0])
    records = [
        r
        for r in instructor.exchange("GET", "submissions").json()["submissions"]
        if r["student_id"] == learner.name and r["assignment_id"] == ASSIGNMENT
    ]
    assert [r["timestamp"] for r in records] == [stamps[1]]
    collect(hub, instructor)
    assert (collected(learner) / "answer.txt").read_text() == "second"
    assert (collected(learner) / "timestamp.txt").read_text() == stamps[1]
