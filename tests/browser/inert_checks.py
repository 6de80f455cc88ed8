"""The detectors of hostile learner content in a viewer's browser, shared by the browser
tests (tests/browser/test_inert_views.py) and the hub's (tests/hub/test_browser_on_hub.py):
a listener on 127.0.0.1 that every payload of tests/payloads.py requests if it runs or
loads; a page watched for its requests and console lines; and `assert_inert`, which fails on
a payload's marker, its console line, a request the page does not need, a listener hit, or
event handlers, javascript: links and frames left in the learner's content.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from payloads import CONSOLE_MARKER, MARKER_ATTRIBUTE


class Listener:
    """An HTTP server on 127.0.0.1 that records every request: where hostile learner content
    would report to if it ever ran or loaded in a viewer's browser."""

    def __init__(self):
        hits = self.hits = []

        class Record(BaseHTTPRequestHandler):
            def do_GET(self):
                hits.append(self.path)
                self.send_response(204)
                self.send_header("Access-Control-Allow-Origin", "*")
                self.end_headers()

            do_POST = do_HEAD = do_GET

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Record)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


# scope: where learner content can be (Formgrader's own page has handlers of its own).
EVIDENCE = r"""scope => {
  const inCells = [...document.querySelectorAll(scope)];
  return {
    marker: document.documentElement.getAttribute('MARKER'),
    handlers: inCells.filter(e => [...e.attributes].some(a => a.name.startsWith('on')))
      .map(e => e.outerHTML.slice(0, 200)),
    scriptLinks: inCells.filter(e => /^\s*javascript:/i.test(e.getAttribute('href') || '')).length,
    frames: inCells.filter(e => ["IFRAME", "OBJECT", "EMBED"].includes(e.tagName)).length,
  };
}""".replace("MARKER", MARKER_ATTRIBUTE)


class Watched:
    """A page with every request and console line it makes recorded."""

    def __init__(self, page):
        self.page = page
        self.requests: list[str] = []
        self.console: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("console", lambda message: self.console.append(message.text))

    def open(self, url: str) -> None:
        self.requests.clear()
        self.console.clear()
        self.page.goto(url)
        # Settled: nothing on the network for half a second after the load.
        self.page.wait_for_load_state("networkidle")

    def evidence(self, scope: str = "body *", content_frames=None) -> list[dict]:
        """What each frame of the page shows of a payload that ran or survived.
        content_frames: which frames hold the learner's content (default: all); the others
        are checked for markers only (JupyterLab's own page holds the viewer's iframe)."""
        found = []
        for frame in self.page.frames:
            where = scope if content_frames is None or content_frames(frame) else ":not(*)"
            try:
                found.append({"frame": frame.url, **frame.evaluate(EVIDENCE, where)})
            except Exception as error:  # a frame that navigated away: itself a finding
                found.append({"frame": frame.url, "marker": f"({type(error).__name__})"})
        return found


def assert_inert(
    watched: Watched,
    listener: Listener,
    allowed,
    view: str,
    scope: str = "body *",
    content_frames=None,
) -> None:
    evidence = watched.evidence(scope, content_frames)
    ran = [e for e in evidence if e.get("marker")]
    survived = [e for e in evidence if e.get("handlers") or e.get("scriptLinks")]  # names them
    frames = [e for e in evidence if e.get("frames")]
    console = [line for line in watched.console if CONSOLE_MARKER in line]
    unneeded = sorted({url for url in watched.requests if not allowed(url)})
    assert not ran, f"{view}: a payload ran: {ran}"
    assert not console, f"{view}: a payload logged: {console}"
    assert not survived, f"{view}: event handlers or javascript: links in the page: {survived}"
    assert not frames, f"{view}: iframes, objects or embeds in the page: {frames}"
    assert not unneeded, f"{view}: requests the page does not need: {unneeded}"
    assert listener.hits == [], f"{view}: the listener was reached: {listener.hits}"


def only_itself(page_url: str):
    return lambda url: url == page_url or url.startswith("data:")
