"""A bank of mistakes that learners really make, each as a runnable wrong implementation.

Used three ways:
  * the hidden checks compare a failing learner function with these on the same
    inputs and name the mistake it matches, in a sentence a learner understands;
  * the reference tests run each one to show that the properties catch it;
  * the notebook tests paste their source into a solution notebook, rename the
    function, and check that real nbgrader grades it below full marks.

Each implementation is written the way a learner would write it in the notebook:
it uses only `np`, `math` and the course's other learner functions by name, so
its source runs unchanged inside a notebook.
"""

from __future__ import annotations

import inspect
import math
import textwrap
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

# Learner functions by their plain names, so that each mistake's source reads as
# notebook code and calls the learner's own helpers when pasted into a notebook.
from autograder.exercises.reference import (  # noqa: F401  (used by the mistakes' bodies)
    apply_cutout,
    centered_box,
    cutmix_box,
    mix_labels,
    paste_patch,
    patch_ratio,
)


@dataclass(frozen=True)
class Mistake:
    """One known wrong way to write a learner function."""

    function: str  # the learner function it imitates
    key: str  # short stable id, used in reports
    explanation: str  # what went wrong, said to the learner
    implementation: Callable

    def notebook_source(self) -> str:
        """Source of the wrong implementation, renamed to the learner function's name."""
        source = textwrap.dedent(inspect.getsource(self.implementation))
        # Drop the decorator (it may span several lines): the function starts at `def`.
        source = source[source.index(f"def {self.implementation.__name__}(") :]
        return source.replace(self.implementation.__name__, self.function, 1)


MISTAKES: list[Mistake] = []


def mistake(function: str, key: str, explanation: str):
    """Register a wrong implementation of `function` in the bank."""

    def register(implementation: Callable) -> Callable:
        MISTAKES.append(Mistake(function, key, explanation, implementation))
        return implementation

    return register


def mistakes_for(function: str) -> list[Mistake]:
    """Every registered mistake for the named learner function."""
    return [m for m in MISTAKES if m.function == function]


def lookup(function: str, key: str) -> Mistake:
    """The bank's mistake `key` of learner function `function` (KeyError if there is none)."""
    for mistake in MISTAKES:
        if (mistake.function, mistake.key) == (function, key):
            return mistake
    raise KeyError(f"no mistake {key!r} of {function} in the bank")


def lookup_or_none(function: str, key: str) -> Mistake | None:
    """Like `lookup`, None when the function has no such mistake."""
    try:
        return lookup(function, key)
    except KeyError:
        return None


# --- centered_box ---------------------------------------------------------------


@mistake(
    "centered_box",
    "box_not_clipped",
    "The box is not clipped to the image: near a border, top or left goes below 0 "
    "(or bottom/right past the edge). Clip each side to [0, height] or [0, width].",
)
def centered_box_not_clipped(height, width, cy, cx, box_h, box_w):
    top = cy - box_h // 2
    left = cx - box_w // 2
    return (top, top + box_h, left, left + box_w)


