"""Hidden checks: compare learner functions with the reference on inputs the learner never sees.

Deterministic functions are compared exactly with `autograder.exercises.reference` on fixed
edge cases (every border, odd sizes, non-square images, uint8 and float inputs) plus
cases drawn at grading time. Random functions are checked by their properties, never
by one exact random stream, so any correct use of `rng` passes.

On failure a grader raises `CheckFailed` (an AssertionError) naming the smallest
failing input and, where the learner's output matches a mistake of the bank
(`autograder.exercises.mistakes`), the mistake in words a learner understands.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import io
import math
import os
from collections.abc import Callable, Iterable
from functools import lru_cache

import numpy as np

from augcourse import draws
from augcourse.checks import (
    CheckFailed,
    RecordedCalls,
    as_box,
    call_quietly,
    changed_box,
    describe,
    describe_call,
    missed_wrong_hint,
    require_right_functions_pass,
    take_deferred,
)
from augcourse.checks import passed as _passed
from augcourse.probe import Raised, rebuild
from autograder.exercises import reference
from autograder.exercises.answers import ANSWERS
from autograder.exercises.mistakes import Mistake, lookup, lookup_or_none, mistakes_for

IMAGE_DTYPES = (np.uint8, np.float32, np.float64)


def passed(message: str) -> None:
    """The hidden checks passed: report a visible check's failure that waited for them, if any."""
    deferred = take_deferred()
    if deferred is not None:
        raise deferred
    _passed(message)


def grading_rng() -> np.random.Generator:
    """Randomness for inputs drawn at grading time.

    Fresh each run unless COURSE_GRADING_SEED is set (for reproducible regrades).
    """
    seed = os.environ.get("COURSE_GRADING_SEED")
    return np.random.default_rng(None if seed is None else int(seed))


# --- running learner code ----------------------------------------------------------


class _Raised:
    """What a call produced when it raised instead of returning."""

    def __init__(self, error: BaseException):
        self.error = error

    def __repr__(self) -> str:
        return f"{type(self.error).__name__}: {self.error}"


def _run(fn: Callable, args: tuple):
    """Call fn on deep copies of args; return (result or _Raised, whether args were modified)."""
    copies = copy.deepcopy(args)
    try:
        result = call_quietly(fn, *copies)
    except Exception as error:  # learner code may raise anything; report it as the answer
        result = _Raised(error)
    modified = any(
        isinstance(a, np.ndarray) and not np.array_equal(a, c)
        for a, c in zip(args, copies, strict=True)
    )
    return result, modified


def _run_many(fn: Callable, calls: list[tuple]) -> list[tuple[object, bool]]:
    """_run for many argument tuples; one round trip when fn lives in a learner's kernel."""
    if not hasattr(fn, "map_calls"):
        return [_run(fn, args) for args in calls]
    outcomes = []
    for args, (result, after) in zip(calls, fn.map_calls(calls), strict=True):
        if isinstance(result, Raised):
            result = _Raised(rebuild(result))
        modified = any(
            isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and not np.array_equal(a, b)
            for a, b in zip(args, after, strict=False)
        )
        outcomes.append((result, modified))
    return outcomes


def _draws_observed(fn: Callable, args_for: Callable, box_of: Callable) -> draws.Observed:
    """augcourse.draws' properties at grading-time seeds, the learner's calls sent in batches.

    args_for(alpha, rng): the call's arguments; box_of(result): the box it pasted, or None."""
    first = int(grading_rng().integers(2**31))
    keys = [(a, first + k) for a in draws.EMPTY_PASTES for k in range(draws.ALPHA_DRAWS)]
    keys += [(draws.CENTRE_ALPHA, first + k) for k in range(draws.CENTRE_DRAWS)]
    outcomes = _run_many(fn, [args_for(alpha, np.random.default_rng(seed)) for alpha, seed in keys])
    boxes = {key: box_of(result) for key, (result, _) in zip(keys, outcomes, strict=True)}
    return draws.observe(lambda alpha, seed: boxes[(alpha, seed)], first)


def _draws_failure(name: str, seen: draws.Observed, title: str) -> CheckFailed | None:
    """The failure of `name` (cutmix or cutmix_batch) on the draws' properties, naming the
    bank's mistake it shows, or None."""
    found = seen.problem()
    if found is None:
        return None
    problem, hint = found
    if any(draws.empty_pastes_problem(a, e) for a, e in seen.empty.items()):
        key = "lam_fixed" if seen.lam_fixed and name == "cutmix" else "alpha_ignored"
    elif seen.centre_fixed and name == "cutmix":
        key = "centre_fixed"
    elif seen.centre_never_last and name == "cutmix":
        key = "centre_never_last"
    else:
        key = None
    mistake = lookup(name, key) if key else None
    expected = "patch sizes drawn from Beta(alpha, alpha) and centres over every pixel"
    return _failure(title, [f"  expected: {expected}", f"  got:      {problem}"], mistake, hint)


def _failure(title: str, lines: Iterable[str], mistake: Mistake | None = None, hint: str = ""):
    message = [title, *lines]
    if mistake is not None:
        message.append(f"  likely mistake: {mistake.explanation}")
    elif hint:
        message.append(f"  hint: {hint}")
    return CheckFailed("\n".join(message), mistake and f"{mistake.function}:{mistake.key}")


def _input_size(args: tuple) -> int:
    """How big an input is, to show the smallest failing one: pixels, or height x width."""
    arrays = sum(int(np.size(a)) for a in args if isinstance(a, np.ndarray))
    ints = [a for a in args if isinstance(a, int) and not isinstance(a, bool)]
    return arrays + (ints[0] * ints[1] if len(ints) >= 2 else 0)


