"""Tests for augcourse.occlusion: the test squares of notebook 4, pixel by pixel."""

from __future__ import annotations

import numpy as np
import pytest

from augcourse import occlusion
from augcourse.checks import changed_box


def test_occlusion_boxes_are_whole_squares_inside_the_image():
    boxes = occlusion.occlusion_boxes(2000, 6, 9, 4, np.random.default_rng(0))
    assert boxes.shape == (2000, 4)
    top, bottom, left, right = boxes.T
    assert (bottom - top == 4).all() and (right - left == 4).all()
    assert top.min() == 0 and bottom.max() == 6 and left.min() == 0 and right.max() == 9
    assert occlusion.occlusion_boxes(3, 8, 8, 0, np.random.default_rng(0)).shape == (3, 4)
    with pytest.raises(ValueError):
        occlusion.occlusion_boxes(3, 8, 8, 9, np.random.default_rng(0))


@pytest.mark.parametrize("fill", [0.0, -0.8, 2.5])
def test_occlude_changes_exactly_the_square_with_the_fill(fill):
    rng = np.random.default_rng(1)
    images = rng.uniform(5, 6, size=(30, 1, 6, 9))
    original = images.copy()
    boxes = occlusion.occlusion_boxes(30, 6, 9, 3, rng)
    result = occlusion.occlude(images, boxes, fill)
    np.testing.assert_array_equal(images, original)
    for n, (top, bottom, left, right) in enumerate(boxes):
        assert changed_box(images[n], result[n]) == ((top, bottom, left, right), None)
        assert (result[n, :, top:bottom, left:right] == fill).all()
