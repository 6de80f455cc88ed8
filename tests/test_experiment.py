"""Tests for augcourse.experiment (the training code of notebook 4) and its checks.

The network's gradients are checked against central differences; the training loop for
reproducibility and for giving every method the same start; the augmentations and the
occluders pixel by pixel; and the graders of notebook 4 on right and wrong answers.
"""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")  # before pyplot is imported (also by augcourse.experiment)

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from augcourse import experiment  # noqa: E402
from augcourse.checks import changed_box  # noqa: E402
from augcourse.experiment_checks import (  # noqa: E402
    EXAMPLE_GAINS,
    EXAMPLE_RESULTS,
    check_method_name,
    check_paired_gain,
)
from autograder.checks.experiment import (  # noqa: E402
    grade_best_method,
    grade_paired_gain,
    reference_paired_gain,
)
from autograder.exercises import reference  # noqa: E402

TINY = experiment.Settings(n_train=60, epochs=3, batch_size=20)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def digits():
    return experiment.load_digits_images()


@pytest.fixture(scope="module")
def split(digits):
    return experiment.split_digits(*digits, 300, np.random.default_rng(0))


# --- gradients ---------------------------------------------------------------------------


def numerical_gradient(loss, params: dict, name: str, eps: float = 1e-6) -> np.ndarray:
    """Central differences of loss(params) with respect to params[name], entry by entry."""
    grad = np.zeros_like(params[name])
    for index in np.ndindex(grad.shape):
        original = params[name][index]
        params[name][index] = original + eps
        plus = loss(params)
        params[name][index] = original - eps
        minus = loss(params)
        params[name][index] = original
        grad[index] = (plus - minus) / (2 * eps)
    return grad


def rel_error(numerical: np.ndarray, analytic: np.ndarray) -> float:
    """Largest absolute difference over the largest gradient entry."""
    scale = max(np.abs(numerical).max(), np.abs(analytic).max(), 1e-12)
    return float(np.abs(numerical - analytic).max() / scale)


@pytest.mark.parametrize(
    ("channels", "hidden"),
    [(3, 0), (2, 5), (0, 0), (0, 6)],
    ids=["conv", "conv+hidden", "softmax-regression", "mlp"],
)
def test_backward_matches_central_differences_for_every_parameter(channels, hidden):
    rng = np.random.default_rng(1)
    params = experiment.init_params(rng, channels=channels, hidden=hidden)
    for name in params:  # non-zero biases, so their gradients are tested in general position
        params[name] = params[name] + rng.normal(0, 0.1, size=params[name].shape)
    images = rng.normal(size=(4, 1, 8, 8))
    labels = rng.dirichlet(np.ones(10), size=4)  # soft labels, as CutMix makes them

    def loss(p):
        return experiment.cross_entropy(experiment.forward(p, images)[0], labels)[0]

    logits, cache = experiment.forward(params, images)
    _, dlogits = experiment.cross_entropy(logits, labels)
    grads = experiment.backward(params, cache, dlogits)
    assert grads.keys() == params.keys()
    for name in params:
        assert grads[name].shape == params[name].shape, name
        error = rel_error(numerical_gradient(loss, params, name), grads[name])
        assert error < 1e-5, f"{name}: relative error {error:.2e}"


def test_backward_on_real_digits_gives_a_tied_max_its_gradient_once(split):
    """Digits have flat background: in a 2 x 2 block the conv outputs are often exactly equal.

    Max pooling then has a tie, and the gradient must go to one pixel of the block, not to
    each (which would count it up to four times).
    """
    rng = np.random.default_rng(4)
    params = experiment.init_params(rng, channels=4)
    params["conv_b"] = np.abs(params["conv_b"]) + 0.5  # background pixels: positive outputs
    images = split.train_images[:6].astype(np.float64)
    labels = split.train_labels[:6].astype(np.float64)
    conv = experiment.forward(params, images)[1]["conv"]
    relu = np.maximum(conv, 0.0)
    ties = (relu == relu.max(axis=1, keepdims=True)).sum(axis=1) > 1
    assert (ties & (relu.max(axis=1) > 0)).any(), "the test needs tied positive maxima"

    def loss(p):
        return experiment.cross_entropy(experiment.forward(p, images)[0], labels)[0]

    logits, cache = experiment.forward(params, images)
    grads = experiment.backward(params, cache, experiment.cross_entropy(logits, labels)[1])
    for name in params:
        error = rel_error(numerical_gradient(loss, params, name), grads[name])
        assert error < 1e-5, f"{name}: relative error {error:.2e}"