@mistake(
    "centered_box",
    "box_shifted_inside",
    "Near a border the box is shifted to stay inside the image, keeping its full size. "
    "Cutout clips it instead: the centre stays where it was drawn and the box gets smaller.",
)
def centered_box_shifted_inside(height, width, cy, cx, box_h, box_w):
    top = min(max(cy - box_h // 2, 0), max(height - box_h, 0))
    left = min(max(cx - box_w // 2, 0), max(width - box_w, 0))
    return (top, min(top + box_h, height), left, min(left + box_w, width))


@mistake(
    "centered_box",
    "height_width_swapped",
    "Height and width are swapped: rows (top, bottom) must be clipped to the image "
    "height and columns (left, right) to its width. Square images hide this mistake.",
)
def centered_box_height_width_swapped(height, width, cy, cx, box_h, box_w):
    top = cy - box_h // 2
    left = cx - box_w // 2
    return (
        min(max(top, 0), width),
        min(max(top + box_h, 0), width),
        min(max(left, 0), height),
        min(max(left + box_w, 0), height),
    )


@mistake(
    "centered_box",
    "odd_size_one_short",
    "For odd sizes the box is one pixel short: bottom = cy + box_h // 2 drops a pixel "
    "(the paper's code does this). Use bottom = top + box_h so the box is exactly box_h tall.",
)
def centered_box_odd_size_one_short(height, width, cy, cx, box_h, box_w):
    return (
        min(max(cy - box_h // 2, 0), height),
        min(max(cy + box_h // 2, 0), height),
        min(max(cx - box_w // 2, 0), width),
        min(max(cx + box_w // 2, 0), width),
    )


@mistake(
    "centered_box",
    "centre_used_as_corner",
    "(cy, cx) is used as the top-left corner, but it is the centre of the box: "
    "top = cy - box_h // 2 and left = cx - box_w // 2.",
)
def centered_box_centre_used_as_corner(height, width, cy, cx, box_h, box_w):
    return (
        min(max(cy, 0), height),
        min(max(cy + box_h, 0), height),
        min(max(cx, 0), width),
        min(max(cx + box_w, 0), width),
    )


@mistake(
    "centered_box",
    "cy_cx_swapped",
    "cy and cx are swapped: cy is the centre's row (it gives top and bottom), "
    "cx its column (left and right).",
)
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


@mistake(
    "apply_cutout",
    "input_modified",
    "The input image was modified in place. Work on a copy (image.copy()) and return it, "
    "so the caller's image stays as it was.",
)
def apply_cutout_input_modified(image, box):
    top, bottom, left, right = box
    image[:, top:bottom, left:right] = 0
    return image


@mistake(
    "apply_cutout",
    "one_channel_masked",
    "Only the first channel is masked. Set the box to 0 in every channel: image[:, top:bottom, left:right].",
)
def apply_cutout_one_channel_masked(image, box):
    top, bottom, left, right = box
    result = image.copy()
    result[0, top:bottom, left:right] = 0
    return result


@mistake(
    "apply_cutout",
    "rows_columns_swapped",
    "Rows and columns are swapped: the box's rows are top:bottom (axis 1) and its columns "
    "left:right (axis 2).",
)
def apply_cutout_rows_columns_swapped(image, box):
    top, bottom, left, right = box
    result = image.copy()
    result[:, left:right, top:bottom] = 0
    return result


@mistake(
    "apply_cutout",
    "mask_inverted",
    "The mask is inverted: everything outside the box was zeroed. Cutout zeroes the box "
    "and keeps the rest.",
)
def apply_cutout_mask_inverted(image, box):
    top, bottom, left, right = box
    result = np.zeros_like(image)
    result[:, top:bottom, left:right] = image[:, top:bottom, left:right]
    return result


@mistake(
    "apply_cutout",
    "bottom_right_inclusive",
    "The box is treated as inclusive: it should be half-open, rows top:bottom and columns "
    "left:right, without row `bottom` and column `right`.",
)
def apply_cutout_bottom_right_inclusive(image, box):
    top, bottom, left, right = box
    result = image.copy()
    result[:, top : bottom + 1, left : right + 1] = 0
    return result


@mistake(
    "apply_cutout",
    "dtype_changed",
    "The result's dtype differs from the input's (for example uint8 became float). "
    "Return an array of the input's dtype.",
)
def apply_cutout_dtype_changed(image, box):
    top, bottom, left, right = box
    result = image.astype(np.float64)
    result[:, top:bottom, left:right] = 0
    return result


# --- cutout ---------------------------------------------------------------------------


@mistake(
    "cutout",
    "centre_kept_from_border",
    "The centre is kept away from the border, so the square never gets clipped. In Cutout "
    "the centre is drawn over every pixel: cy in [0, H) and cx in [0, W).",
)
def cutout_centre_kept_from_border(image, size, rng):
    height, width = image.shape[-2:]
    cy = int(rng.integers(size // 2, max(height - size // 2, size // 2 + 1)))
    cx = int(rng.integers(size // 2, max(width - size // 2, size // 2 + 1)))
    return apply_cutout(image, centered_box(height, width, cy, cx, size, size))


@mistake(
    "cutout",
    "global_random",
    "The function draws from the global np.random instead of the rng argument, so the same "
    "seed does not give the same result. Draw every random number from rng.",
)
def cutout_global_random(image, size, rng):
    height, width = image.shape[-2:]
    cy = np.random.randint(height)
    cx = np.random.randint(width)
    return apply_cutout(image, centered_box(height, width, cy, cx, size, size))


@mistake(
    "cutout",
    "height_width_swapped",
    "Height and width are swapped when drawing the centre: cy ranges over the rows "
    "(image.shape[1]) and cx over the columns (image.shape[2]).",
)
def cutout_height_width_swapped(image, size, rng):
    _, width, height = image.shape
    cy = int(rng.integers(height))
    cx = int(rng.integers(width))
    return apply_cutout(image, centered_box(image.shape[1], image.shape[2], cy, cx, size, size))


@mistake(
    "cutout",
    "input_modified",
    "The input image was modified in place. Work on a copy and return it.",
)
def cutout_input_modified(image, size, rng):
    height, width = image.shape[-2:]
    cy = int(rng.integers(height))
    cx = int(rng.integers(width))
    top, bottom, left, right = centered_box(height, width, cy, cx, size, size)
    image[:, top:bottom, left:right] = 0
    return image


@mistake(
    "cutout",
    "centre_never_last",
    "The centre never reaches the last row or column: rng.integers(H - 1) draws 0 to H - 2. "
    "Draw cy = rng.integers(H) and cx = rng.integers(W).",
)
def cutout_centre_never_last(image, size, rng):
    height, width = image.shape[-2:]
    cy = int(rng.integers(max(height - 1, 1)))
    cx = int(rng.integers(max(width - 1, 1)))
    return apply_cutout(image, centered_box(height, width, cy, cx, size, size))


@mistake(
    "cutout",
    "centre_fixed",
    "The square is always at the image's centre. Cutout draws its centre at random over every "
    "pixel, so it can hide any part of the image (and is clipped at the borders).",
)
def cutout_centre_fixed(image, size, rng):
    height, width = image.shape[-2:]
    return apply_cutout(image, centered_box(height, width, height // 2, width // 2, size, size))


@mistake(
    "cutout",
    "filled_with_mean",
    "The square is filled with the image's mean. Cutout sets it to 0.",
)
def cutout_filled_with_mean(image, size, rng):
    height, width = image.shape[-2:]
    cy = int(rng.integers(height))
    cx = int(rng.integers(width))
    top, bottom, left, right = centered_box(height, width, cy, cx, size, size)
    result = image.copy()
    result[:, top:bottom, left:right] = image.mean()
    return result


# --- cutmix_box -------------------------------------------------------------------------


@mistake(
    "cutmix_box",
    "sqrt_lam",
    "The box side uses sqrt(lam), but lam is the share of image 1 that stays: the patch "
    "covers 1 - lam, so each side is scaled by sqrt(1 - lam).",
)
def cutmix_box_sqrt_lam(height, width, lam, cy, cx):
    cut_h = int(height * math.sqrt(lam))
    cut_w = int(width * math.sqrt(lam))
    return centered_box(height, width, cy, cx, cut_h, cut_w)


@mistake(
    "cutmix_box",
    "no_square_root",
    "Each side is scaled by 1 - lam, so the area is (1 - lam)^2. The area must be 1 - lam: "
    "scale each side by sqrt(1 - lam).",
)
def cutmix_box_no_square_root(height, width, lam, cy, cx):
    cut_h = int(height * (1 - lam))
    cut_w = int(width * (1 - lam))
    return centered_box(height, width, cy, cx, cut_h, cut_w)


@mistake(
    "cutmix_box",
    "height_width_swapped",
    "Height and width are swapped: cut_h comes from the height and cut_w from the width "
    "(the paper's own code mixes them up; square images hide it).",
)
def cutmix_box_height_width_swapped(height, width, lam, cy, cx):
    cut_h = int(width * math.sqrt(1 - lam))
    cut_w = int(height * math.sqrt(1 - lam))
    return centered_box(height, width, cy, cx, cut_h, cut_w)


@mistake(
    "cutmix_box",
    "rounded",
    "The sides are rounded; the paper truncates them with int(): cut_h = int(height * sqrt(1 - lam)).",
)
def cutmix_box_rounded(height, width, lam, cy, cx):
    cut_h = round(height * math.sqrt(1 - lam))
    cut_w = round(width * math.sqrt(1 - lam))
    return centered_box(height, width, cy, cx, cut_h, cut_w)


@mistake(
    "cutmix_box",
    "box_not_clipped",
    "The box is not clipped to the image. Build it with centered_box, which clips each side.",
)
def cutmix_box_box_not_clipped(height, width, lam, cy, cx):
    cut_h = int(height * math.sqrt(1 - lam))
    cut_w = int(width * math.sqrt(1 - lam))
    top = cy - cut_h // 2
    left = cx - cut_w // 2
    return (top, top + cut_h, left, left + cut_w)


# --- paste_patch --------------------------------------------------------------------


@mistake(
    "paste_patch",
    "input_modified",
    "The target image was modified in place. Copy it first and paste into the copy.",
)
def paste_patch_input_modified(target, source, box):
    top, bottom, left, right = box
    target[:, top:bottom, left:right] = source[:, top:bottom, left:right]
    return target


@mistake(
    "paste_patch",
    "roles_swapped",
    "Target and source are swapped: the result should look like target, with source's "
    "pixels inside the box only.",
)
def paste_patch_roles_swapped(target, source, box):
    top, bottom, left, right = box
    result = source.copy()
    result[:, top:bottom, left:right] = target[:, top:bottom, left:right]
    return result


@mistake(
    "paste_patch",
    "patch_from_corner",
    "The patch is taken from source's top-left corner. CutMix takes it from the same box "
    "in source: source[:, top:bottom, left:right].",
)
def paste_patch_patch_from_corner(target, source, box):
    top, bottom, left, right = box
    result = target.copy()
    result[:, top:bottom, left:right] = source[:, : bottom - top, : right - left]
    return result


@mistake(
    "paste_patch",
    "one_channel_pasted",
    "Only the first channel is pasted. Copy the box in every channel.",
)
def paste_patch_one_channel_pasted(target, source, box):
    top, bottom, left, right = box
    result = target.copy()
    result[0, top:bottom, left:right] = source[0, top:bottom, left:right]
    return result


# --- patch_ratio -----------------------------------------------------------------------


@mistake(
    "patch_ratio",
    "kept_share",
    "This is the share that is kept (1 - ratio). patch_ratio is the share the box covers: "
    "box area / image area.",
)
def patch_ratio_kept_share(box, height, width):
    top, bottom, left, right = box
    return 1 - (bottom - top) * (right - left) / (height * width)


@mistake(
    "patch_ratio",
    "integer_division",
    "Integer division (//) rounds the ratio down to 0. Use / for a float ratio.",
)
def patch_ratio_integer_division(box, height, width):
    top, bottom, left, right = box
    return float((bottom - top) * (right - left) // (height * width))


@mistake(
    "patch_ratio",
    "square_assumed",
    "The area is computed as if the image were square (height * height). Use height * width.",
)
def patch_ratio_square_assumed(box, height, width):
    top, bottom, left, right = box
    return (bottom - top) * (right - left) / (height * height)


@mistake(
    "patch_ratio",
    "side_ratio",
    "Only one side of the box is compared with the image. The ratio is of areas: "
    "(bottom - top) * (right - left) / (height * width).",
)
def patch_ratio_side_ratio(box, height, width):
    top, bottom, left, right = box
    return (bottom - top) / height


# --- mix_labels ---------------------------------------------------------------------------


@mistake(
    "mix_labels",
    "weights_swapped",
    "The label weights are swapped: label1 should get 1 - patch_ratio (its image keeps that "
    "share) and label2 should get patch_ratio.",
)
def mix_labels_weights_swapped(label1, label2, patch_ratio):
    return patch_ratio * label1 + (1 - patch_ratio) * label2


@mistake(
    "mix_labels",
    "not_a_mixture",
    "The weights do not add up to 1, so the label is not a distribution: use "
    "(1 - patch_ratio) * label1 + patch_ratio * label2.",
)
def mix_labels_not_a_mixture(label1, label2, patch_ratio):
    return label1 + patch_ratio * label2


@mistake(
    "mix_labels",
    "label1_modified",
    "label1 was modified in place (for example with *=). Build a new array.",
)
def mix_labels_label1_modified(label1, label2, patch_ratio):
    label1 *= 1 - patch_ratio
    label1 += patch_ratio * label2
    return label1


# --- cutmix ----------------------------------------------------------------------------


@mistake(
    "cutmix",
    "lam_not_readjusted",
    "The label weight comes from the sampled lam, not from the box as clipped. Near a border "
    "the patch is smaller than 1 - lam: mix the labels by patch_ratio(box, H, W), as the "
    "paper's code re-adjusts lam.",
)
def cutmix_lam_not_readjusted(image1, label1, image2, label2, alpha, rng):
    height, width = image1.shape[-2:]
    lam = rng.beta(alpha, alpha)
    cy = int(rng.integers(height))
    cx = int(rng.integers(width))
    box = cutmix_box(height, width, lam, cy, cx)
    return paste_patch(image1, image2, box), mix_labels(label1, label2, 1 - lam)


@mistake(
    "cutmix",
    "weights_swapped",
    "The label weights are swapped: label1 (the image that receives the patch) should get "
    "1 - patch_ratio.",
)
def cutmix_weights_swapped(image1, label1, image2, label2, alpha, rng):
    height, width = image1.shape[-2:]
    lam = rng.beta(alpha, alpha)
    cy = int(rng.integers(height))
    cx = int(rng.integers(width))
    box = cutmix_box(height, width, lam, cy, cx)
    ratio = patch_ratio(box, height, width)
    return paste_patch(image1, image2, box), mix_labels(label1, label2, 1 - ratio)


@mistake(
    "cutmix",
    "global_random",
    "The function draws from the global np.random instead of rng, so the same seed does not "
    "give the same result. Draw lam and the centre from rng.",
)
def cutmix_global_random(image1, label1, image2, label2, alpha, rng):
    height, width = image1.shape[-2:]
    lam = np.random.beta(alpha, alpha)
    cy = np.random.randint(height)
    cx = np.random.randint(width)
    box = cutmix_box(height, width, lam, cy, cx)
    ratio = patch_ratio(box, height, width)
    return paste_patch(image1, image2, box), mix_labels(label1, label2, ratio)


@mistake(
    "cutmix",
    "centre_kept_from_border",
    "The centre is kept away from the border. CutMix draws it over every pixel and clips the box.",
)
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


@mistake(
    "cutmix",
    "input_modified",
    "image1 was modified in place. Paste into a copy.",
)
def cutmix_input_modified(image1, label1, image2, label2, alpha, rng):
    height, width = image1.shape[-2:]
    lam = rng.beta(alpha, alpha)
    cy = int(rng.integers(height))
    cx = int(rng.integers(width))
    top, bottom, left, right = cutmix_box(height, width, lam, cy, cx)
    image1[:, top:bottom, left:right] = image2[:, top:bottom, left:right]
    ratio = patch_ratio((top, bottom, left, right), height, width)
    return image1, mix_labels(label1, label2, ratio)


@mistake(
    "cutmix",
    "centre_never_last",
    "The centre never reaches the last row or column: rng.integers(H - 1) draws 0 to H - 2. "
    "Draw cy = rng.integers(H) and cx = rng.integers(W).",
)
def cutmix_centre_never_last(image1, label1, image2, label2, alpha, rng):
    height, width = image1.shape[-2:]
    lam = rng.beta(alpha, alpha)
    cy = int(rng.integers(max(height - 1, 1)))
    cx = int(rng.integers(max(width - 1, 1)))
    box = cutmix_box(height, width, lam, cy, cx)
    ratio = patch_ratio(box, height, width)
    return paste_patch(image1, image2, box), mix_labels(label1, label2, ratio)


@mistake(
    "cutmix",
    "centre_fixed",
    "The patch is always pasted at the image's centre. CutMix draws the centre at random over "
    "every pixel: cy = rng.integers(H), cx = rng.integers(W).",
)
def cutmix_centre_fixed(image1, label1, image2, label2, alpha, rng):
    height, width = image1.shape[-2:]
    lam = rng.beta(alpha, alpha)
    box = cutmix_box(height, width, lam, height // 2, width // 2)
    ratio = patch_ratio(box, height, width)
    return paste_patch(image1, image2, box), mix_labels(label1, label2, ratio)


@mistake(
    "cutmix",
    "alpha_ignored",
    "alpha is not used: lam must come from rng.beta(alpha, alpha). A uniform lam gives the "
    "patch sizes of alpha = 1 whatever alpha is (small alpha: mostly tiny or huge patches; "
    "large alpha: patches near half the image).",
)
def cutmix_alpha_ignored(image1, label1, image2, label2, alpha, rng):
    height, width = image1.shape[-2:]
    lam = rng.uniform()
    cy = int(rng.integers(height))
    cx = int(rng.integers(width))
    box = cutmix_box(height, width, lam, cy, cx)
    ratio = patch_ratio(box, height, width)
    return paste_patch(image1, image2, box), mix_labels(label1, label2, ratio)


@mistake(
    "cutmix",
    "lam_fixed",
    "lam is fixed instead of drawn, so every patch has the same size. Draw lam = "
    "rng.beta(alpha, alpha) for each call.",
)
def cutmix_lam_fixed(image1, label1, image2, label2, alpha, rng):
    height, width = image1.shape[-2:]
    cy = int(rng.integers(height))
    cx = int(rng.integers(width))
    box = cutmix_box(height, width, 0.5, cy, cx)
    ratio = patch_ratio(box, height, width)
    return paste_patch(image1, image2, box), mix_labels(label1, label2, ratio)


# --- cutmix_batch ---------------------------------------------------------------------


@mistake(
    "cutmix_batch",
    "labels_not_permuted",
    "The labels are not permuted with the images: image i receives a patch from image "
    "perm[i], so its label must be mixed with labels[perm[i]].",
)
def cutmix_batch_labels_not_permuted(images, labels, alpha, rng):
    height, width = images.shape[-2:]
    lam = rng.beta(alpha, alpha)
    perm = rng.permutation(len(images))
    cy = int(rng.integers(height))
    cx = int(rng.integers(width))
    box = cutmix_box(height, width, lam, cy, cx)
    top, bottom, left, right = box
    mixed = images.copy()
    mixed[:, :, top:bottom, left:right] = images[perm][:, :, top:bottom, left:right]
    # The labels get a permutation of their own, so they no longer follow the images.
    label_partners = rng.permutation(len(labels))
    return mixed, mix_labels(labels, labels[label_partners], patch_ratio(box, height, width))


@mistake(
    "cutmix_batch",
    "lam_not_readjusted",
    "The labels are mixed by the sampled lam, not by the area of the box as clipped: use "
    "patch_ratio(box, H, W).",
)
def cutmix_batch_lam_not_readjusted(images, labels, alpha, rng):
    height, width = images.shape[-2:]
    lam = rng.beta(alpha, alpha)
    perm = rng.permutation(len(images))
    cy = int(rng.integers(height))
    cx = int(rng.integers(width))
    top, bottom, left, right = cutmix_box(height, width, lam, cy, cx)
    mixed = images.copy()
    mixed[:, :, top:bottom, left:right] = images[perm][:, :, top:bottom, left:right]
    return mixed, mix_labels(labels, labels[perm], 1 - lam)


@mistake(
    "cutmix_batch",
    "box_per_image",
    "Each image got its own box. As in the paper's training loop, draw one lam and one box "
    "for the whole batch.",
)
def cutmix_batch_box_per_image(images, labels, alpha, rng):
    height, width = images.shape[-2:]
    perm = rng.permutation(len(images))
    mixed = images.copy()
    mixed_labels = np.array(labels, dtype=float)
    for i, j in enumerate(perm):
        lam = rng.beta(alpha, alpha)
        box = cutmix_box(height, width, lam, int(rng.integers(height)), int(rng.integers(width)))
        mixed[i] = paste_patch(images[i], images[j], box)
        mixed_labels[i] = mix_labels(labels[i], labels[j], patch_ratio(box, height, width))
    return mixed, mixed_labels


@mistake(
    "cutmix_batch",
    "input_modified",
    "The input batch was modified in place. Paste into a copy of the images.",
)
def cutmix_batch_input_modified(images, labels, alpha, rng):
    height, width = images.shape[-2:]
    lam = rng.beta(alpha, alpha)
    perm = rng.permutation(len(images))
    cy = int(rng.integers(height))
    cx = int(rng.integers(width))
    box = cutmix_box(height, width, lam, cy, cx)
    top, bottom, left, right = box
    images[:, :, top:bottom, left:right] = images[perm][:, :, top:bottom, left:right]
    return images, mix_labels(labels, labels[perm], patch_ratio(box, height, width))


@mistake(
    "cutmix_batch",
    "global_random",
    "The function draws from the global np.random instead of rng. Draw lam, the permutation "
    "and the centre from rng.",
)
def cutmix_batch_global_random(images, labels, alpha, rng):
    height, width = images.shape[-2:]
    lam = np.random.beta(alpha, alpha)
    perm = np.random.permutation(len(images))
    box = cutmix_box(height, width, lam, np.random.randint(height), np.random.randint(width))
    return (
        paste_patch(images, images[perm], box),
        mix_labels(labels, labels[perm], patch_ratio(box, height, width)),
    )


@mistake(
    "cutmix_batch",
    "partners_rolled",
    "The partners are not a random permutation: shifting the batch (np.roll) pairs each image "
    "with the same neighbour every time. Draw perm = rng.permutation(N).",
)
def cutmix_batch_partners_rolled(images, labels, alpha, rng):
    height, width = images.shape[-2:]
    lam = rng.beta(alpha, alpha)
    perm = np.roll(np.arange(len(images)), 1)
    box = cutmix_box(height, width, lam, int(rng.integers(height)), int(rng.integers(width)))
    return (
        paste_patch(images, images[perm], box),
        mix_labels(labels, labels[perm], patch_ratio(box, height, width)),
    )


@mistake(
    "cutmix_batch",
    "alpha_ignored",
    "alpha is not used: lam must come from rng.beta(alpha, alpha). A uniform lam gives the "
    "patch sizes of alpha = 1 whatever alpha is.",
)
def cutmix_batch_alpha_ignored(images, labels, alpha, rng):
    height, width = images.shape[-2:]
    lam = rng.uniform()
    perm = rng.permutation(len(images))
    box = cutmix_box(height, width, lam, int(rng.integers(height)), int(rng.integers(width)))
    return (
        paste_patch(images, images[perm], box),
        mix_labels(labels, labels[perm], patch_ratio(box, height, width)),
    )


# --- cutmix_labels (the reversed-ratio bug) --------------------------------------------


@mistake(
    "cutmix_labels",
    "reversed_ratio",
    "This is the reversed-ratio bug: label1 gets patch_ratio, but its image keeps "
    "1 - patch_ratio of the pixels.",
)
def cutmix_labels_reversed_ratio(label1, label2, patch_ratio):
    mixed_label = label1 * patch_ratio + label2 * (1 - patch_ratio)
    return mixed_label


@mistake(
    "cutmix_labels",
    "weights_not_summing_to_one",
    "The weights do not add up to 1: use (1 - patch_ratio) * label1 + patch_ratio * label2.",
)
def cutmix_labels_weights_not_summing_to_one(label1, label2, patch_ratio):
    return label1 + label2 * patch_ratio


@mistake(
    "cutmix_labels",
    "label1_only",
    "Only label1 is returned: CutMix mixes the labels by the patch's area.",
)
def cutmix_labels_label1_only(label1, label2, patch_ratio):
    return np.array(label1, dtype=float)


@mistake(
    "cutmix_labels",
    "half_and_half",
    "The labels are always mixed half and half, whatever the patch covers. The weights "
    "must follow patch_ratio.",
)
def cutmix_labels_half_and_half(label1, label2, patch_ratio):
    return 0.5 * label1 + 0.5 * label2


@mistake(
    "cutmix_labels",
    "label1_modified",
    "label1 was modified in place. Return a new array.",
)
def cutmix_labels_in_place(label1, label2, patch_ratio):
    label1 *= 1 - patch_ratio
    label1 += label2 * patch_ratio
    return label1


# --- test_cutmix_labels (a learner's test, judged on right and wrong functions) ----------


@dataclass(frozen=True)
class WrongTest:
    """One known wrong way to write the learner's test of cutmix_labels."""

    key: str
    named_by: str  # words of the message (visible and hidden) that name what is wrong
    implementation: Callable


def _fails_everything(cutmix_labels):
    raise AssertionError("always")


def _checks_shape_and_sum_only(cutmix_labels):
    got = cutmix_labels(np.array([1.0, 0.0]), np.array([0.0, 1.0]), 0.3)
    assert got.shape == (2,) and np.isclose(got.sum(), 1.0)


def _only_at_one_half(cutmix_labels):
    got = cutmix_labels(np.array([1.0, 0.0]), np.array([0.0, 1.0]), 0.5)
    np.testing.assert_allclose(got, [0.5, 0.5])


WRONG_TESTS = [
    WrongTest("fails_right_functions", "your test also fails a right function", _fails_everything),
    WrongTest("shape_and_sum_only", "not only its shape or sum", _checks_shape_and_sum_only),
    WrongTest("only_at_one_half", "other than 0.5", _only_at_one_half),
]
