"""Plotting helpers for the course (matplotlib only).

Every function draws, returns the matplotlib ``Figure`` and never calls ``plt.show()``.
In a notebook, end the line with ``;`` or assign the result (``fig = show_images(...)``):
a returned figure left as the last value of a cell is drawn twice.

Conventions:
    image:  (C, H, W) array, channels first (C = 1 or 3); float in [0, 1], uint8 in 0..255,
            or anything else (e.g. normalised floats), which is rescaled per image for display.
    images: (N, C, H, W) batch, or a list of (C, H, W) images.
    box:    (top, bottom, left, right) ints, half-open: rows top:bottom, columns left:right.
    label:  (K,) float array of class weights.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

Box = tuple[int, int, int, int]

BOX_COLOR = "#ff2d95"  # bright pink: visible on black Cutout squares and on photos
BAR_COLOR = "#3b75af"
_MAX_ANNOTATED = 16  # show_heatmap writes numbers into cells up to 16 x 16


def show_images(
    images: np.ndarray | Sequence[np.ndarray],
    titles: Sequence[str | None] | None = None,
    boxes: Sequence[Box | None] | None = None,
    ncols: int | None = None,
    scale: float = 2.0,
    axes: Sequence[Axes] | None = None,
) -> Figure:
    """Show images in a grid, with an optional box outlined on each.

    Args:
        images: (N, C, H, W) batch, a list of (C, H, W) images, or one (C, H, W) image.
        titles: N titles (None entries for no title).
        boxes: N boxes (top, bottom, left, right); a None entry draws no outline. The
            outline surrounds exactly the pixels rows top:bottom, columns left:right.
        ncols: images per row (default: all in one row, at most 8).
        scale: width of each image in inches.
        axes: N existing Axes to draw into instead of a new figure.

    Returns:
        The Figure, with one Axes per image.
    """
    image_list = _image_list(images)
    n = len(image_list)
    titles = _per_image(titles, n, "titles")
    boxes = _per_image(boxes, n, "boxes")
    if axes is None:
        ncols = min(n, 8) if ncols is None else int(ncols)
        if ncols < 1:
            raise ValueError(f"ncols must be a positive int; got {ncols}")
        nrows = math.ceil(n / ncols)
        title_space = 0.3 if any(t for t in titles) else 0.0
        aspect = max(image.shape[1] / max(image.shape[2], 1) for image in image_list)
        fig, grid = plt.subplots(
            nrows,
            ncols,
            figsize=(scale * ncols, (scale * aspect + title_space) * nrows),
            squeeze=False,
            layout="constrained",
        )
        for extra in grid.flat[n:]:
            fig.delaxes(extra)
        axes = list(grid.flat[:n])
    else:
        axes = list(axes)
        if len(axes) != n:
            raise ValueError(f"got {len(axes)} axes for {n} images")
        fig = axes[0].get_figure(root=True)
    for ax, image, title, box in zip(axes, image_list, titles, boxes, strict=True):
        _draw_image(ax, image, box=box, title=title)
    return fig


def show_label(
    label: np.ndarray,
    class_names: Sequence[str],
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Bar chart of one label's class weights, each value printed on its bar.

    Args:
        label: (K,) class weights, e.g. one-hot or a CutMix mixture.
        class_names: K class names, in label order.
        ax: an existing Axes to draw into (default: a new figure).
        title: optional title.

    Returns:
        The Figure. Bar i has height label[i]; the y axis runs from 0 to 1.
    """
    label = np.asarray(label, dtype=np.float64)
    if label.ndim != 1:
        raise ValueError(f"label must be 1-D (K,); got shape {label.shape}")
    if len(class_names) != label.shape[0]:
        raise ValueError(f"got {len(class_names)} class names for a label of {label.shape[0]}")
    if ax is None:
        _, ax = plt.subplots(figsize=(max(3.0, 0.6 * len(label) + 1.0), 2.6), layout="constrained")
    _draw_label(ax, label, class_names, title)
    return ax.get_figure(root=True)