def test_init_params_shapes():
    params = experiment.init_params(np.random.default_rng(0), channels=16)
    assert {k: v.shape for k, v in params.items()} == {
        "conv_w": (9, 16),
        "conv_b": (16,),
        "out_w": (256, 10),
        "out_b": (10,),
    }


# --- the loss -------------------------------------------------------------------------------


def test_cross_entropy_with_one_hot_labels_is_the_usual_one():
    rng = np.random.default_rng(2)
    logits = rng.normal(0, 3, size=(6, 10))
    classes = rng.integers(10, size=6)
    labels = np.eye(10)[classes]
    log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    usual = -log_probs[np.arange(6), classes].mean()
    loss, dlogits = experiment.cross_entropy(logits, labels)
    assert math.isclose(loss, usual, rel_tol=1e-12)
    softmax = np.exp(log_probs)
    np.testing.assert_allclose(dlogits, (softmax - labels) / 6, atol=1e-15)


def test_cross_entropy_gradient_and_linearity_in_the_label():
    rng = np.random.default_rng(3)
    logits = rng.normal(0, 2, size=(5, 10))
    label1 = np.eye(10)[rng.integers(10, size=5)]
    label2 = np.eye(10)[rng.integers(10, size=5)]
    mixed = 0.7 * label1 + 0.3 * label2
    loss, dlogits = experiment.cross_entropy(logits, mixed)
    # The CutMix paper's loss: lam * CE(label1) + (1 - lam) * CE(label2).
    parts = [experiment.cross_entropy(logits, label)[0] for label in (label1, label2)]
    assert math.isclose(loss, 0.7 * parts[0] + 0.3 * parts[1], rel_tol=1e-12)
    numerical = numerical_gradient(
        lambda p: experiment.cross_entropy(p["logits"], mixed)[0], {"logits": logits}, "logits"
    )
    assert rel_error(numerical, dlogits) < 1e-7


def test_cross_entropy_is_stable_for_large_logits():
    logits = np.array([[1000.0, 0.0, -1000.0]])
    loss, dlogits = experiment.cross_entropy(logits, np.array([[0.0, 1.0, 0.0]]))
    assert math.isclose(loss, 1000.0) and np.isfinite(dlogits).all()


# --- data --------------------------------------------------------------------------------------


def test_digits_are_images_in_0_1_with_one_hot_labels(digits):
    images, labels = digits
    assert images.shape == (1797, 1, 8, 8) and images.dtype == np.float64
    assert images.min() == 0.0 and images.max() == 1.0
    assert labels.shape == (1797, 10)
    np.testing.assert_array_equal(labels.sum(axis=1), 1.0)


def test_split_is_seeded_normalised_and_knows_its_fills(digits):
    a = experiment.split_digits(*digits, 300, np.random.default_rng(5))
    b = experiment.split_digits(*digits, 300, np.random.default_rng(5))
    c = experiment.split_digits(*digits, 300, np.random.default_rng(6))
    np.testing.assert_array_equal(a.train_images, b.train_images)
    assert not np.array_equal(a.train_images, c.train_images)
    assert a.train_images.shape == (300, 1, 8, 8) and a.test_images.shape == (1497, 1, 8, 8)
    assert abs(a.train_images.mean()) < 1e-5 and abs(a.train_images.std() - 1) < 1e-5
    assert a.fill("grey") == 0.0
    assert math.isclose(a.fill("erase"), -a.mean / a.std, rel_tol=1e-12)
    assert math.isclose(a.fill("ink"), (1 - a.mean) / a.std, rel_tol=1e-12)
    np.testing.assert_allclose(a.raw(a.test_images).min(), 0.0, atol=1e-6)
    with pytest.raises(ValueError, match="occluder"):
        a.fill("black")


# --- augmentations ---------------------------------------------------------------------------


def test_cutout_images_zeroes_one_clipped_square_per_image_as_the_reference_does():
    rng = np.random.default_rng(7)
    images = rng.uniform(1, 2, size=(40, 2, 6, 9))  # non-square, no zeros
    original = images.copy()
    result = experiment.cutout_images(images, 4, np.random.default_rng(8))
    np.testing.assert_array_equal(images, original)
    draws = np.random.default_rng(8)
    cy, cx = draws.integers(6, size=40), draws.integers(9, size=40)
    for n in range(40):
        box = reference.centered_box(6, 9, int(cy[n]), int(cx[n]), 4, 4)
        np.testing.assert_array_equal(result[n], reference.apply_cutout(images[n], box))
        assert changed_box(images[n], result[n]) == (box, None)
    assert result.dtype == images.dtype


