"""The experiment of notebook 4: every method trained on every seed, tested clean and occluded.

`run_experiment` puts the other modules together: the data (`augcourse.dataset`), training
(`augcourse.training`) and the occlusion test (`augcourse.occlusion`), with a progress bar
(`augcourse.progress`). It returns a results table (see `augcourse.stats`). When the grader
offers records of the same runs (`augcourse.run_records`), it returns those instead of training.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from augcourse import run_records
from augcourse.dataset import OCCLUDERS, load_digits_images, split_digits
from augcourse.occlusion import occlude, occlusion_boxes
from augcourse.progress import ProgressBar
from augcourse.training import Augment, Settings, accuracy, seed_streams, train


def run_experiment(
    methods: Mapping[str, Augment | None],
    seeds: Iterable[int],
    settings: Settings = Settings(),  # noqa: B008  (frozen dataclass: safe as a default)
    sizes: Sequence[int] = (1, 2, 3, 4, 5, 6),
    occluders: Sequence[str] = OCCLUDERS,
    progress: bool = True,
) -> list[dict]:
    """Train every method on every seed and measure clean and occluded test accuracy.

    For one seed, every method gets the same split, initial weights and batch order, and
    is tested on the same occluding squares (the same positions for every fill), so the
    differences between methods on one seed come from the augmentation alone.

    Args:
        methods: name -> augment(images, labels, rng), or None for no augmentation.
        seeds: ints, one run per method and seed.
        settings: data size, epochs and optimiser (`augcourse.training.Settings`).
        sizes: sides of the occluding squares to test.
        occluders: kinds of occluder to test (from OCCLUDERS).
        progress: write a one-line progress bar to stdout.

    Returns:
        One dict per method, seed, occluder and size, with the keys "method", "seed",
        "occluder" ("none" for the clean test set, else from OCCLUDERS), "size" (0 for
        clean) and "accuracy" (float in [0, 1]).
    """
    seeds = list(seeds)
    # The same runs trained before, when the grader offers their records (run_records.py);
    # never in a learner's own JupyterLab.
    recorded, identity = run_records.recorded(
        run_experiment, methods, seeds, settings, sizes, occluders
    )
    if recorded is not None:
        return recorded
    images, labels = load_digits_images()
    bar = ProgressBar(len(seeds) * len(methods), enabled=progress)
    rows = []
    for seed in seeds:
        streams = seed_streams(seed)
        split = split_digits(images, labels, settings.n_train, streams["split"])
        height, width = split.test_images.shape[-2:]
        boxes = {
            size: occlusion_boxes(len(split.test_images), height, width, size, streams["occlude"])
            for size in sizes
        }
        for method, augment in methods.items():
            params = train(split, augment, seed, settings)
            row = {"method": method, "seed": seed}
            rows.append(
                {
                    **row,
                    "occluder": "none",
                    "size": 0,
                    "accuracy": accuracy(params, split.test_images, split.test_labels),
                }
            )
            for occluder in occluders:
                for size in sizes:
                    occluded = occlude(split.test_images, boxes[size], split.fill(occluder))
                    rows.append(
                        {
                            **row,
                            "occluder": occluder,
                            "size": size,
                            "accuracy": accuracy(params, occluded, split.test_labels),
                        }
                    )
            bar.advance()
    bar.close()
    run_records.save(identity, rows)
    return rows
