"""Tests for augcourse.experiment_plots: the training batches and label texts of notebook 4."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # before pyplot is imported (also by augcourse.experiment_plots)

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from augcourse import dataset, experiment_plots, training  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def split():
    return dataset.split_digits(*dataset.load_digits_images(), 300, np.random.default_rng(0))


def test_show_training_batches_outlines_the_pasted_patches(split):
    cutmix = {"cutmix": lambda x, y, rng: training.cutmix_images(x, y, 1.0, rng)}
    fig = experiment_plots.show_training_batches(
        split, {"baseline": None, **cutmix}, count=6, seed=2
    )
    assert len(fig.axes) == 12
    assert not fig.axes[0].patches  # no outline on the untouched images
    assert any(ax.patches for ax in fig.axes[6:])


def test_label_text():
    assert experiment_plots.label_text(np.eye(10)[7]) == "7"
    assert (
        experiment_plots.label_text(0.75 * np.eye(10)[3] + 0.25 * np.eye(10)[6]) == "3 .75 / 6 .25"
    )