# While a test cell is decided outside the kernel (autograder/plugins/decide.py), pictures are
# collected here as PNG bytes and become the cell's outputs.
IMAGE_SINK: list[bytes] | None = None


def show_comparison(panels: dict[str, np.ndarray]) -> None:
    """Show images side by side (e.g. expected, yours, difference) in the cell's output.

    The picture (a PNG) reaches the learner's feedback. Outside a notebook or a decided
    test cell it is not drawn at all.
    """
    display = None
    if IMAGE_SINK is None:
        try:
            from IPython import get_ipython
            from IPython.display import Image, display
        except ImportError:
            return
        if get_ipython() is None:
            return
    import matplotlib.pyplot as plt

    from augcourse.plots import show_images

    images = [np.asarray(image, dtype=np.float64) for image in panels.values()]
    figure = show_images(images, titles=list(panels), scale=2.2)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    plt.close(figure)
    if IMAGE_SINK is not None:
        IMAGE_SINK.append(buffer.getvalue())
    elif display is not None:
        display(Image(data=buffer.getvalue()))


def _difference(expected: np.ndarray, got: np.ndarray) -> np.ndarray:
    """Where two images differ: 1 where any channel differs, as a one-channel image."""
    return (np.asarray(expected) != np.asarray(got)).any(axis=0, keepdims=True).astype(np.float64)


def _show_if_images(args: tuple, expected, got) -> None:
    if (
        isinstance(expected, np.ndarray)
        and expected.ndim == 3
        and isinstance(got, np.ndarray)
        and got.shape == expected.shape
    ):
        show_comparison(
            {
                "input": next(a for a in args if isinstance(a, np.ndarray)),
                "expected": expected,
                "yours": got,
                "where they differ": _difference(expected, got),
            }
        )


def _grade_deterministic(
    name: str,
    fn: Callable,
    cases: list[tuple],
    same: Callable[[object, object], bool],
    describe_args: Callable[[tuple], str] | None = None,
) -> None:
    """Compare fn with the reference on every case; explain the smallest failure."""
    expected_fn = getattr(reference, name)
    failures = []
    for args, (got, modified) in zip(cases, _run_many(fn, cases), strict=True):
        expected, _ = _run(expected_fn, args)
        if modified:
            failures.append((args, expected, got, "modified"))
        elif isinstance(got, _Raised) or not same(expected, got):
            failures.append((args, expected, got, "wrong"))
    if not failures:
        return
    args, expected, got, kind = min(failures, key=lambda f: _input_size(f[0]))
    shown = describe_args(args) if describe_args else ", ".join(describe(a) for a in args)
    call = f"{name}({shown})"
    if kind == "modified":
        mistake = next((m for m in mistakes_for(name) if m.key.endswith("modified")), None)
        raise _failure(
            call,
            ["  expected: the arguments left unchanged", "  got:      an argument was modified"],
            mistake,
            "work on a copy and return it.",
        )
    failing = [f[0] for f in failures]
    mistake = _matching_mistake(name, fn, failing, same)
    _show_if_images(args, expected, got)
    raise _failure(
        call,
        [
            f"  expected: {describe(expected)}",
            f"  got:      {describe(got) if not isinstance(got, _Raised) else got}",
            f"  ({len(failures)} of {len(cases)} hidden cases fail)",
        ],
        mistake,
    )


def _matching_mistake(name: str, fn: Callable, failing: list[tuple], same) -> Mistake | None:
    """The bank's mistake whose outputs equal the learner's on the failing cases."""
    learner = [_run(fn, args)[0] for args in failing]
    best = None
    for mistake in mistakes_for(name):
        outputs = [_run(mistake.implementation, args)[0] for args in failing]
        agree = [
            not isinstance(o, _Raised) and not isinstance(g, _Raised) and same(o, g)
            for o, g in zip(outputs, learner, strict=True)
        ]
        if all(agree):
            return mistake
        if best is None and agree[0]:
            best = mistake
    return best


def _same_box(expected, got) -> bool:
    return as_box(got) == expected


def _same_array(expected: np.ndarray, got) -> bool:
    return (
        isinstance(got, np.ndarray)
        and got.shape == expected.shape
        and got.dtype == expected.dtype
        and np.array_equal(got, expected)
    )


def _same_label(expected: np.ndarray, got) -> bool:
    try:
        got = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return got.shape == expected.shape and np.allclose(got, expected, rtol=1e-5, atol=1e-6)


def _same_number(expected: float, got) -> bool:
    if isinstance(got, np.ndarray) and got.shape != ():
        return False
    try:
        return math.isclose(float(got), expected, rel_tol=1e-9, abs_tol=1e-12)
    except (TypeError, ValueError):
        return False


def _describe_image_args(args: tuple) -> str:
    return ", ".join(
        f"<{a.dtype} image {a.shape}>" if isinstance(a, np.ndarray) and a.ndim >= 3 else describe(a)
        for a in args
    )


# --- inputs ----------------------------------------------------------------------------


IMAGE_SHAPES = [(3, 5, 7), (1, 4, 4), (3, 32, 32), (2, 9, 6), (3, 1, 8)]


def _image(shape: tuple, dtype, rng: np.random.Generator) -> np.ndarray:
    """An image with no zero pixels (so a zeroed box is visible), values 1..119."""
    return rng.integers(1, 120, size=shape).astype(dtype)


