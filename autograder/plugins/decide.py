"""Decide a graded test cell outside the learner's kernel.

The test cell's source (restored by nbgrader from the gradebook, so the learner cannot
change it) runs here, in the grading process, which never executes learner code. The
learner's names that the cell uses are fetched from the kernel: values arrive as plain
data, functions become proxies whose calls travel to the kernel and whose results come
back as plain data (see augcourse/probe.py). Whatever the learner's code does to its own
kernel (patching numpy, replacing builtins, faking modules) cannot change how the
comparison here is made; and the inputs are drawn here, at grading time.
"""

from __future__ import annotations

import ast
import base64
import builtins
import contextlib
import io
import math
import os
import select
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import numpy as np

from augcourse import checks as visible_checks
from augcourse import experiment_checks as visible_experiment_checks
from augcourse.probe import FunctionRef, Raised, decode, encode, rebuild
from autograder.limits import CALL_SECONDS


class KernelUnresponsive(RuntimeError):
    """The kernel did not answer in time (it may loop forever or have died)."""


class KernelLink:
    """The grader's end of the two FIFOs that the kernel's `probe.serve` reads and writes."""

    def __init__(self, folder: str, deadline: float):
        self.folder = folder
        self.grader_functions: dict[int, Callable] = {}
        self._replies = os.open(os.path.join(folder, "replies"), os.O_RDONLY | os.O_NONBLOCK)
        self._requests = self._open_writer(os.path.join(folder, "requests"), deadline)
        self._buffer = b""
        self._streaming = False  # a stream's items may still be on their way
        self._broken = False  # a reply came too late: what arrives now may answer another request
        self._closed = False

    @staticmethod
    def _open_writer(path: str, deadline: float) -> int:
        while True:
            try:
                return os.open(path, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:  # ENXIO: the kernel has not started serving yet
                if time.monotonic() > deadline:
                    raise KernelUnresponsive("the kernel did not start answering") from None
                time.sleep(0.01)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        with contextlib.suppress(OSError, KernelUnresponsive):
            self._send({"op": "done"}, time.monotonic() + 2)
        for fd in (self._requests, self._replies):
            with contextlib.suppress(OSError):
                os.close(fd)

    def _send(self, message, deadline: float) -> None:
        payload = encode(message, self.grader_functions, side="grader")
        data = len(payload).to_bytes(8, "little") + payload
        while data:
            _, writable, _ = select.select(
                [], [self._requests], [], max(0.0, deadline - time.monotonic())
            )
            if not writable:
                raise KernelUnresponsive("the kernel stopped reading")
            data = data[os.write(self._requests, data) :]

    def _receive(self, deadline: float):
        try:
            head = self._read(8, deadline)
            return decode(self._read(int.from_bytes(head, "little"), deadline))
        except KernelUnresponsive:
            self._broken = True
            raise

    def _read(self, count: int, deadline: float) -> bytes:
        while len(self._buffer) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise KernelUnresponsive("the kernel did not answer in time")
            readable, _, _ = select.select([self._replies], [], [], min(remaining, 0.5))
            if not readable:
                continue
            chunk = os.read(self._replies, 1 << 20)
            if not chunk:  # no writer (yet, or any more): wait until the deadline
                time.sleep(0.01)
                continue
            self._buffer += chunk
        data, self._buffer = self._buffer[:count], self._buffer[count:]
        return data

    def request(self, message, seconds: float = CALL_SECONDS):
        """Send one request; answer the kernel's callbacks until its reply arrives."""
        self._ready()
        deadline = time.monotonic() + seconds
        self._send(message, deadline)
        while True:
            reply = self._receive(deadline)
            if isinstance(reply, dict) and reply.get("op") == "callback":
                self._send(self._callback(reply), deadline)
                continue
            return reply

    def stream(self, fn: FunctionRef, calls: list[list]) -> Iterator[dict]:
        """The kernel's reply to each call, in order, as it is made: one request for all the
        calls, and each call still has CALL_SECONDS to answer. A consumer may stop early; the
        kernel is then told to stop before the next request."""
        self._ready()
        self._send({"op": "stream", "fn": fn, "calls": calls}, time.monotonic() + CALL_SECONDS)
        self._streaming = True
        while True:
            reply = self._receive(time.monotonic() + CALL_SECONDS)
            if not isinstance(reply, dict) or reply.get("op") not in ("item", "end"):
                self._broken = True
                raise KernelUnresponsive("the kernel answered out of turn")
            if reply["op"] == "end":
                self._streaming = False
                if isinstance(reply.get("error"), Raised):
                    raise rebuild(reply["error"])
                return
            yield reply

    def _ready(self) -> None:
        """Before a request: no stream still running, and no late reply waiting to be read."""
        if self._broken:
            raise KernelUnresponsive("the kernel did not answer an earlier request in time")
        if not self._streaming:
            return
        deadline = time.monotonic() + CALL_SECONDS
        self._send({"op": "stop"}, deadline)
        while not (isinstance(reply := self._receive(deadline), dict) and reply.get("op") == "end"):
            pass
        self._streaming = False

    def _callback(self, request: dict):
        fn = self.grader_functions.get(request["fn"].ident)
        try:
            return fn(*[self.wrap(a) for a in request["args"]])
        except BaseException as error:  # the learner's test decides what an error means
            return Raised(type(error).__name__, str(error))

    def fetch(self, name: str):
        return self.wrap(self.request({"op": "fetch", "name": name}))

    def wrap(self, value):
        """Kernel functions become callable proxies; everything else stays plain data."""
        if isinstance(value, FunctionRef) and value.side == "kernel":
            return LearnerFunction(self, value)
        if isinstance(value, list):
            return [self.wrap(v) for v in value]
        if isinstance(value, tuple):
            return tuple(self.wrap(v) for v in value)
        return value


class LearnerFunction:
    """A learner's function, called in the kernel; arguments and results cross as data."""

    def __init__(self, link: KernelLink, ref: FunctionRef):
        self._link = link
        self._ref = ref
        self.__name__ = "learner function"
        self.__globals__ = LearnerNamespace(link)

    def map_calls(self, calls: list[tuple]) -> list[tuple[object, tuple]]:
        """Many calls in one round trip: [(result or Raised, arguments after the call)]."""
        # A slow but correct function (Python loops) must not fail for being slow.
        seconds = max(CALL_SECONDS, 0.1 * len(calls))
        reply = self._link.request(
            {"op": "map", "fn": self._ref, "calls": [list(c) for c in calls]}, seconds
        )
        if isinstance(reply, Raised):
            raise rebuild(reply)
        return [(self._link.wrap(r.get("result")), tuple(r.get("args", ()))) for r in reply]

    def __call__(self, *args):
        reply = self._link.request({"op": "call", "fn": self._ref, "args": list(args)})
        if isinstance(reply, Raised):
            raise rebuild(reply)
        return self._answer(args, reply)

    def stream_calls(self, calls: list[tuple]) -> Iterator:
        """What `self(*args)` returns (or raises) for each args in turn, the same calls in the
        same order as a loop of calls makes, sent to the kernel at once (augcourse/probe.py's
        stream). Calls that pass one of the grader's functions are made one by one."""
        if any(callable(a) for args in calls for a in args):
            yield from (self(*args) for args in calls)
            return
        made = 0
        for reply in self._link.stream(self._ref, [list(c) for c in calls]):
            if made == len(calls):
                break
            args, made = calls[made], made + 1
            changed = self._copy_back(args, reply)
            yield self._result(reply)
            if changed:
                # The later calls were sent the arguments as they were before; a loop of
                # calls would pass them as changed: make those calls one by one.
                yield from (self(*args) for args in calls[made:])
                return
        if made < len(calls):
            raise KernelUnresponsive(f"the kernel answered {made} of {len(calls)} calls")

    def _answer(self, args: tuple, reply: dict):
        """A call's result here, its error raised here; arguments it changed changed here."""
        self._copy_back(args, reply)
        return self._result(reply)

    def _result(self, reply: dict):
        result = reply.get("result")
        if isinstance(result, Raised):
            raise rebuild(result)
        return self._link.wrap(result)

    @staticmethod
    def _copy_back(args: tuple, reply: dict) -> bool:
        """Change here the arguments the call changed in place there (checks look at them);
        whether there were any."""
        changed = False
        for original, after in zip(args, reply.get("args", []), strict=False):
            if isinstance(original, np.ndarray) and isinstance(after, np.ndarray):
                if original.shape == after.shape and not np.array_equal(original, after):
                    original[...] = after
                    changed = True
        return changed


class LearnerNamespace(Mapping):
    """The learner's notebook globals, read through the link (used to name wrong helpers)."""

    def __init__(self, link: KernelLink):
        self._link = link

    def __getitem__(self, name):
        value = self._link.fetch(name)
        if isinstance(value, Raised):
            raise KeyError(name)
        return value

    def __iter__(self):
        return iter(())

    def __len__(self) -> int:
        return 0


def free_names(source: str) -> list[str]:
    """Names a cell reads without assigning them (the learner's names it checks)."""
    tree = ast.parse(source)
    assigned = {
        n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    }
    imported = {
        (alias.asname or alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in node.names
    }
    used = [n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)]
    return list(
        dict.fromkeys(n for n in used if n not in assigned | imported and not hasattr(builtins, n))
    )


# The modules that test cells call by name: the grader's own copies, never the kernel's.
GRADER_NAMES = {
    "checks": visible_checks,
    "experiment_checks": visible_experiment_checks,
    "np": np,
    "math": math,
}


@dataclass(frozen=True)
class Decision:
    """A graded test cell decided here: its outputs, and the bank's mistake it recognised."""

    outputs: list[dict]
    mistake: str | None = None  # "function:key"


def decide_cell(source: str, link: KernelLink | None) -> Decision:
    """Run a test cell's source here, against the learner's names; return its decision."""
    from autograder.checks.pictures import collecting_pictures

    namespace = {"__builtins__": builtins, "__name__": "__test_cell__", **GRADER_NAMES}
    stdout = io.StringIO()
    error: BaseException | None = None
    previous = os.environ.get("NBGRADER_EXECUTION")
    os.environ["NBGRADER_EXECUTION"] = "autograde"
    # The hidden checks' pictures (expected, yours, where they differ) become the cell's outputs.
    with collecting_pictures() as images:
        try:
            if link is None:
                raise KernelUnresponsive("the notebook's kernel was not available")
            for name in free_names(source):
                if name in namespace:
                    continue
                value = link.fetch(name)
                if not isinstance(value, Raised):
                    namespace[name] = value
            with contextlib.redirect_stdout(stdout):
                exec(compile(source, "<test cell>", "exec"), namespace)
        except KernelUnresponsive as unresponsive:
            error = AssertionError(
                f"Your code did not answer the checks within {CALL_SECONDS:g} s ({unresponsive}); "
                "it may loop forever or have stopped the kernel."
            )
        except BaseException as raised_here:  # the verdict of the cell, as nbgrader would see it
            error = raised_here
        finally:
            visible_checks.take_deferred()  # a waiting visible failure belongs to this cell only
            if previous is None:
                os.environ.pop("NBGRADER_EXECUTION", None)
            else:
                os.environ["NBGRADER_EXECUTION"] = previous
    mistake = getattr(error, "mistake", None)
    return Decision(
        cell_outputs(stdout.getvalue(), images, error),
        mistake if isinstance(mistake, str) else None,
    )


def cell_outputs(text: str, images: list[bytes], error: BaseException | None) -> list[dict]:
    """Notebook outputs: printed text, pictures, and the error that fails the cell (if any)."""
    outputs = []
    if text:
        outputs.append({"output_type": "stream", "name": "stdout", "text": text})
    for png in images:
        outputs.append(
            {
                "output_type": "display_data",
                "data": {"image/png": base64.b64encode(png).decode(), "text/plain": "<picture>"},
                "metadata": {},
            }
        )
    if error is not None:
        name = type(error).__name__
        outputs.append(
            {
                "output_type": "error",
                "ename": name,
                "evalue": str(error),
                "traceback": [f"{name}: {error}"],
            }
        )
    return outputs
