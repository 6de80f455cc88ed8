"""Mistakes of the CutMix exercises: cutmix_box, paste_patch, patch_ratio, mix_labels, cutmix."""

from __future__ import annotations

import math

import numpy as np

from autograder.exercises.mistakes.bank import mistake

# Learner functions by their plain names, so that each mistake's source reads as notebook
# code and calls the learner's own helpers when pasted into a notebook.
from autograder.exercises.reference import (
    centered_box,
    cutmix_box,
    mix_labels,
    paste_patch,
    patch_ratio,
)

# --- cutmix_box -------------------------------------------------------------------------


@mistake("cutmix_box", "sqrt_lam")
def cutmix_box_sqrt_lam(height, width, lam, cy, cx):
    cut_h = int(height * math.sqrt(lam))
    cut_w = int(width * math.sqrt(lam))
    return centered_box(height, width, cy, cx, cut_h, cut_w)


@mistake("cutmix_box", "no_square_root")
def cutmix_box_no_square_root(height, width, lam, cy, cx):
    cut_h = int(height * (1 - lam))
    cut_w = int(width * (1 - lam))
    return centered_box(height, width, cy, cx, cut_h, cut_w)


@mistake("cutmix_box", "height_width_swapped")
def cutmix_box_height_width_swapped(height, width, lam, cy, cx):
    cut_h = int(width * math.sqrt(1 - lam))
    cut_w = int(height * math.sqrt(1 - lam))
    return centered_box(height, width, cy, cx, cut_h, cut_w)


@mistake("cutmix_box", "rounded")
def cutmix_box_rounded(height, width, lam, cy, cx):
    cut_h = round(height * math.sqrt(1 - lam))
    cut_w = round(width * math.sqrt(1 - lam))
    return centered_box(height, width, cy, cx, cut_h, cut_w)


@mistake("cutmix_box", "box_not_clipped")
def cutmix_box_box_not_clipped(height, width, lam, cy, cx):
    cut_h = int(height * math.sqrt(1 - lam))
    cut_w = int(width * math.sqrt(1 - lam))
    top = cy - cut_h // 2
    left = cx - cut_w // 2
    return (top, top + cut_h, left, left + cut_w)


# --- paste_patch --------------------------------------------------------------------


@mistake("paste_patch", "input_modified")
def paste_patch_input_modified(target, source, box):
    top, bottom, left, right = box
    target[:, top:bottom, left:right] = source[:, top:bottom, left:right]
    return target


@mistake("paste_patch", "roles_swapped")
def paste_patch_roles_swapped(target, source, box):
    top, bottom, left, right = box
    result = source.copy()
    result[:, top:bottom, left:right] = target[:, top:bottom, left:right]
    return result


@mistake("paste_patch", "patch_from_corner")
def paste_patch_patch_from_corner(target, source, box):
    top, bottom, left, right = box
    result = target.copy()
    result[:, top:bottom, left:right] = source[:, : bottom - top, : right - left]
    return result


@mistake("paste_patch", "one_channel_pasted")
def paste_patch_one_channel_pasted(target, source, box):
    top, bottom, left, right = box
    result = target.copy()
    result[0, top:bottom, left:right] = source[0, top:bottom, left:right]
    return result


# --- patch_ratio -----------------------------------------------------------------------


@mistake("patch_ratio", "kept_share")
def patch_ratio_kept_share(box, height, width):
    top, bottom, left, right = box
    return 1 - (bottom - top) * (right - left) / (height * width)


