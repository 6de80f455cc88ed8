"""Pictures a hidden check shows with its failure (expected, yours, where they differ).

While a test cell is decided outside the kernel (autograder/plugins/decide.py), pictures are
collected as PNG bytes by `collecting_pictures` and become the cell's outputs; in a notebook
they are displayed; anywhere else they are not drawn at all.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator

import numpy as np


class PictureSink:
    """Where pictures go while a test cell is decided: a list of PNG bytes, or None."""

    pngs: list[bytes] | None = None


SINK = PictureSink()


@contextlib.contextmanager
def collecting_pictures() -> Iterator[list[bytes]]:
    """Collect the pictures shown inside the block; yields the list they are added to."""
    pngs: list[bytes] = []
    previous, SINK.pngs = SINK.pngs, pngs
    try:
        yield pngs
    finally:
        SINK.pngs = previous


def show_comparison(panels: dict[str, np.ndarray]) -> None:
    """Show images side by side (e.g. expected, yours, difference) in the cell's output.

    The picture (a PNG) reaches the learner's feedback. Outside a notebook or a decided
    test cell it is not drawn at all.
    """
    display = None
    if SINK.pngs is None:
        try:
            from IPython import get_ipython
            from IPython.display import Image, display
        except ImportError:
            return
        if get_ipython() is None:
            return
    import matplotlib.pyplot as plt

    from augcourse.plots import show_images

    images = [np.asarray(image, dtype=np.float64) for image in panels.values()]
    figure = show_images(images, titles=list(panels), scale=2.2)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    plt.close(figure)
    if SINK.pngs is not None:
        SINK.pngs.append(buffer.getvalue())
    elif display is not None:
        display(Image(data=buffer.getvalue()))


def difference(expected: np.ndarray, got: np.ndarray) -> np.ndarray:
    """Where two images differ: 1 where any channel differs, as a one-channel image."""
    return (np.asarray(expected) != np.asarray(got)).any(axis=0, keepdims=True).astype(np.float64)


def show_if_images(args: tuple, expected, got) -> None:
    """The comparison picture, when the expected and the learner's results are images."""
    if (
        isinstance(expected, np.ndarray)
        and expected.ndim == 3
        and isinstance(got, np.ndarray)
        and got.shape == expected.shape
    ):
        show_comparison(
            {
                "input": next(a for a in args if isinstance(a, np.ndarray)),
                "expected": expected,
                "yours": got,
                "where they differ": difference(expected, got),
            }
        )
