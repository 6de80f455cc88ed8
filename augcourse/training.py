"""Train the network of notebook 4, with or without the course's own Cutout and CutMix.

Everything a training run needs, in plain NumPy, so that notebook 4 can train the same
network with and without each augmentation on a laptop CPU in about a minute:

- the augmentations: `cutout_images` (Cutout on every image) and `cutmix_images` (CutMix on a
  batch, as the paper's training loop does), the course's own correct implementations;
- the model: `init_params`, `forward`, `backward` (a 3 x 3 convolution, ReLU, 2 x 2 max
  pooling and a dense layer), `cross_entropy` with soft labels, `predict` and `accuracy`;
- the training loop: `Settings`, `seed_streams` (one generator per source of randomness)
  and `train` (Adam).

This module holds the only correct Cutout and CutMix that learners receive, so it belongs
to notebook 4 alone: nothing that notebooks 1 to 3 import may import it
(tests/test_training_isolation.py).

Conventions (those of the course):
    image:  (C, H, W) float array; images: (N, C, H, W). Here C = 1, H = W = 8.
    label:  (K,) float class weights, one-hot or soft; labels: (N, K). Here K = 10.
    rng:    numpy.random.Generator, the only source of randomness.
    params: dict of float arrays, the network's weights (see `init_params`).

Functions return new arrays and never modify their arguments.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from augcourse.boxes import box_masks
from augcourse.dataset import NUM_CLASSES, Split

Augment = Callable[[np.ndarray, np.ndarray, np.random.Generator], tuple[np.ndarray, np.ndarray]]
"""An augmentation: augment(images, labels, rng) -> (images, labels), same shapes."""


# --- augmentations -----------------------------------------------------------------------


def _clipped_sides(centre: np.ndarray, size: int, upper: int) -> tuple[np.ndarray, np.ndarray]:
    """Start and end of a side of `size` pixels centred on `centre`, clipped to [0, upper]."""
    start = centre - size // 2
    # np.minimum and np.maximum: np.clip is several times slower on small arrays.
    return np.minimum(np.maximum(start, 0), upper), np.minimum(np.maximum(start + size, 0), upper)


def cutout_images(images: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    """Cutout on every image of a batch: each gets its own square of zeros.

    As the course's `cutout` (notebook 1): the centre (cy, cx) of each image's square is
    drawn uniformly over all pixels, and the size x size square around it is clipped at the
    border; 0 is the mean grey of normalised images.

    Args:
        images: (N, C, H, W); not modified.
        size: side of the square in pixels (int >= 0).
        rng: draws the N centres (first all rows, then all columns).

    Returns:
        A new (N, C, H, W) array of the input's dtype.
    """
    images = np.asarray(images)
    count, height, width = len(images), images.shape[-2], images.shape[-1]
    cy = rng.integers(height, size=count)
    cx = rng.integers(width, size=count)
    tops, bottoms = _clipped_sides(cy, size, height)
    lefts, rights = _clipped_sides(cx, size, width)
    inside = box_masks(tops, bottoms, lefts, rights, height, width)
    return np.where(inside, np.zeros((), images.dtype), images)


def cutmix_images(
    images: np.ndarray, labels: np.ndarray, alpha: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """CutMix on a batch, as the course's `cutmix_batch` (notebook 2) and the paper's loop.

    One lam ~ Beta(alpha, alpha) and one box for the whole batch; partners =
    rng.permutation(N); image i receives the box from image partners[i], and its label is
    mixed with labels[partners[i]] by the share of the area that the clipped box covers.
    The box's sides are int(H * sqrt(1 - lam)) and int(W * sqrt(1 - lam)), centred on a
    pixel drawn uniformly.

    Args:
        images: (N, C, H, W); labels: (N, K) float; neither is modified.
        alpha: parameter of the Beta distribution (float > 0).
        rng: draws lam, the permutation, then the centre's row and column.

    Returns:
        (images, labels): new arrays of the same shapes.
    """
    images = np.asarray(images)
    labels = np.asarray(labels)
    height, width = images.shape[-2:]
    lam = rng.beta(alpha, alpha)
    partners = rng.permutation(len(images))
    cy = int(rng.integers(height))
    cx = int(rng.integers(width))
    top, bottom = (int(v) for v in _clipped_sides(cy, int(height * math.sqrt(1 - lam)), height))
    left, right = (int(v) for v in _clipped_sides(cx, int(width * math.sqrt(1 - lam)), width))
    mixed = images.copy()
    mixed[..., top:bottom, left:right] = images[partners][..., top:bottom, left:right]
    share = (bottom - top) * (right - left) / (height * width)
    mixed_labels = (1.0 - share) * labels + share * labels[partners]
    return mixed, mixed_labels


# --- the network ------------------------------------------------------------------------


def init_params(rng: np.random.Generator, channels: int = 16, hidden: int = 0) -> dict:
    """Initial weights of the network (He initialisation, zero biases).

    With channels > 0: conv (3 x 3, `channels` filters, padding 1) -> ReLU -> 2 x 2 max
    pooling -> [dense `hidden` -> ReLU, if hidden > 0] -> dense 10. With channels = 0 the
    convolution and pooling are left out: a dense net on the 64 pixels (softmax regression
    when hidden = 0 too).

    Returns:
        dict of float64 arrays: "conv_w" (9, channels), "conv_b" (channels,) when
        channels > 0; "hidden_w" (features, hidden), "hidden_b" (hidden,) when hidden > 0;
        "out_w" (features, 10), "out_b" (10,).
    """
    params = {}
    features = 64
    if channels > 0:
        params["conv_w"] = rng.normal(0.0, math.sqrt(2.0 / 9), size=(9, channels))
        params["conv_b"] = np.zeros(channels)
        features = 16 * channels
    if hidden > 0:
        params["hidden_w"] = rng.normal(0.0, math.sqrt(2.0 / features), size=(features, hidden))
        params["hidden_b"] = np.zeros(hidden)
        features = hidden
    params["out_w"] = rng.normal(0.0, math.sqrt(1.0 / features), size=(features, NUM_CLASSES))
    params["out_b"] = np.zeros(NUM_CLASSES)
    return params


@functools.lru_cache(maxsize=8)
def _patch_index(height: int, width: int) -> np.ndarray:
    """Where to find each pixel's 3 x 3 neighbourhood in the zero-padded, flattened image.

    Returns (4, H * W // 4, 9) ints into the (H + 2) * (W + 2) padded pixels. The pixels
    are ordered for 2 x 2 pooling: [position in its 2 x 2 block, block (row-major), 3 x 3
    neighbour (row-major)], so pooling is a max over the first axis.
    """
    rows = np.arange(height)[:, None, None, None]
    cols = np.arange(width)[None, :, None, None]
    dy = np.arange(3)[None, None, :, None]
    dx = np.arange(3)[None, None, None, :]
    index = ((rows + dy) * (width + 2) + cols + dx).reshape(height, width, 9)
    blocks = index.reshape(height // 2, 2, width // 2, 2, 9).transpose(1, 3, 0, 2, 4)
    return blocks.reshape(4, height * width // 4, 9)


def forward(params: dict, images: np.ndarray) -> tuple[np.ndarray, dict]:
    """Logits of the network for a batch.

    Args:
        params: weights from `init_params`.
        images: (N, 1, H, W) normalised images, H and W even (8 x 8 here).

    Returns:
        (logits (N, 10), cache): the cache holds what `backward` needs.
    """
    count, _, height, width = images.shape
    cache = {}
    features = images.reshape(count, -1)
    if "conv_w" in params:
        padded = np.zeros((count, height + 2, width + 2), images.dtype)
        padded[:, 1:-1, 1:-1] = images[:, 0]
        padded = padded.reshape(count, -1)
        patches = padded[:, _patch_index(height, width)]  # (N, 4, H*W/4, 9)
        conv = patches @ params["conv_w"] + params["conv_b"]  # (N, 4, H*W/4, C)
        relu = np.maximum(conv, 0.0)
        pooled = relu.max(axis=1)  # (N, H*W/4, C): 2 x 2 max pooling
        features = pooled.reshape(count, -1)
        cache.update(patches=patches, conv=conv)
    if "hidden_w" in params:
        cache["hidden_in"] = features
        hidden = features @ params["hidden_w"] + params["hidden_b"]
        cache["hidden"] = hidden
        features = np.maximum(hidden, 0.0)
    cache["out_in"] = features
    logits = features @ params["out_w"] + params["out_b"]
    return logits, cache


def backward(params: dict, cache: dict, dlogits: np.ndarray) -> dict:
    """Gradients of a loss with respect to every parameter, given d loss / d logits.

    Args:
        params: the weights used by `forward`.
        cache: `forward`'s cache for the same batch.
        dlogits: (N, 10), the loss's gradient with respect to the logits.

    Returns:
        dict with the same keys and shapes as params.
    """
    grads = {}
    grads["out_w"] = cache["out_in"].T @ dlogits
    grads["out_b"] = dlogits.sum(axis=0)
    dfeatures = dlogits @ params["out_w"].T
    if "hidden_w" in params:
        dhidden = dfeatures * (cache["hidden"] > 0)
        grads["hidden_w"] = cache["hidden_in"].T @ dhidden
        grads["hidden_b"] = dhidden.sum(axis=0)
        dfeatures = dhidden @ params["hidden_w"].T
    if "conv_w" in params:
        conv = cache["conv"]
        dpooled = dfeatures.reshape(len(conv), 1, *conv.shape[2:])
        # The max's gradient goes to the winning pixel of each 2 x 2 block. On the flat
        # background several pixels of a block often tie (same neighbourhood, same output):
        # they share the gradient equally, so it is counted once. Where the max is 0, the
        # ReLU passes no gradient.
        winners = (conv == conv.max(axis=1, keepdims=True)) & (conv > 0)
        ties = winners.sum(axis=1, keepdims=True, dtype=conv.dtype)
        dconv = winners * (dpooled / np.maximum(ties, 1))
        channels = conv.shape[-1]
        grads["conv_w"] = cache["patches"].reshape(-1, 9).T @ dconv.reshape(-1, channels)
        grads["conv_b"] = dconv.reshape(-1, channels).sum(axis=0)
    return grads


def cross_entropy(logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean cross-entropy with soft labels, and its gradient with respect to the logits.

    loss = -mean over n of sum over k of labels[n, k] * log softmax(logits[n])[k]. With
    one-hot labels this is the usual cross-entropy; with a CutMix label (1 - r) y1 + r y2 it
    equals (1 - r) * CE(y1) + r * CE(y2), as the paper's loss.

    Args:
        logits: (N, K) floats; labels: (N, K) class weights, each row summing to 1.

    Returns:
        (loss, dlogits): a float and the (N, K) gradient (softmax - labels) / N.
    """
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    count = len(logits)
    loss = float(-(labels * log_probs).sum() / count)
    dlogits = (np.exp(log_probs) * labels.sum(axis=1, keepdims=True) - labels) / count
    return loss, dlogits


def predict(params: dict, images: np.ndarray, batch_size: int = 100) -> np.ndarray:
    """Predicted class of each image: (N,) ints.

    Works through the images batch_size at a time: small blocks stay in the CPU's cache and
    are faster than one large one.
    """
    return np.concatenate(
        [
            forward(params, images[start : start + batch_size])[0].argmax(axis=1)
            for start in range(0, len(images), batch_size)
        ]
    )


def accuracy(params: dict, images: np.ndarray, labels: np.ndarray) -> float:
    """Share of images whose predicted class is the label's largest weight."""
    return float(np.mean(predict(params, images) == labels.argmax(axis=1)))


# --- training -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """What `train` and `augcourse.runs.run_experiment` do; the defaults are the notebook's
    full run.

    n_train: training images per split (used by `run_experiment`; `train` trains on the
    split it is given); epochs: passes over the training images; batch_size: images per
    step; learning_rate, weight_decay: Adam's step size and L2 penalty on the weights;
    channels, hidden: the network's size (see `init_params`).
    """

    n_train: int = 300
    epochs: int = 200
    batch_size: int = 50
    learning_rate: float = 0.002
    weight_decay: float = 1e-4
    channels: int = 16
    hidden: int = 0


def seed_streams(seed: int) -> dict[str, np.random.Generator]:
    """Independent generators for one seed: "split", "init", "order", "augment", "occlude".

    The same seed gives the same split, initial weights, batch order and occluding squares
    whatever the augmentation draws, so methods trained on one seed differ only in the
    augmentation.
    """
    names = ("split", "init", "order", "augment", "occlude")
    children = np.random.SeedSequence(seed).spawn(len(names))
    return {name: np.random.default_rng(child) for name, child in zip(names, children, strict=True)}


def train(
    split: Split,
    augment: Augment | None,
    seed: int,
    settings: Settings = Settings(),  # noqa: B008  (frozen dataclass: safe as a default)
) -> dict:
    """Train the network on split's training images with Adam; return the final params.

    Args:
        split: the data, from `augcourse.dataset.split_digits`.
        augment: augment(images, labels, rng) -> (images, labels), applied to every
            mini-batch; None for no augmentation (the baseline).
        seed: gives the initial weights, the batch order and the augmentation's draws
            (`seed_streams`); the first two do not depend on `augment`.
        settings: sizes and optimiser settings.

    Returns:
        params: dict of arrays (see `init_params`).
    """
    streams = seed_streams(seed)
    images, labels = split.train_images, split.train_labels
    params = init_params(streams["init"], settings.channels, settings.hidden)
    params = {name: value.astype(images.dtype) for name, value in params.items()}
    moments = {name: np.zeros_like(value) for name, value in params.items()}
    squares = {name: np.zeros_like(value) for name, value in params.items()}
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    step = 0
    for _ in range(settings.epochs):
        order = streams["order"].permutation(len(images))
        for start in range(0, len(images), settings.batch_size):
            batch = order[start : start + settings.batch_size]
            batch_images, batch_labels = images[batch], labels[batch]
            if augment is not None:
                batch_images, batch_labels = augment(batch_images, batch_labels, streams["augment"])
            logits, cache = forward(params, batch_images)
            _, dlogits = cross_entropy(logits, batch_labels)
            grads = backward(params, cache, dlogits)
            step += 1
            # Adam, in the form of Kingma & Ba's Algorithm 1 with the bias corrections folded
            # into the step size (their section 2); weight decay as an L2 term on weights.
            step_size = settings.learning_rate * math.sqrt(1 - beta2**step) / (1 - beta1**step)
            for name, grad in grads.items():
                if name.endswith("_w"):
                    grad = grad + settings.weight_decay * params[name]
                moment, square = moments[name], squares[name]
                moment *= beta1
                moment += (1 - beta1) * grad
                square *= beta2
                square += (1 - beta2) * grad * grad
                params[name] -= step_size * moment / (np.sqrt(square) + eps)
    return params