def show_mixed(
    images: np.ndarray | Sequence[np.ndarray],
    labels: np.ndarray,
    class_names: Sequence[str],
    boxes: Sequence[Box | None] | None = None,
    titles: Sequence[str | None] | None = None,
    scale: float = 2.0,
) -> Figure:
    """One row per example: the image (box outlined) and, beside it, its label as bars.

    Made for CutMix results, where the label's weights match the pasted area.

    Args:
        images: (N, C, H, W) batch or a list of N (C, H, W) images.
        labels: (N, K) class weights, one row per image.
        class_names: K class names.
        boxes: N boxes (top, bottom, left, right) or None entries.
        titles: N image titles or None entries.
        scale: height of each row in inches.

    Returns:
        The Figure, with 2 Axes per example: [image 0, label 0, image 1, label 1, ...].
    """
    image_list = _image_list(images)
    n = len(image_list)
    labels = np.asarray(labels, dtype=np.float64)
    if labels.ndim == 1:
        labels = labels[None, :]
    if labels.shape[0] != n:
        raise ValueError(f"labels must be (N, K) with N = {n} images; got shape {labels.shape}")
    titles = _per_image(titles, n, "titles")
    boxes = _per_image(boxes, n, "boxes")
    bar_width = max(2.0, 0.55 * labels.shape[1] + 0.8)
    fig, grid = plt.subplots(
        n,
        2,
        figsize=(scale + bar_width, (scale + 0.35) * n),
        squeeze=False,
        width_ratios=[scale, bar_width],
        layout="constrained",
    )
    for (image_ax, label_ax), image, label, title, box in zip(
        grid, image_list, labels, titles, boxes, strict=True
    ):
        _draw_image(image_ax, image, box=box, title=title)
        _draw_label(label_ax, label, class_names, title="label")
    return fig


def show_heatmap(
    values: np.ndarray,
    title: str | None = None,
    ax: Axes | None = None,
    cmap: str = "viridis",
    vmin: float | None = None,
    vmax: float | None = None,
) -> Figure:
    """Show a 2-D array as an image with a colour bar, e.g. how often Cutout masks each pixel.

    Arrays up to 16 x 16 also get their values written in the cells (whole numbers as
    integers, others with 2 decimals).

    Args:
        values: (H, W) array.
        title: optional title.
        ax: an existing Axes to draw into (default: a new figure).
        cmap, vmin, vmax: colour map and its limits (default: the data's range).

    Returns:
        The Figure (with the colour bar as an extra Axes).
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 2:
        raise ValueError(f"values must be a 2-D (H, W) array; got shape {values.shape}")
    height, width = values.shape
    if ax is None:
        cell = 0.42 if max(height, width) <= _MAX_ANNOTATED else 0.2
        fig_w = min(max(3.5, cell * width + 1.6), 10.0)
        fig_h = min(max(3.0, cell * height + 0.6), 10.0)
        _, ax = plt.subplots(figsize=(fig_w, fig_h), layout="constrained")
    fig = ax.get_figure(root=True)
    im = ax.imshow(values, cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
    fig.colorbar(im, ax=ax)
    if height <= _MAX_ANNOTATED and width <= _MAX_ANNOTATED:
        finite = values[np.isfinite(values)]
        whole = finite.size > 0 and np.all(finite == np.round(finite))
        fontsize = 9 if max(height, width) <= 8 else 7
        for (row, col), value in np.ndenumerate(values):
            if not np.isfinite(value):
                continue
            text = f"{value:.0f}" if whole else f"{value:.2f}"
            r, g, b, _ = im.cmap(im.norm(value))
            color = "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white"
            ax.text(col, row, text, ha="center", va="center", color=color, fontsize=fontsize)
    ax.set_xlabel("column")
    ax.set_ylabel("row")
    if title:
        ax.set_title(title)
    return fig


def show_histogram(
    samples_by_name: Mapping[str, np.ndarray],
    bins: int = 30,
    title: str | None = None,
    xlabel: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Overlaid density histograms, one per named sample, on shared bins.

    Example: ``{"alpha=0.2": lam_a, "alpha=1": lam_b}`` with lam drawn from
    Beta(alpha, alpha), to compare how the mixing ratio is spread.

    Args:
        samples_by_name: legend name -> 1-D array of samples.
        bins: number of shared bins spanning all samples.
        title, xlabel: optional text.
        ax: an existing Axes to draw into (default: a new figure).

    Returns:
        The Figure. Each histogram integrates to 1 (density), so sample sizes may differ.
    """
    if not samples_by_name:
        raise ValueError("samples_by_name is empty; pass {name: samples, ...}")
    samples = {name: np.asarray(s, dtype=np.float64).ravel() for name, s in samples_by_name.items()}
    pooled = np.concatenate(list(samples.values()))
    pooled = pooled[np.isfinite(pooled)]
    if pooled.size == 0:
        raise ValueError("samples_by_name holds no finite samples")
    edges = np.histogram_bin_edges(pooled, bins=bins)
    if ax is None:
        _, ax = plt.subplots(figsize=(5.0, 3.2), layout="constrained")
    for name, values in samples.items():
        values = values[np.isfinite(values)]
        _, _, patches = ax.hist(
            values, bins=edges, density=True, alpha=0.35, histtype="stepfilled", label=str(name)
        )
        color = patches[0].get_facecolor()[:3]
        ax.hist(values, bins=edges, density=True, histtype="step", color=color, linewidth=1.5)
    ax.set_ylabel("density")
    if xlabel:
        ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title)
    ax.legend(frameon=False)
    return ax.get_figure(root=True)


