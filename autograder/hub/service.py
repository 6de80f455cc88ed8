"""The course's exchange: a JupyterHub service that stores releases, submissions and feedback.

nbgrader's filesystem exchange trusts what a learner's process writes into world-writable
folders: the student id in a folder name (nbgrader#1097), a timestamp.txt that stays
writable (#1104), submissions others can read (#978). Here every request carries the user's
JupyterHub API token, the hub says whose it is, and the service alone writes: the
submitter is the hub's name for the token's owner and the time is the service's clock.

Only the instructors named in COURSE_EXCHANGE_INSTRUCTORS release, collect and release
feedback; a learner named in COURSE_EXCHANGE_LEARNERS fetches releases, submits, and sees
their own submissions and feedback. Run by the hub as a managed service
(`python -m cutout_course_hub.service`, the copy in the hub's environment), bound to the address JupyterHub gives it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

from jupyterhub.services.auth import HubAuth
from tornado import httpserver, ioloop, web

# Relative, so the hub's environment can carry this module without the repository.
from .store import CourseStore, StoreError

log = logging.getLogger("course-exchange")

AUTHORIZATION = re.compile(r"^(?:token|bearer)\s+(\S+)$", re.IGNORECASE)


class Roles:
    """Who may do what, from the service's environment (set by jupyterhub_config.py)."""

    def __init__(self, instructors: set[str], learners: set[str]):
        self.instructors = instructors
        self.learners = learners

    @classmethod
    def from_environment(cls) -> Roles:
        def names(variable):
            return {n for n in os.environ.get(variable, "").split(",") if n}

        return cls(names("COURSE_EXCHANGE_INSTRUCTORS"), names("COURSE_EXCHANGE_LEARNERS"))


class ExchangeHandler(web.RequestHandler):
    """Every request: the caller's name from the hub, or 401/403 before anything is read."""

    def initialize(self, store: CourseStore, roles: Roles, hub_auth: HubAuth, scope: str):
        self.store = store
        self.roles = roles
        self.hub_auth = hub_auth
        self.scope = scope
        self.user = None

    def check_xsrf_cookie(self):
        # No cookies are read: the token is in the Authorization header, which a page of
        # another site cannot set.
        pass

    async def prepare(self):
        match = AUTHORIZATION.match(self.request.headers.get("Authorization", ""))
        if not match:
            raise web.HTTPError(401, "send the JupyterHub API token: Authorization: token ...")
        model = await self.hub_auth.user_for_token(match.group(1), sync=False)
        if not model or model.get("kind", "user") != "user":
            raise web.HTTPError(401, "the hub does not know this token")
        scopes = set(model.get("scopes", []))
        if self.scope not in scopes and "access:services" not in scopes:
            # A token made for something else (a narrower scope) cannot act in the exchange.
            raise web.HTTPError(403, f"this token lacks the scope {self.scope}")
        name = model["name"]
        if name not in self.roles.instructors | self.roles.learners:
            raise web.HTTPError(403, f"{name} is not in this course")
        self.user = name

    @property
    def is_instructor(self) -> bool:
        return self.user in self.roles.instructors

    def require_instructor(self):
        if not self.is_instructor:
            raise web.HTTPError(403, "only the course's instructors may do this")

    def body(self) -> dict:
        try:
            data = json.loads(self.request.body or b"{}")
        except ValueError as error:
            raise web.HTTPError(400, "the body is not JSON") from error
        if not isinstance(data, dict):
            raise web.HTTPError(400, "the body is not a JSON object")
        return data

    def reply(self, data, status: int = 200):
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(data))

    def write_error(self, status_code, **kwargs):
        message = self._reason
        exc_info = kwargs.get("exc_info")
        if exc_info and isinstance(exc_info[1], web.HTTPError) and exc_info[1].log_message:
            message = exc_info[1].log_message
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"error": message}))

    def _handle_request_exception(self, e):
        if isinstance(e, StoreError):
            self.send_error(e.status, exc_info=(type(e), web.HTTPError(e.status, e.message), None))
            return
        super()._handle_request_exception(e)


class ReleasesHandler(ExchangeHandler):
    async def get(self, course_id):
        self.reply({"assignments": self.store.released(course_id)})


class ReleaseHandler(ExchangeHandler):
    async def get(self, course_id, assignment_id):
        files = self.store.released_files(course_id, assignment_id)
        self.reply({"assignment_id": assignment_id, "files": files})

    async def put(self, course_id, assignment_id):
        self.require_instructor()
        data = self.body()
        self.store.release(course_id, assignment_id, data.get("files"), bool(data.get("force")))
        log.info("%s released %s/%s", self.user, course_id, assignment_id)
        self.reply({"assignment_id": assignment_id}, status=201)

    async def delete(self, course_id, assignment_id):
        self.require_instructor()
        self.store.unrelease(course_id, assignment_id)
        self.reply({"assignment_id": assignment_id})


