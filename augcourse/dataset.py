"""The data of notebook 4: scikit-learn's 8 x 8 digits and a seeded, normalised train/test split.

- `load_digits_images`: the 1797 bundled digits as raw images in [0, 1] and one-hot labels;
- `split_digits`: a seeded split whose images are normalised with the training set's mean
  and standard deviation, as a `Split`, which also converts raw pixel values to the
  network's scale and back, and knows the value each kind of occluder (`OCCLUDERS`) writes.

Conventions (those of the course):
    image:  (C, H, W) float array; images: (N, C, H, W). Here C = 1, H = W = 8.
    label:  (K,) float class weights, one-hot or soft; labels: (N, K). Here K = 10.
    rng:    numpy.random.Generator, the only source of randomness.

Functions return new arrays and never modify their arguments.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NUM_CLASSES = 10

OCCLUDERS = ("grey", "erase", "ink")
"""Kinds of occluding square: grey = 0 after normalisation (the training mean, what Cutout
fills with), erase = the background (raw pixel 0), ink = a solid stroke (raw pixel 1)."""

RAW_FILLS = {"erase": 0.0, "ink": 1.0}
"""Raw pixel value (in [0, 1]) of the occluders that are not grey."""


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
