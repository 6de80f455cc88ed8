"""Real photographs for the course, loaded offline from files that ship inside installed packages.

Nothing here downloads: every photo is a file bundled with scikit-image (``skimage/data``) or
with matplotlib (its ``sample_data`` folder).

Conventions:
    image:  (C, H, W) array, channels first; here C == 3 (RGB).
    images: (N, C, H, W) batch.
    label:  (K,) float64 array of class weights (one-hot for a plain photo).

Example:
    >>> images, class_names = load_photos(size=(32, 32))
    >>> images.shape, class_names[0]
    ((6, 3, 32, 32), 'cat')
    >>> label = one_hot(0, num_classes=len(PHOTOS))
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from importlib.resources import files

import numpy as np
from numpy.typing import DTypeLike

# Photo name -> short class name. The order is the class order: photo i has class index i.
PHOTOS: dict[str, str] = {
    "cat": "cat",  # Chelsea the cat (scikit-image)
    "astronaut": "astronaut",  # Eileen Collins (scikit-image)
    "coffee": "coffee",  # a cup of coffee (scikit-image)
    "rocket": "rocket",  # a rocket on its launch pad (scikit-image)
    "motorbike": "motorbike",  # a motorbike (scikit-image)
    "grace_hopper": "person",  # Grace Hopper (matplotlib)
}

# Photo name -> (package, file inside the package's data folder).
_SOURCES: dict[str, tuple[str, str]] = {
    "cat": ("skimage", "chelsea.png"),
    "astronaut": ("skimage", "astronaut.png"),
    "coffee": ("skimage", "coffee.png"),
    "rocket": ("skimage", "rocket.jpg"),
    "motorbike": ("skimage", "motorcycle_left.png"),
    "grace_hopper": ("matplotlib", "grace_hopper.jpg"),
}


def load_photo(
    name: str, size: tuple[int, int] = (32, 32), dtype: DTypeLike = np.float32
) -> np.ndarray:
    """Load one bundled photo as an image (3, H, W).

    The photo is first center-cropped to the aspect ratio of ``size`` (so nothing is
    stretched), then resized by area averaging (each output pixel is the mean of the
    source pixels it covers), which avoids the jagged aliasing of plain subsampling.

    Args:
        name: one of ``PHOTOS`` (e.g. ``"cat"`` or ``"grace_hopper"``).
        size: (H, W), positive ints; height and width may differ.
        dtype: a float dtype gives values in [0, 1]; ``np.uint8`` gives 0..255.

    Returns:
        A new (3, H, W) array of the requested dtype (a fresh copy on every call).
    """
    height, width = _check_size(size)
    dtype = _check_dtype(dtype)
    photo = _decode(_check_name(name))  # (h, w, 3) uint8, read-only, full size
    photo = _center_crop(photo, height / width)
    resized = _resize(photo, height, width)  # (H, W, 3) float64 in [0, 1]
    image = np.ascontiguousarray(resized.transpose(2, 0, 1))
    if dtype == np.uint8:
        return np.round(image * 255).astype(np.uint8)
    return image.astype(dtype)


def load_photos(
    names: Sequence[str] | None = None,
    size: tuple[int, int] = (32, 32),
    dtype: DTypeLike = np.float32,
) -> tuple[np.ndarray, list[str]]:
    """Load several photos as one batch.

    Args:
        names: photo names from ``PHOTOS``; ``None`` means all of them, in ``PHOTOS`` order
            (so image i then has class index i).
        size, dtype: as for ``load_photo``.

    Returns:
        images: (N, 3, H, W) array of the requested dtype.
        class_names: list of N class names, e.g. ``["cat", "astronaut", ...]``.
    """
    if names is None:
        names = list(PHOTOS)
    elif isinstance(names, str):
        raise ValueError(f"names must be a list of photo names, not one string; got {names!r}")
    names = list(names)
    if not names:
        raise ValueError("names is empty; pass None for all photos or a list of photo names")
    images = np.stack([load_photo(name, size=size, dtype=dtype) for name in names])
    return images, [PHOTOS[name] for name in names]


def one_hot(index: int, num_classes: int) -> np.ndarray:
    """Label (K,) float64 with 1.0 at ``index`` and 0.0 elsewhere, where K = num_classes."""
    if not _is_int(num_classes) or num_classes < 1:
        raise ValueError(f"num_classes must be a positive int; got {num_classes!r}")
    if not _is_int(index) or not 0 <= index < num_classes:
        raise ValueError(f"index must be an int in [0, {num_classes}); got {index!r}")
    label = np.zeros(int(num_classes), dtype=np.float64)
    label[int(index)] = 1.0
    return label


def normalize(
    images: np.ndarray,
    mean: Sequence[float] | np.ndarray | None = None,
    std: Sequence[float] | np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Standardise each channel: ``(images - mean[c]) / std[c]``.

    After this, 0 means "the dataset's average colour", which is what the Cutout paper
    fills its square with.

    Args:
        images: (N, C, H, W) batch or one (C, H, W) image; not modified.
        mean, std: (C,) per-channel statistics; ``None`` computes them from ``images``
            (over every axis except the channel axis).

    Returns:
        normalized: new float array of the input's shape (float32 stays float32, integer
            input becomes float32, float64 stays float64).
        mean: (C,) float64 means used.
        std: (C,) float64 standard deviations used.

    Example:
        >>> normalized, mean, std = normalize(images)  # statistics of this batch
        >>> shown = denormalize(normalized, mean, std)  # back to [0, 1] for display
    """
    images = _check_images(images)
    mean, std = _channel_stats(images, mean, std)
    shape = (-1, 1, 1)  # broadcast (C,) over (..., C, H, W)
    out_dtype = np.result_type(images.dtype, np.float32)
    normalized = (images - mean.reshape(shape)) / std.reshape(shape)
    return normalized.astype(out_dtype), mean, std


