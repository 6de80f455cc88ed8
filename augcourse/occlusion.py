"""The occlusion test of notebook 4: a whole square hidden at a random place in each test image.

- `occlusion_boxes`: random squares that lie wholly inside the image (never clipped);
- `occlude`: a copy of the images with each one's square set to a fill (for the fill of
  each kind of occluder, see `augcourse.dataset.Split.fill`).

Conventions (those of the course):
    images: (N, C, H, W) float array.
    box:    (top, bottom, left, right) ints, half-open, inside the image.
    rng:    numpy.random.Generator, the only source of randomness.

Functions return new arrays and never modify their arguments.
"""

from __future__ import annotations

import numpy as np

from augcourse.boxes import box_masks


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
    inside = box_masks(*boxes.T, images.shape[-2], images.shape[-1])
    return np.where(inside, np.asarray(fill, images.dtype), images)