def test_cutmix_images_equals_the_reference_cutmix_batch_draw_for_draw():
    rng = np.random.default_rng(9)
    images = rng.normal(size=(12, 1, 5, 7)).astype(np.float32)
    labels = np.eye(10, dtype=np.float32)[rng.integers(10, size=12)]
    for seed in range(30):
        got = experiment.cutmix_images(images, labels, 1.0, np.random.default_rng(seed))
        expected = reference.cutmix_batch(images, labels, 1.0, np.random.default_rng(seed))
        np.testing.assert_array_equal(got[0], expected[0])
        np.testing.assert_allclose(got[1], expected[1], rtol=1e-6)
        assert got[0].dtype == np.float32


# --- training ------------------------------------------------------------------------------------


def test_training_is_reproducible(split):
    a = experiment.train(split, None, seed=3, settings=TINY)
    b = experiment.train(split, None, seed=3, settings=TINY)
    c = experiment.train(split, None, seed=4, settings=TINY)
    for name in a:
        np.testing.assert_array_equal(a[name], b[name])
    assert not np.array_equal(a["out_w"], c["out_w"])


def test_same_seed_same_initial_weights_and_batch_order_whatever_the_augmentation(split):
    seen = {}

    def recorder(name, draws):
        def augment(images, labels, rng):
            seen.setdefault(name, []).append(images.copy())
            rng.random(draws)  # use the augmentation's stream, differently per method
            return images, labels

        return augment

    start = experiment.Settings(epochs=0)
    for augment in (None, recorder("x", 0), experiment.cutout_images):
        initial = experiment.train(split, augment, seed=11, settings=start)
        for name, value in experiment.train(split, None, seed=11, settings=start).items():
            np.testing.assert_array_equal(initial[name], value)
    # An augmentation that changes nothing gives exactly the baseline: its draws come from
    # their own stream and move neither the batch order nor anything else.
    baseline = experiment.train(split, None, seed=11, settings=TINY)
    for name, draws in (("few", 1), ("many", 500)):
        params = experiment.train(split, recorder(name, draws), seed=11, settings=TINY)
        for key in params:
            np.testing.assert_array_equal(params[key], baseline[key])
    assert len(seen["few"]) == len(seen["many"]) == 45  # 3 epochs of 300 images, 20 a batch
    for a, b in zip(seen["few"], seen["many"], strict=True):
        np.testing.assert_array_equal(a, b)


def test_short_training_beats_chance_by_a_wide_margin(split):
    params = experiment.train(split, None, seed=0, settings=experiment.Settings(epochs=15))
    assert experiment.accuracy(params, split.test_images, split.test_labels) > 0.8


# --- occlusion -----------------------------------------------------------------------------------


def test_occlusion_boxes_are_whole_squares_inside_the_image():
    boxes = experiment.occlusion_boxes(2000, 6, 9, 4, np.random.default_rng(0))
    assert boxes.shape == (2000, 4)
    top, bottom, left, right = boxes.T
    assert (bottom - top == 4).all() and (right - left == 4).all()
    assert top.min() == 0 and bottom.max() == 6 and left.min() == 0 and right.max() == 9
    assert experiment.occlusion_boxes(3, 8, 8, 0, np.random.default_rng(0)).shape == (3, 4)
    with pytest.raises(ValueError):
        experiment.occlusion_boxes(3, 8, 8, 9, np.random.default_rng(0))


@pytest.mark.parametrize("fill", [0.0, -0.8, 2.5])
def test_occlude_changes_exactly_the_square_with_the_fill(fill):
    rng = np.random.default_rng(1)
    images = rng.uniform(5, 6, size=(30, 1, 6, 9))
    original = images.copy()
    boxes = experiment.occlusion_boxes(30, 6, 9, 3, rng)
    result = experiment.occlude(images, boxes, fill)
    np.testing.assert_array_equal(images, original)
    for n, (top, bottom, left, right) in enumerate(boxes):
        assert changed_box(images[n], result[n]) == ((top, bottom, left, right), None)
        assert (result[n, :, top:bottom, left:right] == fill).all()


# --- the experiment ------------------------------------------------------------------------------


