"""Records of `run_experiment`'s runs: trained once, reused while nothing they depend on changed.

Training is deterministic: the same code, settings, seeds, library versions and machine give
the same results table. `identify` takes a digest of all of these from the objects the run
will use at the moment it starts (the augmentations' functions and whatever they refer to, the
course's training functions as they are then, the settings, seeds and test conditions), so a
run that differs in any of them has another key.

Nothing happens unless an environment variable names a folder:
    AUGCOURSE_REUSE_RUNS  records to reuse (read only): a run whose key has a record returns
                          that record's results instead of training, and says so; any other
                          run trains, and says what differs from the records;
    AUGCOURSE_SAVE_RUNS   where to write a record of each run that trains.
Without them (a learner's own JupyterLab), `run_experiment` trains exactly as before.
Records are JSON: plain data, never code.
"""

from __future__ import annotations

import builtins
import dataclasses
import functools
import hashlib
import json
import os
import platform
import sys
import types
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REUSE_VARIABLE = "AUGCOURSE_REUSE_RUNS"
SAVE_VARIABLE = "AUGCOURSE_SAVE_RUNS"
REUSED = "Results reused:"  # how the printed line starts when a record was reused
RETRAINED = "Trained here:"  # ... and when the run trained although records were offered

# What each part of a key is, in the words of the line printed when it differs.
PARTS = {
    "code": "the course's training code (augcourse)",
    "environment": "the Python or library versions, or the machine",
    "methods": "which methods are trained",
    "seeds": "the seeds",
    "settings": "the settings",
    "sizes": "the sizes of the occluding squares",
    "occluders": "the occluders",
}


class Unidentifiable(Exception):
    """A value the run depends on whose contents cannot be compared: the run trains."""


@dataclass(frozen=True)
class RunIdentity:
    """key: digest of every part; parts: {part name: digest} ("method:<name>" per method)."""

    key: str
    parts: dict[str, str]


def identify(run, methods: Mapping, seeds: list, settings, sizes, occluders) -> RunIdentity:
    """The identity of `run(methods, seeds, settings, sizes, occluders)` (run: the function
    that trains, `augcourse.runs.run_experiment`). Raises Unidentifiable."""
    # Each part described on its own: a function met in several parts is in each of them.
    parts = {
        "code": _digest(_describe(run, set())),
        "environment": _digest(_environment()),
        "methods": _digest(list(methods)),
        "seeds": _digest(_describe(list(seeds), set())),
        "settings": _digest(_describe(settings, set())),
        "sizes": _digest(_describe(tuple(sizes), set())),
        "occluders": _digest(_describe(tuple(occluders), set())),
    }
    for name, augment in methods.items():
        parts[f"method:{name}"] = _digest(_describe(augment, set()))
    return RunIdentity(_digest(sorted(parts.items())), parts)


def recorded(run, methods: Mapping, seeds: list, settings, sizes, occluders):
    """Called by `run` before it trains: (the recorded results of this run or None, its
    identity to save a record under). Prints what happened when records are offered; does
    nothing at all unless REUSE_VARIABLE or SAVE_VARIABLE is set."""
    if not (os.environ.get(REUSE_VARIABLE) or os.environ.get(SAVE_VARIABLE)):
        return None, None
    try:
        identity, why_not = identify(run, methods, seeds, settings, sizes, occluders), ""
    except Unidentifiable as error:
        identity, why_not = None, str(error)
    rows, line = reusable(identity, why_not)
    if line:
        print(line)
    return rows, identity


def reusable(identity: RunIdentity | None, why_not: str = "") -> tuple[list | None, str]:
    """(the recorded results of this run or None, the line to print) when records are
    offered (REUSE_VARIABLE); (None, "") when they are not."""
    folder = os.environ.get(REUSE_VARIABLE)
    if not folder:
        return None, ""
    if identity is None:
        return (
            None,
            f"{RETRAINED} these runs use {why_not}, which cannot be compared with a record, "
            "so they were trained here.",
        )
    records = _read_records(Path(folder))
    if identity.key in records:
        return records[identity.key]["rows"], (
            f"{REUSED} the grader trained exactly these runs once for the whole class (same "
            "code, settings, seeds and library versions); nothing was trained here."
        )
    return (
        None,
        f"{RETRAINED} {_difference(identity, records)}, so they were trained here.",
    )


