"""Tests for augcourse.training: the network, the course's Cutout and CutMix, the training loop.

The network's gradients are checked against central differences; the loss against its
definition; the augmentations pixel by pixel against the reference; the training loop for
reproducibility and for giving every method the same start.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from augcourse import dataset, training
from augcourse.checks import changed_box
from autograder.exercises import reference

TINY = training.Settings(n_train=60, epochs=3, batch_size=20)


@pytest.fixture(scope="module")
def split():
    return dataset.split_digits(*dataset.load_digits_images(), 300, np.random.default_rng(0))


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
    params = training.init_params(rng, channels=channels, hidden=hidden)
    for name in params:  # non-zero biases, so their gradients are tested in general position
        params[name] = params[name] + rng.normal(0, 0.1, size=params[name].shape)
    images = rng.normal(size=(4, 1, 8, 8))
    labels = rng.dirichlet(np.ones(10), size=4)  # soft labels, as CutMix makes them

    def loss(p):
        return training.cross_entropy(training.forward(p, images)[0], labels)[0]

    logits, cache = training.forward(params, images)
    _, dlogits = training.cross_entropy(logits, labels)
    grads = training.backward(params, cache, dlogits)
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
    params = training.init_params(rng, channels=4)
    params["conv_b"] = np.abs(params["conv_b"]) + 0.5  # background pixels: positive outputs
    images = split.train_images[:6].astype(np.float64)
    labels = split.train_labels[:6].astype(np.float64)
    conv = training.forward(params, images)[1]["conv"]
    relu = np.maximum(conv, 0.0)
    ties = (relu == relu.max(axis=1, keepdims=True)).sum(axis=1) > 1
    assert (ties & (relu.max(axis=1) > 0)).any(), "the test needs tied positive maxima"

    def loss(p):
        return training.cross_entropy(training.forward(p, images)[0], labels)[0]

    logits, cache = training.forward(params, images)
    grads = training.backward(params, cache, training.cross_entropy(logits, labels)[1])
    for name in params:
        error = rel_error(numerical_gradient(loss, params, name), grads[name])
        assert error < 1e-5, f"{name}: relative error {error:.2e}"


def test_init_params_shapes():
    params = training.init_params(np.random.default_rng(0), channels=16)
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
    loss, dlogits = training.cross_entropy(logits, labels)
    assert math.isclose(loss, usual, rel_tol=1e-12)
    softmax = np.exp(log_probs)
    np.testing.assert_allclose(dlogits, (softmax - labels) / 6, atol=1e-15)


def test_cross_entropy_gradient_and_linearity_in_the_label():
    rng = np.random.default_rng(3)
    logits = rng.normal(0, 2, size=(5, 10))
    label1 = np.eye(10)[rng.integers(10, size=5)]
    label2 = np.eye(10)[rng.integers(10, size=5)]
    mixed = 0.7 * label1 + 0.3 * label2
    loss, dlogits = training.cross_entropy(logits, mixed)
    # The CutMix paper's loss: lam * CE(label1) + (1 - lam) * CE(label2).
    parts = [training.cross_entropy(logits, label)[0] for label in (label1, label2)]
    assert math.isclose(loss, 0.7 * parts[0] + 0.3 * parts[1], rel_tol=1e-12)
    numerical = numerical_gradient(
        lambda p: training.cross_entropy(p["logits"], mixed)[0], {"logits": logits}, "logits"
    )
    assert rel_error(numerical, dlogits) < 1e-7


def test_cross_entropy_is_stable_for_large_logits():
    logits = np.array([[1000.0, 0.0, -1000.0]])
    loss, dlogits = training.cross_entropy(logits, np.array([[0.0, 1.0, 0.0]]))
    assert math.isclose(loss, 1000.0) and np.isfinite(dlogits).all()


# --- augmentations ---------------------------------------------------------------------------


def test_cutout_images_zeroes_one_clipped_square_per_image_as_the_reference_does():
    rng = np.random.default_rng(7)
    images = rng.uniform(1, 2, size=(40, 2, 6, 9))  # non-square, no zeros
    original = images.copy()
    result = training.cutout_images(images, 4, np.random.default_rng(8))
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
        got = training.cutmix_images(images, labels, 1.0, np.random.default_rng(seed))
        expected = reference.cutmix_batch(images, labels, 1.0, np.random.default_rng(seed))
        np.testing.assert_array_equal(got[0], expected[0])
        np.testing.assert_allclose(got[1], expected[1], rtol=1e-6)
        assert got[0].dtype == np.float32


# --- training ------------------------------------------------------------------------------------


def test_training_is_reproducible(split):
    a = training.train(split, None, seed=3, settings=TINY)
    b = training.train(split, None, seed=3, settings=TINY)
    c = training.train(split, None, seed=4, settings=TINY)
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

    start = training.Settings(epochs=0)
    for augment in (None, recorder("x", 0), training.cutout_images):
        initial = training.train(split, augment, seed=11, settings=start)
        for name, value in training.train(split, None, seed=11, settings=start).items():
            np.testing.assert_array_equal(initial[name], value)
    # An augmentation that changes nothing gives exactly the baseline: its draws come from
    # their own stream and move neither the batch order nor anything else.
    baseline = training.train(split, None, seed=11, settings=TINY)
    for name, draws in (("few", 1), ("many", 500)):
        params = training.train(split, recorder(name, draws), seed=11, settings=TINY)
        for key in params:
            np.testing.assert_array_equal(params[key], baseline[key])
    assert len(seen["few"]) == len(seen["many"]) == 45  # 3 epochs of 300 images, 20 a batch
    for a, b in zip(seen["few"], seen["many"], strict=True):
        np.testing.assert_array_equal(a, b)


def test_short_training_beats_chance_by_a_wide_margin(split):
    params = training.train(split, None, seed=0, settings=training.Settings(epochs=15))
    assert training.accuracy(params, split.test_images, split.test_labels) > 0.8
