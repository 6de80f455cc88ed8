"""Tests for augcourse.runs: the whole experiment of notebook 4 on a tiny scale, read back
with augcourse.stats and augcourse.experiment_plots."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # before pyplot is imported (also by augcourse.experiment_plots)

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from augcourse import experiment_plots, runs, stats, training  # noqa: E402

TINY = training.Settings(n_train=60, epochs=3, batch_size=20)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_run_experiment_returns_one_row_per_method_seed_and_condition(capsys):
    methods = {
        "baseline": None,
        "cutout": lambda x, y, rng: (training.cutout_images(x, 4, rng), y),
    }
    results = runs.run_experiment(
        methods, seeds=[4, 9], settings=TINY, sizes=(2, 4), occluders=("grey", "ink")
    )
    assert len(results) == 2 * 2 * (1 + 2 * 2)
    assert all(row.keys() == {"method", "seed", "occluder", "size", "accuracy"} for row in results)
    assert {(r["occluder"], r["size"]) for r in results} == {
        ("none", 0),
        ("grey", 2),
        ("grey", 4),
        ("ink", 2),
        ("ink", 4),
    }
    assert all(0.0 <= r["accuracy"] <= 1.0 for r in results)
    assert "4/4 runs" in capsys.readouterr().out
    again = runs.run_experiment(
        methods, [4, 9], TINY, sizes=(2, 4), occluders=("grey", "ink"), progress=False
    )
    assert again == results and capsys.readouterr().out == ""
    table = stats.summary_table(results, [("none", 0), ("ink", 4)])
    assert "baseline" in table and "ink 4x4" in table and "±" in table
    assert len(experiment_plots.plot_occlusion_curves(results).axes) == 2
    assert len(experiment_plots.plot_per_seed(results).axes) == 2
