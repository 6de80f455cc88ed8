"""Boolean masks of boxes, one box per image of a batch, vectorised over the batch.

Shared by the training squares of Cutout (`augcourse.training`) and the test squares of the
occlusion test (`augcourse.occlusion`).

Conventions (those of the course):
    box: (top, bottom, left, right) ints, half-open: rows top:bottom, columns left:right.
"""

from __future__ import annotations

import numpy as np


def box_masks(tops, bottoms, lefts, rights, height: int, width: int) -> np.ndarray:
    """(N, 1, H, W) boolean masks, True inside box n = rows tops[n]:bottoms[n], etc.

    Args:
        tops, bottoms, lefts, rights: (N,) ints (or sequences of ints), one box per image.
        height, width: the images' H and W.

    Returns:
        (N, 1, H, W) bool, broadcastable against images (N, C, H, W).
    """
    rows = np.arange(height)[None, :, None]
    cols = np.arange(width)[None, None, :]
    inside = (
        (rows >= np.asarray(tops)[:, None, None])
        & (rows < np.asarray(bottoms)[:, None, None])
        & (cols >= np.asarray(lefts)[:, None, None])
        & (cols < np.asarray(rights)[:, None, None])
    )
    return inside[:, None, :, :]