def save(identity: RunIdentity | None, rows: list[dict]) -> None:
    """Write a record of a run that trained, when SAVE_VARIABLE names a folder."""
    folder = os.environ.get(SAVE_VARIABLE)
    if not folder or identity is None:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    record = {"key": identity.key, "parts": identity.parts, "rows": rows}
    (Path(folder) / f"{identity.key}.json").write_text(json.dumps(record))


def _read_records(folder: Path) -> dict[str, dict]:
    records = {}
    for path in sorted(folder.glob("*.json")):
        try:
            record = json.loads(path.read_text())
            if path.stem == record["key"] and isinstance(record["rows"], list):
                records[record["key"]] = record
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return records


def _difference(identity: RunIdentity, records: dict[str, dict]) -> str:
    """What sets this run apart from the closest record, in words."""
    if not records:
        return "the grader has no record of these runs"

    def differing(record: dict) -> list[str]:
        theirs = record.get("parts", {})
        names = sorted(set(identity.parts) | set(theirs))
        return [name for name in names if identity.parts.get(name) != theirs.get(name)]

    closest = min((differing(record) for record in records.values()), key=len)
    methods = [repr(name.split(":", 1)[1]) for name in closest if name.startswith("method:")]
    words = [PARTS[name] for name in closest if name in PARTS]
    if methods:
        words.append(f"the augmentation{'s' if len(methods) > 1 else ''} {_and(methods)}")
    return "these runs differ from the grader's in " + _and(words)


