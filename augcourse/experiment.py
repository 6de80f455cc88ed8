"""Measure what Cutout and CutMix do: a small convolutional net on scikit-learn's 8 x 8 digits.

Everything a run needs, in plain NumPy, so that notebook 4 can train the same network with
and without each augmentation on a laptop CPU in about a minute and compare them fairly:

- the data: `load_digits_images` and `split_digits` (a seeded train/test split, images
  normalised with the training set's mean and standard deviation);
- the augmentations: `cutout_images` (Cutout on every image) and `cutmix_images` (CutMix on a
  batch, as the paper's training loop does), the course's own correct implementations;
- the model: `init_params`, `forward`, `backward` (a 3 x 3 convolution, ReLU, 2 x 2 max
  pooling and a dense layer), `cross_entropy` with soft labels, and `train` (Adam);
- the evaluation: `occlusion_boxes` and `occlude` (a whole square of a given fill at a
  random place in each test image) and `run_experiment`, which trains every method on
  every seed and returns one row per method, seed, occluder and size;
- reading the results: `mean_std`, `summary_table`, `plot_occlusion_curves`,
  `plot_per_seed`, and `show_training_batches` (a batch under each augmentation).

Conventions (those of the course):
    image:  (C, H, W) float array; images: (N, C, H, W). Here C = 1, H = W = 8.
    label:  (K,) float class weights, one-hot or soft; labels: (N, K). Here K = 10.
    box:    (top, bottom, left, right) ints, half-open, clipped to the image.
    rng:    numpy.random.Generator, the only source of randomness.
    params: dict of float arrays, the network's weights (see `init_params`).

Functions return new arrays and never modify their arguments.
"""

from __future__ import annotations

import functools
import math
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from augcourse.plots import show_images

Augment = Callable[[np.ndarray, np.ndarray, np.random.Generator], tuple[np.ndarray, np.ndarray]]
"""An augmentation: augment(images, labels, rng) -> (images, labels), same shapes."""

OCCLUDERS = ("grey", "erase", "ink")
"""Kinds of occluding square: grey = 0 after normalisation (the training mean, what Cutout
fills with), erase = the background (raw pixel 0), ink = a solid stroke (raw pixel 1)."""

RAW_FILLS = {"erase": 0.0, "ink": 1.0}
"""Raw pixel value (in [0, 1]) of the occluders that are not grey."""

NUM_CLASSES = 10


# --- data ------------------------------------------------------------------------------


def load_digits_images() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's bundled 8 x 8 digits (1797 images, no download).

    Returns:
        images: (1797, 1, 8, 8) float64 in [0, 1] (raw values 0..16 divided by 16); the
            background is 0 and the ink 1.
        labels: (1797, 10) float64, one-hot.
    """
    from sklearn.datasets import load_digits  # here: scikit-learn is slow to import

    digits = load_digits()
    images = (digits.images / 16.0).astype(np.float64)[:, None, :, :]
    labels = np.eye(NUM_CLASSES)[digits.target]
    return images, labels


@dataclass(frozen=True)
class Split:
    """A train/test split, with images normalised by the training set's mean and std.

    train_images: (n_train, 1, 8, 8); train_labels: (n_train, 10), one-hot.
    test_images: (n_test, 1, 8, 8); test_labels: (n_test, 10), one-hot.
    mean, std: the training pixels' mean and standard deviation in [0, 1] units; an image
        in [0, 1] is normalised as (image - mean) / std, so 0 is the mean grey.
    """

    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray
    mean: float
    std: float

    def normalise(self, raw: np.ndarray | float) -> np.ndarray | float:
        """Raw pixel values in [0, 1] -> the network's input scale."""
        return (raw - self.mean) / self.std

    def raw(self, images: np.ndarray) -> np.ndarray:
        """Normalised images -> raw pixel values (0 background, 1 ink), clipped to [0, 1]."""
        return np.clip(images * self.std + self.mean, 0.0, 1.0)

    def fill(self, occluder: str) -> float:
        """The normalised value that an occluder writes: "grey" 0 (the training mean),
        "erase" the background (raw 0), "ink" a solid stroke (raw 1)."""
        if occluder == "grey":
            return 0.0
        if occluder in RAW_FILLS:
            return float(self.normalise(RAW_FILLS[occluder]))
        raise ValueError(f"occluder must be one of {OCCLUDERS}; got {occluder!r}")