# --- internals -------------------------------------------------------------------------------


def _image_list(images: np.ndarray | Sequence[np.ndarray]) -> list[np.ndarray]:
    """A list of (C, H, W) arrays from a batch, a list of images, or one image."""
    if isinstance(images, np.ndarray):
        if images.ndim == 4:
            image_list = list(images)
        elif images.ndim == 3:
            image_list = [images]
        else:
            raise ValueError(
                f"expected (N, C, H, W) images or one (C, H, W) image; got shape {images.shape}"
            )
    else:
        image_list = [np.asarray(image) for image in images]
    if not image_list:
        raise ValueError("no images to show")
    for i, image in enumerate(image_list):
        if image.ndim != 3 or image.shape[0] not in (1, 3):
            raise ValueError(
                f"image {i} must be (C, H, W) with C = 1 or 3 (channels first); "
                f"got shape {image.shape}"
            )
    return image_list


def _per_image(items: Sequence | None, n: int, what: str) -> list:
    """items as a list of length n (all None when items is None)."""
    if items is None:
        return [None] * n
    items = list(items)
    if len(items) != n:
        raise ValueError(f"got {len(items)} {what} for {n} images")
    return items


def _to_display(image: np.ndarray) -> np.ndarray:
    """Image (C, H, W) -> float (H, W, 3) or (H, W) in [0, 1], ready for imshow.

    uint8 (or other integers in 0..255) is divided by 255; floats already in [0, 1] are
    kept; anything else (e.g. normalised images) is min-max rescaled per image.
    """
    hwc = np.asarray(image).transpose(1, 2, 0)
    if hwc.shape[2] == 1:
        hwc = hwc[:, :, 0]
    display = hwc.astype(np.float64)
    low, high = (display.min(), display.max()) if display.size else (0.0, 0.0)
    if np.issubdtype(hwc.dtype, np.integer) and low >= 0 and high <= 255:
        return display / 255.0
    if low >= -1e-6 and high <= 1 + 1e-6:
        return np.clip(display, 0.0, 1.0)
    if high > low:
        return np.clip((display - low) / (high - low), 0.0, 1.0)
    return np.zeros_like(display)


def _draw_image(
    ax: Axes, image: np.ndarray, box: Box | None = None, title: str | None = None
) -> None:
    """imshow one (C, H, W) image with visible pixels, no ticks, and the box outlined."""
    display = _to_display(image)
    ax.imshow(display, cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(str(title), fontsize=10)
    if box is not None:
        top, bottom, left, right = _check_box(box)
        # Pixel (row, col) covers [col - 0.5, col + 0.5] x [row - 0.5, row + 0.5] in imshow.
        ax.add_patch(
            Rectangle(
                (left - 0.5, top - 0.5),
                right - left,
                bottom - top,
                fill=False,
                edgecolor=BOX_COLOR,
                linewidth=2.0,
            )
        )


def _draw_label(ax: Axes, label: np.ndarray, class_names: Sequence[str], title: str | None) -> None:
    """Bars of label (K,) with values on top; y axis 0..1 (headroom for the numbers)."""
    label = np.asarray(label, dtype=np.float64)
    if len(class_names) != label.shape[0]:
        raise ValueError(f"got {len(class_names)} class names for a label of {label.shape[0]}")
    positions = np.arange(label.shape[0])
    bars = ax.bar(positions, label, color=BAR_COLOR, width=0.7)
    ax.bar_label(bars, labels=[f"{v:.2f}" for v in label], padding=2, fontsize=8)
    ax.set_ylim(0.0, max(1.0, float(label.max(initial=0.0))) * 1.15)
    ax.set_yticks([0.0, 0.5, 1.0])
    rotation = 0 if sum(len(str(c)) for c in class_names) <= 28 else 40
    ax.set_xticks(
        positions,
        [str(c) for c in class_names],
        rotation=rotation,
        ha="right" if rotation else "center",
        rotation_mode="anchor",
        fontsize=8,
    )
    ax.spines[["top", "right"]].set_visible(False)
    if title:
        ax.set_title(str(title), fontsize=10)


def _check_box(box: Box) -> Box:
    """box as 4 Python ints (top, bottom, left, right) with top <= bottom, left <= right."""
    values = tuple(box)
    ok = len(values) == 4 and all(
        isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)) for v in values
    )
    if not ok or values[0] > values[1] or values[2] > values[3]:
        raise ValueError(
            f"box must be 4 ints (top, bottom, left, right) with top <= bottom and "
            f"left <= right; got {box!r}"
        )
    return tuple(int(v) for v in values)
