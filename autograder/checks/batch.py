"""Hidden check of cutmix_batch, by its properties, in named steps: each draw's result has the
right form, one box serves the whole batch, partners form a permutation, every label follows
its image's partner; over the draws partners change; lam and centres are drawn as any right
CutMix draws them."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from augcourse import draws
from augcourse.check_tools import changed_box, describe, describe_call
from augcourse.failures import Ref
from autograder.checks.common import Raised, failure, grading_rng, run_many
from autograder.checks.compare import same_label
from autograder.checks.cutmix import cutmix_boxes
from autograder.checks.graders import grader
from autograder.checks.labels import label_diagnosis
from autograder.checks.randomness import check_reproducible, draws_failure, draws_observed
from autograder.exercises import reference

# (images in the batch, shape of one image, dtype, alpha, draws)
BATCHES = [
    (5, (2, 5, 7), np.float64, 1.0, 120),
    (3, (3, 8, 6), np.uint8, 0.5, 60),
    (1, (1, 4, 4), np.float32, 1.0, 10),
]
REPRODUCED_DRAWS = 8  # draws also called again with the global np.random disturbed


@grader("cutmix_batch")
def grade_cutmix_batch(cutmix_batch: Callable) -> None:
    """cutmix_batch by its properties: one box, partners by permutation, labels follow, rng only."""
    base_seed = int(grading_rng().integers(2**31))
    for count, shape, dtype, alpha, draw_count in BATCHES:
        # Image n is filled with n + 1, so every pasted pixel tells where it came from.
        images = np.stack([np.full(shape, n + 1) for n in range(count)]).astype(dtype)
        labels = np.eye(count, count + 1)
        calls = [
            (images, labels, alpha, np.random.default_rng(base_seed + k)) for k in range(draw_count)
        ]
        partner_lists = set()
        for k, (got, modified) in enumerate(run_many(cutmix_batch, calls)):
            seed = base_seed + k
            call = describe_call(
                "cutmix_batch",
                f"<{np.dtype(dtype)} images {images.shape}, image n filled with n + 1>",
                f"<one-hot labels {labels.shape}>",
                alpha,
                f"rng(seed={seed})",
            )
            partners = _check_one_draw(call, images, labels, got, modified)
            if partners is not None:
                partner_lists.add(partners)
            if k < REPRODUCED_DRAWS:
                check_reproducible("cutmix_batch", cutmix_batch, (images, labels, alpha), seed, got)
        if count >= 3 and len(partner_lists) < 2:
            raise failure(
                f"cutmix_batch over {draw_count} draws",
                [
                    "  expected: partners drawn afresh with rng.permutation(N)",
                    f"  got:      always {sorted(partner_lists)}: partners are not a random "
                    "permutation",
                ],
                ("cutmix_batch", "partners_rolled"),
            )
    _check_batch_draws(cutmix_batch)


def _check_one_draw(call: str, images, labels, got, modified: bool) -> tuple[int, ...] | None:
    """Every property of one call's result; returns the partners when a box was pasted."""
    mixed, mixed_labels = _result_of_right_form(call, images, labels, got, modified)
    box, changed = _one_box_for_the_batch(call, images, mixed)
    partners, share = list(range(len(images))), 0.0
    if box is not None:
        partners, share = _partners_of(call, images, mixed, box, changed)
    _check_labels_follow(call, labels, mixed_labels, partners, share)
    return tuple(partners) if box is not None else None


def _result_of_right_form(call: str, images, labels, got, modified: bool):
    """(mixed images, mixed labels), after checking the inputs are unchanged and the result is
    a tuple of images and labels of the inputs' shapes and dtype."""
    if modified:
        raise failure(
            call,
            ["  expected: the inputs unchanged", "  got:      they were modified"],
            ("cutmix_batch", "input_modified"),
        )
    if isinstance(got, Raised) or not (isinstance(got, tuple) and len(got) == 2):
        raise failure(call, ["  expected: a tuple (images, labels)", f"  got:      {got!r:.200}"])
    mixed, mixed_labels = got
    if (
        not isinstance(mixed, np.ndarray)
        or mixed.shape != images.shape
        or mixed.dtype != images.dtype
    ):
        raise failure(
            call,
            [
                f"  expected: images {images.shape} {images.dtype}",
                f"  got:      {getattr(mixed, 'shape', type(mixed).__name__)} {getattr(mixed, 'dtype', '')}",
            ],
        )
    if np.shape(mixed_labels) != labels.shape:
        raise failure(
            call,
            [f"  expected: labels {labels.shape}", f"  got:      {np.shape(mixed_labels)}"],
        )
    return mixed, mixed_labels