def split_digits(
    images: np.ndarray,
    labels: np.ndarray,
    n_train: int,
    rng: np.random.Generator,
    dtype: np.typing.DTypeLike = np.float32,
) -> Split:
    """A random split: n_train training images, all the others for testing.

    Args:
        images: (N, C, H, W) raw images in [0, 1]; labels: (N, K).
        n_train: number of training images (int, 0 < n_train < N).
        rng: draws the permutation that decides the split.
        dtype: of the split's images and labels; float32 (the default) is faster than
            float64 and gives the same accuracies to within noise.

    Returns:
        A `Split` whose images are normalised with the training images' mean and std.
    """
    count = len(images)
    if not 0 < n_train < count:
        raise ValueError(f"n_train must be between 1 and {count - 1}; got {n_train}")
    order = rng.permutation(count)
    train, test = order[:n_train], order[n_train:]
    mean = float(images[train].mean())
    std = float(images[train].std())
    return Split(
        train_images=((images[train] - mean) / std).astype(dtype),
        train_labels=labels[train].astype(dtype),
        test_images=((images[test] - mean) / std).astype(dtype),
        test_labels=labels[test].astype(dtype),
        mean=mean,
        std=std,
    )


# --- augmentations -----------------------------------------------------------------------


def _clipped_sides(centre: np.ndarray, size: int, upper: int) -> tuple[np.ndarray, np.ndarray]:
    """Start and end of a side of `size` pixels centred on `centre`, clipped to [0, upper]."""
    start = centre - size // 2
    # np.minimum and np.maximum: np.clip is several times slower on small arrays.
    return np.minimum(np.maximum(start, 0), upper), np.minimum(np.maximum(start + size, 0), upper)


