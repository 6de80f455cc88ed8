"""The pictures of notebook 4: accuracy under occlusion, per-seed comparisons, training batches.

- `plot_occlusion_curves`: accuracy against the occluding square's side, per occluder;
- `plot_per_seed`: each seed's accuracy under each method, joined by a line;
- `show_training_batches`: the same training images under each augmentation, with
  `label_text` for their (possibly mixed) labels.

Results tables are those of `augcourse.stats`. Every function draws, returns the matplotlib
Figure and never calls plt.show().
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from augcourse.dataset import OCCLUDERS, Split
from augcourse.plots import show_images
from augcourse.stats import accuracy_by_seed, condition_name, mean_std, methods_in

if TYPE_CHECKING:  # only for annotations: pictures need no training code
    from augcourse.training import Augment


METHOD_COLORS = ("#555555", "#3b75af", "#e1812c", "#3a923a", "#c03d3e", "#9372b2")


def plot_occlusion_curves(
    results: Sequence[dict], occluders: Sequence[str] | None = None
) -> Figure:
    """Accuracy against the occluding square's side, one panel per kind of occluder.

    Each line is a method's mean over seeds, the band its mean +- one standard deviation;
    size 0 is the clean test set (no square).

    Returns:
        The matplotlib Figure.
    """
    if occluders is None:
        occluders = [o for o in OCCLUDERS if any(row["occluder"] == o for row in results)]
    sizes = sorted({row["size"] for row in results if row["occluder"] in occluders})
    fig, axes = plt.subplots(
        1,
        len(occluders),
        figsize=(3.6 * len(occluders), 3.4),
        sharey=True,
        layout="constrained",
        squeeze=False,
    )
    for ax, occluder in zip(axes[0], occluders, strict=True):
        for method, color in zip(methods_in(results), METHOD_COLORS, strict=False):
            stats = [mean_std(results, method, "none", 0)]
            stats += [mean_std(results, method, occluder, size) for size in sizes]
            mean, std = np.array(stats).T
            x = [0, *sizes]
            ax.plot(x, mean, "o-", color=color, label=method, markersize=4)
            ax.fill_between(x, mean - std, mean + std, color=color, alpha=0.2, linewidth=0)
        ax.set_title(f"{occluder} square")
        ax.set_xlabel("side of the square (pixels; the image is 8 x 8)")
        ax.set_xticks([0, *sizes])
        ax.grid(alpha=0.3)
        ax.spines[["top", "right"]].set_visible(False)
    axes[0][0].set_ylabel("test accuracy")
    axes[0][0].legend(frameon=False, loc="lower left")
    return fig


def plot_per_seed(
    results: Sequence[dict],
    conditions: Sequence[tuple[str, int]] = (("none", 0), ("erase", 4)),
    methods: Sequence[str] | None = None,
) -> Figure:
    """Each seed's accuracy under each method, joined by a line: paired results at a glance.

    One panel per condition ((occluder, size); ("none", 0) is clean). Each grey line is one
    seed, joining its accuracies under the methods from left to right: a line that rises
    from one method to the next is a seed on which the second one did better.

    Returns:
        The matplotlib Figure.
    """
    methods = list(methods) if methods is not None else methods_in(results)
    fig, axes = plt.subplots(
        1,
        len(conditions),
        figsize=(3.8 * len(conditions), 3.4),
        layout="constrained",
        squeeze=False,
    )
    for ax, condition in zip(axes[0], conditions, strict=True):
        by_method = [accuracy_by_seed(results, method, *condition) for method in methods]
        for seed in by_method[0]:
            ax.plot(
                range(len(methods)),
                [m[seed] for m in by_method],
                "-",
                color="#888888",
                alpha=0.6,
                linewidth=1,
            )
        for x, (values, color) in enumerate(zip(by_method, METHOD_COLORS, strict=False)):
            ax.plot([x] * len(values), list(values.values()), "o", color=color, markersize=5)
        ax.set_xticks(range(len(methods)), methods)
        ax.set_xlim(-0.3, len(methods) - 0.7)
        ax.set_title(condition_name(*condition))
        ax.grid(axis="y", alpha=0.3)
        ax.spines[["top", "right"]].set_visible(False)
    axes[0][0].set_ylabel("test accuracy (one line per seed)")
    return fig


def label_text(label: np.ndarray) -> str:
    """A label (K,) as short text: "7" when one-hot, else "7 .75 / 1 .25" (largest first)."""
    label = np.asarray(label, dtype=np.float64)
    order = [int(k) for k in np.argsort(-label, kind="stable") if label[k] > 1e-6]
    if len(order) == 1:
        return str(order[0])
    return " / ".join(f"{k} {label[k]:.2f}".replace(" 0.", " .") for k in order[:2])


def show_training_batches(
    split: Split,
    methods: Mapping[str, Augment | None],
    count: int = 8,
    seed: int = 0,
) -> Figure:
    """The same training images under each augmentation: one row per method.

    The batch is the first training image of each class 0, 1, ..., count - 1 (count <= 10),
    so every pair in it mixes two different digits. Images are shown in raw pixel values:
    black background, white ink, and Cutout's 0 as the mean grey. Titles are the labels; a
    pink outline marks the pixels pasted from another image of the batch (found by running
    the augmentation, with the same seed, on a probe batch whose image n is filled with
    n + 1).

    Returns:
        The matplotlib Figure.
    """
    classes = split.train_labels.argmax(axis=1)
    first = [int(np.flatnonzero(classes == k)[0]) for k in range(count)]
    images = split.train_images[first]
    labels = split.train_labels[first]
    own = np.arange(1, count + 1, dtype=images.dtype)[:, None, None, None]
    probe = np.broadcast_to(own, images.shape).copy()
    shown, titles, boxes = [], [], []
    for augment in methods.values():
        if augment is None:
            batch_images, batch_labels, pasted = images, labels, np.zeros(images.shape, bool)
        else:
            batch_images, batch_labels = augment(images, labels, np.random.default_rng(seed))
            probed, _ = augment(probe, labels, np.random.default_rng(seed))
            pasted = (probed != own) & (probed != 0)
        shown += list(split.raw(batch_images))
        titles += [label_text(label) for label in batch_labels]
        boxes += [_bounding_box(mask.any(axis=0)) for mask in pasted]
    fig = show_images(shown, titles=titles, boxes=boxes, ncols=count, scale=1.25)
    for row, name in enumerate(methods):
        fig.axes[row * count].set_ylabel(name, fontsize=11)
    return fig


def _bounding_box(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    """(top, bottom, left, right) around the True pixels of an (H, W) mask; None if none."""
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        return None
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
