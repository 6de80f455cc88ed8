"""Mistakes of the Cutout exercises: centered_box, apply_cutout, cutout."""

from __future__ import annotations

import numpy as np

from autograder.exercises.mistakes.bank import mistake

# Learner functions by their plain names, so that each mistake's source reads as notebook
# code and calls the learner's own helpers when pasted into a notebook.
from autograder.exercises.reference import apply_cutout, centered_box

# --- centered_box ---------------------------------------------------------------


@mistake("centered_box", "box_not_clipped")
def centered_box_not_clipped(height, width, cy, cx, box_h, box_w):
    top = cy - box_h // 2
    left = cx - box_w // 2
    return (top, top + box_h, left, left + box_w)


@mistake("centered_box", "box_shifted_inside")
def centered_box_shifted_inside(height, width, cy, cx, box_h, box_w):
    top = min(max(cy - box_h // 2, 0), max(height - box_h, 0))
    left = min(max(cx - box_w // 2, 0), max(width - box_w, 0))
    return (top, min(top + box_h, height), left, min(left + box_w, width))


@mistake("centered_box", "height_width_swapped")
def centered_box_height_width_swapped(height, width, cy, cx, box_h, box_w):
    top = cy - box_h // 2
    left = cx - box_w // 2
    return (
        min(max(top, 0), width),
        min(max(top + box_h, 0), width),
        min(max(left, 0), height),
        min(max(left + box_w, 0), height),
    )


@mistake("centered_box", "odd_size_one_short")
def centered_box_odd_size_one_short(height, width, cy, cx, box_h, box_w):
    return (
        min(max(cy - box_h // 2, 0), height),
        min(max(cy + box_h // 2, 0), height),
        min(max(cx - box_w // 2, 0), width),
        min(max(cx + box_w // 2, 0), width),
    )


@mistake("centered_box", "centre_used_as_corner")
def centered_box_centre_used_as_corner(height, width, cy, cx, box_h, box_w):
    return (
        min(max(cy, 0), height),
        min(max(cy + box_h, 0), height),
        min(max(cx, 0), width),
        min(max(cx + box_w, 0), width),
    )


@mistake("centered_box", "cy_cx_swapped")
def centered_box_cy_cx_swapped(height, width, cy, cx, box_h, box_w):
    top = cx - box_h // 2
    left = cy - box_w // 2
    return (
        min(max(top, 0), height),
        min(max(top + box_h, 0), height),
        min(max(left, 0), width),
        min(max(left + box_w, 0), width),
    )


# --- apply_cutout -----------------------------------------------------------------


@mistake("apply_cutout", "input_modified")
def apply_cutout_input_modified(image, box):
    top, bottom, left, right = box
    image[:, top:bottom, left:right] = 0
    return image


@mistake("apply_cutout", "one_channel_masked")
def apply_cutout_one_channel_masked(image, box):
    top, bottom, left, right = box
    result = image.copy()
    result[0, top:bottom, left:right] = 0
    return result


@mistake("apply_cutout", "rows_columns_swapped")
def apply_cutout_rows_columns_swapped(image, box):
    top, bottom, left, right = box
    result = image.copy()
    result[:, left:right, top:bottom] = 0
    return result


@mistake("apply_cutout", "mask_inverted")
def apply_cutout_mask_inverted(image, box):
    top, bottom, left, right = box
    result = np.zeros_like(image)
    result[:, top:bottom, left:right] = image[:, top:bottom, left:right]
    return result


@mistake("apply_cutout", "bottom_right_inclusive")
def apply_cutout_bottom_right_inclusive(image, box):
    top, bottom, left, right = box
    result = image.copy()
    result[:, top : bottom + 1, left : right + 1] = 0
    return result


@mistake("apply_cutout", "dtype_changed")
def apply_cutout_dtype_changed(image, box):
    top, bottom, left, right = box
    result = image.astype(np.float64)
    result[:, top:bottom, left:right] = 0
    return result


# --- cutout ---------------------------------------------------------------------------


@mistake("cutout", "centre_kept_from_border")
def cutout_centre_kept_from_border(image, size, rng):
    height, width = image.shape[-2:]
    cy = int(rng.integers(size // 2, max(height - size // 2, size // 2 + 1)))
    cx = int(rng.integers(size // 2, max(width - size // 2, size // 2 + 1)))
    return apply_cutout(image, centered_box(height, width, cy, cx, size, size))


@mistake("cutout", "global_random")
def cutout_global_random(image, size, rng):
    height, width = image.shape[-2:]
    cy = np.random.randint(height)
    cx = np.random.randint(width)
    return apply_cutout(image, centered_box(height, width, cy, cx, size, size))


@mistake("cutout", "height_width_swapped")
def cutout_height_width_swapped(image, size, rng):
    _, width, height = image.shape
    cy = int(rng.integers(height))
    cx = int(rng.integers(width))
    return apply_cutout(image, centered_box(image.shape[1], image.shape[2], cy, cx, size, size))


@mistake("cutout", "input_modified")
def cutout_input_modified(image, size, rng):
    height, width = image.shape[-2:]
    cy = int(rng.integers(height))
    cx = int(rng.integers(width))
    top, bottom, left, right = centered_box(height, width, cy, cx, size, size)
    image[:, top:bottom, left:right] = 0
    return image


@mistake("cutout", "centre_never_last")
def cutout_centre_never_last(image, size, rng):
    height, width = image.shape[-2:]
    cy = int(rng.integers(max(height - 1, 1)))
    cx = int(rng.integers(max(width - 1, 1)))
    return apply_cutout(image, centered_box(height, width, cy, cx, size, size))


@mistake("cutout", "centre_fixed")
def cutout_centre_fixed(image, size, rng):
    height, width = image.shape[-2:]
    return apply_cutout(image, centered_box(height, width, height // 2, width // 2, size, size))


@mistake("cutout", "filled_with_mean")
def cutout_filled_with_mean(image, size, rng):
    height, width = image.shape[-2:]
    cy = int(rng.integers(height))
    cx = int(rng.integers(width))
    top, bottom, left, right = centered_box(height, width, cy, cx, size, size)
    result = image.copy()
    result[:, top:bottom, left:right] = image.mean()
    return result
