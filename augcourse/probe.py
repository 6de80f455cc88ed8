"""Plain-data messages between a grader and the learner's kernel.

While grading, the grader never runs learner code itself: it sends the learner's kernel
requests ("call `cutout` with these arguments", "what is `cutout_purpose`?") and gets
back plain data. Both sides use this module: `encode`/`decode` turn values into bytes
and back, with numpy arrays stored by `np.save` without pickle and everything else as
JSON, so a reply can never carry code into the grader. `serve` is the kernel's side.

Values that cross: None, bool, int, float, str, numpy scalars and arrays, lists,
tuples, dicts with str keys, numpy Generators (as their state), functions (as a
reference the other side can call back), and raised exceptions (as name and message).
Anything else arrives as `Opaque(repr)`.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import select
import struct
import sys
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

MAX_MESSAGE_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class Opaque:
    """A value that cannot cross as plain data; only its (shortened) repr does."""

    text: str


@dataclass(frozen=True)
class Raised:
    """An exception raised on the other side: its class name and message."""

    name: str
    message: str


@dataclass(frozen=True)
class FunctionRef:
    """A function living on the other side, called through the channel."""

    side: str  # "kernel" or "grader"
    ident: int


# --- encoding -------------------------------------------------------------------------


def encode(value, functions: dict[int, Callable] | None = None, side: str = "kernel") -> bytes:
    """Bytes for a value; callables are registered in `functions` and sent as references."""
    arrays: list[np.ndarray] = []
    tree = _to_tree(value, arrays, functions if functions is not None else {}, side, depth=0)
    layout = [{"dtype": a.dtype.str, "shape": list(a.shape)} for a in arrays]
    header = json.dumps({"tree": tree, "arrays": layout}).encode()
    return b"".join(
        [
            struct.pack("<Q", len(header)),
            header,
            *(np.ascontiguousarray(a).tobytes() for a in arrays),
        ]
    )


def decode(data: bytes):
    """The value encoded in data (never unpickles, never evaluates)."""
    (length,) = struct.unpack_from("<Q", data)
    header = json.loads(data[8 : 8 + length])
    offset, arrays = 8 + length, []
    for spec in header["arrays"]:
        dtype = np.dtype(str(spec["dtype"]))
        if dtype.hasobject or dtype.kind not in "biufcUS?":
            raise ValueError(f"refused array of dtype {dtype}")
        shape = tuple(int(n) for n in spec["shape"])
        size = dtype.itemsize * int(np.prod(shape, dtype=np.int64))
        arrays.append(
            np.frombuffer(data, dtype, count=size // max(dtype.itemsize, 1), offset=offset)
            .reshape(shape)
            .copy()
        )
        offset += size
    return _from_tree(header["tree"], arrays)


def _to_tree(value, arrays, functions, side, depth):
    if depth > 20:
        return {"t": "opaque", "v": "(nested too deeply)"}
    if isinstance(value, (np.ndarray, np.generic)):  # before float: np.float64 is a float
        array = np.asarray(value)
        if array.dtype.hasobject or array.dtype.kind not in "biufcUS?":
            return {"t": "opaque", "v": _short_repr(value)}
        arrays.append(array)
        return {"t": "array" if isinstance(value, np.ndarray) else "scalar", "i": len(arrays) - 1}
    if value is None or isinstance(value, (bool, str)):
        return {"t": "plain", "v": value}
    if isinstance(value, int):
        return {"t": "int", "v": str(value)}
    if isinstance(value, float):
        return {"t": "float", "v": repr(value)}
    if isinstance(value, (list, tuple)):
        kind = "list" if isinstance(value, list) else "tuple"
        return {"t": kind, "v": [_to_tree(v, arrays, functions, side, depth + 1) for v in value]}
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {
            "t": "dict",
            "v": {k: _to_tree(v, arrays, functions, side, depth + 1) for k, v in value.items()},
        }
    if isinstance(value, np.random.Generator):
        return {"t": "rng", "v": _jsonable_state(value.bit_generator.state)}
    if isinstance(value, Raised):
        return {"t": "raised", "name": value.name, "message": value.message}
    if isinstance(value, FunctionRef):
        return {"t": "function", "side": value.side, "id": value.ident}
    if callable(value):
        ident = len(functions) + 1
        functions[ident] = value
        return {"t": "function", "side": side, "id": ident}
    return {"t": "opaque", "v": _short_repr(value)}


def _from_tree(tree, arrays):
    kind = tree["t"]
    if kind == "plain":
        return tree["v"]
    if kind == "int":
        return int(tree["v"])
    if kind == "float":
        return float(tree["v"])
    if kind == "array":
        return arrays[tree["i"]]
    if kind == "scalar":
        return arrays[tree["i"]][()]
    if kind == "list":
        return [_from_tree(v, arrays) for v in tree["v"]]
    if kind == "tuple":
        return tuple(_from_tree(v, arrays) for v in tree["v"])
    if kind == "dict":
        return {k: _from_tree(v, arrays) for k, v in tree["v"].items()}
    if kind == "rng":
        return _generator(tree["v"])
    if kind == "raised":
        return Raised(str(tree["name"]), str(tree["message"]))
    if kind == "function":
        return FunctionRef(str(tree["side"]), int(tree["id"]))
    return Opaque(str(tree.get("v", "")))


def _jsonable_state(state):
    if isinstance(state, dict):
        return {k: _jsonable_state(v) for k, v in state.items()}
    if isinstance(state, int) and not isinstance(state, bool):
        return {"__int__": str(state)}
    return state


def _generator(state) -> np.random.Generator:
    def restore(value):
        if isinstance(value, dict) and set(value) == {"__int__"}:
            return int(value["__int__"])
        if isinstance(value, dict):
            return {k: restore(v) for k, v in value.items()}
        return value

    state = restore(state)
    names = {
        "PCG64": np.random.PCG64,
        "PCG64DXSM": np.random.PCG64DXSM,
        "Philox": np.random.Philox,
        "SFC64": np.random.SFC64,
        "MT19937": np.random.MT19937,
    }
    bit_generator = names.get(state.get("bit_generator"), np.random.PCG64)()
    bit_generator.state = state
    return np.random.Generator(bit_generator)


def _short_repr(value) -> str:
    try:
        return repr(value)[:200]
    except Exception:
        return f"<{type(value).__name__}>"


def raised(error: BaseException) -> Raised:
    return Raised(type(error).__name__, str(error)[:2000])


# --- framing --------------------------------------------------------------------------


def write_message(stream, payload: bytes) -> None:
    stream.write(struct.pack("<Q", len(payload)))
    stream.write(payload)
    stream.flush()


def read_message(stream) -> bytes | None:
    """One message, or None at the end of the stream."""
    head = _read_exactly(stream, 8)
    if head is None:
        return None
    (length,) = struct.unpack("<Q", head)
    if length > MAX_MESSAGE_BYTES:
        raise ValueError(f"message of {length} bytes is too large")
    return _read_exactly(stream, length)


def _read_exactly(stream, count: int) -> bytes | None:
    chunks, remaining = [], count
    while remaining:
        chunk = stream.read(remaining)
        if not chunk:
            return None
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


# --- the kernel's side ------------------------------------------------------------------


def serve(requests_path: str, replies_path: str, namespace: dict) -> None:
    """Answer the grader's requests until it says "done".

    Requests: {"op": "fetch", "name"}, {"op": "call", "fn", "args"}, {"op": "map", "fn",
    "calls": [args, ...]} (many calls in one message, one reply), {"op": "stream", "fn",
    "calls"} (many calls in one message, one {"op": "item"} reply per call as it is made,
    then {"op": "end"}; a "stop" from the grader between two calls ends it early),
    {"op": "done"};
    a call's function is a name in `namespace` or a reference to a kernel function
    returned earlier. While a call runs, the learner's function may call back functions
    that the grader passed in (for a learner's own test): those calls go back to the
    grader and wait for its reply.
    """
    kernel_functions: dict[int, Callable] = {}
    # Unbuffered requests: a stream looks for the grader's "stop" with select, which sees
    # only what no buffer has read ahead.
    with (
        contextlib.suppress(BrokenPipeError),  # the grader has stopped listening
        open(requests_path, "rb", buffering=0) as requests,
        open(replies_path, "wb") as replies,
    ):

        def grader_function(ref: FunctionRef) -> Callable:
            def call_grader(*args):
                write_message(
                    replies,
                    encode({"op": "callback", "fn": ref, "args": list(args)}, kernel_functions),
                )
                answer = decode(read_message(requests))
                if isinstance(answer, Raised):
                    raise rebuild(answer)
                return answer

            call_grader.__name__ = "fn"
            return call_grader

        def resolve(value):
            if isinstance(value, FunctionRef) and value.side == "grader":
                return grader_function(value)
            if isinstance(value, list):
                return [resolve(v) for v in value]
            if isinstance(value, tuple):
                return tuple(resolve(v) for v in value)
            return value

        def stream(target: Callable, calls: list) -> bool:
            """Make the calls, one reply each; whether to go on serving afterwards."""
            for args in calls:
                if select.select([requests], [], [], 0)[0]:
                    message = read_message(requests)
                    request = decode(message) if message is not None else {"op": "done"}
                    if request.get("op") != "stop":
                        return False  # "done", or the grader went away
                    break
                answer = _call(target, resolve(args))
                write_message(replies, encode({"op": "item", **answer}, kernel_functions))
            write_message(replies, encode({"op": "end"}, kernel_functions))
            return True

        while True:
            message = read_message(requests)
            if message is None:
                return
            request = decode(message)
            op = request.get("op")
            if op == "done":
                return
            if op == "stop":  # a stream that had already ended: it has sent its "end"
                continue
            if op == "stream":
                target = _target(request["fn"], kernel_functions, namespace)
                if not callable(target):
                    error = Raised("NameError", f"{request['fn']!r} is not a function")
                    write_message(replies, encode({"op": "end", "error": error}))
                elif not stream(target, request["calls"]):
                    return
                continue
            if op == "fetch":
                reply = namespace.get(
                    request["name"], Raised("NameError", f"name '{request['name']}' is not defined")
                )
            elif op in ("call", "map"):
                fn = request["fn"]
                target = _target(fn, kernel_functions, namespace)
                calls = request["calls"] if op == "map" else [request["args"]]
                if not callable(target):
                    reply = Raised("NameError", f"{fn!r} is not a function")
                else:
                    answers = [_call(target, resolve(args)) for args in calls]
                    reply = answers if op == "map" else answers[0]
            else:
                reply = Raised("ValueError", f"unknown request {op!r}")
            write_message(replies, encode(reply, kernel_functions))


def _target(fn, kernel_functions: dict[int, Callable], namespace: dict):
    """The function a request names: a kernel function sent earlier, or a global's name."""
    return kernel_functions.get(fn.ident) if isinstance(fn, FunctionRef) else namespace.get(fn)


def _call(target: Callable, args: list) -> dict:
    """Call target(*args) quietly; the reply carries the result and, in their places, the
    arrays the call changed in place (None for every other argument: the grader has them)."""
    before = [a.copy() if isinstance(a, np.ndarray) else None for a in args]
    with (
        warnings.catch_warnings(),
        contextlib.redirect_stdout(io.StringIO()),
        contextlib.redirect_stderr(io.StringIO()),
    ):
        warnings.simplefilter("ignore")
        try:
            result = target(*args)
        except BaseException as error:  # the grader decides what a raised error means
            if isinstance(error, (KeyboardInterrupt, SystemExit)):
                raise
            result = raised(error)
            traceback.clear_frames(error.__traceback__)
    changed = [
        after if isinstance(after, np.ndarray) and not _same(after, was) else None
        for after, was in zip(args, before, strict=True)
    ]
    return {"result": result, "args": changed}


def _same(after: np.ndarray, before: np.ndarray | None) -> bool:
    return (
        before is not None
        and after.shape == before.shape
        and after.dtype == before.dtype
        and bool(np.array_equal(after, before, equal_nan=after.dtype.kind in "fc"))
    )


class LearnerError(Exception):
    """Base of exceptions rebuilt from the other side, named after the original."""


def rebuild(error: Raised) -> BaseException:
    """An exception on this side that says what was raised on the other side."""
    known = {"AssertionError": AssertionError, "NotImplementedError": NotImplementedError}
    if error.name in known:
        return known[error.name](error.message)
    name = error.name if error.name.isidentifier() else "LearnerError"
    return type(name, (LearnerError,), {})(error.message)


def serve_main(folder: str, namespace: dict) -> None:
    """Entry point used by the grader's one-line request in the kernel."""
    serve(os.path.join(folder, "requests"), os.path.join(folder, "replies"), namespace)
    sys.stdout.flush()
