"""Tests for augcourse.images: bundled photos, labels and normalisation."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from augcourse import images as images_module
from augcourse.images import PHOTOS, denormalize, load_photo, load_photos, normalize, one_hot

# --- load_photo ------------------------------------------------------------------------------


def test_photos_are_a_small_named_set_with_class_names():
    assert 5 <= len(PHOTOS) <= 6
    assert PHOTOS["cat"] == "cat"
    assert PHOTOS["grace_hopper"] == "person"
    assert all(isinstance(c, str) and c for c in PHOTOS.values())


@pytest.mark.parametrize("name", list(PHOTOS))
def test_every_photo_loads_as_a_real_channels_first_photograph(name):
    image = load_photo(name)
    assert image.shape == (3, 32, 32)
    assert image.dtype == np.float32
    assert 0.0 <= image.min() and image.max() <= 1.0
    assert image.std() > 0.05, "a photo should not be (nearly) constant"
    assert len(np.unique(image)) > 100, "a photo should have many distinct values"


@pytest.mark.parametrize("size", [(32, 32), (24, 40), (40, 24), (7, 5), (64, 64)])
def test_load_photo_returns_the_requested_height_and_width(size):
    assert load_photo("cat", size=size).shape == (3, *size)


def test_non_square_sizes_crop_the_centre_instead_of_squashing():
    # astronaut.png is square (512 x 512): a 16 x 32 load must equal the middle 16 rows
    # of the 32 x 32 load (area averaging over the same source pixels), not a squashed copy.
    square = load_photo("astronaut", size=(32, 32), dtype=np.float64)
    wide = load_photo("astronaut", size=(16, 32), dtype=np.float64)
    tall = load_photo("astronaut", size=(32, 16), dtype=np.float64)
    np.testing.assert_allclose(wide, square[:, 8:24, :], atol=1e-9)
    np.testing.assert_allclose(tall, square[:, :, 8:24], atol=1e-9)


def test_resize_averages_areas_instead_of_skipping_pixels():
    # The mean colour of the whole photo barely changes with the size of the load.
    big = load_photo("coffee", size=(128, 128), dtype=np.float64)
    small = load_photo("coffee", size=(8, 8), dtype=np.float64)
    np.testing.assert_allclose(small.mean(axis=(1, 2)), big.mean(axis=(1, 2)), atol=0.01)


def test_different_photos_differ():
    batch, _ = load_photos()
    for i, j in itertools.combinations(range(len(batch)), 2):
        assert np.abs(batch[i] - batch[j]).mean() > 0.05, (i, j)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float_dtypes_give_values_in_0_1(dtype):
    image = load_photo("rocket", size=(16, 24), dtype=dtype)
    assert image.dtype == dtype
    assert 0.0 <= image.min() and image.max() <= 1.0


def test_uint8_gives_0_to_255_matching_the_float_version():
    as_uint8 = load_photo("coffee", dtype=np.uint8)
    as_float = load_photo("coffee", dtype=np.float64)
    assert as_uint8.dtype == np.uint8
    assert as_uint8.max() > 200, "uint8 images use the 0..255 range"
    np.testing.assert_allclose(as_uint8 / 255.0, as_float, atol=0.5 / 255 + 1e-9)


def test_grayscale_sources_become_three_equal_channels(monkeypatch):
    monkeypatch.setitem(PHOTOS, "test_camera", "camera")
    monkeypatch.setitem(images_module._SOURCES, "test_camera", ("skimage", "camera.png"))
    image = load_photo("test_camera", size=(16, 16))
    assert image.shape == (3, 16, 16)
    np.testing.assert_array_equal(image[0], image[1])
    np.testing.assert_array_equal(image[0], image[2])


def test_unknown_name_lists_the_valid_names():
    with pytest.raises(ValueError, match="unknown photo 'dog'") as info:
        load_photo("dog")
    for name in PHOTOS:
        assert repr(name) in str(info.value)


@pytest.mark.parametrize("size", [32, (32,), (0, 32), (32, -1), (32.0, 32), (True, 4), "32x32"])
def test_bad_size_is_a_clear_error(size):
    with pytest.raises(ValueError, match=r"size must be a pair \(H, W\)"):
        load_photo("cat", size=size)


def test_bad_dtype_is_a_clear_error():
    with pytest.raises(ValueError, match="dtype"):
        load_photo("cat", dtype=np.int32)


def test_returns_fresh_copies():
    first = load_photo("cat", size=(8, 8))
    expected = first.copy()
    first[:] = 0  # a learner scribbling on a loaded photo ...
    np.testing.assert_array_equal(load_photo("cat", size=(8, 8)), expected)  # ... changes no reload
    batch, _ = load_photos(["cat"], size=(8, 8))
    batch[:] = 0
    np.testing.assert_array_equal(load_photos(["cat"], size=(8, 8))[0][0], expected)


# --- load_photos -----------------------------------------------------------------------------


def test_load_photos_defaults_to_all_photos_in_class_order():
    batch, class_names = load_photos(size=(12, 20))
    assert batch.shape == (len(PHOTOS), 3, 12, 20)
    assert batch.dtype == np.float32
    assert class_names == list(PHOTOS.values())
    for image, name in zip(batch, PHOTOS, strict=True):
        np.testing.assert_array_equal(image, load_photo(name, size=(12, 20)))


def test_load_photos_with_names():
    batch, class_names = load_photos(["grace_hopper", "cat"], size=(16, 16), dtype=np.uint8)
    assert batch.shape == (2, 3, 16, 16)
    assert batch.dtype == np.uint8
    assert class_names == ["person", "cat"]


@pytest.mark.parametrize("names", ["cat", []])
def test_load_photos_rejects_a_string_or_no_names(names):
    with pytest.raises(ValueError, match="names"):
        load_photos(names)


# --- one_hot ---------------------------------------------------------------------------------


def test_one_hot():
    label = one_hot(2, 5)
    assert label.dtype == np.float64
    np.testing.assert_array_equal(label, [0.0, 0.0, 1.0, 0.0, 0.0])
    np.testing.assert_array_equal(one_hot(np.int64(0), 1), [1.0])


@pytest.mark.parametrize(("index", "num_classes"), [(5, 5), (-1, 5), (1.0, 5), (0, 0)])
def test_one_hot_rejects_bad_arguments(index, num_classes):
    with pytest.raises(ValueError):
        one_hot(index, num_classes)


# --- normalize / denormalize ------------------------------------------------------------------


def test_normalize_gives_zero_mean_unit_std_per_channel():
    batch, _ = load_photos(size=(16, 16))
    before = batch.copy()
    normalized, mean, std = normalize(batch)
    np.testing.assert_array_equal(batch, before)  # input untouched
    assert normalized.shape == batch.shape
    assert normalized.dtype == np.float32
    assert mean.shape == std.shape == (3,)
    np.testing.assert_allclose(normalized.mean(axis=(0, 2, 3)), 0.0, atol=1e-5)
    np.testing.assert_allclose(normalized.std(axis=(0, 2, 3)), 1.0, atol=1e-5)
    np.testing.assert_allclose(mean, batch.mean(axis=(0, 2, 3), dtype=np.float64), rtol=1e-6)


def test_zero_after_normalize_is_the_dataset_mean_colour():
    batch, _ = load_photos(size=(8, 8), dtype=np.float64)
    _, mean, std = normalize(batch)
    filled = np.zeros((3, 4, 4))  # a Cutout square filled with 0 after normalising
    np.testing.assert_allclose(denormalize(filled, mean, std), mean.reshape(3, 1, 1) + filled)


def test_denormalize_inverts_normalize():
    batch, _ = load_photos(size=(8, 8), dtype=np.float64)
    normalized, mean, std = normalize(batch)
    before = normalized.copy()
    restored = denormalize(normalized, mean, std)
    np.testing.assert_array_equal(normalized, before)  # input untouched
    np.testing.assert_allclose(restored, batch, atol=1e-12)


def test_normalize_one_image_with_given_statistics():
    batch, _ = load_photos(size=(8, 8))
    _, mean, std = normalize(batch)
    one, mean_used, std_used = normalize(batch[0], mean=list(mean), std=std)
    assert one.shape == (3, 8, 8)
    np.testing.assert_allclose(one, normalize(batch)[0][0], atol=1e-6)
    np.testing.assert_array_equal(mean_used, mean)
    np.testing.assert_array_equal(std_used, std)


def test_normalize_uint8_gives_floats():
    batch, _ = load_photos(size=(8, 8), dtype=np.uint8)
    normalized, mean, _ = normalize(batch)
    assert normalized.dtype == np.float32
    assert 20 < mean.min() and mean.max() < 235  # statistics in the input's 0..255 units


def test_normalize_rejects_bad_statistics():
    batch, _ = load_photos(["cat"], size=(4, 4))
    with pytest.raises(ValueError, match="one value per channel"):
        normalize(batch, mean=[0.5, 0.5])
    with pytest.raises(ValueError, match="std must be > 0"):
        normalize(batch, std=[1.0, 0.0, 1.0])
    with pytest.raises(ValueError, match="constant"):
        normalize(np.ones((2, 3, 4, 4)))
    with pytest.raises(ValueError, match=r"\(C, H, W\)"):
        normalize(np.ones((4, 4)))


@settings(max_examples=25, deadline=None)
@given(
    arrays(
        np.float64,
        st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(2, 5), st.integers(2, 5)),
        elements=st.floats(-100, 100),
    ),
    st.lists(st.floats(-5, 5), min_size=4, max_size=4),
)
def test_roundtrip_with_given_statistics(images, offsets):
    channels = images.shape[1]
    mean = np.array(offsets[:channels])
    std = np.abs(np.array(offsets[1 : channels + 1])) + 0.5
    normalized, _, _ = normalize(images, mean=mean, std=std)
    np.testing.assert_allclose(denormalize(normalized, mean, std), images, atol=1e-9)