def denormalize(
    images: np.ndarray,
    mean: Sequence[float] | np.ndarray,
    std: Sequence[float] | np.ndarray,
) -> np.ndarray:
    """Undo ``normalize``: ``images * std[c] + mean[c]``, e.g. to display normalised images.

    Args:
        images: (N, C, H, W) or (C, H, W) normalised array; not modified.
        mean, std: the (C,) statistics ``normalize`` returned.

    Returns:
        A new float array of the input's shape, in the units of the original images.
    """
    images = _check_images(images)
    mean, std = _channel_stats(images, mean, std)
    out_dtype = np.result_type(images.dtype, np.float32)
    restored = images * std.reshape(-1, 1, 1) + mean.reshape(-1, 1, 1)
    return restored.astype(out_dtype)


# --- internals -------------------------------------------------------------------------------


@functools.cache
def _decode(name: str) -> np.ndarray:
    """Full-size photo (h, w, 3) uint8, decoded once; read-only so the cache stays intact."""
    import skimage.io  # deferred: decoding is only needed when a photo is first loaded
    import skimage.util

    package, filename = _SOURCES[name]
    if package == "matplotlib":
        import matplotlib.cbook

        path = matplotlib.cbook.get_sample_data(filename, asfileobj=False)
    else:
        path = files(package) / "data" / filename
    photo = np.asarray(skimage.io.imread(str(path)))
    if photo.ndim == 2:  # grayscale -> 3 equal channels
        photo = np.stack([photo] * 3, axis=-1)
    photo = photo[..., :3]  # drop an alpha channel if any
    photo = np.ascontiguousarray(skimage.util.img_as_ubyte(photo))
    photo.setflags(write=False)
    return photo


def _center_crop(photo: np.ndarray, aspect: float) -> np.ndarray:
    """Largest central crop of photo (h, w, 3) whose height / width equals aspect."""
    h, w = photo.shape[:2]
    if h / w > aspect:  # too tall: trim top and bottom
        new_h = max(1, round(w * aspect))
        top = (h - new_h) // 2
        return photo[top : top + new_h]
    new_w = max(1, round(h / aspect))  # too wide (or exact): trim left and right
    left = (w - new_w) // 2
    return photo[:, left : left + new_w]


def _resize(photo: np.ndarray, height: int, width: int) -> np.ndarray:
    """Area-averaging resize of (h, w, 3) uint8 to (height, width, 3) float64 in [0, 1]."""
    from skimage.transform import resize_local_mean

    resized = resize_local_mean(photo / 255.0, (height, width), channel_axis=-1)
    return np.clip(resized, 0.0, 1.0)


def _check_name(name: object) -> str:
    if not isinstance(name, str) or name not in _SOURCES:
        valid = ", ".join(repr(n) for n in _SOURCES)
        raise ValueError(f"unknown photo {name!r}; valid names are: {valid}")
    return name


def _check_size(size: object) -> tuple[int, int]:
    ok = (
        isinstance(size, (tuple, list))
        and len(size) == 2
        and all(_is_int(s) and s > 0 for s in size)
    )
    if not ok:
        raise ValueError(
            f"size must be a pair (H, W) of positive ints, e.g. (32, 32); got {size!r}"
        )
    return int(size[0]), int(size[1])


def _check_dtype(dtype: DTypeLike) -> np.dtype:
    dtype = np.dtype(dtype)
    if dtype != np.uint8 and dtype.kind != "f":
        raise ValueError(f"dtype must be a float dtype or np.uint8; got {dtype}")
    return dtype


def _check_images(images: np.ndarray) -> np.ndarray:
    images = np.asarray(images)
    if images.ndim not in (3, 4):
        raise ValueError(
            f"expected one image (C, H, W) or a batch (N, C, H, W); got shape {images.shape}"
        )
    return images


def _channel_stats(
    images: np.ndarray,
    mean: Sequence[float] | np.ndarray | None,
    std: Sequence[float] | np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray]:
    """(C,) float64 mean and std: the given ones (checked) or computed from images."""
    channels = images.shape[-3]
    axes = tuple(a for a in range(images.ndim) if a != images.ndim - 3)
    if mean is None:
        mean = images.mean(axis=axes, dtype=np.float64)
    if std is None:
        std = images.std(axis=axes, dtype=np.float64)
    mean = np.asarray(mean, dtype=np.float64).reshape(-1)
    std = np.asarray(std, dtype=np.float64).reshape(-1)
    for stat_name, stat in (("mean", mean), ("std", std)):
        if stat.shape != (channels,):
            raise ValueError(
                f"{stat_name} must have one value per channel ({channels}); got {stat.shape[0]}"
            )
    if np.any(std <= 0):
        raise ValueError(f"std must be > 0 in every channel (is a channel constant?); got {std}")
    return mean, std


def _is_int(value: object) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))
