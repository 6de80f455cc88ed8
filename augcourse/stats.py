"""Reading a results table of notebook 4: which methods, each seed's accuracy, mean and std.

A results table is a list of dicts, one per method, seed, occluder and size, with the keys
"method" (str), "seed" (int), "occluder" ("none" for the clean test set, else one of
`augcourse.dataset.OCCLUDERS`), "size" (int, 0 for clean) and "accuracy" (float in [0, 1]),
as `augcourse.runs.run_experiment` returns it. A condition is an (occluder, size) pair;
("none", 0) is the clean test set.

- `methods_in` and `accuracy_by_seed`: the table's methods and one condition's accuracies;
- `mean_std`: mean and sample standard deviation over seeds;
- `summary_table`: all of it as text, and `condition_name` for a condition's label.

Nothing here modifies a table. The visible and hidden checks of notebook 4 use these too.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def methods_in(results: Sequence[dict]) -> list[str]:
    """The methods of a results table, in the order they first appear."""
    return list(dict.fromkeys(row["method"] for row in results))


def accuracy_by_seed(
    results: Sequence[dict], method: str, occluder: str, size: int
) -> dict[int, float]:
    """{seed: accuracy} of one method under one condition."""
    return {
        row["seed"]: row["accuracy"]
        for row in results
        if row["method"] == method and row["occluder"] == occluder and row["size"] == size
    }


def mean_std(results: Sequence[dict], method: str, occluder: str, size: int) -> tuple[float, float]:
    """Mean and standard deviation (ddof=1, over seeds) of one method's accuracy.

    occluder "none" with size 0 is the clean test set. Raises ValueError if the table has
    no such rows.
    """
    values = np.array(list(accuracy_by_seed(results, method, occluder, size).values()))
    if values.size == 0:
        raise ValueError(f"no rows for method {method!r}, occluder {occluder!r}, size {size}")
    std = float(values.std(ddof=1)) if values.size > 1 else float("nan")
    return float(values.mean()), std


def condition_name(occluder: str, size: int) -> str:
    """A condition as a label: "clean" for ("none", 0), else e.g. "grey 4x4"."""
    return "clean" if occluder == "none" else f"{occluder} {size}x{size}"


def summary_table(
    results: Sequence[dict],
    conditions: Sequence[tuple[str, int]] = (("none", 0), ("grey", 4), ("erase", 4), ("ink", 4)),
) -> str:
    """A text table of mean +- std accuracy: one row per method, one column per condition.

    conditions: (occluder, size) pairs; ("none", 0) is the clean test set.
    """
    names = [condition_name(*condition) for condition in conditions]
    methods = methods_in(results)
    seeds = len({row["seed"] for row in results})
    first = max(len("method"), *(len(m) for m in methods))
    lines = [
        f"accuracy, mean ± std over {seeds} seeds",
        f"{'method':<{first}}  " + "  ".join(f"{name:>13}" for name in names),
    ]
    for method in methods:
        cells = [
            f"{m:.3f} ± {s:.3f}" for m, s in (mean_std(results, method, *c) for c in conditions)
        ]
        lines.append(f"{method:<{first}}  " + "  ".join(f"{cell:>13}" for cell in cells))
    return "\n".join(lines)
