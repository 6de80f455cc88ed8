"""The words a learner reads about a known mistake, written once and keyed by (function, key).

Visible checks (augcourse) and hidden checks (autograder) both look their hints up here, so
the sentence a learner reads while working is the one their feedback gives. Only wording
lives here, which may ship to learners; the wrong implementations that the hidden checks
compare against stay in autograder/exercises/mistakes and never do.
"""

from __future__ import annotations

Ref = tuple[str, str]  # (learner function, key)

# Every mistake of the bank (autograder/exercises/mistakes, and notebook 04's mistakes of
# paired_gain in autograder/checks/experiment.py). A failure keyed by one of these names the
# mistake in the table of results (CheckFailed.mistake).
MISTAKE_HINTS: dict[Ref, str] = {
    # centered_box
    ("centered_box", "box_not_clipped"): (
        "The box is not clipped to the image: near a border, top or left goes below 0 (or "
        "bottom/right past the edge). Clip each side to [0, height] or [0, width]."
    ),
    ("centered_box", "box_shifted_inside"): (
        "Near a border the box is shifted to stay inside the image, keeping its full size. "
        "Cutout clips it instead: the centre stays where it was drawn and the box gets "
        "smaller."
    ),
    ("centered_box", "height_width_swapped"): (
        "Height and width are swapped: rows (top, bottom) must be clipped to the image height"
        " and columns (left, right) to its width. Square images hide this mistake."
    ),
    ("centered_box", "odd_size_one_short"): (
        "For odd sizes the box is one pixel short: bottom = cy + box_h // 2 drops a pixel "
        "(the paper's code does this). Use bottom = top + box_h so the box is exactly box_h "
        "tall."
    ),
    ("centered_box", "centre_used_as_corner"): (
        "(cy, cx) is used as the top-left corner, but it is the centre of the box: top = cy -"
        " box_h // 2 and left = cx - box_w // 2."
    ),
    ("centered_box", "cy_cx_swapped"): (
        "cy and cx are swapped: cy is the centre's row (it gives top and bottom), cx its "
        "column (left and right)."
    ),
    # apply_cutout
    ("apply_cutout", "input_modified"): (
        "The input image was modified in place. Work on a copy (image.copy()) and return it, "
        "so the caller's image stays as it was."
    ),
    ("apply_cutout", "one_channel_masked"): (
        "Only the first channel is masked. Set the box to 0 in every channel: image[:, "
        "top:bottom, left:right]."
    ),
    ("apply_cutout", "rows_columns_swapped"): (
        "Rows and columns are swapped: the box's rows are top:bottom (axis 1) and its columns"
        " left:right (axis 2)."
    ),
    ("apply_cutout", "mask_inverted"): (
        "The mask is inverted: everything outside the box was zeroed. Cutout zeroes the box "
        "and keeps the rest."
    ),
    ("apply_cutout", "bottom_right_inclusive"): (
        "The box is treated as inclusive: it should be half-open, rows top:bottom and columns"
        " left:right, without row `bottom` and column `right`."
    ),
    ("apply_cutout", "dtype_changed"): (
        "The result's dtype differs from the input's (for example uint8 became float). Return"
        " an array of the input's dtype."
    ),
    # cutout
    ("cutout", "centre_kept_from_border"): (
        "The centre is kept away from the border, so the square never gets clipped. In Cutout"
        " the centre is drawn over every pixel: cy in [0, H) and cx in [0, W)."
    ),
    ("cutout", "global_random"): (
        "The function draws from the global np.random instead of the rng argument, so the "
        "same seed does not give the same result. Draw every random number from rng."
    ),
    ("cutout", "height_width_swapped"): (
        "Height and width are swapped when drawing the centre: cy ranges over the rows "
        "(image.shape[1]) and cx over the columns (image.shape[2])."
    ),
    ("cutout", "input_modified"): (
        "The input image was modified in place. Work on a copy and return it."
    ),
    ("cutout", "centre_never_last"): (
        "The centre never reaches the last row or column: rng.integers(H - 1) draws 0 to H - "
        "2. Draw cy = rng.integers(H) and cx = rng.integers(W)."
    ),
    ("cutout", "centre_fixed"): (
        "The square is always at the image's centre. Cutout draws its centre at random over "
        "every pixel, so it can hide any part of the image (and is clipped at the borders)."
    ),
    ("cutout", "filled_with_mean"): (
        "The square is filled with the image's mean. Cutout sets it to 0."
    ),
    # cutmix_box
    ("cutmix_box", "sqrt_lam"): (
        "The box side uses sqrt(lam), but lam is the share of image 1 that stays: the patch "
        "covers 1 - lam, so each side is scaled by sqrt(1 - lam)."
    ),
    ("cutmix_box", "no_square_root"): (
        "Each side is scaled by 1 - lam, so the area is (1 - lam)^2. The area must be 1 - "
        "lam: scale each side by sqrt(1 - lam)."
    ),
    ("cutmix_box", "height_width_swapped"): (
        "Height and width are swapped: cut_h comes from the height and cut_w from the width "
        "(the paper's own code mixes them up; square images hide it)."
    ),
    ("cutmix_box", "rounded"): (
        "The sides are rounded; the paper truncates them with int(): cut_h = int(height * "
        "sqrt(1 - lam))."
    ),
    ("cutmix_box", "box_not_clipped"): (
        "The box is not clipped to the image. Build it with centered_box, which clips each side."
    ),
    # paste_patch
    ("paste_patch", "input_modified"): (
        "The target image was modified in place. Copy it first and paste into the copy."
    ),
    ("paste_patch", "roles_swapped"): (
        "Target and source are swapped: the result should look like target, with source's "
        "pixels inside the box only."
    ),
    ("paste_patch", "patch_from_corner"): (
        "The patch is taken from source's top-left corner. CutMix takes it from the same box "
        "in source: source[:, top:bottom, left:right]."
    ),
    ("paste_patch", "one_channel_pasted"): (
        "Only the first channel is pasted. Copy the box in every channel."
    ),
    # patch_ratio
    ("patch_ratio", "kept_share"): (
        "This is the share that is kept (1 - ratio). patch_ratio is the share the box covers:"
        " box area / image area."
    ),
    ("patch_ratio", "integer_division"): (
        "Integer division (//) rounds the ratio down to 0. Use / for a float ratio."
    ),
    ("patch_ratio", "square_assumed"): (
        "The area is computed as if the image were square (height * height). Use height * width."
    ),
    ("patch_ratio", "side_ratio"): (
        "Only one side of the box is compared with the image. The ratio is of areas: (bottom "
        "- top) * (right - left) / (height * width)."
    ),
    # mix_labels
    ("mix_labels", "weights_swapped"): (
        "The label weights are swapped: label1 should get 1 - patch_ratio (its image keeps "
        "that share) and label2 should get patch_ratio."
    ),
    ("mix_labels", "not_a_mixture"): (
        "The weights do not add up to 1, so the label is not a distribution: use (1 - "
        "patch_ratio) * label1 + patch_ratio * label2."
    ),
    ("mix_labels", "label1_modified"): (
        "label1 was modified in place (for example with *=). Build a new array."
    ),
    # cutmix
    ("cutmix", "lam_not_readjusted"): (
        "The label weight comes from the sampled lam, not from the box as clipped. Near a "
        "border the patch is smaller than 1 - lam: mix the labels by patch_ratio(box, H, W), "
        "as the paper's code re-adjusts lam."
    ),
    ("cutmix", "weights_swapped"): (
        "The label weights are swapped: label1 (the image that receives the patch) should get"
        " 1 - patch_ratio."
    ),
    ("cutmix", "global_random"): (
        "The function draws from the global np.random instead of rng, so the same seed does "
        "not give the same result. Draw lam and the centre from rng."
    ),
    ("cutmix", "centre_kept_from_border"): (
        "The centre is kept away from the border. CutMix draws it over every pixel and clips "
        "the box."
    ),
    ("cutmix", "input_modified"): ("image1 was modified in place. Paste into a copy."),
    ("cutmix", "centre_never_last"): (
        "The centre never reaches the last row or column: rng.integers(H - 1) draws 0 to H - "
        "2. Draw cy = rng.integers(H) and cx = rng.integers(W)."
    ),
    ("cutmix", "centre_fixed"): (
        "The patch is always pasted at the image's centre. CutMix draws the centre at random "
        "over every pixel: cy = rng.integers(H), cx = rng.integers(W)."
    ),
    ("cutmix", "alpha_ignored"): (
        "alpha is not used: lam must come from rng.beta(alpha, alpha). A uniform lam gives "
        "the patch sizes of alpha = 1 whatever alpha is (small alpha: mostly tiny or huge "
        "patches; large alpha: patches near half the image)."
    ),
    ("cutmix", "lam_fixed"): (
        "lam is fixed instead of drawn, so every patch has the same size. Draw lam = "
        "rng.beta(alpha, alpha) for each call."
    ),
    # cutmix_batch
    ("cutmix_batch", "labels_not_permuted"): (
        "The labels are not permuted with the images: image i receives a patch from image "
        "perm[i], so its label must be mixed with labels[perm[i]]."
    ),
    ("cutmix_batch", "lam_not_readjusted"): (
        "The labels are mixed by the sampled lam, not by the area of the box as clipped: use "
        "patch_ratio(box, H, W)."
    ),
    ("cutmix_batch", "box_per_image"): (
        "Each image got its own box. As in the paper's training loop, draw one lam and one "
        "box for the whole batch."
    ),
    ("cutmix_batch", "input_modified"): (
        "The input batch was modified in place. Paste into a copy of the images."
    ),
    ("cutmix_batch", "global_random"): (
        "The function draws from the global np.random instead of rng. Draw lam, the "
        "permutation and the centre from rng."
    ),
    ("cutmix_batch", "partners_rolled"): (
        "The partners are not a random permutation: shifting the batch (np.roll) pairs each "
        "image with the same neighbour every time. Draw perm = rng.permutation(N)."
    ),
    ("cutmix_batch", "alpha_ignored"): (
        "alpha is not used: lam must come from rng.beta(alpha, alpha). A uniform lam gives "
        "the patch sizes of alpha = 1 whatever alpha is."
    ),
    # cutmix_labels
    ("cutmix_labels", "reversed_ratio"): (
        "This is the reversed-ratio bug: label1 gets patch_ratio, but its image keeps 1 - "
        "patch_ratio of the pixels."
    ),
    ("cutmix_labels", "weights_not_summing_to_one"): (
        "The weights do not add up to 1: use (1 - patch_ratio) * label1 + patch_ratio * label2."
    ),
    ("cutmix_labels", "label1_only"): (
        "Only label1 is returned: CutMix mixes the labels by the patch's area."
    ),
    ("cutmix_labels", "half_and_half"): (
        "The labels are always mixed half and half, whatever the patch covers. The weights "
        "must follow patch_ratio."
    ),
    ("cutmix_labels", "label1_modified"): ("label1 was modified in place. Return a new array."),
    # paired_gain (notebook 04)
    ("paired_gain", "population_std"): (
        "use the sample standard deviation, np.std(differences, ddof=1)."
    ),
    ("paired_gain", "ties_win"): (
        "a tie (the same accuracy on a seed) is not a win: count differences > 0."
    ),
    ("paired_gain", "share_of_wins"): ("wins is a count of seeds (an int), not a share."),
    ("paired_gain", "reversed"): (
        "the difference is reversed: compute the method's accuracy minus the baseline's."
    ),
    ("paired_gain", "standard_error"): (
        "return the standard deviation of the differences, not its standard error."
    ),
    ("paired_gain", "unpaired"): (
        "pair the rows by seed: each seed's accuracy minus the baseline's on the same seed "
        "(the rows are not in the same order for every method)."
    ),
    ("paired_gain", "any_size"): (
        "keep only the rows of the given size too: each occluder is tested at several sizes."
    ),
    ("paired_gain", "method_std"): (
        "the error bar is the standard deviation of the per-seed differences, not of the "
        "method's accuracies."
    ),
    ("paired_gain", "combined_std"): (
        "the error bar is the standard deviation of the per-seed differences, not a "
        "combination of the two methods' standard deviations: pairing removes the spread that"
        " the seeds share."
    ),
}

