"""People on the test hub, over HTTP as a browser would: log in through PAM with the
account's password, get an API token of one's own, start one's server, call the exchange
service and one's server's Assignment List."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import requests

# Generous: a first server start on a busy 2-core machine takes tens of seconds.
SERVER_SECONDS = 180


class Refused(AssertionError):
    pass


@dataclass
class Person:
    hub_url: str
    name: str
    password: str
    session: requests.Session = field(default_factory=requests.Session)
    token: str = ""

    def log_in(self) -> None:
        """The hub's login form, through PAM; then a token for this person's own calls."""
        page = self.session.get(f"{self.hub_url}/hub/login", timeout=30)
        page.raise_for_status()
        xsrf = self.session.cookies.get("_xsrf", path="/hub/")
        reply = self.session.post(
            f"{self.hub_url}/hub/login",
            data={"username": self.name, "password": self.password, "_xsrf": xsrf},
            allow_redirects=False,
            timeout=60,
        )
        if reply.status_code != 302:
            raise Refused(f"{self.name} could not log in: {reply.status_code}")
        # A logged-in session has an xsrf token of its own.
        xsrf = self.session.cookies.get("_xsrf", path="/hub/")
        reply = self.session.post(
            f"{self.hub_url}/hub/api/users/{self.name}/tokens",
            json={"note": "tests/hub", "expires_in": 3600},
            headers={"X-XSRFToken": xsrf},
            timeout=30,
        )
        reply.raise_for_status()
        self.token = reply.json()["token"]

    def _with_token(
        self, method: str, url: str, token: str | None = None, timeout: float = 60, **kwargs
    ) -> requests.Response:
        headers = {"Authorization": f"token {token or self.token}"}
        return requests.request(method, url, headers=headers, timeout=timeout, **kwargs)

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        """A call to the hub's REST API with this person's token."""
        return self._with_token(method, f"{self.hub_url}/hub/api/{path}", **kwargs)

    def start_server(self) -> None:
        reply = self.api("POST", f"users/{self.name}/server")
        assert reply.status_code in (201, 202, 400), reply.text  # 400: already running
        deadline = time.monotonic() + SERVER_SECONDS
        while time.monotonic() < deadline:
            model = self.api("GET", f"users/{self.name}").json()
            server = model.get("servers", {}).get("", {})
            if server.get("ready"):
                return
            time.sleep(0.5)
        raise AssertionError(f"{self.name}'s server was not ready in {SERVER_SECONDS} s")

    def server(self, method: str, path: str, **kwargs) -> requests.Response:
        """A call to this person's own single-user server (its nbgrader extensions)."""
        url = f"{self.hub_url}/user/{self.name}/{path}"
        return self._with_token(method, url, timeout=120, **kwargs)

    def exchange(self, method: str, path: str, token: str | None = None, **kwargs):
        """A call straight to the exchange service with this person's token (or another)."""
        url = f"{self.hub_url}/services/course-exchange/api/courses/cutout-cutmix/{path}"
        return self._with_token(method, url, token, **kwargs)