def test_run_experiment_returns_one_row_per_method_seed_and_condition(capsys):
    methods = {
        "baseline": None,
        "cutout": lambda x, y, rng: (experiment.cutout_images(x, 4, rng), y),
    }
    results = experiment.run_experiment(
        methods, seeds=[4, 9], settings=TINY, sizes=(2, 4), occluders=("grey", "ink")
    )
    assert len(results) == 2 * 2 * (1 + 2 * 2)
    assert all(row.keys() == {"method", "seed", "occluder", "size", "accuracy"} for row in results)
    assert {(r["occluder"], r["size"]) for r in results} == {
        ("none", 0),
        ("grey", 2),
        ("grey", 4),
        ("ink", 2),
        ("ink", 4),
    }
    assert all(0.0 <= r["accuracy"] <= 1.0 for r in results)
    assert "4/4 runs" in capsys.readouterr().out
    again = experiment.run_experiment(
        methods, [4, 9], TINY, sizes=(2, 4), occluders=("grey", "ink"), progress=False
    )
    assert again == results and capsys.readouterr().out == ""
    table = experiment.summary_table(results, [("none", 0), ("ink", 4)])
    assert "baseline" in table and "ink 4x4" in table and "±" in table
    assert len(experiment.plot_occlusion_curves(results).axes) == 2
    assert len(experiment.plot_per_seed(results).axes) == 2


def test_show_training_batches_outlines_the_pasted_patches(split):
    cutmix = {"cutmix": lambda x, y, rng: experiment.cutmix_images(x, y, 1.0, rng)}
    fig = experiment.show_training_batches(split, {"baseline": None, **cutmix}, count=6, seed=2)
    assert len(fig.axes) == 12
    assert not fig.axes[0].patches  # no outline on the untouched images
    assert any(ax.patches for ax in fig.axes[6:])


def test_label_text():
    assert experiment.label_text(np.eye(10)[7]) == "7"
    assert experiment.label_text(0.75 * np.eye(10)[3] + 0.25 * np.eye(10)[6]) == "3 .75 / 6 .25"


# --- the graded exercises of notebook 4 --------------------------------------------------------


def paired_gain_loops(results, method, baseline, occluder, size):
    """A correct paired_gain in another style: plain loops, statistics by hand."""
    base = {}
    for row in results:
        if (row["method"], row["occluder"], row["size"]) == (baseline, occluder, size):
            base[row["seed"]] = row["accuracy"]
    differences = [
        row["accuracy"] - base[row["seed"]]
        for row in results
        if (row["method"], row["occluder"], row["size"]) == (method, occluder, size)
    ]
    mean = sum(differences) / len(differences)
    variance = sum((d - mean) ** 2 for d in differences) / (len(differences) - 1)
    return mean, variance**0.5, sum(d > 0 for d in differences)


@pytest.mark.parametrize("seed", ["21", "22", "23"])
@pytest.mark.parametrize("fn", [reference_paired_gain, paired_gain_loops])
def test_correct_paired_gain_passes(fn, seed, monkeypatch, capsys):
    monkeypatch.setenv("COURSE_GRADING_SEED", seed)
    check_paired_gain(fn)
    grade_paired_gain(fn)
    assert capsys.readouterr().out.count("✓") == 2


def _population_std(results, method, baseline, occluder, size):
    mean, std, wins = reference_paired_gain(results, method, baseline, occluder, size)
    n = len({r["seed"] for r in results})
    return mean, std * math.sqrt((n - 1) / n), wins


def _ties_win(results, method, baseline, occluder, size):
    ours = {
        r["seed"]: r["accuracy"]
        for r in results
        if (r["method"], r["occluder"], r["size"]) == (method, occluder, size)
    }
    theirs = {
        r["seed"]: r["accuracy"]
        for r in results
        if (r["method"], r["occluder"], r["size"]) == (baseline, occluder, size)
    }
    d = np.array([ours[s] - theirs[s] for s in theirs])
    return float(d.mean()), float(d.std(ddof=1)), int((d >= 0).sum())


def _unpaired(results, method, baseline, occluder, size):
    ours = [
        r["accuracy"]
        for r in results
        if (r["method"], r["occluder"], r["size"]) == (method, occluder, size)
    ]
    theirs = [
        r["accuracy"]
        for r in results
        if (r["method"], r["occluder"], r["size"]) == (baseline, occluder, size)
    ]
    d = np.array(ours) - np.array(theirs)
    return float(d.mean()), float(d.std(ddof=1)), int((d > 0).sum())


def _standard_error(results, method, baseline, occluder, size):
    mean, std, wins = reference_paired_gain(results, method, baseline, occluder, size)
    return mean, std / math.sqrt(len({r["seed"] for r in results})), wins


def _share_of_wins(results, method, baseline, occluder, size):
    mean, std, wins = reference_paired_gain(results, method, baseline, occluder, size)
    return mean, std, wins / len({r["seed"] for r in results})