# Failures that only the visible checks name: no wrong implementation stands behind them, so
# they never fill the table's mistake column.
VISIBLE_HINTS: dict[Ref, str] = {
    # cutout on an image of 7s: filling the square with the mean leaves it unchanged
    ("cutout", "nothing_masked"): (
        "set the square to 0 (on an image of 7s, filling it with the mean changes nothing)."
    ),
    ("cutout", "square_not_zero"): (
        "Cutout sets the square to 0 (not to the image's mean or another value)."
    ),
    # a square image or one side of the box only: on the visible case both give 0.5
    ("patch_ratio", "not_the_share_of_the_area"): (
        "divide by height * width, and multiply both sides of the box."
    ),
    (
        "mix_labels",
        "label1_only",
    ): "only label1 is returned: mix in label2 with weight patch_ratio.",
    ("mix_labels", "half_and_half"): (
        "the labels are mixed half and half: the weights must follow patch_ratio."
    ),
    ("cutmix_batch", "weights_swapped"): (
        "the label weights are swapped: image i keeps 1 - patch_ratio of its label."
    ),
    # unpaired rows, the method's own spread, both spreads combined: on the visible check's
    # small table they are not told apart
    ("paired_gain", "spread_not_of_the_differences"): (
        "the error bar is the standard deviation of the per-seed differences: pair each "
        "seed's accuracy with the baseline's accuracy on the same seed (the rows are not in "
        "the same seed order for every method)."
    ),
    ("paired_gain", "wins_too_few"): (
        "wins are the seeds where the method beats the baseline (difference > 0)."
    ),
    ("paired_gain", "rows_not_kept"): (
        "keep only the rows of the given occluder and of the given size (each occluder is "
        "tested at several sizes), and pair each seed of the method with the same seed of "
        "the baseline."
    ),
}


def hint(function: str, key: str) -> str:
    """The sentence a learner reads about mistake `key` of `function` (KeyError if unknown)."""
    ref = (function, key)
    if ref in MISTAKE_HINTS:
        return MISTAKE_HINTS[ref]
    return VISIBLE_HINTS[ref]


def names_a_mistake(function: str, key: str) -> bool:
    """Whether (function, key) is a mistake of the bank (not a failure only visible checks name)."""
    return (function, key) in MISTAKE_HINTS
