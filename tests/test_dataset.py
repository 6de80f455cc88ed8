"""Tests for augcourse.dataset: the digits of notebook 4 and their seeded, normalised split."""

from __future__ import annotations

import math

import numpy as np
import pytest

from augcourse import dataset


@pytest.fixture(scope="module")
def digits():
    return dataset.load_digits_images()


def test_digits_are_images_in_0_1_with_one_hot_labels(digits):
    images, labels = digits
    assert images.shape == (1797, 1, 8, 8) and images.dtype == np.float64
    assert images.min() == 0.0 and images.max() == 1.0
    assert labels.shape == (1797, 10)
    np.testing.assert_array_equal(labels.sum(axis=1), 1.0)


def test_split_is_seeded_normalised_and_knows_its_fills(digits):
    a = dataset.split_digits(*digits, 300, np.random.default_rng(5))
    b = dataset.split_digits(*digits, 300, np.random.default_rng(5))
    c = dataset.split_digits(*digits, 300, np.random.default_rng(6))
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