def _unpaired_std(results, method, baseline, occluder, size):
    mean, _, wins = reference_paired_gain(results, method, baseline, occluder, size)
    spread = [
        np.std(
            [r["accuracy"] for r in results if (r["method"], r["occluder"], r["size"]) == key],
            ddof=1,
        )
        for key in ((method, occluder, size), (baseline, occluder, size))
    ]
    return mean, math.hypot(*spread), wins


def _clean_only(results, method, baseline, occluder, size):
    return reference_paired_gain(results, method, baseline, "none", 0)


def _any_size(results, method, baseline, occluder, size):
    """Filters the occluder but not the size: a later row of a seed overwrites an earlier."""
    ours = {
        r["seed"]: r["accuracy"]
        for r in results
        if (r["method"], r["occluder"]) == (method, occluder)
    }
    theirs = {
        r["seed"]: r["accuracy"]
        for r in results
        if (r["method"], r["occluder"]) == (baseline, occluder)
    }
    d = np.array([ours[s] - theirs[s] for s in theirs])
    return float(d.mean()), float(d.std(ddof=1)), int((d > 0).sum())


def _sorts_in_place(results, method, baseline, occluder, size):
    results.sort(key=lambda r: r["seed"])
    return reference_paired_gain(results, method, baseline, occluder, size)


@pytest.mark.parametrize(
    ("wrong", "message", "visible_too"),
    [
        (_population_std, "ddof=1", True),
        (_ties_win, "not a win", True),
        (_unpaired, "pair", True),
        (_standard_error, "standard error", True),
        (_share_of_wins, "count of seeds", False),
        (_unpaired_std, "spread that the seeds share", False),
        (_clean_only, "expected", True),
        (_sorts_in_place, "modified|reordered", True),
        (_any_size, "size", True),
    ],
)
def test_wrong_paired_gain_fails_with_the_likely_mistake(wrong, message, visible_too, monkeypatch):
    monkeypatch.setenv("COURSE_GRADING_SEED", "5")
    with pytest.raises(AssertionError, match=message):
        grade_paired_gain(wrong)
    if visible_too:
        with pytest.raises(AssertionError, match=message):
            check_paired_gain(wrong)


def test_reversed_paired_gain_is_named(monkeypatch):
    monkeypatch.setenv("COURSE_GRADING_SEED", "5")

    def reversed_gain(*args):
        mean, std, wins = reference_paired_gain(*args)
        ours = reference_paired_gain(args[0], args[2], args[1], *args[3:])
        return -mean, std, ours[2]

    with pytest.raises(AssertionError, match="reversed"):
        grade_paired_gain(reversed_gain)
    with pytest.raises(AssertionError, match="reversed"):
        check_paired_gain(reversed_gain)


def test_visible_check_of_paired_gain_reports_the_example_values():
    for (occluder, size), expected in EXAMPLE_GAINS.items():
        mean, std, wins = reference_paired_gain(
            EXAMPLE_RESULTS, "cutmix", "baseline", occluder, size
        )
        assert math.isclose(mean, expected[0], abs_tol=1e-12) and wins == expected[2]
        assert math.isclose(std, expected[1], rel_tol=1e-9)


def test_best_method_is_graded_against_the_learners_own_table(capsys):
    results = [
        {"method": m, "seed": s, "occluder": "grey", "size": 4, "accuracy": a + 0.001 * s}
        for m, a in (("baseline", 0.70), ("cutout", 0.88), ("cutmix", 0.80), ("both", 0.877))
        for s in range(3)
    ]
    check_method_name("cutout", results)
    grade_best_method("cutout", results, "grey", 4)
    grade_best_method(" both ", results, "grey", 4)  # within the tie tolerance of the best
    out = capsys.readouterr().out
    assert out.count("✓") == 2 and out.startswith("• answer 'cutout' recorded; judged when graded")
    with pytest.raises(AssertionError, match="not the most accurate"):
        grade_best_method("cutmix", results, "grey", 4)
    grade_best_method("Cutout", results, "grey", 4)  # names are not case-sensitive
    with pytest.raises(AssertionError, match="not one of"):
        grade_best_method("Cutout!", results, "grey", 4)
    with pytest.raises(AssertionError, match="one of the method names"):
        check_method_name("mixup", results)
    with pytest.raises(AssertionError, match="Rerun"):
        grade_best_method("cutout", {"cutout": 0.9}, "grey", 4)
    with pytest.raises(AssertionError, match="no rows"):
        grade_best_method("cutout", results, "erase", 4)
    grade_best_method("cutmix", results, "grey", 4, among=["baseline", "cutmix"])