def _and(words: list[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else "".join(words)


def _digest(value) -> str:
    return hashlib.sha256(repr(value).encode()).hexdigest()


def _environment() -> tuple:
    from importlib import metadata

    versions = []
    for name in ("numpy", "scikit-learn"):
        try:
            versions.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            versions.append((name, None))
    cpu = ""
    try:
        with open("/proc/cpuinfo") as handle:
            cpu = next((line for line in handle if line.startswith("model name")), "")
    except OSError:
        pass
    # Thread counts and CPU kinds can change how BLAS sums, and so the last bits of a result.
    threads = [
        (name, os.environ.get(name))
        for name in (
            "OPENBLAS_NUM_THREADS",
            "OPENBLAS_CORETYPE",
            "OMP_NUM_THREADS",
            "MKL_NUM_THREADS",
        )
    ]
    return (sys.version, platform.machine(), cpu.strip(), tuple(versions), tuple(threads))


# --- what a value is, as plain data -----------------------------------------------------

_PLAIN = (type(None), type(Ellipsis), type(NotImplemented), bool, int, float, complex, str, bytes)
# Dunder members of a class that decide what its instances do (the rest is bookkeeping).
_BEHAVIOUR = {"__init__", "__post_init__", "__call__", "__getitem__", "__iter__", "__len__"}


def _describe(value, seen: set[int]):
    """Plain data that is equal for two values exactly when they compute the same, as far
    as the run can tell: functions by their code, defaults, closures and the globals they
    use (followed into the course's own modules); raises Unidentifiable for anything else."""
    if isinstance(value, _PLAIN):
        return (type(value).__name__, value)
    if isinstance(value, (tuple, list)):
        return (type(value).__name__, tuple(_describe(item, seen) for item in value))
    if isinstance(value, (set, frozenset)):
        return (type(value).__name__, tuple(sorted(repr(_describe(v, seen)) for v in value)))
    if isinstance(value, dict):
        return ("dict", tuple((_describe(k, seen), _describe(v, seen)) for k, v in value.items()))
    if isinstance(value, range):
        return ("range", value.start, value.stop, value.step)
    if isinstance(value, np.ndarray):
        data = hashlib.sha256(np.ascontiguousarray(value).tobytes()).hexdigest()
        return ("ndarray", value.dtype.str, value.shape, data)
    if isinstance(value, np.generic):
        return ("numpy scalar", value.dtype.str, repr(value.item()))
    if isinstance(value, np.dtype):
        return ("dtype", value.str)
    if isinstance(value, types.ModuleType):
        return ("module", value.__name__)
    if isinstance(value, types.FunctionType):
        return _function(value, seen)
    if isinstance(value, types.MethodType):
        return ("method", _describe(value.__func__, seen), _describe(value.__self__, seen))
    if isinstance(value, functools.partial):
        return ("partial", *(_describe(v, seen) for v in (value.func, value.args, value.keywords)))
    if isinstance(value, (types.BuiltinFunctionType, np.ufunc)):
        return ("builtin", getattr(value, "__module__", None), repr(value))
    if isinstance(value, type):
        return _class(value, seen)
    if dataclasses.is_dataclass(value):
        fields = tuple(
            (field.name, _describe(getattr(value, field.name), seen))
            for field in dataclasses.fields(value)
        )
        return ("dataclass", _describe(type(value), seen), fields)
    if callable(value) and isinstance(getattr(value, "__wrapped__", None), types.FunctionType):
        return ("wrapped", type(value).__name__, _function(value.__wrapped__, seen))
    raise Unidentifiable(f"a {type(value).__name__}")


def _code(code: types.CodeType):
    """A code object without where it was written (file, line, name): the same source in
    another cell or at another line is the same code."""
    consts = tuple(
        _code(c) if isinstance(c, types.CodeType) else _describe(c, set()) for c in code.co_consts
    )
    return (
        code.co_code,
        consts,
        code.co_names,
        code.co_varnames,
        code.co_freevars,
        code.co_cellvars,
        code.co_argcount,
        code.co_posonlyargcount,
        code.co_kwonlyargcount,
        code.co_flags,
        getattr(code, "co_exceptiontable", b""),
    )


def _names(code: types.CodeType) -> set[str]:
    """Every global or attribute name the code (and the code nested in it) refers to."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _names(const)
    return names


def _function(function: types.FunctionType, seen: set[int]):
    if not _ours(function.__module__):  # a library's function: its version is in the key
        return ("function", function.__module__, function.__qualname__)
    if id(function) in seen:  # recursion, or a function met twice: already described
        return ("function again", function.__module__, function.__qualname__)
    seen.add(id(function))
    names = sorted(_names(function.__code__))
    used = []
    for name in names:
        if name in function.__globals__:
            value = function.__globals__[name]
            used.append((name, _describe(value, seen)))
            # `training.cutout_images(...)`: follow the attributes used into the course's
            # own modules, so that replacing one of their functions changes the key.
            if isinstance(value, types.ModuleType) and value.__name__.split(".")[0] == "augcourse":
                used += [
                    (f"{name}.{attribute}", _describe(getattr(value, attribute), seen))
                    for attribute in names
                    if not attribute.startswith("__") and hasattr(value, attribute)
                ]
        elif hasattr(builtins, name) and not hasattr(builtins.object, name):
            used.append((name, "builtin"))
    closure = []
    for cell in function.__closure__ or ():
        try:
            closure.append(_describe(cell.cell_contents, seen))
        except ValueError:  # a cell not filled yet
            closure.append("empty")
    return (
        "function",
        _code(function.__code__),
        _describe(function.__defaults__, seen),
        _describe(function.__kwdefaults__, seen),
        tuple(used),
        tuple(closure),
    )


def _ours(name: str | None) -> bool:
    """Whether code of this module is described in full: the course's, the notebook's, or
    any other that is not part of the installed Python and its libraries (whose versions
    are in the key)."""
    if name is None or name == "__main__" or name.split(".")[0] == "augcourse":
        return True
    if name in sys.builtin_module_names:
        return False
    module = sys.modules.get(name)
    file = getattr(module, "__file__", None)
    if not file:
        return True
    installed = {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve()}
    return not any(folder in Path(file).resolve().parents for folder in installed)


def _class(cls: type, seen: set[int]):
    if not _ours(cls.__module__):  # a library's class: its version is in the key
        return ("class", cls.__module__, cls.__qualname__)
    if id(cls) in seen:
        return ("class again", cls.__module__, cls.__qualname__)
    seen.add(id(cls))
    members = []
    is_dataclass = "__dataclass_fields__" in vars(cls)
    for name, member in sorted(vars(cls).items()):
        if name == "__dataclass_fields__":
            defaults = tuple(
                (
                    f.name,
                    "required" if f.default is dataclasses.MISSING else _describe(f.default, seen),
                )
                for f in member.values()
            )
            members.append((name, defaults))
            continue
        if name.startswith("__") and (
            name not in _BEHAVIOUR or is_dataclass and name == "__init__"
        ):
            continue  # a dataclass's __init__ is made from its fields, described above
        if isinstance(member, (staticmethod, classmethod)):
            member = member.__func__
        if isinstance(member, property):
            member = (member.fget, member.fset, member.fdel)
        members.append((name, _describe(member, seen)))
    bases = tuple(_describe(base, seen) for base in cls.__bases__)
    return ("class", cls.__qualname__, bases, tuple(members))
