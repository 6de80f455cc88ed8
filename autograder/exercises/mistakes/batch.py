"""Mistakes of cutmix_batch: CutMix over a batch, partners by permutation."""

from __future__ import annotations

import numpy as np

from autograder.exercises.mistakes.bank import mistake

# Learner functions by their plain names, so that each mistake's source reads as notebook
# code and calls the learner's own helpers when pasted into a notebook.
from autograder.exercises.reference import cutmix_box, mix_labels, paste_patch, patch_ratio

# --- cutmix_batch ---------------------------------------------------------------------


@mistake("cutmix_batch", "labels_not_permuted")
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


@mistake("cutmix_batch", "lam_not_readjusted")
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


@mistake("cutmix_batch", "box_per_image")
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


@mistake("cutmix_batch", "input_modified")
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


@mistake("cutmix_batch", "global_random")
def cutmix_batch_global_random(images, labels, alpha, rng):
    height, width = images.shape[-2:]
    lam = np.random.beta(alpha, alpha)
    perm = np.random.permutation(len(images))
    box = cutmix_box(height, width, lam, np.random.randint(height), np.random.randint(width))
    return (
        paste_patch(images, images[perm], box),
        mix_labels(labels, labels[perm], patch_ratio(box, height, width)),
    )


@mistake("cutmix_batch", "partners_rolled")
def cutmix_batch_partners_rolled(images, labels, alpha, rng):
    height, width = images.shape[-2:]
    lam = rng.beta(alpha, alpha)
    perm = np.roll(np.arange(len(images)), 1)
    box = cutmix_box(height, width, lam, int(rng.integers(height)), int(rng.integers(width)))
    return (
        paste_patch(images, images[perm], box),
        mix_labels(labels, labels[perm], patch_ratio(box, height, width)),
    )


@mistake("cutmix_batch", "alpha_ignored")
def cutmix_batch_alpha_ignored(images, labels, alpha, rng):
    height, width = images.shape[-2:]
    lam = rng.uniform()
    perm = rng.permutation(len(images))
    box = cutmix_box(height, width, lam, int(rng.integers(height)), int(rng.integers(width)))
    return (
        paste_patch(images, images[perm], box),
        mix_labels(labels, labels[perm], patch_ratio(box, height, width)),
    )