def _boxes(height: int, width: int, rng: np.random.Generator, count: int) -> list[tuple]:
    """Valid clipped boxes: empty, full, touching each border, and random ones."""
    fixed = [
        (0, height, 0, width),
        (0, 0, 0, 0),
        (0, 1, 0, 1),
        (height - 1, height, width - 1, width),
        (0, height, width // 2, width),
        (height // 2, height, 0, max(width // 3, 1)),
    ]
    drawn = []
    for _ in range(count):
        top, bottom = sorted(int(v) for v in rng.integers(0, height + 1, size=2))
        left, right = sorted(int(v) for v in rng.integers(0, width + 1, size=2))
        drawn.append((top, bottom, left, right))
    return fixed + drawn


def _label(num_classes: int, rng: np.random.Generator, dtype=np.float64) -> np.ndarray:
    weights = rng.random(num_classes) ** 3
    return (weights / weights.sum()).astype(dtype)


def _stable_lam(lam: float, *sides: int) -> bool:
    """True if every common way of computing int(side * sqrt(1 - lam)) agrees."""
    for side in sides:
        variants = {
            int(side * math.sqrt(1 - lam)),
            int(side * np.sqrt(1 - lam)),
            int(side * (1 - lam) ** 0.5),
            int(math.sqrt(side * side * (1 - lam))),
        }
        if len(variants) > 1:
            return False
    return True


# --- graders of the learner functions ---------------------------------------------------

# Learner functions that call others: a wrong helper makes the caller fail too.
DEPENDS_ON = {
    "cutout": ["centered_box", "apply_cutout"],
    "cutmix_box": ["centered_box"],
    "cutmix": ["cutmix_box", "paste_patch", "patch_ratio", "mix_labels"],
    "cutmix_batch": ["cutmix_box", "paste_patch", "patch_ratio", "mix_labels"],
}
_CHECKS: dict[str, Callable] = {}


def _grader(name: str) -> Callable:
    """Turn a check of learner function `name` into its public grader.

    The grader reports success (or a visible check's failure that waited for it), and
    when the function fails while calling one of the learner's other functions that is
    itself wrong, says so: fixing that one first is the learner's best next step.
    """

    def decorate(check: Callable) -> Callable:
        _CHECKS[name] = check

        @functools.wraps(check)
        def grade(fn: Callable) -> None:
            try:
                check(fn)
            except CheckFailed as failure:
                take_deferred()  # this failure says more than the visible one that waited
                wrong = [h for h in DEPENDS_ON.get(name, []) if not _is_correct(h, fn)]
                if wrong:
                    note = ", ".join(f"{h}" for h in wrong)
                    raise CheckFailed(
                        f"{failure}\n  note: {name} calls your {note}, which fails its own check; "
                        "fix that first.",
                        failure.mistake,
                    ) from None
                raise
            passed(f"{name} passes the hidden checks.")

        return grade

    return decorate


def _is_correct(helper: str, fn: Callable) -> bool:
    """Whether the learner's own `helper`, as seen from fn's notebook, passes its check."""
    candidate = getattr(fn, "__globals__", {}).get(helper)
    if not callable(candidate) or candidate is fn:
        return True
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            _CHECKS[helper](candidate)
    except AssertionError:
        return False
    return True


# --- Cutout ---------------------------------------------------------------------------


@_grader("centered_box")
def grade_centered_box(centered_box: Callable) -> None:
    """centered_box against the reference: every border, odd sizes, non-square images."""
    rng = grading_rng()
    cases = []
    for height, width in [(32, 32), (5, 8), (8, 5), (1, 1), (7, 3)]:
        for box_h, box_w in [(1, 1), (2, 3), (3, 2), (4, 4), (5, 5), (16, 16), (0, 2)]:
            for cy in sorted({0, 1, height // 2, height - 2, height - 1} & set(range(height))):
                for cx in sorted({0, 1, width // 2, width - 2, width - 1} & set(range(width))):
                    cases.append((height, width, cy, cx, box_h, box_w))
    for _ in range(200):
        height, width = (int(v) for v in rng.integers(1, 41, size=2))
        cases.append(
            (
                height,
                width,
                int(rng.integers(height)),
                int(rng.integers(width)),
                int(rng.integers(0, 46)),
                int(rng.integers(0, 46)),
            )
        )
    _grade_deterministic("centered_box", centered_box, cases, _same_box)


@_grader("apply_cutout")
def grade_apply_cutout(apply_cutout: Callable) -> None:
    """apply_cutout against the reference on several shapes, dtypes and boxes."""
    rng = grading_rng()
    cases = []
    for shape in IMAGE_SHAPES:
        for dtype in IMAGE_DTYPES:
            image = _image(shape, dtype, rng)
            cases += [(image, box) for box in _boxes(shape[1], shape[2], rng, 4)]
    _grade_deterministic("apply_cutout", apply_cutout, cases, _same_array, _describe_image_args)


@lru_cache(maxsize=64)
def _cutout_boxes(height: int, width: int, size: int, swapped: bool = False) -> frozenset:
    """Every box that Cutout can produce (centre over all pixels, clipped)."""
    rows, cols = (width, height) if swapped else (height, width)
    return frozenset(
        reference.centered_box(height, width, cy, cx, size, size)
        for cy in range(rows)
        for cx in range(cols)
    )


def _check_reproducible(name: str, fn: Callable, args: tuple, seed: int, first) -> None:
    """Same rng seed, different global np.random state: the result must not change."""
    np.random.seed(seed % 2**32)  # noqa: NPY002  (deliberately disturb the global state)
    np.random.random(7)  # noqa: NPY002
    again, _ = _run(fn, (*args, np.random.default_rng(seed)))
    first_parts = first if isinstance(first, tuple) else (first,)
    again_parts = again if isinstance(again, tuple) else (again,)
    same = len(first_parts) == len(again_parts) and all(
        isinstance(a, np.ndarray) and np.array_equal(a, b)
        for a, b in zip(again_parts, first_parts, strict=True)
    )
    if not same:
        mistake = lookup_or_none(name, "global_random")
        raise _failure(
            f"{name}(..., rng=np.random.default_rng({seed})) called twice",
            ["  expected: the same result both times", "  got:      different results"],
            mistake,
        )


CENTRE_TEST_SHAPE, CENTRE_TEST_DRAWS = (1, 3, 4), 400  # misses a pixel: < 12 * (11/12)**400


def _check_every_pixel_is_a_centre(cutout: Callable, base_seed: int) -> None:
    """With size 1 the square is its centre: every pixel must be masked in some draw."""
    image = np.ones(CENTRE_TEST_SHAPE)
    calls = [(image, 1, np.random.default_rng(base_seed + k)) for k in range(CENTRE_TEST_DRAWS)]
    masked = np.zeros(CENTRE_TEST_SHAPE[1:], dtype=bool)
    for result, _ in _run_many(cutout, calls):
        if not isinstance(result, np.ndarray) or result.shape != image.shape:
            return  # the checks below say what is wrong with the result itself
        masked |= result[0] == 0
    if masked.all() or not masked.any():
        return  # nothing masked at all: the checks below say what the result is instead
    height, width = CENTRE_TEST_SHAPE[1:]
    never = {(int(r), int(c)) for r, c in zip(*np.nonzero(~masked), strict=True)}
    last_column = {(r, width - 1) for r in range(height)}
    last = last_column | {(height - 1, c) for c in range(width)}
    key = None
    if masked.sum() == 1:
        key = "centre_fixed"
    elif never == last:
        key = "centre_never_last"
    elif never == last_column:  # the image is wider than high: cx drawn over the rows
        key = "height_width_swapped"
    raise _failure(
        f"cutout(<(1, {height}, {width}) image of 1s>, 1, rng) over {CENTRE_TEST_DRAWS} seeds",
        [
            "  expected: every pixel masked in some draw (with size 1 the square is its centre)",
            f"  got:      never masked at (row, col) {sorted(never)}: the centre never reaches them",
        ],
        lookup("cutout", key) if key else None,
        "draw cy = rng.integers(H) and cx = rng.integers(W).",
    )


@_grader("cutout")
def grade_cutout(cutout: Callable) -> None:
    """cutout by its properties: one clipped square of zeros, every position reachable, rng only."""
    rng = grading_rng()
    base_seed = int(rng.integers(2**31))
    configs = [
        ((3, 5, 6), 3, np.float32, 700),
        ((1, 7, 4), 2, np.uint8, 700),
        ((2, 9, 6), 5, np.float64, 1200),
        ((3, 32, 32), 16, np.float64, 40),
        ((3, 8, 8), 20, np.uint8, 40),
    ]
    _check_every_pixel_is_a_centre(cutout, base_seed)
    for shape, size, dtype, draw_count in configs:
        image = _image(shape, dtype, rng)
        height, width = shape[1:]
        valid = _cutout_boxes(height, width, size)
        seen = set()
        calls = [(image, size, np.random.default_rng(base_seed + k)) for k in range(draw_count)]
        for k, (result, modified) in enumerate(_run_many(cutout, calls)):
            seed = base_seed + k
            call = describe_call(
                "cutout", f"<{np.dtype(dtype)} image {shape}>", size, f"rng(seed={seed})"
            )
            box = _check_image_result("cutout", call, image, result, modified)
            if box is None:
                raise _failure(
                    call, ["  expected: a square set to 0", "  got:      an unchanged image"]
                )
            if box not in valid:
                show_comparison(
                    {"input": image, "yours": result, "changed pixels": _difference(image, result)}
                )
                mistake = None
                if box in _cutout_boxes(height, width, size, swapped=True):
                    mistake = next(
                        m for m in mistakes_for("cutout") if m.key == "height_width_swapped"
                    )
                raise _failure(
                    call,
                    [
                        f"  expected: a {size} x {size} square centred on a pixel, clipped to the {height} x {width} image",
                        f"  got:      zeros in rows {box[0]}:{box[1]}, columns {box[2]}:{box[3]}",
                    ],
                    mistake,
                    "use centered_box(H, W, cy, cx, size, size) with cy in [0, H) and cx in [0, W).",
                )
            top, bottom, left, right = box
            if not (result[:, top:bottom, left:right] == 0).all():
                mean = np.asarray(image.mean()).astype(image.dtype)
                filled_with_mean = (result[:, top:bottom, left:right] == mean).all()
                raise _failure(
                    call,
                    ["  expected: the square set to 0", "  got:      other values"],
                    lookup("cutout", "filled_with_mean") if filled_with_mean else None,
                    "set the square to 0.",
                )
            seen.add(box)
            if k < 10:
                _check_reproducible("cutout", cutout, (image, size), seed, result)
        if draw_count >= 700 and seen != valid:
            missing = valid - seen
            mistake = lookup("cutout", "centre_kept_from_border")
            clipped = all(
                (bottom - top, right - left) != (size, size) for top, bottom, left, right in missing
            )
            raise _failure(
                f"cutout on a {height} x {width} image with size {size}, {draw_count} draws",
                [
                    "  expected: every clipped position of the square to occur",
                    f"  got:      {len(missing)} of {len(valid)} positions never occur, e.g. {sorted(missing)[0]}",
                ],
                mistake if clipped else None,
                "draw cy uniformly from all rows and cx from all columns.",
            )


def _check_image_result(name: str, call: str, image: np.ndarray, result, modified: bool):
    """Common checks of an image-returning random function; returns the changed box."""
    if modified:
        mistake = lookup_or_none(name, "input_modified")
        raise _failure(
            call, ["  expected: the input unchanged", "  got:      it was modified"], mistake
        )
    if isinstance(result, _Raised):
        raise _failure(call, [f"  expected: an image {image.shape}", f"  got:      {result}"])
    if (
        not isinstance(result, np.ndarray)
        or result.shape != image.shape
        or result.dtype != image.dtype
    ):
        got = (
            f"{type(result).__name__} {getattr(result, 'shape', '')} {getattr(result, 'dtype', '')}"
        )
        raise _failure(
            call,
            [f"  expected: an array {image.shape} of dtype {image.dtype}", f"  got:      {got}"],
        )
    box, problem = changed_box(image, result)
    if problem:
        show_comparison(
            {"input": image, "yours": result, "changed pixels": _difference(image, result)}
        )
        mistake = None
        if problem.startswith("the changed pixels are not the same in every channel"):
            mistake = next(
                (m for m in mistakes_for(name) if "channel" in m.key),
                None,
            )
        raise _failure(
            call,
            ["  expected: one box changed in every channel", f"  got:      {problem}"],
            mistake,
            "change the box in every channel: image[:, top:bottom, left:right].",
        )
    return box


# --- CutMix ---------------------------------------------------------------------------


@_grader("cutmix_box")
def grade_cutmix_box(cutmix_box: Callable) -> None:
    """cutmix_box against the reference: many lam values, every border, non-square images."""
    rng = grading_rng()
    cases = []
    for height, width in [(32, 32), (20, 40), (40, 20), (7, 5), (1, 9)]:
        for lam in (0.0, 0.1, 0.3, 0.5, 0.75, 0.9, 1.0):
            for cy in sorted({0, height // 2, height - 1}):
                for cx in sorted({0, width // 2, width - 1}):
                    cases.append((height, width, lam, cy, cx))
    while len(cases) < 500:
        height, width = (int(v) for v in rng.integers(1, 65, size=2))
        lam = float(rng.random())
        cases.append((height, width, lam, int(rng.integers(height)), int(rng.integers(width))))
    cases = [c for c in cases if _stable_lam(c[2], c[0], c[1])]
    _grade_deterministic("cutmix_box", cutmix_box, cases, _same_box)


@_grader("paste_patch")
def grade_paste_patch(paste_patch: Callable) -> None:
    """paste_patch against the reference on several shapes, dtypes and boxes."""
    rng = grading_rng()
    cases = []
    for shape in IMAGE_SHAPES:
        for dtype in IMAGE_DTYPES:
            target = _image(shape, dtype, rng)
            source = target + 100  # every pixel differs from target's
            cases += [(target, source, box) for box in _boxes(shape[1], shape[2], rng, 4)]
    _grade_deterministic("paste_patch", paste_patch, cases, _same_array, _describe_image_args)


@_grader("patch_ratio")
def grade_patch_ratio(patch_ratio: Callable) -> None:
    """patch_ratio against the reference on boxes of square and non-square images."""
    rng = grading_rng()
    cases = []
    for height, width in [(32, 32), (10, 20), (20, 10), (1, 7), (9, 5)]:
        cases += [(box, height, width) for box in _boxes(height, width, rng, 10)]
    _grade_deterministic("patch_ratio", patch_ratio, cases, _same_number)


def _label_cases(rng: np.random.Generator, batches: bool) -> list[tuple]:
    cases = [
        (np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0]), r) for r in (0.0, 0.3, 0.25, 1.0)
    ]
    for _ in range(30):
        num_classes = int(rng.integers(2, 11))
        dtype = np.float32 if rng.random() < 0.3 else np.float64
        ratio = float(rng.random())
        cases.append((_label(num_classes, rng, dtype), _label(num_classes, rng, dtype), ratio))
    if batches:
        for _ in range(5):
            count, num_classes = int(rng.integers(1, 6)), int(rng.integers(2, 6))
            label1 = np.stack([_label(num_classes, rng) for _ in range(count)])
            label2 = np.stack([_label(num_classes, rng) for _ in range(count)])
            cases.append((label1, label2, float(rng.random())))
    return cases


@_grader("mix_labels")
def grade_mix_labels(mix_labels: Callable) -> None:
    """mix_labels against the reference: one-hot and soft labels, float32 and float64, batches."""
    cases = _label_cases(grading_rng(), batches=True)
    _grade_deterministic("mix_labels", mix_labels, cases, _same_label)


@lru_cache(maxsize=32)
def _cutmix_sides(height: int, width: int) -> frozenset:
    """Every (cut_h, cut_w) that cutmix_box can give for lam in [0, 1]."""
    ratios = np.sqrt(1 - np.linspace(0, 1, 20001))
    return frozenset((int(height * r), int(width * r)) for r in ratios) | {(height, width), (0, 0)}


@lru_cache(maxsize=32)
def _cutmix_boxes(height: int, width: int) -> frozenset:
    return frozenset(
        reference.centered_box(height, width, cy, cx, cut_h, cut_w)
        for cut_h, cut_w in _cutmix_sides(height, width)
        for cy in range(height)
        for cx in range(width)
    )


def _clipped_sides(box: tuple, height: int, width: int) -> set[str]:
    """The borders at which a CutMix box was certainly clipped.

    A box that does not touch the left or right border has its unclipped width, which
    tells which heights cutmix_box could have given it; a smaller height means the box
    was cut at the top or bottom border that it touches (and likewise across).
    """
    top, bottom, left, right = box
    box_h, box_w = bottom - top, right - left
    sides = _cutmix_sides(height, width)
    clipped = set()
    if left > 0 and right < width and box_w > 0:
        heights = [cut_h for cut_h, cut_w in sides if cut_w == box_w]
        if heights and box_h < min(heights):
            clipped |= {"top"} if top == 0 else set()
            clipped |= {"bottom"} if bottom == height else set()
    if top > 0 and bottom < height and box_h > 0:
        widths = [cut_w for cut_h, cut_w in sides if cut_h == box_h]
        if widths and box_w < min(widths):
            clipped |= {"left"} if left == 0 else set()
            clipped |= {"right"} if right == width else set()
    return clipped


def _label_diagnosis(name: str, label, label1, label2, share: float) -> tuple[Mistake | None, str]:
    """Why a mixed label is wrong, if a known mistake explains it."""
    label = np.asarray(label, dtype=np.float64)
    if np.allclose(label, share * label1 + (1 - share) * label2, atol=1e-6):
        return lookup_or_none(name, "weights_swapped"), ""
    difference = label2 - label1
    if np.abs(difference).max() > 0:
        weight = float(np.dot(label - label1, difference) / np.dot(difference, difference))
        if np.allclose(label, (1 - weight) * label1 + weight * label2, atol=1e-6):
            mistake = lookup_or_none(name, "lam_not_readjusted")
            return mistake, ""
    return (
        None,
        "label = (1 - patch_ratio) * label1 + patch_ratio * label2, with patch_ratio from the box.",
    )


@_grader("cutmix")
def grade_cutmix(cutmix: Callable) -> None:
    """cutmix by its properties: one clipped box of image2, the label from the pasted share, rng only."""
    rng = grading_rng()
    base_seed = int(rng.integers(2**31))
    image1 = _image((1, *draws.IMAGE), np.float64, rng)
    image2 = image1 + 100
    label1, label2 = _label(3, rng), _label(3, rng)

    def pasted(result):
        image = result[0] if isinstance(result, tuple) and len(result) == 2 else None
        if not isinstance(image, np.ndarray) or image.shape != image1.shape:
            return None
        return changed_box(image1, image)[0]

    seen = _draws_observed(
        cutmix, lambda alpha, rng: (image1, label1, image2, label2, alpha, rng), pasted
    )
    failure = _draws_failure("cutmix", seen, "cutmix on a 4 x 4 image at alpha 0.2, 4 and 1")
    if failure:
        raise failure
    configs = [
        ((3, 12, 15), np.float64, 1.0, 500),
        ((1, 5, 5), np.uint8, 0.5, 200),
        ((2, 7, 4), np.float32, 2.0, 200),
        ((3, 32, 32), np.float32, 1.0, 40),
    ]
    for shape, dtype, alpha, draw_count in configs:
        height, width = shape[1:]
        image1 = _image(shape, dtype, rng)
        image2 = image1 + 100
        num_classes = 4
        label1, label2 = _label(num_classes, rng), _label(num_classes, rng)
        valid = _cutmix_boxes(height, width)
        clipped_sides = set()
        args = (image1, label1, image2, label2, alpha)
        calls = [(*args, np.random.default_rng(base_seed + k)) for k in range(draw_count)]
        for k, (got, modified) in enumerate(_run_many(cutmix, calls)):
            seed = base_seed + k
            call = describe_call(
                "cutmix",
                f"<{np.dtype(dtype)} image1 {shape}>",
                label1,
                "<image2>",
                label2,
                alpha,
                f"rng(seed={seed})",
            )
            if not modified and not (isinstance(got, tuple) and len(got) == 2):
                raise _failure(
                    call, ["  expected: a tuple (image, label)", f"  got:      {got!r:.200}"]
                )
            image, label = got if isinstance(got, tuple) else (got, None)
            box = _check_image_result("cutmix", call, image1, image, modified)
            share = 0.0
            if box is not None:
                top, bottom, left, right = box
                if not np.array_equal(
                    image[:, top:bottom, left:right], image2[:, top:bottom, left:right]
                ):
                    raise _failure(
                        call,
                        [
                            "  expected: the box to hold image2's pixels from the same place",
                            "  got:      other pixels",
                        ],
                        None,
                        "paste image2[:, top:bottom, left:right].",
                    )
                if box not in valid:
                    show_comparison({"image1": image1, "image2": image2, "yours": image})
                    raise _failure(
                        call,
                        [
                            f"  expected: a box from cutmix_box({height}, {width}, lam, cy, cx)",
                            f"  got:      box {box}",
                        ],
                        None,
                        "build the box with cutmix_box and a centre drawn over every pixel.",
                    )
                share = (bottom - top) * (right - left) / (height * width)
                clipped_sides |= _clipped_sides(box, height, width)
            expected = reference.mix_labels(label1, label2, share)
            if not _same_label(expected, label):
                mistake, hint = _label_diagnosis("cutmix", label, label1, label2, share)
                raise _failure(
                    call + f"\n  the pasted box {box} covers {share:.4f} of the image",
                    [
                        f"  expected label: {describe(expected)}",
                        f"  got:            {describe(label) if label is not None else None}",
                    ],
                    mistake,
                    hint,
                )
            if k < 10:
                _check_reproducible("cutmix", cutmix, args, seed, got)
        if draw_count >= 500 and clipped_sides != {"top", "bottom", "left", "right"}:
            missing = {"top", "bottom", "left", "right"} - clipped_sides
            raise _failure(
                f"cutmix on a {height} x {width} image, {draw_count} draws",
                [
                    "  expected: boxes clipped at every border",
                    f"  got:      never clipped at the {', '.join(sorted(missing))}",
                ],
                lookup("cutmix", "centre_kept_from_border"),
            )


def _batch_label_diagnosis(label, labels, i: int, partner: int, share: float):
    """Why image i's mixed label is wrong: another partner's label, or the wrong weight."""
    label = np.asarray(label, dtype=np.float64)
    for other in range(len(labels)):
        if other != partner and np.allclose(
            label, reference.mix_labels(labels[i], labels[other], share), atol=1e-6
        ):
            return next(
                m for m in mistakes_for("cutmix_batch") if m.key == "labels_not_permuted"
            ), ""
    return _label_diagnosis("cutmix_batch", label, labels[i], labels[partner], share)


@_grader("cutmix_batch")
def grade_cutmix_batch(cutmix_batch: Callable) -> None:
    """cutmix_batch by its properties: one box, partners by permutation, labels follow, rng only."""
    rng = grading_rng()
    base_seed = int(rng.integers(2**31))
    configs = [
        (5, (2, 5, 7), np.float64, 1.0, 120),
        (3, (3, 8, 6), np.uint8, 0.5, 60),
        (1, (1, 4, 4), np.float32, 1.0, 10),
    ]
    for count, shape, dtype, alpha, draw_count in configs:
        height, width = shape[1:]
        # Image n is filled with n + 1, so every pasted pixel tells where it came from.
        images = np.stack([np.full(shape, n + 1) for n in range(count)]).astype(dtype)
        labels = np.eye(count, count + 1)
        sides_valid = _cutmix_boxes(height, width)
        partner_lists = set()
        calls = [
            (images, labels, alpha, np.random.default_rng(base_seed + k)) for k in range(draw_count)
        ]
        for k, (got, modified) in enumerate(_run_many(cutmix_batch, calls)):
            seed = base_seed + k
            call = describe_call(
                "cutmix_batch",
                f"<{np.dtype(dtype)} images {images.shape}, image n filled with n + 1>",
                f"<one-hot labels {labels.shape}>",
                alpha,
                f"rng(seed={seed})",
            )
            if modified:
                raise _failure(
                    call,
                    ["  expected: the inputs unchanged", "  got:      they were modified"],
                    lookup("cutmix_batch", "input_modified"),
                )
            if isinstance(got, _Raised) or not (isinstance(got, tuple) and len(got) == 2):
                raise _failure(
                    call, ["  expected: a tuple (images, labels)", f"  got:      {got!r:.200}"]
                )
            mixed, mixed_labels = got
            if (
                not isinstance(mixed, np.ndarray)
                or mixed.shape != images.shape
                or mixed.dtype != images.dtype
            ):
                raise _failure(
                    call,
                    [
                        f"  expected: images {images.shape} {images.dtype}",
                        f"  got:      {getattr(mixed, 'shape', type(mixed).__name__)} {getattr(mixed, 'dtype', '')}",
                    ],
                )
            if np.shape(mixed_labels) != labels.shape:
                raise _failure(
                    call,
                    [f"  expected: labels {labels.shape}", f"  got:      {np.shape(mixed_labels)}"],
                )
            boxes = {}
            for i in range(count):
                box, problem = changed_box(images[i], mixed[i])
                if problem:
                    raise _failure(
                        call,
                        [
                            f"  expected: image {i} changed in one box, every channel",
                            f"  got:      {problem}",
                        ],
                    )
                if box is not None:
                    boxes[i] = box
            if len(set(boxes.values())) > 1:
                raise _failure(
                    call,
                    [
                        "  expected: one box for the whole batch",
                        f"  got:      boxes {sorted(set(boxes.values()))}",
                    ],
                    lookup("cutmix_batch", "box_per_image"),
                )
            box = next(iter(boxes.values()), None)
            partners = list(range(count))
            share = 0.0
            if box is not None:
                if box not in sides_valid:
                    raise _failure(
                        call,
                        [
                            f"  expected: a box from cutmix_box({height}, {width}, lam, cy, cx)",
                            f"  got:      {box}",
                        ],
                    )
                top, bottom, left, right = box
                share = (bottom - top) * (right - left) / (height * width)
                for i in boxes:
                    patch = mixed[i, :, top:bottom, left:right]
                    partner = int(patch.flat[0]) - 1
                    if not (patch == partner + 1).all() or not 0 <= partner < count:
                        raise _failure(
                            call,
                            [
                                f"  expected: image {i}'s box filled from one other image of the batch",
                                "  got:      mixed or unknown pixels",
                            ],
                        )
                    partners[i] = partner
                if sorted(partners) != list(range(count)):
                    raise _failure(
                        call,
                        [
                            "  expected: partners that form a permutation of the batch",
                            f"  got:      image i got its patch from {partners}",
                        ],
                        None,
                        "partners = rng.permutation(N); image i gets the box from image partners[i].",
                    )
                partner_lists.add(tuple(partners))
            for i in range(count):
                expected = reference.mix_labels(labels[i], labels[partners[i]], share)
                if not _same_label(expected, mixed_labels[i]):
                    mistake, hint = _batch_label_diagnosis(
                        mixed_labels[i], labels, i, partners[i], share
                    )
                    raise _failure(
                        call
                        + f"\n  image {i} got its patch from image {partners[i]}, covering {share:.4f}",
                        [
                            f"  expected label: {describe(expected)}",
                            f"  got:            {describe(np.asarray(mixed_labels[i]))}",
                        ],
                        mistake,
                        hint,
                    )
            if k < 8:
                _check_reproducible(
                    "cutmix_batch", cutmix_batch, (images, labels, alpha), seed, got
                )
        if count >= 3 and len(partner_lists) < 2:
            raise _failure(
                f"cutmix_batch over {draw_count} draws",
                [
                    "  expected: partners drawn afresh with rng.permutation(N)",
                    f"  got:      always {sorted(partner_lists)}: partners are not a random "
                    "permutation",
                ],
                lookup("cutmix_batch", "partners_rolled"),
            )
    batch = np.stack([np.full((1, *draws.IMAGE), float(n + 1)) for n in range(8)])

    def pasted(result):
        mixed = result[0] if isinstance(result, tuple) and len(result) == 2 else None
        if not isinstance(mixed, np.ndarray) or mixed.shape != batch.shape:
            return None
        boxes = [changed_box(batch[i], mixed[i])[0] for i in range(len(batch))]
        return next((box for box in boxes if box is not None), None)

    seen = _draws_observed(cutmix_batch, lambda alpha, rng: (batch, np.eye(8), alpha, rng), pasted)
    failure = _draws_failure(
        "cutmix_batch", seen, "cutmix_batch on 8 images 4 x 4 at alpha 0.2, 4 and 1"
    )
    if failure:
        raise failure


# --- The 25% patch -------------------------------------------------------------------------


def grade_label_mix_ratio(label_mix_ratio) -> None:
    """The share of image 1 that stays, against the reference's worked example."""
    expected = reference.worked_example()["label_mix_ratio"]
    if not _same_number(expected, label_mix_ratio):
        raise _failure(
            "label_mix_ratio",
            [f"  expected: {expected}", f"  got:      {label_mix_ratio!r}"],
            None,
            "the share of image 1's pixels that stay.",
        )
    passed("label_mix_ratio is right.")


def grade_mixed_label(mixed_label) -> None:
    """The mixed label of the worked example."""
    expected = reference.worked_example()["mixed_label"]
    if not _same_label(expected, mixed_label):
        raise _failure(
            "mixed_label",
            [f"  expected: {describe(expected)}", f"  got:      {mixed_label!r}"],
            None,
            "label1 keeps the share of its image that stays.",
        )
    passed("mixed_label is right.")


def grade_output_shape(output_shape) -> None:
    """The shape of the mixed image of the worked example."""
    expected = reference.worked_example()["output_shape"]
    try:
        got = tuple(int(v) for v in output_shape)
    except (TypeError, ValueError):
        got = None
    if got != tuple(expected):
        raise _failure("output_shape", [f"  expected: {expected}", f"  got:      {output_shape!r}"])
    passed("output_shape is right.")


# --- The reversed-ratio bug ------------------------------------------------------------------


# Wrong versions a learner's test must catch (modifying label1 in place is left out:
# its returned value is right, and catching it is beyond what the exercise asks).
WRONG_CUTMIX_LABELS_KEYS = (
    "reversed_ratio",
    "weights_not_summing_to_one",
    "label1_only",
    "half_and_half",
)


def grade_test_cutmix_labels(test_cutmix_labels: Callable) -> None:
    """The learner's test passes right functions and fails (AssertionError) every wrong one.

    The right functions are the ones the visible check lends (augcourse.checks), so a test
    the visible check passes is never failed here for judging a right function."""
    require_right_functions_pass(test_cutmix_labels)
    for mistake in mistakes_for("cutmix_labels"):
        if mistake.key not in WRONG_CUTMIX_LABELS_KEYS:
            continue
        recorded = RecordedCalls(mistake.implementation, mistake.key)
        try:
            call_quietly(test_cutmix_labels, recorded)
        except AssertionError:
            continue
        except Exception as error:
            raise _failure(
                "test_cutmix_labels(<a wrong cutmix_labels>)",
                ["  expected: AssertionError", f"  got:      {type(error).__name__}: {error}"],
                None,
                "call the function with numpy arrays and check its result with assert.",
            ) from None
        raise _failure(
            "test_cutmix_labels(<a wrong cutmix_labels>)",
            ["  expected: AssertionError", "  got:      your test passed it"],
            None,
            f"your test misses this wrong version: {mistake.explanation} "
            + missed_wrong_hint(recorded),
        )
    passed("your test passes correct functions and catches the wrong ones.")


@_grader("cutmix_labels")
def grade_cutmix_labels(cutmix_labels: Callable) -> None:
    """The fixed cutmix_labels against the reference."""
    cases = _label_cases(grading_rng(), batches=False)
    _grade_deterministic("cutmix_labels", cutmix_labels, cases, _same_label)


# --- Multiple choice ----------------------------------------------------------------------------


def grade_choice(question_id: str, answer) -> None:
    """A multiple-choice answer against the key; the explanation is shown either way."""
    take_deferred()  # the key decides; a visible complaint about the format is superseded
    key = ANSWERS[question_id]
    given = answer.strip().upper() if isinstance(answer, str) else answer
    if given != key.letter:
        raise CheckFailed(
            f"{question_id}: {given!r} is not the best answer; it is {key.letter!r}.\n{key.explanation}"
        )
    print(f"✓ {question_id}: right. {key.explanation}")