def _box_masks(tops, bottoms, lefts, rights, height: int, width: int) -> np.ndarray:
    """(N, 1, H, W) boolean masks, True inside box n = rows tops[n]:bottoms[n], etc."""
    rows = np.arange(height)[None, :, None]
    cols = np.arange(width)[None, None, :]
    inside = (
        (rows >= np.asarray(tops)[:, None, None])
        & (rows < np.asarray(bottoms)[:, None, None])
        & (cols >= np.asarray(lefts)[:, None, None])
        & (cols < np.asarray(rights)[:, None, None])
    )
    return inside[:, None, :, :]


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
    inside = _box_masks(tops, bottoms, lefts, rights, height, width)
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
    """What `train` and `run_experiment` do; the defaults are the notebook's full run.

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
        split: the data, from `split_digits`.
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


# --- occlusion -------------------------------------------------------------------------------


def occlusion_boxes(
    count: int, height: int, width: int, size: int, rng: np.random.Generator
) -> np.ndarray:
    """count random size x size boxes that lie wholly inside a height x width image.

    Unlike Cutout's training squares, a test square is never clipped: size 4 always hides
    exactly 16 pixels. The top-left corner is uniform over the positions that fit.

    Returns:
        (count, 4) ints, one box (top, bottom, left, right) per row.
    """
    if not 0 <= size <= min(height, width):
        raise ValueError(f"size must be in 0..{min(height, width)}; got {size}")
    tops = rng.integers(height - size + 1, size=count)
    lefts = rng.integers(width - size + 1, size=count)
    return np.stack([tops, tops + size, lefts, lefts + size], axis=1)


def occlude(images: np.ndarray, boxes: np.ndarray, fill: float) -> np.ndarray:
    """Copy of images with box n of `boxes` set to `fill` in every channel of image n.

    Args:
        images: (N, C, H, W); not modified.
        boxes: (N, 4) ints (top, bottom, left, right), e.g. from `occlusion_boxes`.
        fill: the value written into the boxes (see `Split.fill`).

    Returns:
        A new (N, C, H, W) array of the input's dtype.
    """
    images = np.asarray(images)
    boxes = np.asarray(boxes)
    inside = _box_masks(*boxes.T, images.shape[-2], images.shape[-1])
    return np.where(inside, np.asarray(fill, images.dtype), images)


# --- the experiment ------------------------------------------------------------------------------


def run_experiment(
    methods: Mapping[str, Augment | None],
    seeds: Iterable[int],
    settings: Settings = Settings(),  # noqa: B008  (frozen dataclass: safe as a default)
    sizes: Sequence[int] = (1, 2, 3, 4, 5, 6),
    occluders: Sequence[str] = OCCLUDERS,
    progress: bool = True,
) -> list[dict]:
    """Train every method on every seed and measure clean and occluded test accuracy.

    For one seed, every method gets the same split, initial weights and batch order, and
    is tested on the same occluding squares (the same positions for every fill), so the
    differences between methods on one seed come from the augmentation alone.

    Args:
        methods: name -> augment(images, labels, rng), or None for no augmentation.
        seeds: ints, one run per method and seed.
        settings: data size, epochs and optimiser (`Settings`).
        sizes: sides of the occluding squares to test.
        occluders: kinds of occluder to test (from OCCLUDERS).
        progress: write a one-line progress bar to stdout.

    Returns:
        One dict per method, seed, occluder and size, with the keys "method", "seed",
        "occluder" ("none" for the clean test set, else from OCCLUDERS), "size" (0 for
        clean) and "accuracy" (float in [0, 1]).
    """
    seeds = list(seeds)
    images, labels = load_digits_images()
    bar = _ProgressBar(len(seeds) * len(methods), enabled=progress)
    rows = []
    for seed in seeds:
        streams = seed_streams(seed)
        split = split_digits(images, labels, settings.n_train, streams["split"])
        height, width = split.test_images.shape[-2:]
        boxes = {
            size: occlusion_boxes(len(split.test_images), height, width, size, streams["occlude"])
            for size in sizes
        }
        for method, augment in methods.items():
            params = train(split, augment, seed, settings)
            row = {"method": method, "seed": seed}
            rows.append(
                {
                    **row,
                    "occluder": "none",
                    "size": 0,
                    "accuracy": accuracy(params, split.test_images, split.test_labels),
                }
            )
            for occluder in occluders:
                for size in sizes:
                    occluded = occlude(split.test_images, boxes[size], split.fill(occluder))
                    rows.append(
                        {
                            **row,
                            "occluder": occluder,
                            "size": size,
                            "accuracy": accuracy(params, occluded, split.test_labels),
                        }
                    )
            bar.advance()
    bar.close()
    return rows


# --- reading the results -------------------------------------------------------------------


def methods_in(results: Sequence[dict]) -> list[str]:
    """The methods of a results table, in the order they first appear."""
    return list(dict.fromkeys(row["method"] for row in results))


def accuracy_by_seed(
    results: Sequence[dict], method: str, occluder: str, size: int
) -> dict[int, float]:
    """{seed: accuracy} of one method under one condition."""
    return {
        row["seed"]: row["accuracy"]
        for row in results
        if row["method"] == method and row["occluder"] == occluder and row["size"] == size
    }


def mean_std(results: Sequence[dict], method: str, occluder: str, size: int) -> tuple[float, float]:
    """Mean and standard deviation (ddof=1, over seeds) of one method's accuracy.

    occluder "none" with size 0 is the clean test set. Raises ValueError if the table has
    no such rows.
    """
    values = np.array(list(accuracy_by_seed(results, method, occluder, size).values()))
    if values.size == 0:
        raise ValueError(f"no rows for method {method!r}, occluder {occluder!r}, size {size}")
    std = float(values.std(ddof=1)) if values.size > 1 else float("nan")
    return float(values.mean()), std


def _condition_name(occluder: str, size: int) -> str:
    return "clean" if occluder == "none" else f"{occluder} {size}x{size}"


def summary_table(
    results: Sequence[dict],
    conditions: Sequence[tuple[str, int]] = (("none", 0), ("grey", 4), ("erase", 4), ("ink", 4)),
) -> str:
    """A text table of mean +- std accuracy: one row per method, one column per condition.

    conditions: (occluder, size) pairs; ("none", 0) is the clean test set.
    """
    names = [_condition_name(*condition) for condition in conditions]
    methods = methods_in(results)
    seeds = len({row["seed"] for row in results})
    first = max(len("method"), *(len(m) for m in methods))
    lines = [
        f"accuracy, mean ± std over {seeds} seeds",
        f"{'method':<{first}}  " + "  ".join(f"{name:>13}" for name in names),
    ]
    for method in methods:
        cells = [
            f"{m:.3f} ± {s:.3f}" for m, s in (mean_std(results, method, *c) for c in conditions)
        ]
        lines.append(f"{method:<{first}}  " + "  ".join(f"{cell:>13}" for cell in cells))
    return "\n".join(lines)


METHOD_COLORS = ("#555555", "#3b75af", "#e1812c", "#3a923a", "#c03d3e", "#9372b2")


def plot_occlusion_curves(
    results: Sequence[dict], occluders: Sequence[str] | None = None
) -> Figure:
    """Accuracy against the occluding square's side, one panel per kind of occluder.

    Each line is a method's mean over seeds, the band its mean +- one standard deviation;
    size 0 is the clean test set (no square).

    Returns:
        The matplotlib Figure.
    """
    if occluders is None:
        occluders = [o for o in OCCLUDERS if any(row["occluder"] == o for row in results)]
    sizes = sorted({row["size"] for row in results if row["occluder"] in occluders})
    fig, axes = plt.subplots(
        1,
        len(occluders),
        figsize=(3.6 * len(occluders), 3.4),
        sharey=True,
        layout="constrained",
        squeeze=False,
    )
    for ax, occluder in zip(axes[0], occluders, strict=True):
        for method, color in zip(methods_in(results), METHOD_COLORS, strict=False):
            stats = [mean_std(results, method, "none", 0)]
            stats += [mean_std(results, method, occluder, size) for size in sizes]
            mean, std = np.array(stats).T
            x = [0, *sizes]
            ax.plot(x, mean, "o-", color=color, label=method, markersize=4)
            ax.fill_between(x, mean - std, mean + std, color=color, alpha=0.2, linewidth=0)
        ax.set_title(f"{occluder} square")
        ax.set_xlabel("side of the square (pixels; the image is 8 x 8)")
        ax.set_xticks([0, *sizes])
        ax.grid(alpha=0.3)
        ax.spines[["top", "right"]].set_visible(False)
    axes[0][0].set_ylabel("test accuracy")
    axes[0][0].legend(frameon=False, loc="lower left")
    return fig


def plot_per_seed(
    results: Sequence[dict],
    conditions: Sequence[tuple[str, int]] = (("none", 0), ("erase", 4)),
    methods: Sequence[str] | None = None,
) -> Figure:
    """Each seed's accuracy under each method, joined by a line: paired results at a glance.

    One panel per condition ((occluder, size); ("none", 0) is clean). Each grey line is one
    seed, joining its accuracies under the methods from left to right: a line that rises
    from one method to the next is a seed on which the second one did better.

    Returns:
        The matplotlib Figure.
    """
    methods = list(methods) if methods is not None else methods_in(results)
    fig, axes = plt.subplots(
        1,
        len(conditions),
        figsize=(3.8 * len(conditions), 3.4),
        layout="constrained",
        squeeze=False,
    )
    for ax, condition in zip(axes[0], conditions, strict=True):
        by_method = [accuracy_by_seed(results, method, *condition) for method in methods]
        for seed in by_method[0]:
            ax.plot(
                range(len(methods)),
                [m[seed] for m in by_method],
                "-",
                color="#888888",
                alpha=0.6,
                linewidth=1,
            )
        for x, (values, color) in enumerate(zip(by_method, METHOD_COLORS, strict=False)):
            ax.plot([x] * len(values), list(values.values()), "o", color=color, markersize=5)
        ax.set_xticks(range(len(methods)), methods)
        ax.set_xlim(-0.3, len(methods) - 0.7)
        ax.set_title(_condition_name(*condition))
        ax.grid(axis="y", alpha=0.3)
        ax.spines[["top", "right"]].set_visible(False)
    axes[0][0].set_ylabel("test accuracy (one line per seed)")
    return fig


def label_text(label: np.ndarray) -> str:
    """A label (K,) as short text: "7" when one-hot, else "7 .75 / 1 .25" (largest first)."""
    label = np.asarray(label, dtype=np.float64)
    order = [int(k) for k in np.argsort(-label, kind="stable") if label[k] > 1e-6]
    if len(order) == 1:
        return str(order[0])
    return " / ".join(f"{k} {label[k]:.2f}".replace(" 0.", " .") for k in order[:2])


def show_training_batches(
    split: Split,
    methods: Mapping[str, Augment | None],
    count: int = 8,
    seed: int = 0,
) -> Figure:
    """The same training images under each augmentation: one row per method.

    The batch is the first training image of each class 0, 1, ..., count - 1 (count <= 10),
    so every pair in it mixes two different digits. Images are shown in raw pixel values:
    black background, white ink, and Cutout's 0 as the mean grey. Titles are the labels; a
    pink outline marks the pixels pasted from another image of the batch (found by running
    the augmentation, with the same seed, on a probe batch whose image n is filled with
    n + 1).

    Returns:
        The matplotlib Figure.
    """
    classes = split.train_labels.argmax(axis=1)
    first = [int(np.flatnonzero(classes == k)[0]) for k in range(count)]
    images = split.train_images[first]
    labels = split.train_labels[first]
    own = np.arange(1, count + 1, dtype=images.dtype)[:, None, None, None]
    probe = np.broadcast_to(own, images.shape).copy()
    shown, titles, boxes = [], [], []
    for augment in methods.values():
        if augment is None:
            batch_images, batch_labels, pasted = images, labels, np.zeros(images.shape, bool)
        else:
            batch_images, batch_labels = augment(images, labels, np.random.default_rng(seed))
            probed, _ = augment(probe, labels, np.random.default_rng(seed))
            pasted = (probed != own) & (probed != 0)
        shown += list(split.raw(batch_images))
        titles += [label_text(label) for label in batch_labels]
        boxes += [_bounding_box(mask.any(axis=0)) for mask in pasted]
    fig = show_images(shown, titles=titles, boxes=boxes, ncols=count, scale=1.25)
    for row, name in enumerate(methods):
        fig.axes[row * count].set_ylabel(name, fontsize=11)
    return fig


def _bounding_box(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    """(top, bottom, left, right) around the True pixels of an (H, W) mask; None if none."""
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        return None
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


class _ProgressBar:
    """A one-line text progress bar on stdout, redrawn in place with a carriage return."""

    def __init__(self, total: int, enabled: bool = True, width: int = 30):
        self.total, self.enabled, self.width = total, enabled, width
        self.done = 0
        self.start = time.perf_counter()
        self._draw()

    def advance(self) -> None:
        self.done += 1
        self._draw()

    def _draw(self) -> None:
        if not self.enabled:
            return
        elapsed = time.perf_counter() - self.start
        filled = round(self.width * self.done / max(self.total, 1))
        left = elapsed / self.done * (self.total - self.done) if self.done else float("nan")
        eta = f", about {left:.0f} s left" if self.done and self.done < self.total else ""
        bar = "#" * filled + "." * (self.width - filled)
        line = f"[{bar}] {self.done}/{self.total} runs, {elapsed:.0f} s{eta}"
        sys.stdout.write(f"\r{line:<78}")  # padded: wipes the end of a longer previous line
        sys.stdout.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stdout.write("\n")
            sys.stdout.flush()
