"""The class report's pictures, as matplotlib figures and PNG data URIs.

Figures are made with `matplotlib.figure.Figure` directly, never through pyplot, so they
use the Agg canvas whatever the backend and leave nothing open.
"""

from __future__ import annotations

import base64
import io
import statistics

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from autograder.pipeline.tallies import CellTally, MistakeTally, count_text

TOP_MISTAKES = 10  # bars in the mistakes chart (the table lists them all)
DPI = 110
BAR_COLOUR = "#4c72b0"


def figure_data_uri(figure: Figure) -> str:
    """The figure as a PNG data URI ("data:image/png;base64,...") for an <img src>.

    Figures here are made with `matplotlib.figure.Figure` directly, never through
    pyplot, so they use the Agg canvas whatever the backend and leave nothing open.
    """
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _label(text: str) -> str:
    """Text shown literally by matplotlib (a "$" would start mathtext)."""
    return text.replace("$", r"\$")


def grade_histogram(percents: list[float], attention: int = 0) -> Figure:
    """Histogram of graded learners' total scores, in 10% bins from 0% to 100%."""
    figure = Figure(figsize=(7.5, 3.4))
    ax = figure.add_subplot()
    edges = np.linspace(0, 100, 11)
    counts, _ = np.histogram(np.clip(percents, 0, 100), bins=edges)
    bars = ax.bar(edges[:-1], counts, width=10, align="edge", color=BAR_COLOUR, edgecolor="white")
    ax.bar_label(bars, labels=[str(c) if c else "" for c in counts], padding=2)
    if percents:
        mean = statistics.mean(percents)
        ax.axvline(mean, color="#c44e52", linestyle="--", linewidth=1.5)
        ax.text(
            mean,
            1.0,
            f" mean {mean:.0f}%",
            color="#c44e52",
            va="top",
            transform=ax.get_xaxis_transform(),
        )
    ax.set_xlim(0, 100)
    ax.set_xticks(edges, labels=[f"{e:g}%" for e in edges])
    ax.set_ylim(0, max(1, counts.max(initial=0)) * 1.2)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("total score (% of maximum)")
    ax.set_ylabel("learners")
    ax.set_title(f"Grade distribution: {len(percents)} graded learners")
    ax.spines[["top", "right"]].set_visible(False)
    if attention:
        ax.text(
            0.0,
            -0.25,
            f"Not shown: {count_text(attention, 'learner')} needing attention (not graded).",
            transform=ax.transAxes,
            color="#b03a2e",
            fontweight="bold",
        )
    return figure


def pass_rate_chart(tallies: list[CellTally]) -> Figure:
    """Horizontal bars, one per test in order, coloured by notebook, labelled "passed/total"."""
    figure = Figure(figsize=(7.5, 1.4 + 0.32 * len(tallies)))
    ax = figure.add_subplot()
    notebooks = list(dict.fromkeys(t.notebook for t in tallies))
    palette = matplotlib.colormaps["tab10"]
    colour = {nb: palette(i % 10) for i, nb in enumerate(notebooks)}
    y = np.arange(len(tallies))
    rates = [100 * (t.rate or 0) for t in tallies]
    ax.barh(y, rates, color=[colour[t.notebook] for t in tallies], height=0.7)
    for position, rate, tally in zip(y, rates, tallies, strict=True):
        text = f"{tally.passed}/{tally.total}" if tally.total else "no graded learners"
        ax.text(rate + 1, position, text, va="center", fontsize=9)
    ax.set_yticks(y, labels=[_label(t.test) for t in tallies])
    ax.set_ylim(len(tallies) - 0.5, -0.5)  # first test on top
    ax.set_xlim(0, 112)
    ax.set_xticks(np.linspace(0, 100, 6), labels=[f"{p:g}%" for p in np.linspace(0, 100, 6)])
    ax.set_xlabel("graded learners who passed")
    ax.set_title("Pass rate per test")
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(
        handles=[
            Patch(color=colour[nb], label=_label(nb.removesuffix(".ipynb"))) for nb in notebooks
        ],
        loc="upper center",
        bbox_to_anchor=(0.5, -0.55 / (0.77 * figure.get_figheight())),  # below the x label
        ncol=min(len(notebooks), 4),
        frameon=False,
    )
    return figure


def mistakes_chart(tallies: list[MistakeTally], top: int = TOP_MISTAKES) -> Figure:
    """Horizontal bars of the `top` most common mistakes: learners who made each."""
    shown = tallies[:top]
    figure = Figure(figsize=(7.5, 1.2 + 0.32 * len(shown)))
    ax = figure.add_subplot()
    y = np.arange(len(shown))
    bars = ax.barh(y, [t.count for t in shown], color=BAR_COLOUR, height=0.7)
    ax.bar_label(bars, padding=3)
    ax.set_yticks(y, labels=[_label(t.mistake) for t in shown])
    ax.set_ylim(len(shown) - 0.5, -0.5)  # most common on top
    ax.set_xlim(0, max((t.count for t in shown), default=1) * 1.15)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("learners")
    title = "Most common diagnosed mistakes"
    if len(tallies) > len(shown):
        title += f" (top {len(shown)} of {len(tallies)})"
    ax.set_title(title)
    ax.spines[["top", "right"]].set_visible(False)
    return figure