@mistake("patch_ratio", "integer_division")
def patch_ratio_integer_division(box, height, width):
    top, bottom, left, right = box
    return float((bottom - top) * (right - left) // (height * width))


@mistake("patch_ratio", "square_assumed")
def patch_ratio_square_assumed(box, height, width):
    top, bottom, left, right = box
    return (bottom - top) * (right - left) / (height * height)


@mistake("patch_ratio", "side_ratio")
def patch_ratio_side_ratio(box, height, width):
    top, bottom, left, right = box
    return (bottom - top) / height


# --- mix_labels ---------------------------------------------------------------------------


@mistake("mix_labels", "weights_swapped")
def mix_labels_weights_swapped(label1, label2, patch_ratio):
    return patch_ratio * label1 + (1 - patch_ratio) * label2


@mistake("mix_labels", "not_a_mixture")
def mix_labels_not_a_mixture(label1, label2, patch_ratio):
    return label1 + patch_ratio * label2


@mistake("mix_labels", "label1_modified")
def mix_labels_label1_modified(label1, label2, patch_ratio):
    label1 *= 1 - patch_ratio
    label1 += patch_ratio * label2
    return label1


# --- cutmix ----------------------------------------------------------------------------


@mistake("cutmix", "lam_not_readjusted")
def cutmix_lam_not_readjusted(image1, label1, image2, label2, alpha, rng):
    height, width = image1.shape[-2:]
    lam = rng.beta(alpha, alpha)
    cy = int(rng.integers(height))
    cx = int(rng.integers(width))
    box = cutmix_box(height, width, lam, cy, cx)
    return paste_patch(image1, image2, box), mix_labels(label1, label2, 1 - lam)


@mistake("cutmix", "weights_swapped")
def cutmix_weights_swapped(image1, label1, image2, label2, alpha, rng):
    height, width = image1.shape[-2:]
    lam = rng.beta(alpha, alpha)
    cy = int(rng.integers(height))
    cx = int(rng.integers(width))
    box = cutmix_box(height, width, lam, cy, cx)
    ratio = patch_ratio(box, height, width)
    return paste_patch(image1, image2, box), mix_labels(label1, label2, 1 - ratio)


@mistake("cutmix", "global_random")
def cutmix_global_random(image1, label1, image2, label2, alpha, rng):
    height, width = image1.shape[-2:]
    lam = np.random.beta(alpha, alpha)
    cy = np.random.randint(height)
    cx = np.random.randint(width)
    box = cutmix_box(height, width, lam, cy, cx)
    ratio = patch_ratio(box, height, width)
    return paste_patch(image1, image2, box), mix_labels(label1, label2, ratio)


@mistake("cutmix", "centre_kept_from_border")
def cutmix_centre_kept_from_border(image1, label1, image2, label2, alpha, rng):
    height, width = image1.shape[-2:]
    lam = rng.beta(alpha, alpha)
    cut_h = int(height * math.sqrt(1 - lam))
    cut_w = int(width * math.sqrt(1 - lam))
    cy = int(rng.integers(cut_h // 2, height - cut_h // 2 + 1)) if cut_h < height else height // 2
    cx = int(rng.integers(cut_w // 2, width - cut_w // 2 + 1)) if cut_w < width else width // 2
    cy = min(cy, height - 1)
    cx = min(cx, width - 1)
    box = cutmix_box(height, width, lam, cy, cx)
    ratio = patch_ratio(box, height, width)
    return paste_patch(image1, image2, box), mix_labels(label1, label2, ratio)


@mistake("cutmix", "input_modified")
def cutmix_input_modified(image1, label1, image2, label2, alpha, rng):
    height, width = image1.shape[-2:]
    lam = rng.beta(alpha, alpha)
    cy = int(rng.integers(height))
    cx = int(rng.integers(width))
    top, bottom, left, right = cutmix_box(height, width, lam, cy, cx)
    image1[:, top:bottom, left:right] = image2[:, top:bottom, left:right]
    ratio = patch_ratio((top, bottom, left, right), height, width)
    return image1, mix_labels(label1, label2, ratio)


@mistake("cutmix", "centre_never_last")
def cutmix_centre_never_last(image1, label1, image2, label2, alpha, rng):
    height, width = image1.shape[-2:]
    lam = rng.beta(alpha, alpha)
    cy = int(rng.integers(max(height - 1, 1)))
    cx = int(rng.integers(max(width - 1, 1)))
    box = cutmix_box(height, width, lam, cy, cx)
    ratio = patch_ratio(box, height, width)
    return paste_patch(image1, image2, box), mix_labels(label1, label2, ratio)


@mistake("cutmix", "centre_fixed")
def cutmix_centre_fixed(image1, label1, image2, label2, alpha, rng):
    height, width = image1.shape[-2:]
    lam = rng.beta(alpha, alpha)
    box = cutmix_box(height, width, lam, height // 2, width // 2)
    ratio = patch_ratio(box, height, width)
    return paste_patch(image1, image2, box), mix_labels(label1, label2, ratio)


@mistake("cutmix", "alpha_ignored")
def cutmix_alpha_ignored(image1, label1, image2, label2, alpha, rng):
    height, width = image1.shape[-2:]
    lam = rng.uniform()
    cy = int(rng.integers(height))
    cx = int(rng.integers(width))
    box = cutmix_box(height, width, lam, cy, cx)
    ratio = patch_ratio(box, height, width)
    return paste_patch(image1, image2, box), mix_labels(label1, label2, ratio)


@mistake("cutmix", "lam_fixed")
def cutmix_lam_fixed(image1, label1, image2, label2, alpha, rng):
    height, width = image1.shape[-2:]
    cy = int(rng.integers(height))
    cx = int(rng.integers(width))
    box = cutmix_box(height, width, 0.5, cy, cx)
    ratio = patch_ratio(box, height, width)
    return paste_patch(image1, image2, box), mix_labels(label1, label2, ratio)
