"""Tests for augcourse.plots: what a learner sees in each figure."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # before pyplot is imported (also by augcourse.plots)

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from augcourse.images import load_photos  # noqa: E402
from augcourse.plots import (  # noqa: E402
    show_heatmap,
    show_histogram,
    show_images,
    show_label,
    show_mixed,
)

CLASS_NAMES = ["cat", "dog", "bird"]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture
def images():
    """(5, 3, 6, 8) float images in [0, 1], each different."""
    rng = np.random.default_rng(0)
    return rng.random((5, 3, 6, 8))


def _rectangles(ax):
    return [p for p in ax.patches if isinstance(p, Rectangle)]


# --- show_images -----------------------------------------------------------------------------


@pytest.mark.parametrize("ncols", [None, 2, 3, 5])
def test_show_images_has_one_axes_per_image(images, ncols):
    fig = show_images(images, ncols=ncols)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == len(images)


def test_show_images_accepts_one_image_or_a_list_of_sizes(images):
    assert len(show_images(images[0]).axes) == 1
    fig = show_images([images[0], np.zeros((1, 10, 4))])
    assert [ax.images[0].get_array().shape[:2] for ax in fig.axes] == [(6, 8), (10, 4)]


def test_show_images_draws_pixels_and_titles(images):
    fig = show_images(images[:2], titles=["first", None])
    ax = fig.axes[0]
    shown = ax.images[0]
    assert shown.get_interpolation() == "nearest"
    np.testing.assert_allclose(shown.get_array(), images[0].transpose(1, 2, 0))
    # imshow puts pixel (row, col) at [col - 0.5, col + 0.5] x [row - 0.5, row + 0.5]
    assert tuple(shown.get_extent()) == (-0.5, 7.5, 5.5, -0.5)
    assert ax.get_title() == "first"
    assert fig.axes[1].get_title() == ""


def test_box_outline_surrounds_exactly_the_box_pixels(images):
    box = (1, 4, 2, 7)  # rows 1:4, columns 2:7
    fig = show_images(images[:2], boxes=[box, None])
    (rect,) = _rectangles(fig.axes[0])
    assert (rect.get_x(), rect.get_y()) == (2 - 0.5, 1 - 0.5)
    assert (rect.get_width(), rect.get_height()) == (7 - 2, 4 - 1)
    assert not rect.get_fill()
    assert _rectangles(fig.axes[1]) == []  # None means no outline


def test_box_accepts_numpy_ints(images):
    fig = show_images(images[:1], boxes=[tuple(np.array([0, 6, 0, 8]))])
    (rect,) = _rectangles(fig.axes[0])
    assert (rect.get_x(), rect.get_y(), rect.get_width(), rect.get_height()) == (-0.5, -0.5, 8, 6)


def test_uint8_and_float_images_look_the_same(images):
    as_uint8 = np.round(images[:1] * 255).astype(np.uint8)
    fig = show_images(np.concatenate([np.round(images[:1] * 255) / 255]))
    fig_uint8 = show_images(as_uint8)
    np.testing.assert_allclose(
        fig_uint8.axes[0].images[0].get_array(), fig.axes[0].images[0].get_array(), atol=1e-12
    )


def test_normalised_images_are_rescaled_for_display(images):
    normalised = (images[:1] - 0.5) * 4  # values around -2..2
    shown = show_images(normalised).axes[0].images[0].get_array()
    assert shown.min() == pytest.approx(0.0)
    assert shown.max() == pytest.approx(1.0)


def test_single_channel_images_are_gray(images):
    ax = show_images(images[:1, :1]).axes[0]
    assert ax.images[0].get_array().shape == (6, 8)
    assert ax.images[0].get_cmap().name == "gray"


def test_show_images_draws_into_given_axes(images):
    fig, axes = plt.subplots(1, 2)
    assert show_images(images[:2], axes=axes) is fig
    assert all(len(ax.images) == 1 for ax in axes)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"boxes": [None]}, "got 1 boxes for 5 images"),
        ({"titles": ["a", "b"]}, "got 2 titles for 5 images"),
        ({"boxes": [(3, 1, 0, 2)] + [None] * 4}, "top <= bottom"),
        ({"boxes": [(0.5, 2, 0, 2)] + [None] * 4}, "4 ints"),
    ],
)
def test_show_images_rejects_mismatched_arguments(images, kwargs, message):
    with pytest.raises(ValueError, match=message):
        show_images(images, **kwargs)


def test_channels_last_images_are_rejected_with_a_hint():
    with pytest.raises(ValueError, match="channels first"):
        show_images(np.zeros((2, 8, 8, 3)))


# --- show_label ------------------------------------------------------------------------------


def test_show_label_bar_heights_equal_the_label():
    label = np.array([0.7, 0.0, 0.3])
    fig = show_label(label, CLASS_NAMES, title="mixed")
    (ax,) = fig.axes
    heights = [bar.get_height() for bar in ax.containers[0]]
    np.testing.assert_allclose(heights, label)
    assert [t.get_text() for t in ax.get_xticklabels()] == CLASS_NAMES
    assert ax.get_ylim()[0] == 0.0 and ax.get_ylim()[1] >= 1.0
    texts = {t.get_text() for t in ax.texts}
    assert {"0.70", "0.00", "0.30"} <= texts
    assert ax.get_title() == "mixed"


def test_show_label_draws_into_a_given_axes():
    fig, (left, right) = plt.subplots(1, 2)
    assert show_label(np.array([0.0, 1.0, 0.0]), CLASS_NAMES, ax=right) is fig
    assert len(right.containers) == 1 and len(left.containers) == 0


def test_show_label_needs_one_name_per_class():
    with pytest.raises(ValueError, match="2 class names for a label of 3"):
        show_label(np.array([0.2, 0.3, 0.5]), CLASS_NAMES[:2])


# --- show_mixed ------------------------------------------------------------------------------


def test_show_mixed_shows_each_image_beside_its_label(images):
    labels = np.array([[0.75, 0.25, 0.0], [0.0, 1.0, 0.0]])
    box = (0, 3, 0, 4)
    fig = show_mixed(images[:2], labels, CLASS_NAMES, boxes=[box, None], titles=["mix", "dog"])
    assert len(fig.axes) == 4
    image_ax = fig.axes[0]
    assert len(image_ax.images) == 1 and image_ax.get_title() == "mix"
    (rect,) = _rectangles(image_ax)
    assert (rect.get_x(), rect.get_y(), rect.get_width(), rect.get_height()) == (-0.5, -0.5, 4, 3)
    for ax, label in zip(fig.axes[1::2], labels, strict=True):
        np.testing.assert_allclose([b.get_height() for b in ax.containers[0]], label)
    assert _rectangles(fig.axes[2]) == []


def test_show_mixed_needs_one_label_per_image(images):
    with pytest.raises(ValueError, match="labels must be"):
        show_mixed(images[:2], np.eye(3), CLASS_NAMES)


# --- show_heatmap ----------------------------------------------------------------------------


def test_show_heatmap_writes_values_in_small_arrays():
    values = np.arange(12).reshape(3, 4) / 4  # 0.00, 0.25, ...
    fig = show_heatmap(values, title="masked")
    ax = fig.axes[0]
    assert len(fig.axes) == 2  # the heatmap and its colour bar
    np.testing.assert_array_equal(ax.images[0].get_array(), values)
    texts = [t.get_text() for t in ax.texts]
    assert len(texts) == 12
    assert "0.25" in texts and "2.75" in texts
    assert ax.get_title() == "masked"


def test_show_heatmap_writes_counts_as_integers():
    fig = show_heatmap(np.array([[0, 3], [10, 1]]))
    assert sorted(t.get_text() for t in fig.axes[0].texts) == ["0", "1", "10", "3"]


def test_show_heatmap_leaves_large_arrays_unwritten_and_respects_limits():
    fig = show_heatmap(np.ones((17, 5)), vmin=0.0, vmax=2.0, cmap="magma")
    ax = fig.axes[0]
    assert len(ax.texts) == 0
    assert ax.images[0].get_clim() == (0.0, 2.0)
    assert ax.images[0].get_cmap().name == "magma"


def test_show_heatmap_draws_into_a_given_axes():
    fig, ax = plt.subplots()
    assert show_heatmap(np.eye(3), ax=ax) is fig
    assert len(ax.images) == 1


def test_show_heatmap_needs_2d():
    with pytest.raises(ValueError, match="2-D"):
        show_heatmap(np.zeros((3, 4, 4)))


# --- show_histogram --------------------------------------------------------------------------


def test_show_histogram_overlays_named_densities():
    rng = np.random.default_rng(0)
    samples = {f"alpha={a}": rng.beta(a, a, size=2000) for a in (0.2, 1.0)}
    fig = show_histogram(samples, bins=20, title="lam", xlabel="lam")
    (ax,) = fig.axes
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(samples)
    assert ax.get_xlabel() == "lam" and ax.get_title() == "lam"
    assert ax.get_ylabel() == "density"
    assert ax.get_ylim()[1] > 0


def test_show_histogram_needs_samples():
    with pytest.raises(ValueError, match="empty"):
        show_histogram({})


# --- all helpers -----------------------------------------------------------------------------


def _draw_each_kind():
    photos, class_names = load_photos(size=(16, 16))
    labels = np.eye(len(class_names))[:2]
    rng = np.random.default_rng(0)
    return {
        "images": show_images(photos, titles=class_names, boxes=[(2, 8, 3, 9)] + [None] * 5),
        "label": show_label(labels[0], class_names),
        "mixed": show_mixed(photos[:2], labels, class_names, boxes=[(0, 4, 0, 4), None]),
        "heatmap": show_heatmap(rng.random((4, 4))),
        "histogram": show_histogram({"a": rng.random(100), "b": rng.random(50)}),
    }


def test_every_figure_saves_to_a_non_empty_png(tmp_path):
    for kind, fig in _draw_each_kind().items():
        path = tmp_path / f"{kind}.png"
        fig.savefig(path, dpi=50)
        data = path.read_bytes()
        assert data.startswith(b"\x89PNG") and len(data) > 1000, kind


def test_helpers_never_call_show(monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("plots helpers must return the figure, not call plt.show()")

    monkeypatch.setattr(plt, "show", fail)
    monkeypatch.setattr(Figure, "show", fail)
    assert all(isinstance(fig, Figure) for fig in _draw_each_kind().values())
