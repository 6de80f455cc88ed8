"""Inputs the hidden checks draw at grading time: images, boxes, labels, lam values."""

from __future__ import annotations

import math

import numpy as np

IMAGE_DTYPES = (np.uint8, np.float32, np.float64)
IMAGE_SHAPES = [(3, 5, 7), (1, 4, 4), (3, 32, 32), (2, 9, 6), (3, 1, 8)]


def image(shape: tuple, dtype, rng: np.random.Generator) -> np.ndarray:
    """An image with no zero pixels (so a zeroed box is visible), values 1..119."""
    return rng.integers(1, 120, size=shape).astype(dtype)


def boxes(height: int, width: int, rng: np.random.Generator, count: int) -> list[tuple]:
    """Valid clipped boxes: empty, full, touching each border, and random ones."""
    fixed = [
        (0, height, 0, width),
        (0, 0, 0, 0),
        (0, 1, 0, 1),
        (height - 1, height, width - 1, width),
        (0, height, width // 2, width),
        (height // 2, height, 0, max(width // 3, 1)),
    ]
    drawn = []
    for _ in range(count):
        top, bottom = sorted(int(v) for v in rng.integers(0, height + 1, size=2))
        left, right = sorted(int(v) for v in rng.integers(0, width + 1, size=2))
        drawn.append((top, bottom, left, right))
    return fixed + drawn


def label(num_classes: int, rng: np.random.Generator, dtype=np.float64) -> np.ndarray:
    """A soft label: num_classes weights that sum to 1, some much larger than others."""
    weights = rng.random(num_classes) ** 3
    return (weights / weights.sum()).astype(dtype)


def label_cases(rng: np.random.Generator, batches: bool) -> list[tuple]:
    """(label1, label2, patch_ratio) cases: one-hot, soft, float32 and float64, and, with
    `batches`, (N, classes) batches of labels."""
    cases = [
        (np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0]), r) for r in (0.0, 0.3, 0.25, 1.0)
    ]
    for _ in range(30):
        num_classes = int(rng.integers(2, 11))
        dtype = np.float32 if rng.random() < 0.3 else np.float64
        ratio = float(rng.random())
        cases.append((label(num_classes, rng, dtype), label(num_classes, rng, dtype), ratio))
    if batches:
        for _ in range(5):
            count, num_classes = int(rng.integers(1, 6)), int(rng.integers(2, 6))
            label1 = np.stack([label(num_classes, rng) for _ in range(count)])
            label2 = np.stack([label(num_classes, rng) for _ in range(count)])
            cases.append((label1, label2, float(rng.random())))
    return cases


def stable_lam(lam: float, *sides: int) -> bool:
    """True if every common way of computing int(side * sqrt(1 - lam)) agrees."""
    for side in sides:
        variants = {
            int(side * math.sqrt(1 - lam)),
            int(side * np.sqrt(1 - lam)),
            int(side * (1 - lam) ** 0.5),
            int(math.sqrt(side * side * (1 - lam))),
        }
        if len(variants) > 1:
            return False
    return True
