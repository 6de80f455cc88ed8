"""Property tests of the reference implementation (autograder/exercises/reference.py).

Every property is a plain function `check_<what>(fn)` that raises AssertionError when
the implementation `fn` breaks it (hypothesis properties shrink to a counterexample
first). The same property code runs twice:

* against the reference function, which must pass every property of its function;
* against every wrong implementation in `autograder.exercises.mistakes.MISTAKES`, which must fail
  at least one property of the function it imitates ("each bug is shown to be caught").

Inputs cover non-square images, odd box sizes, centres on every border, uint8/float32/
float64 images and (N, C, H, W) batches. Hypothesis runs derandomized, so the suite is
reproducible.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from augcourse import draws
from autograder.exercises import mistakes, reference
from autograder.exercises.mistakes import MISTAKES as BANK
from autograder.exercises.mistakes import Mistake
from autograder.exercises.registry import learner_functions
from autograder.pipeline.course import ASSIGNMENT

Box = tuple[int, int, int, int]

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    report_multiple_bugs=False,
    phases=(Phase.explicit, Phase.generate, Phase.shrink),
    suppress_health_check=[HealthCheck.too_slow],
)
DTYPES = (np.uint8, np.float32, np.float64)
ALPHAS = (0.2, 0.5, 1.0, 2.0)
LEARNER_FUNCTIONS = tuple(learner_functions(ASSIGNMENT))
# The mistakes of notebooks 01-03 (notebook 04's paired_gain mistakes go through its own
# test cell in tests/test_mistake_keys.py and tests/test_experiment_checks.py).
MISTAKES = [m for m in BANK if m.function in learner_functions(ASSIGNMENT)]

# Properties of each learner function, by name: each takes the implementation to check.
CHECKS: dict[str, list[Callable[[Callable], None]]] = {}


def check(*functions: str):
    """Register a property as one of the checks of the named learner function(s)."""

    def register(prop: Callable[[Callable], None]) -> Callable[[Callable], None]:
        for function in functions:
            CHECKS.setdefault(function, []).append(prop)
        return prop

    return register


# --- Helpers (independent of the reference) -------------------------------------------------


def interval(centre: int, size: int, length: int) -> set[int]:
    """Indices that a size-long box centred on `centre` covers inside [0, length).

    The unclipped box starts at centre - size // 2 and is exactly `size` long; the
    clipped box is its intersection with the image.
    """
    start = centre - size // 2
    return set(range(start, start + size)) & set(range(length))


def clipped_box(height: int, width: int, cy: int, cx: int, box_h: int, box_w: int) -> Box:
    """The box docs/spec.md describes, computed here without the reference."""
    top, left = cy - box_h // 2, cx - box_w // 2
    return (max(top, 0), min(top + box_h, height), max(left, 0), min(left + box_w, width))


def box_mask(box: Box, height: int, width: int) -> np.ndarray:
    """(height, width) bool mask of a box."""
    top, bottom, left, right = box
    mask = np.zeros((height, width), dtype=bool)
    mask[top:bottom, left:right] = True
    return mask


def rectangle_of(mask: np.ndarray) -> Box | None:
    """The box that a (H, W) bool mask fills exactly, or None for an empty mask."""
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        return None
    box = (int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1)
    assert np.array_equal(mask, box_mask(box, *mask.shape)), (
        f"the changed pixels do not form one rectangle:\n{mask.astype(int)}"
    )
    return box


def make_image(shape: tuple[int, ...], dtype, seed: int, low: int = 1, high: int = 128):
    """Random integer-valued pixels in [low, high), exact in every dtype.

    Targets use [1, 128) and sources [128, 256): no pixel is 0 and no target pixel
    equals a source pixel, so zeroed and replaced pixels are visible.
    """
    return np.random.default_rng(seed).integers(low, high, size=shape).astype(dtype)


def soft_labels(shape: tuple[int, ...], seed: int) -> np.ndarray:
    """Random distinct soft labels (rows sum to 1), float64."""
    rng = np.random.default_rng(seed)
    return rng.dirichlet(np.ones(shape[-1]), size=shape[:-1])


@contextlib.contextmanager
def global_np_random(seed: int) -> Iterator[None]:
    """Seed the global np.random for a block, then restore its state.

    The legacy global state is used on purpose: results must not depend on it.
    """
    state = np.random.get_state()  # noqa: NPY002
    np.random.seed(seed)  # noqa: NPY002
    try:
        yield
    finally:
        np.random.set_state(state)  # noqa: NPY002


def mean_clipped_length(size: int, length: int) -> float:
    """Mean over all centres of the length a size-long centred box keeps after clipping."""
    return sum(len(interval(c, size, length)) for c in range(length)) / length


def expected_cutmix_share(height: int, width: int) -> float:
    """Exact mean share pasted by CutMix with alpha = 1 (lam uniform), centre uniform.

    s = sqrt(1 - lam) has P(s <= t) = t**2; the sides int(height * s), int(width * s)
    only change where height * s or width * s crosses an integer.
    """
    cuts = sorted({k / height for k in range(height + 1)} | {k / width for k in range(width + 1)})
    total = 0.0
    for low, high in zip(cuts, cuts[1:], strict=False):
        middle = (low + high) / 2
        rows = mean_clipped_length(int(height * middle), height)
        cols = mean_clipped_length(int(width * middle), width)
        total += (high**2 - low**2) * rows * cols / (height * width)
    return total


def assert_unchanged(name: str, value, original) -> None:
    np.testing.assert_array_equal(
        value, original, err_msg=f"{name} was modified in place: work on a copy"
    )


# --- Strategies -------------------------------------------------------------------------------


@st.composite
def geometries(draw, max_side: int = 12):
    """(height, width, cy, cx): any size, centres often on a border (0 or side - 1)."""
    height = draw(st.integers(1, max_side))
    width = draw(st.integers(1, max_side))
    cy = draw(st.one_of(st.sampled_from((0, height - 1)), st.integers(0, height - 1)))
    cx = draw(st.one_of(st.sampled_from((0, width - 1)), st.integers(0, width - 1)))
    return height, width, cy, cx


@st.composite
def valid_boxes(draw, height: int, width: int) -> Box:
    """Any box inside the image, empty or not (half-open, already clipped)."""
    top, bottom = sorted((draw(st.integers(0, height)), draw(st.integers(0, height))))
    left, right = sorted((draw(st.integers(0, width)), draw(st.integers(0, width))))
    return top, bottom, left, right


@st.composite
def image_specs(draw, max_channels: int = 3, max_side: int = 10):
    """(shape (C, H, W), dtype, seed)."""
    channels = draw(st.integers(1, max_channels))
    height = draw(st.integers(1, max_side))
    width = draw(st.integers(1, max_side))
    dtype = draw(st.sampled_from(DTYPES))
    seed = draw(st.integers(0, 2**16))
    return (channels, height, width), dtype, seed


@st.composite
def images_with_boxes(draw):
    shape, dtype, seed = draw(image_specs())
    box = draw(valid_boxes(shape[1], shape[2]))
    return shape, dtype, seed, box


seeds = st.integers(0, 2**32 - 1)
ratios = st.floats(0.0, 1.0)
label_sizes = st.integers(2, 6)


# --- centered_box -------------------------------------------------------------------------


@check("centered_box")
def check_centered_box_examples(centered_box):
    cases = {
        (32, 32, 16, 16, 16, 16): (8, 24, 8, 24),
        (32, 32, 0, 0, 16, 16): (0, 8, 0, 8),  # centre on the corner: clipped to 8 x 8
        (32, 32, 31, 31, 16, 16): (23, 32, 23, 32),
        (32, 32, 16, 16, 5, 5): (14, 19, 14, 19),  # odd size: exactly 5 wide
        (4, 10, 3, 8, 2, 6): (2, 4, 5, 10),  # non-square: rows follow the height
        (10, 4, 8, 3, 6, 2): (5, 10, 2, 4),  # ... and columns the width
    }
    for args, want in cases.items():
        got = tuple(centered_box(*args))
        assert got == want, f"centered_box{args} returned {got}, expected {want}"


@check("centered_box")
def check_centered_box_lies_inside_the_image(centered_box):
    @SETTINGS
    @given(geometries(), st.integers(0, 15), st.integers(0, 15))
    @example((32, 32, 0, 0), 16, 16)
    @example((7, 12, 6, 11), 9, 5)
    def run(geometry, box_h, box_w):
        height, width, cy, cx = geometry
        box = tuple(centered_box(height, width, cy, cx, box_h, box_w))
        assert len(box) == 4 and all(isinstance(v, int | np.integer) for v in box), box
        top, bottom, left, right = box
        assert 0 <= top <= bottom <= height and 0 <= left <= right <= width, (
            f"box {box} leaves the {height} x {width} image: clip it"
        )

    run()


@check("centered_box")
def check_centered_box_is_the_unclipped_box_cut_by_the_image(centered_box):
    @SETTINGS
    @given(geometries(), st.integers(0, 15), st.integers(0, 15))
    @example((32, 32, 0, 0), 16, 16)
    @example((5, 9, 4, 0), 3, 4)
    @example((9, 5, 0, 4), 4, 3)
    def run(geometry, box_h, box_w):
        height, width, cy, cx = geometry
        top, bottom, left, right = centered_box(height, width, cy, cx, box_h, box_w)
        want_rows, want_cols = interval(cy, box_h, height), interval(cx, box_w, width)
        assert set(range(top, bottom)) == want_rows, (
            f"rows {top}:{bottom}, expected the rows {sorted(want_rows)}"
        )
        assert set(range(left, right)) == want_cols, (
            f"columns {left}:{right}, expected the columns {sorted(want_cols)}"
        )

    run()


@st.composite
def unclipped_boxes(draw):
    """(height, width, cy, cx, box_h, box_w) where the box fits without clipping."""
    height = draw(st.integers(1, 40))
    width = draw(st.integers(1, 40))
    box_h = draw(st.integers(1, height))
    box_w = draw(st.integers(1, width))
    cy = draw(st.integers(box_h // 2, height - box_h + box_h // 2))
    cx = draw(st.integers(box_w // 2, width - box_w + box_w // 2))
    return height, width, cy, cx, box_h, box_w


@check("centered_box")
def check_centered_box_unclipped_is_exactly_the_size(centered_box):
    @SETTINGS
    @given(unclipped_boxes())
    @example((32, 32, 16, 16, 5, 7))
    @example((9, 20, 4, 3, 9, 7))
    def run(case):
        top, bottom, left, right = centered_box(*case)
        box_h, box_w = case[4:]
        assert (bottom - top, right - left) == (box_h, box_w), (
            f"centered_box{case}: the unclipped box is {bottom - top} x {right - left}, "
            f"expected exactly {box_h} x {box_w}"
        )

    run()


# --- apply_cutout --------------------------------------------------------------------------


@check("apply_cutout")
def check_apply_cutout_zeroes_exactly_the_box(apply_cutout):
    @SETTINGS
    @given(images_with_boxes())
    @example(((3, 5, 8), np.uint8, 0, (0, 2, 5, 8)))
    def run(case):
        shape, dtype, seed, box = case
        image = make_image(shape, dtype, seed)
        result = apply_cutout(image.copy(), box)
        assert result.shape == image.shape and result.dtype == image.dtype, (
            f"got {result.shape} {result.dtype}, expected {image.shape} {image.dtype}"
        )
        expected = np.where(box_mask(box, *shape[1:]), 0, image).astype(dtype)
        np.testing.assert_array_equal(
            result, expected, err_msg=f"box {box} should be 0 in every channel, the rest kept"
        )

    run()


@check("apply_cutout")
def check_apply_cutout_leaves_its_input_alone(apply_cutout):
    @SETTINGS
    @given(images_with_boxes())
    def run(case):
        shape, dtype, seed, box = case
        image = make_image(shape, dtype, seed)
        original = image.copy()
        apply_cutout(image, box)
        assert_unchanged("image", image, original)

    run()


# --- cutout ------------------------------------------------------------------------------------


@check("cutout")
def check_cutout_zeroes_one_square_centred_on_a_pixel(cutout):
    @SETTINGS
    @given(image_specs(), st.integers(0, 12), seeds)
    @example(((3, 32, 32), np.float32, 0), 16, 0)
    @example(((1, 4, 11), np.uint8, 1), 5, 3)
    def run(spec, size, seed):
        shape, dtype, image_seed = spec
        _, height, width = shape
        image = make_image(shape, dtype, image_seed)
        result = cutout(image.copy(), size, np.random.default_rng(seed))
        assert result.shape == image.shape and result.dtype == image.dtype, (
            f"got {result.shape} {result.dtype}, expected {image.shape} {image.dtype}"
        )
        box = rectangle_of((result == 0).any(axis=0))
        if size == 0:
            assert box is None, f"size 0 should cut nothing, but {box} was zeroed"
            box = (0, 0, 0, 0)
        possible = {
            clipped_box(height, width, cy, cx, size, size)
            for cy in range(height)
            for cx in range(width)
        }
        assert box in possible, (
            f"zeroed box {box} is not a {size} x {size} square centred on a pixel of the "
            f"{height} x {width} image"
        )
        expected = np.where(box_mask(box, height, width), 0, image).astype(dtype)
        np.testing.assert_array_equal(result, expected, err_msg="only the box may change")

    run()


@check("cutout")
def check_cutout_leaves_its_input_alone(cutout):
    @SETTINGS
    @given(image_specs(), st.integers(1, 12), seeds)
    def run(spec, size, seed):
        image = make_image(*spec)
        original = image.copy()
        cutout(image, size, np.random.default_rng(seed))
        assert_unchanged("image", image, original)

    run()


@check("cutout")
def check_cutout_same_seed_same_result_whatever_np_random(cutout):
    @SETTINGS
    @given(image_specs(), st.integers(1, 12), seeds)
    @example(((3, 32, 32), np.float64, 0), 16, 0)
    def run(spec, size, seed):
        image = make_image(*spec)
        with global_np_random(1):
            first = cutout(image.copy(), size, np.random.default_rng(seed))
        with global_np_random(2):
            second = cutout(image.copy(), size, np.random.default_rng(seed))
        np.testing.assert_array_equal(
            first,
            second,
            err_msg="the same rng seed gave different results: draw only from rng, "
            "not from the global np.random",
        )

    run()


@check("cutout")
def check_cutout_centre_reaches_every_pixel_and_border(cutout):
    rng = np.random.default_rng(0)
    for height, width, size in ((7, 11, 4), (11, 6, 5)):
        image = np.ones((1, height, width), dtype=np.float32)
        observed = {
            rectangle_of(cutout(image, size, rng)[0] == 0) for _ in range(40 * height * width)
        }
        possible = {
            clipped_box(height, width, cy, cx, size, size)
            for cy in range(height)
            for cx in range(width)
        }
        assert observed <= possible, f"boxes that no pixel centres: {observed - possible}"
        clipped = {
            "top": any(b[0] == 0 and b[1] - b[0] < size for b in observed),
            "bottom": any(b[1] == height and b[1] - b[0] < size for b in observed),
            "left": any(b[2] == 0 and b[3] - b[2] < size for b in observed),
            "right": any(b[3] == width and b[3] - b[2] < size for b in observed),
        }
        missing = [side for side, seen in clipped.items() if not seen]
        assert not missing, (
            f"on {height} x {width}, no box was ever clipped at the {missing} border: "
            "the centre must be drawn over every pixel"
        )
        assert observed == possible, "some centres are never drawn"


@check("cutout")
def check_cutout_average_masked_share(cutout):
    # 16 x 16 on 32 x 32: clipping at the borders makes the mean share (14/32)^2 ~ 0.19.
    expected = np.mean(
        [
            reference.patch_ratio(reference.centered_box(32, 32, cy, cx, 16, 16), 32, 32)
            for cy in range(32)
            for cx in range(32)
        ]
    )
    rng = np.random.default_rng(0)
    image = np.ones((1, 32, 32), dtype=np.float32)
    shares = [np.mean(cutout(image, 16, rng) == 0) for _ in range(2000)]
    assert abs(np.mean(shares) - expected) < 0.01, (
        f"mean masked share {np.mean(shares):.3f}, expected {expected:.3f} "
        "(0.25 would mean the square is never clipped)"
    )


# --- cutmix_box -------------------------------------------------------------------------------


@check("cutmix_box")
def check_cutmix_box_examples(cutmix_box):
    cases = {
        (32, 32, 0.75, 16, 16): (8, 24, 8, 24),  # the seed's 25% patch: 16 x 16
        (32, 32, 0.75, 0, 0): (0, 8, 0, 8),  # same lam on the corner: clipped
        (20, 40, 0.75, 10, 20): (5, 15, 10, 30),  # non-square: 10 x 20
        (32, 32, 0.0, 16, 16): (0, 32, 0, 32),
        (32, 32, 1.0, 16, 16): (16, 16, 16, 16),
    }
    for args, want in cases.items():
        got = tuple(cutmix_box(*args))
        assert got == want, f"cutmix_box{args} returned {got}, expected {want}"


@check("cutmix_box")
def check_cutmix_box_sides_follow_height_and_width(cutmix_box):
    @SETTINGS
    @given(geometries(max_side=40), ratios)
    @example((20, 40, 10, 20), 0.75)
    @example((13, 29, 0, 28), 0.3)
    def run(geometry, lam):
        height, width, cy, cx = geometry
        cut_h = int(height * math.sqrt(1 - lam))
        cut_w = int(width * math.sqrt(1 - lam))
        top, bottom, left, right = cutmix_box(height, width, lam, cy, cx)
        assert 0 <= top <= bottom <= height and 0 <= left <= right <= width, (
            f"box {(top, bottom, left, right)} leaves the {height} x {width} image"
        )
        assert set(range(top, bottom)) == interval(cy, cut_h, height), (
            f"rows {top}:{bottom}: expected int(height * sqrt(1 - lam)) = {cut_h} rows "
            f"centred on {cy}, clipped"
        )
        assert set(range(left, right)) == interval(cx, cut_w, width), (
            f"columns {left}:{right}: expected int(width * sqrt(1 - lam)) = {cut_w} columns "
            f"centred on {cx}, clipped"
        )

    run()


@check("cutmix_box")
def check_cutmix_box_covers_about_one_minus_lam(cutmix_box):
    @SETTINGS
    @given(st.integers(16, 64), st.integers(16, 64), ratios)
    def run(height, width, lam):
        top, bottom, left, right = cutmix_box(height, width, lam, height // 2, width // 2)
        share = (bottom - top) * (right - left) / (height * width)
        # int() truncation loses less than one row and one column.
        assert 1 - lam - (1 / height + 1 / width) <= share <= 1 - lam + 1e-9, (
            f"the box covers {share:.3f} of the image, expected about 1 - lam = {1 - lam:.3f}"
        )

    run()


# --- paste_patch ------------------------------------------------------------------------------


@check("paste_patch")
def check_paste_patch_takes_the_box_from_source(paste_patch):
    @SETTINGS
    @given(images_with_boxes())
    @example(((3, 6, 9), np.uint8, 0, (2, 5, 3, 9)))
    def run(case):
        shape, dtype, seed, box = case
        target = make_image(shape, dtype, seed)
        source = make_image(shape, dtype, seed + 1, low=128, high=256)
        result = paste_patch(target.copy(), source.copy(), box)
        assert result.shape == target.shape and result.dtype == target.dtype, (
            f"got {result.shape} {result.dtype}, expected {target.shape} {target.dtype}"
        )
        expected = np.where(box_mask(box, *shape[1:]), source, target)
        np.testing.assert_array_equal(
            result, expected, err_msg=f"expected source inside {box} and target elsewhere"
        )

    run()


@check("paste_patch")
def check_paste_patch_leaves_its_inputs_alone(paste_patch):
    @SETTINGS
    @given(images_with_boxes())
    def run(case):
        shape, dtype, seed, box = case
        target = make_image(shape, dtype, seed)
        source = make_image(shape, dtype, seed + 1, low=128, high=256)
        originals = target.copy(), source.copy()
        paste_patch(target, source, box)
        assert_unchanged("target", target, originals[0])
        assert_unchanged("source", source, originals[1])

    run()


# --- patch_ratio ------------------------------------------------------------------------------


@check("patch_ratio")
def check_patch_ratio_examples(patch_ratio):
    cases = {
        ((8, 24, 8, 24), 32, 32): 0.25,
        ((0, 8, 0, 8), 32, 32): 0.0625,
        ((0, 10, 0, 20), 20, 40): 0.25,
        ((3, 3, 0, 5), 6, 5): 0.0,
        ((0, 6, 0, 5), 6, 5): 1.0,
    }
    for args, want in cases.items():
        got = patch_ratio(*args)
        assert math.isclose(got, want), f"patch_ratio{args} returned {got}, expected {want}"


@check("patch_ratio")
def check_patch_ratio_is_the_covered_share(patch_ratio):
    @SETTINGS
    @given(st.integers(1, 20), st.integers(1, 20), st.data())
    def run(height, width, data):
        box = data.draw(valid_boxes(height, width))
        ratio = patch_ratio(box, height, width)
        want = box_mask(box, height, width).mean()
        assert isinstance(ratio, float | np.floating), f"got {type(ratio)}, expected a float"
        assert 0.0 <= ratio <= 1.0, f"patch_ratio {ratio} is not in [0, 1]"
        assert math.isclose(ratio, want, abs_tol=1e-12), (
            f"patch_ratio({box}, {height}, {width}) = {ratio}, but the box covers {want}"
        )

    run()


# --- mix_labels / cutmix_labels ------------------------------------------------------------


@check("mix_labels", "cutmix_labels")
def check_label_mixing_examples(mix):
    got = mix(np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0]), 0.3)
    np.testing.assert_allclose(
        got, [0.7, 0.3, 0.0], atol=1e-12, err_msg="label1 should keep 1 - patch_ratio"
    )
    got = mix(np.array([0.0, 1.0]), np.array([1.0, 0.0]), 0.25)
    np.testing.assert_allclose(got, [0.25, 0.75], atol=1e-12)


@check("mix_labels", "cutmix_labels")
def check_label_mixing_weights_follow_the_patch(mix):
    @SETTINGS
    @given(label_sizes, seeds, ratios, st.sampled_from((np.float32, np.float64)))
    def run(classes, seed, ratio, dtype):
        label1, label2 = soft_labels((2, classes), seed).astype(dtype)
        result = mix(label1.copy(), label2.copy(), ratio)
        assert np.shape(result) == (classes,), f"shape {np.shape(result)}, expected {classes}"
        assert math.isclose(float(np.sum(result)), 1.0, abs_tol=1e-5), (
            f"the mixed label sums to {np.sum(result)}, not 1"
        )
        np.testing.assert_allclose(
            result,
            (1 - ratio) * label1.astype(np.float64) + ratio * label2,
            atol=1e-6,
            err_msg=f"expected (1 - {ratio}) * label1 + {ratio} * label2",
        )

    run()


@check("mix_labels", "cutmix_labels")
def check_label_mixing_leaves_its_inputs_alone(mix):
    @SETTINGS
    @given(label_sizes, seeds, ratios)
    def run(classes, seed, ratio):
        label1, label2 = soft_labels((2, classes), seed)
        originals = label1.copy(), label2.copy()
        mix(label1, label2, ratio)
        assert_unchanged("label1", label1, originals[0])
        assert_unchanged("label2", label2, originals[1])

    run()


@check("mix_labels")
def check_mix_labels_mixes_batches_row_by_row(mix_labels):
    @SETTINGS
    @given(st.integers(1, 5), label_sizes, seeds, ratios)
    def run(count, classes, seed, ratio):
        labels1 = soft_labels((count, classes), seed)
        labels2 = soft_labels((count, classes), seed + 1)
        result = mix_labels(labels1.copy(), labels2.copy(), ratio)
        assert np.shape(result) == (count, classes)
        np.testing.assert_allclose(result, (1 - ratio) * labels1 + ratio * labels2, atol=1e-9)
        np.testing.assert_allclose(np.sum(result, axis=1), 1.0, atol=1e-9)

    run()


# --- cutmix ------------------------------------------------------------------------------------


@st.composite
def cutmix_cases(draw):
    shape, dtype, seed = draw(image_specs(max_side=12))
    classes = draw(label_sizes)
    alpha = draw(st.sampled_from(ALPHAS))
    rng_seed = draw(seeds)
    image1 = make_image(shape, dtype, seed)
    image2 = make_image(shape, dtype, seed + 1, low=128, high=256)
    label1, label2 = soft_labels((2, classes), seed)
    return image1, label1, image2, label2, alpha, rng_seed


def cutmix_example(shape, dtype, alpha, rng_seed):
    image1 = make_image(shape, dtype, 0)
    image2 = make_image(shape, dtype, 1, low=128, high=256)
    label1, label2 = np.eye(3)[:2]
    return image1, label1, image2, label2, alpha, rng_seed


@check("cutmix")
def check_cutmix_label_weight_is_the_share_really_pasted(cutmix):
    @SETTINGS
    @given(cutmix_cases())
    @example(cutmix_example((3, 32, 32), np.float32, 1.0, 0))
    @example(cutmix_example((2, 9, 20), np.uint8, 0.5, 1))
    def run(case):
        image1, label1, image2, label2, alpha, rng_seed = case
        image, label = cutmix(
            image1.copy(),
            label1.copy(),
            image2.copy(),
            label2.copy(),
            alpha,
            np.random.default_rng(rng_seed),
        )
        assert image.shape == image1.shape and image.dtype == image1.dtype, (
            f"got {image.shape} {image.dtype}, expected {image1.shape} {image1.dtype}"
        )
        assert np.shape(label) == label1.shape
        pasted = (image != image1).any(axis=0)
        rectangle_of(pasted)
        np.testing.assert_array_equal(
            image,
            np.where(pasted, image2, image1),
            err_msg="every changed pixel must come from image2 at the same place, all channels",
        )
        share = pasted.mean()
        np.testing.assert_allclose(
            label,
            (1 - share) * label1 + share * label2,
            atol=1e-6,
            err_msg=f"{share:.4f} of image1 was replaced: label2 should get that weight, "
            "label1 the rest",
        )
        assert math.isclose(float(np.sum(label)), 1.0, abs_tol=1e-6), "label does not sum to 1"

    run()


@check("cutmix")
def check_cutmix_leaves_its_inputs_alone(cutmix):
    @SETTINGS
    @given(cutmix_cases())
    def run(case):
        image1, label1, image2, label2, alpha, rng_seed = case
        originals = [array.copy() for array in (image1, label1, image2, label2)]
        cutmix(image1, label1, image2, label2, alpha, np.random.default_rng(rng_seed))
        for name, array, original in zip(
            ("image1", "label1", "image2", "label2"),
            (image1, label1, image2, label2),
            originals,
            strict=True,
        ):
            assert_unchanged(name, array, original)

    run()


@check("cutmix")
def check_cutmix_same_seed_same_result_whatever_np_random(cutmix):
    @SETTINGS
    @given(cutmix_cases())
    @example(cutmix_example((3, 32, 32), np.float64, 1.0, 0))
    def run(case):
        image1, label1, image2, label2, alpha, rng_seed = case
        results = []
        for global_seed in (1, 2):
            with global_np_random(global_seed):
                results.append(
                    cutmix(
                        image1.copy(),
                        label1.copy(),
                        image2.copy(),
                        label2.copy(),
                        alpha,
                        np.random.default_rng(rng_seed),
                    )
                )
        (image_a, label_a), (image_b, label_b) = results
        message = "the same rng seed gave different results: draw only from rng"
        np.testing.assert_array_equal(image_a, image_b, err_msg=message)
        np.testing.assert_array_equal(label_a, label_b, err_msg=message)

    run()


@check("cutmix")
def check_cutmix_average_pasted_share(cutmix):
    # With alpha = 1 and the centre over every pixel, clipping brings the mean pasted
    # share to about 0.30 (about 0.45 if the box is never clipped).
    rng = np.random.default_rng(0)
    for height, width in ((16, 16), (12, 20)):
        image1 = np.zeros((1, height, width), dtype=np.float32)
        image2 = np.ones_like(image1)
        label1, label2 = np.eye(2)
        shares = [np.mean(cutmix(image1, label1, image2, label2, 1.0, rng)[0]) for _ in range(3000)]
        expected = expected_cutmix_share(height, width)
        assert abs(np.mean(shares) - expected) < 0.02, (
            f"on {height} x {width} the mean pasted share is {np.mean(shares):.3f}, expected "
            f"{expected:.3f}: the centre must be drawn over every pixel and the box clipped"
        )


# --- cutmix_batch ------------------------------------------------------------------------------


def encoded_batch(count: int, channels: int, height: int, width: int, dtype) -> np.ndarray:
    """(N, C, H, W) whose every pixel encodes its image index and position.

    value = 1 + n + count * ((y * width + x) % 40): (value - 1) % count is the image
    index n, and values fit in uint8 for count <= 6.
    """
    n = np.arange(count)[:, None, None, None]
    position = np.arange(height * width).reshape(1, 1, height, width) % 40
    values = 1 + n + count * position
    return np.broadcast_to(values, (count, channels, height, width)).astype(dtype)


@st.composite
def batch_cases(draw):
    count = draw(st.integers(1, 6))
    channels = draw(st.integers(1, 3))
    height = draw(st.integers(1, 10))
    width = draw(st.integers(1, 10))
    dtype = draw(st.sampled_from(DTYPES))
    classes = draw(label_sizes)
    images = encoded_batch(count, channels, height, width, dtype)
    labels = soft_labels((count, classes), draw(st.integers(0, 2**16)))
    return images, labels, draw(st.sampled_from(ALPHAS)), draw(seeds)


def batch_example(count, height, width, dtype, rng_seed):
    images = encoded_batch(count, 3, height, width, dtype)
    return images, soft_labels((count, 4), 0), 1.0, rng_seed


@check("cutmix_batch")
def check_cutmix_batch_one_box_from_partners(cutmix_batch):
    @SETTINGS
    @given(batch_cases())
    @example(batch_example(4, 32, 32, np.float32, 0))
    @example(batch_example(6, 7, 13, np.uint8, 1))
    def run(case):
        images, labels, alpha, rng_seed = case
        count, channels, height, width = images.shape
        mixed, mixed_labels = cutmix_batch(
            images.copy(), labels.copy(), alpha, np.random.default_rng(rng_seed)
        )
        assert mixed.shape == images.shape and mixed.dtype == images.dtype, (
            f"got {mixed.shape} {mixed.dtype}, expected {images.shape} {images.dtype}"
        )
        assert np.shape(mixed_labels) == labels.shape
        # Which image each pixel came from; it must come from the same place.
        source = (mixed[:, 0].astype(np.int64) - 1) % count
        rows, cols = np.indices((height, width))
        for i in range(count):
            np.testing.assert_array_equal(
                mixed[i],
                images[source[i], :, rows, cols].transpose(2, 0, 1),
                err_msg=f"image {i} holds pixels that no input image has at that place",
            )
        partners, boxes = list(range(count)), set()
        for i in range(count):
            moved = source[i] != i
            if moved.any():
                boxes.add(rectangle_of(moved))
                donors = np.unique(source[i][moved])
                assert donors.size == 1, f"image {i} got pixels from images {donors}"
                partners[i] = int(donors[0])
        assert len(boxes) <= 1, f"the batch should share one box, got {sorted(boxes)}"
        assert sorted(partners) == list(range(count)), (
            f"partners {partners} are not a permutation of the batch"
        )
        box = boxes.pop() if boxes else (0, 0, 0, 0)
        share = box_mask(box, height, width).mean()
        np.testing.assert_allclose(
            mixed_labels,
            (1 - share) * labels + share * labels[partners],
            atol=1e-6,
            err_msg=f"image i got {share:.4f} of image perm[i] = {partners}: its label must "
            "be mixed with labels[perm[i]] by that share",
        )
        np.testing.assert_allclose(np.sum(mixed_labels, axis=1), 1.0, atol=1e-6)

    run()


@check("cutmix_batch")
def check_cutmix_batch_leaves_its_inputs_alone(cutmix_batch):
    @SETTINGS
    @given(batch_cases())
    def run(case):
        images, labels, alpha, rng_seed = case
        originals = images.copy(), labels.copy()
        cutmix_batch(images, labels, alpha, np.random.default_rng(rng_seed))
        assert_unchanged("images", images, originals[0])
        assert_unchanged("labels", labels, originals[1])

    run()


@check("cutmix_batch")
def check_cutmix_batch_same_seed_same_result_whatever_np_random(cutmix_batch):
    @SETTINGS
    @given(batch_cases())
    @example(batch_example(4, 16, 16, np.float64, 0))
    def run(case):
        images, labels, alpha, rng_seed = case
        results = []
        for global_seed in (1, 2):
            with global_np_random(global_seed):
                results.append(
                    cutmix_batch(
                        images.copy(), labels.copy(), alpha, np.random.default_rng(rng_seed)
                    )
                )
        (images_a, labels_a), (images_b, labels_b) = results
        message = "the same rng seed gave different results: draw only from rng"
        np.testing.assert_array_equal(images_a, images_b, err_msg=message)
        np.testing.assert_array_equal(labels_a, labels_b, err_msg=message)

    run()


# --- What any right CutMix draws (augcourse/draws.py) ----------------------------------------


def pasted_box(before: np.ndarray, after) -> tuple[int, int, int, int] | None:
    """The bounding box of the pixels that changed, over every channel; None if none did."""
    differs = (np.asarray(before) != np.asarray(after)).reshape(-1, *before.shape[-2:]).any(axis=0)
    if not differs.any():
        return None
    rows, columns = np.flatnonzero(differs.any(axis=1)), np.flatnonzero(differs.any(axis=0))
    return int(rows[0]), int(rows[-1]) + 1, int(columns[0]), int(columns[-1]) + 1


@check("cutmix")
def check_cutmix_lam_follows_beta_and_centre_reaches_every_pixel(cutmix):
    image1, image2 = np.zeros((1, *draws.IMAGE)), np.ones((1, *draws.IMAGE))
    label1, label2 = np.eye(2)

    def paste(alpha, seed):
        image, _ = cutmix(image1.copy(), label1, image2, label2, alpha, np.random.default_rng(seed))
        return pasted_box(image1, image)

    problem = draws.observe(paste).problem()
    assert problem is None, problem


BATCH = np.stack([np.full((1, *draws.IMAGE), float(n + 1)) for n in range(6)])


def batch_partners(cutmix_batch, alpha: float, seed: int):
    """(box, partners) of one call on BATCH, image n filled with n + 1; (None, None) if nothing
    was pasted."""
    images = BATCH.copy()  # a wrong cutmix_batch may write into its input
    mixed, _ = cutmix_batch(images, np.eye(len(BATCH)), alpha, np.random.default_rng(seed))
    boxes = [pasted_box(BATCH[i], mixed[i]) for i in range(len(BATCH))]
    box = next((b for b in boxes if b is not None), None)
    if box is None:
        return None, None
    return box, tuple(int(mixed[i, 0, box[0], box[2]]) - 1 for i in range(len(BATCH)))


@check("cutmix_batch")
def check_cutmix_batch_lam_follows_beta_and_centre_reaches_every_pixel(cutmix_batch):
    problem = draws.observe(lambda a, s: batch_partners(cutmix_batch, a, s)[0]).problem()
    assert problem is None, problem


@check("cutmix_batch")
def check_cutmix_batch_partners_change_from_draw_to_draw(cutmix_batch):
    seen = {batch_partners(cutmix_batch, 1.0, seed)[1] for seed in range(40)} - {None}
    assert len(seen) > 1, f"the same partners {seen} every draw: not a random permutation"


# --- The reference passes every property --------------------------------------------------


PROPERTIES = [(function, prop) for function, props in CHECKS.items() for prop in props]


def test_every_learner_function_has_properties():
    assert set(CHECKS) == set(LEARNER_FUNCTIONS)
    assert all(callable(getattr(reference, name, None)) for name in LEARNER_FUNCTIONS)
    assert {m.function for m in MISTAKES} <= set(CHECKS)


@pytest.mark.parametrize(
    ("function", "prop"), PROPERTIES, ids=[f"{f}-{p.__name__}" for f, p in PROPERTIES]
)
def test_reference_has_property(function, prop):
    prop(getattr(reference, function))


# --- Every known mistake breaks some property ----------------------------------------------


@pytest.mark.parametrize("mistake", MISTAKES, ids=[f"{m.function}-{m.key}" for m in MISTAKES])
def test_mistake_is_caught_by_a_property(mistake: Mistake):
    broken = []
    for prop in CHECKS[mistake.function]:
        try:
            prop(mistake.implementation)
        except AssertionError:
            broken.append(prop.__name__)
    assert broken, (
        f"no property of {mistake.function} fails for the mistake {mistake.key!r}: "
        f"{mistake.explanation}"
    )


# --- Fixed facts of the course ----------------------------------------------------------------


def test_cutout_mean_share_on_32x32_with_size_16_is_0_19_not_0_25():
    share = np.mean(
        [
            reference.patch_ratio(reference.centered_box(32, 32, cy, cx, 16, 16), 32, 32)
            for cy in range(32)
            for cx in range(32)
        ]
    )
    assert share == pytest.approx((14 / 32) ** 2)  # 0.1914...


def test_cutmix_label_follows_the_clipped_box_not_lam_near_a_border():
    # Replays the reference's own draws (lam, cy, cx) to know lam, then looks for a
    # box clipped by a border: the label weight is the pasted share, not 1 - lam.
    image1 = np.zeros((3, 32, 32))
    image2 = np.ones((3, 32, 32))
    label1, label2 = np.eye(3)[:2]
    for seed in range(100):
        rng = np.random.default_rng(seed)
        lam = rng.beta(1.0, 1.0)
        cy, cx = int(rng.integers(32)), int(rng.integers(32))
        image, label = reference.cutmix(
            image1, label1, image2, label2, 1.0, np.random.default_rng(seed)
        )
        box = reference.cutmix_box(32, 32, lam, cy, cx)
        share = image[0].mean()
        if abs(share - (1 - lam)) > 0.1:
            break
    else:
        pytest.fail("no seed gave a clipped box")
    cut = int(32 * math.sqrt(1 - lam))
    top, bottom, left, right = box
    assert (bottom - top, right - left) != (cut, cut), f"box {box} should be clipped"
    assert share == pytest.approx(reference.patch_ratio(box, 32, 32))
    assert label[1] == pytest.approx(share), "label2's weight is the share really pasted"
    assert label[1] != pytest.approx(1 - lam)
    assert label.sum() == pytest.approx(1.0)
    # The same lam with the centre in the middle is unclipped, so there 1 - lam is right
    # up to int() truncation.
    middle = reference.patch_ratio(reference.cutmix_box(32, 32, lam, 16, 16), 32, 32)
    assert middle == pytest.approx(1 - lam, abs=2 / 32)


def test_cutmix_box_on_the_corner_covers_a_quarter_of_what_lam_says():
    box = reference.cutmix_box(32, 32, 0.75, 0, 0)
    assert box == (0, 8, 0, 8)
    assert reference.patch_ratio(box, 32, 32) == 0.0625  # not 1 - lam = 0.25


def test_reversed_ratio_snippet_is_wrong_and_the_fix_is_right():
    label1, label2 = np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0])
    np.testing.assert_allclose(reference.cutmix_labels(label1, label2, 0.3), [0.7, 0.3, 0.0])
    buggy = mistakes.cutmix_labels_reversed_ratio(label1, label2, 0.3)
    np.testing.assert_allclose(buggy, [0.3, 0.7, 0.0])


def test_worked_example():
    result = reference.worked_example()
    assert result["label_mix_ratio"] == pytest.approx(0.75)
    np.testing.assert_allclose(result["mixed_label"], [0.75, 0.25, 0.0])
    assert tuple(result["output_shape"]) == (3, 32, 32)