def _one_box_for_the_batch(call: str, images, mixed) -> tuple[tuple | None, list[int]]:
    """(the box every changed image was changed in, one for the whole batch, or None; the
    images that changed)."""
    boxes = {}
    for i in range(len(images)):
        box, problem = changed_box(images[i], mixed[i])
        if problem:
            raise failure(
                call,
                [
                    f"  expected: image {i} changed in one box, every channel",
                    f"  got:      {problem}",
                ],
            )
        if box is not None:
            boxes[i] = box
    if len(set(boxes.values())) > 1:
        raise failure(
            call,
            [
                "  expected: one box for the whole batch",
                f"  got:      boxes {sorted(set(boxes.values()))}",
            ],
            ("cutmix_batch", "box_per_image"),
        )
    return next(iter(boxes.values()), None), list(boxes)


def _partners_of(call: str, images, mixed, box, changed: list[int]) -> tuple[list[int], float]:
    """(partners, share): image i's box came from image partners[i], a permutation of the
    batch (an image that did not change is its own partner); share is the box's part of the
    image."""
    count = len(images)
    height, width = images.shape[-2:]
    if box not in cutmix_boxes(height, width):
        raise failure(
            call,
            [
                f"  expected: a box from cutmix_box({height}, {width}, lam, cy, cx)",
                f"  got:      {box}",
            ],
        )
    top, bottom, left, right = box
    share = (bottom - top) * (right - left) / (height * width)
    partners = list(range(count))
    for i in changed:
        patch = mixed[i, :, top:bottom, left:right]
        partner = int(patch.flat[0]) - 1
        if not (patch == partner + 1).all() or not 0 <= partner < count:
            raise failure(
                call,
                [
                    f"  expected: image {i}'s box filled from one other image of the batch",
                    "  got:      mixed or unknown pixels",
                ],
            )
        partners[i] = partner
    if sorted(partners) != list(range(count)):
        raise failure(
            call,
            [
                "  expected: partners that form a permutation of the batch",
                f"  got:      image i got its patch from {partners}",
            ],
            None,
            "partners = rng.permutation(N); image i gets the box from image partners[i].",
        )
    return partners, share


def _check_labels_follow(call: str, labels, mixed_labels, partners: list[int], share: float):
    """Image i's label is mixed with its partner's by the pasted share."""
    for i in range(len(labels)):
        expected = reference.mix_labels(labels[i], labels[partners[i]], share)
        if not same_label(expected, mixed_labels[i]):
            mistake, hint = _batch_label_diagnosis(mixed_labels[i], labels, i, partners[i], share)
            raise failure(
                call
                + f"\n  image {i} got its patch from image {partners[i]}, covering {share:.4f}",
                [
                    f"  expected label: {describe(expected)}",
                    f"  got:            {describe(np.asarray(mixed_labels[i]))}",
                ],
                mistake,
                hint,
            )


def _batch_label_diagnosis(label, labels, i: int, partner: int, share: float):
    """Why image i's mixed label is wrong: another partner's label, or the wrong weight."""
    label = np.asarray(label, dtype=np.float64)
    for other in range(len(labels)):
        if other != partner and np.allclose(
            label, reference.mix_labels(labels[i], labels[other], share), atol=1e-6
        ):
            mistake: Ref = ("cutmix_batch", "labels_not_permuted")
            return mistake, ""
    return label_diagnosis("cutmix_batch", label, labels[i], labels[partner], share)


def _check_batch_draws(cutmix_batch: Callable) -> None:
    """augcourse.draws' properties on a batch of 8 images 4 x 4."""
    batch = np.stack([np.full((1, *draws.IMAGE), float(n + 1)) for n in range(8)])

    def pasted(result):
        mixed = result[0] if isinstance(result, tuple) and len(result) == 2 else None
        if not isinstance(mixed, np.ndarray) or mixed.shape != batch.shape:
            return None
        boxes = [changed_box(batch[i], mixed[i])[0] for i in range(len(batch))]
        return next((box for box in boxes if box is not None), None)

    seen = draws_observed(cutmix_batch, lambda alpha, rng: (batch, np.eye(8), alpha, rng), pasted)
    found = draws_failure(
        "cutmix_batch", seen, "cutmix_batch on 8 images 4 x 4 at alpha 0.2, 4 and 1"
    )
    if found:
        raise found
