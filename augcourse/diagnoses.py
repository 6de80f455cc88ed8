"""Which known mistake a random function's results show, decided the same way by the visible
checks and the hidden ones (each on its own draws), so both name the same mistake."""

from __future__ import annotations

import numpy as np

from augcourse import draws


def unreached_centre_mistake(masked: np.ndarray) -> str | None:
    """The cutout mistake that leaves pixels of an image never masked by a size-1 square
    (which is its own centre), from `masked`: (H, W) bool, True where some draw masked.

    Returns the key: "centre_fixed" (one pixel only), "centre_never_last" (never the last row
    or column), "height_width_swapped" (never the last column of a wide image: cx is drawn
    over the rows), or None when no known mistake explains the pixels missed."""
    height, width = masked.shape
    never = {(int(r), int(c)) for r, c in zip(*np.nonzero(~masked), strict=True)}
    last_column = {(r, width - 1) for r in range(height)}
    last = last_column | {(height - 1, c) for c in range(width)}
    if masked.sum() == 1:
        return "centre_fixed"
    if never == last:
        return "centre_never_last"
    if never == last_column:
        return "height_width_swapped"
    return None


def draws_mistake(function: str, seen: draws.Observed) -> str | None:
    """The mistake of `function` ("cutmix" or "cutmix_batch") that fails augcourse.draws'
    properties as `seen` shows, or None (when they hold, or no known mistake explains it).

    For cutmix_batch only alpha is told apart: its other draws are checked by the batch's
    own properties."""
    if seen.problem() is None:
        return None
    if any(draws.empty_pastes_problem(a, e) for a, e in seen.empty.items()):
        return "lam_fixed" if seen.lam_fixed and function == "cutmix" else "alpha_ignored"
    if function != "cutmix":
        return None
    if seen.centre_fixed:
        return "centre_fixed"
    if seen.centre_never_last:
        return "centre_never_last"
    return None


def label_mixture_mistake(label, label1, label2, share: float) -> str | None:
    """Why a mixed label that should be (1 - share) * label1 + share * label2 is wrong, when
    it is still a mixture of the two: "weights_swapped" (share went to label1) or
    "lam_not_readjusted" (another weight: the sampled lam, not the pasted share); else None."""
    label = np.asarray(label, dtype=np.float64)
    if np.allclose(label, share * label1 + (1 - share) * label2, atol=1e-6):
        return "weights_swapped"
    difference = label2 - label1
    if np.abs(difference).max() > 0:
        weight = float(np.dot(label - label1, difference) / np.dot(difference, difference))
        if np.allclose(label, (1 - weight) * label1 + weight * label2, atol=1e-6):
            return "lam_not_readjusted"
    return None