class SubmitHandler(ExchangeHandler):
    async def post(self, course_id, assignment_id):
        # Identity and time come from the hub and this clock; the body gives files only, and
        # any student id, timestamp.txt or other field in it is ignored.
        files = self.body().get("files")
        receipt = self.store.submit(
            course_id, self.user, assignment_id, files, now=datetime.now(UTC)
        )
        log.info("%s submitted %s/%s at %s", self.user, course_id, assignment_id, receipt.timestamp)
        self.reply(receipt.as_json(), status=201)


class SubmissionsHandler(ExchangeHandler):
    async def get(self, course_id):
        assignment_id = self.get_argument("assignment_id", None) or None
        students = self.store.students(course_id) if self.is_instructor else [self.user]
        self.reply({"submissions": self.store.submissions(course_id, students, assignment_id)})


class CollectHandler(ExchangeHandler):
    async def get(self, course_id, assignment_id, student_id):
        self.require_instructor()
        receipt = self.store.latest(course_id, student_id, assignment_id)
        if receipt is None:
            raise web.HTTPError(404, f"no submission of {assignment_id} by {student_id}")
        record = receipt.as_json()
        record["files"] = self.store.submitted_files(course_id, receipt)
        self.reply(record)


class OwnFeedbackHandler(ExchangeHandler):
    async def get(self, course_id, assignment_id):
        # Always the caller's own: no student id is read from the request.
        self.reply({"feedback": self.store.feedback_files(course_id, self.user, assignment_id)})


class FeedbackHandler(ExchangeHandler):
    async def put(self, course_id, assignment_id, student_id):
        self.require_instructor()
        data = self.body()
        self.store.release_feedback(
            course_id, student_id, assignment_id, str(data.get("timestamp")), data.get("files")
        )
        self.reply({"student_id": student_id}, status=201)


def make_app(store: CourseStore, roles: Roles, hub_auth: HubAuth, prefix: str, scope: str):
    name = r"([A-Za-z0-9][A-Za-z0-9_.-]*)"
    course = rf"{prefix}api/courses/{name}"
    settings = {"store": store, "roles": roles, "hub_auth": hub_auth, "scope": scope}
    routes = [
        (rf"{course}/assignments", ReleasesHandler),
        (rf"{course}/assignments/{name}", ReleaseHandler),
        (rf"{course}/assignments/{name}/submissions", SubmitHandler),
        (rf"{course}/submissions", SubmissionsHandler),
        (rf"{course}/assignments/{name}/submissions/{name}/latest", CollectHandler),
        (rf"{course}/assignments/{name}/feedback", OwnFeedbackHandler),
        (rf"{course}/assignments/{name}/feedback/{name}", FeedbackHandler),
    ]
    return web.Application(
        [(pattern, handler, settings) for pattern, handler in routes],
        # Uploads are checked again by the store; this stops an endless body early.
        max_body_size=80 * 1000 * 1000,
    )


async def serve() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    root = Path(os.environ["COURSE_EXCHANGE_ROOT"])
    root.mkdir(mode=0o700, exist_ok=True)
    os.chmod(root, 0o700)
    service_name = os.environ["JUPYTERHUB_SERVICE_NAME"]
    hub_auth = HubAuth(
        api_url=os.environ["JUPYTERHUB_API_URL"],
        api_token=os.environ["JUPYTERHUB_API_TOKEN"],
        cache_max_age=60,
    )
    url = urlparse(os.environ["JUPYTERHUB_SERVICE_URL"])
    app = make_app(
        CourseStore(root),
        Roles.from_environment(),
        hub_auth,
        prefix=os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/"),
        scope=f"access:services!service={service_name}",
    )
    server = httpserver.HTTPServer(app, xheaders=True, max_body_size=80 * 1000 * 1000)
    # Bound where the hub says (127.0.0.1, see jupyterhub_config.py), never all interfaces.
    server.listen(url.port, address=url.hostname)
    log.info("course exchange on %s, files in %s", url.geturl(), root)
    await asyncio.Event().wait()


if __name__ == "__main__":
    try:
        ioloop.IOLoop.current().run_sync(serve)
    except KeyboardInterrupt:
        pass  # the hub stops its services with SIGINT: a normal end
