"""Visible check of cutmix_batch: one box, partners from a permutation, labels that follow."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from augcourse import draws
from augcourse.check_tools import (
    calls_in_order,
    changed_box,
    describe_call,
    expect_array,
    expect_unchanged,
    observe_draws,
    passed,
)
from augcourse.diagnoses import draws_mistake
from augcourse.failures import fail, visible_check


@visible_check
def check_cutmix_batch(cutmix_batch: Callable) -> None:
    """cutmix_batch: one box for the batch, partners from a permutation, labels follow."""
    count, height, width = 4, 5, 7
    # Every pixel of image n holds a value that encodes n, so the partner can be read back.
    images = np.stack([np.full((2, height, width), 10.0 * (n + 1)) for n in range(count)])
    labels = np.eye(count)
    originals = images.copy(), labels.copy()
    seeds = range(60)
    results = calls_in_order(
        cutmix_batch, [(images, labels, 1.0, np.random.default_rng(seed)) for seed in seeds]
    )
    for seed in seeds:
        call = describe_call(
            "cutmix_batch",
            "<images (4, 2, 5, 7), image n filled with 10(n+1)>",
            "np.eye(4)",
            1.0,
            f"rng({seed})",
        )
        got = next(results)
        if not (isinstance(got, tuple) and len(got) == 2):
            fail(call, "a tuple (images, labels)", type(got).__name__)
        mixed, mixed_labels = got
        mixed = expect_array(call, mixed, images.shape, images.dtype)
        expect_unchanged(call, "images", originals[0], images, ("cutmix_batch", "input_modified"))
        expect_unchanged(call, "labels", originals[1], labels)
        if np.shape(mixed_labels) != labels.shape:
            fail(call, f"labels of shape {labels.shape}", f"shape {np.shape(mixed_labels)}")
        boxes = set()
        for i in range(count):
            box, problem = changed_box(images[i], mixed[i])
            if problem:
                fail(call, f"image {i}: one box pasted in every channel", problem)
            if box is not None:
                boxes.add(box)
        if len(boxes) > 1:
            fail(
                call,
                "one box for the whole batch",
                f"boxes {sorted(boxes)}",
                mistake=("cutmix_batch", "box_per_image"),
            )
        for i in range(count):
            box = next(iter(boxes)) if boxes else None
            share, partner = 0.0, i
            if box is not None:
                top, bottom, left, right = box
                partner = int(round(mixed[i, 0, top, left] / 10.0)) - 1
                share = (bottom - top) * (right - left) / (height * width)
            expected = (1 - share) * labels[i] + share * labels[partner]
            if not np.allclose(mixed_labels[i], expected, atol=1e-9):
                key, hint = _batch_label_diagnosis(
                    np.asarray(mixed_labels[i], float), i, partner, share
                )
                fail(
                    call + f"\n  image {i} got its patch from image {partner}",
                    expected,
                    mixed_labels[i],
                    hint,
                    mistake=("cutmix_batch", key) if key else None,
                )
    _check_batch_draws(cutmix_batch)
    passed(
        "cutmix_batch uses one box, partners from a random permutation, and labels that "
        "follow the images; lam follows Beta(alpha, alpha) and the centre reaches every pixel."
    )


def _batch_label_diagnosis(
    got: np.ndarray, i: int, partner: int, share: float
) -> tuple[str | None, str | None]:
    """(key of the bank's mistake, or a hint) for image i's wrong label, when the labels are
    one-hot (np.eye)."""
    others = [k for k in range(len(got)) if k not in (i, partner)]
    if share > 0 and np.allclose(got, np.eye(len(got))[i]):
        return None, (
            f"image {i}'s label was not mixed, though image {partner} gave it a patch: mix "
            "labels[i] with labels[perm[i]], the label of the image its patch came from."
        )
    if i != partner and np.allclose(got[others], 0) and np.isclose(got[i] + got[partner], 1):
        if np.isclose(got[partner], 1 - share):
            return "weights_swapped", None
        return "lam_not_readjusted", None
    for other in others:
        if np.allclose(got, (1 - share) * np.eye(len(got))[i] + share * np.eye(len(got))[other]):
            return "labels_not_permuted", None
    return None, "mix labels[i] with labels[perm[i]] by the pasted share."


def _check_batch_draws(cutmix_batch: Callable) -> None:
    """lam and centres as any right CutMix draws them, and partners from a permutation."""
    count = 8
    images = np.stack([np.full((1, *draws.IMAGE), 10.0 * (n + 1)) for n in range(count)])
    labels = np.eye(count)
    partners: set[tuple[int, ...]] = set()

    def pasted_box(got):
        mixed = np.asarray(got[0])
        for i in range(count):
            box = changed_box(images[i], mixed[i])[0]
            if box is not None:
                top, _, left, _ = box
                partners.add(tuple(int(round(v / 10.0)) - 1 for v in mixed[:, 0, top, left]))
                return box
        return None  # nothing pasted (or every image was its own partner)

    call = (
        f"cutmix_batch(<{count} images (1, 4, 4), image n filled with 10(n+1)>, np.eye({count}), "
        f"alpha, rng) at alpha 0.2, 4 and 1, seeds 0 to {draws.ALPHA_DRAWS - 1}"
    )
    seen = observe_draws(cutmix_batch, lambda alpha, rng: (images, labels, alpha, rng), pasted_box)
    found = seen.problem()
    if found:
        key = draws_mistake("cutmix_batch", seen)
        fail(
            call,
            "patch sizes from Beta(alpha, alpha), centres over every pixel",
            *found,
            mistake=("cutmix_batch", key) if key else None,
        )
    not_permutations = [p for p in partners if sorted(p) != list(range(count))]
    if not_permutations:
        fail(
            call,
            "partners that are a permutation of the batch",
            f"partners {list(not_permutations[0])}: some image gives its patch twice",
            "draw perm = rng.permutation(N): every image gives its patch to exactly one other.",
        )
    if len(partners) == 1:
        fail(
            call,
            "partners that change from draw to draw (a random permutation)",
            f"the same partners {list(next(iter(partners)))} every time: partners are not a "
            "random permutation",
            mistake=("cutmix_batch", "partners_rolled"),
        )
