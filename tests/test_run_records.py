"""Records of notebook 04's runs (augcourse/run_records.py): what changes a run's key, and
what `run_experiment` does with records offered, saved or absent. Small runs, no nbgrader."""

import json

import numpy as np
import pytest

from augcourse import runs, training
from augcourse.run_records import REUSE_VARIABLE, SAVE_VARIABLE, Unidentifiable, identify

TINY = training.Settings(n_train=40, epochs=1, batch_size=20, channels=2)
SEEDS = [0, 1]


def _methods(namespace_source: str) -> dict:
    """The methods cell of notebook 04, as a learner's kernel defines it (in a namespace of
    its own, as another cell or another kernel would)."""
    namespace = {"__name__": "__main__"}
    exec(compile(namespace_source, "<cell>", "exec"), namespace)
    return namespace["methods"]


METHODS_CELL = '''
from augcourse import training
CUTOUT_SIZE = 4

def cutout_augment(images, labels, rng):
    """Cutout on every image of the batch."""
    return training.cutout_images(images, CUTOUT_SIZE, rng), labels

methods = {"baseline": None, "cutout": cutout_augment}
'''


def _key(methods, seeds=SEEDS, settings=TINY, sizes=(2,), occluders=("grey",)):
    return identify(runs.run_experiment, methods, list(seeds), settings, sizes, occluders)


def test_the_same_cell_run_again_elsewhere_has_the_same_key():
    first = _key(_methods(METHODS_CELL))
    again = _key(_methods("\n\n" + METHODS_CELL))  # other lines, another namespace
    assert first == again


@pytest.mark.parametrize(
    "change, part",
    [
        (lambda kw: kw | {"seeds": [0, 2]}, "seeds"),
        (lambda kw: kw | {"settings": training.Settings(n_train=40, epochs=2)}, "settings"),
        (lambda kw: kw | {"sizes": (3,)}, "sizes"),
        (lambda kw: kw | {"occluders": ("ink",)}, "occluders"),
        (
            lambda kw: kw | {"methods": _methods(METHODS_CELL.replace("= 4", "= 3"))},
            "method:cutout",
        ),
        (
            lambda kw: (
                kw
                | {
                    "methods": _methods(
                        METHODS_CELL.replace("CUTOUT_SIZE, rng", "CUTOUT_SIZE + 0, rng")
                    )
                }
            ),
            "method:cutout",
        ),
        (
            lambda kw: kw | {"methods": {"cutout": kw["methods"]["cutout"]}},
            "methods method:baseline",
        ),
    ],
    ids=["seeds", "settings", "sizes", "occluders", "a constant", "the code", "fewer methods"],
)
def test_each_thing_a_run_depends_on_changes_its_key(change, part):
    given = {"methods": _methods(METHODS_CELL), "seeds": SEEDS, "settings": TINY}
    before = _key(**given)
    after = _key(**change(given))
    assert before.key != after.key
    differ = [name for name in before.parts if before.parts[name] != after.parts.get(name)]
    assert differ == part.split()


def test_replacing_a_course_function_the_run_uses_changes_its_key(monkeypatch):
    methods = _methods(METHODS_CELL)
    before = _key(methods)
    # used by the learner's augmentation through the module
    monkeypatch.setattr(training, "cutout_images", lambda images, size, rng: images)
    assert _key(methods).parts["method:cutout"] != before.parts["method:cutout"]
    monkeypatch.undo()
    assert _key(methods) == before
    # used deep inside the training loop: train -> forward
    monkeypatch.setattr(training, "forward", lambda params, images: (images, {}))
    assert _key(methods).parts["code"] != before.parts["code"]


def test_something_that_cannot_be_compared_is_said_and_trains(monkeypatch, capsys, tmp_path):
    class Opaque:
        def __call__(self, images, labels, rng):
            return images, labels

    with pytest.raises(Unidentifiable):
        _key({"odd": Opaque()})
    monkeypatch.setenv(REUSE_VARIABLE, str(tmp_path))
    runs.run_experiment({"odd": Opaque()}, [0], TINY, sizes=(), occluders=(), progress=False)
    assert "Trained here: these runs use a Opaque" in capsys.readouterr().out


def _run(methods, seeds=SEEDS, settings=TINY):
    return runs.run_experiment(
        methods, seeds, settings, sizes=(2,), occluders=("grey",), progress=False
    )


def test_without_records_nothing_changes(monkeypatch, capsys, tmp_path):
    """A learner's own JupyterLab: no variable, no line printed, nothing written."""
    monkeypatch.delenv(REUSE_VARIABLE, raising=False)
    monkeypatch.delenv(SAVE_VARIABLE, raising=False)
    monkeypatch.chdir(tmp_path)
    rows = _run(_methods(METHODS_CELL))
    assert len(rows) == 2 * 2 * 2  # methods x seeds x (clean + one occlusion)
    assert capsys.readouterr().out == ""
    assert list(tmp_path.iterdir()) == []


def test_a_saved_run_is_reused_exactly_and_a_different_one_trains(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv(SAVE_VARIABLE, str(tmp_path))
    trained = _run(_methods(METHODS_CELL))
    (record,) = tmp_path.glob("*.json")
    assert json.loads(record.read_text())["rows"] == trained
    monkeypatch.delenv(SAVE_VARIABLE)
    monkeypatch.setenv(REUSE_VARIABLE, str(tmp_path))
    capsys.readouterr()

    reused = _run(_methods(METHODS_CELL))
    assert reused == trained  # the same floats, as JSON keeps them
    assert capsys.readouterr().out.startswith("Results reused: the grader trained exactly")

    # the record is what is returned, not a recomputation: prove it with a marked record
    marked = json.loads(record.read_text())
    marked["rows"][0]["accuracy"] = -1.0
    record.write_text(json.dumps(marked))
    assert _run(_methods(METHODS_CELL))[0]["accuracy"] == -1.0

    other = _run(_methods(METHODS_CELL), seeds=[0, 5])
    said = capsys.readouterr().out
    assert "Trained here: these runs differ from the grader's in the seeds" in said
    assert all(0 <= row["accuracy"] <= 1 for row in other)
    assert [row["seed"] for row in other][-1] == 5

    changed = _methods(METHODS_CELL.replace("= 4", "= 2"))
    _run(changed)
    assert "differ from the grader's in the augmentation 'cutout'" in capsys.readouterr().out


def test_an_unreadable_or_foreign_record_is_ignored(monkeypatch, capsys, tmp_path):
    methods = _methods(METHODS_CELL)
    key = _key(methods).key
    (tmp_path / f"{key}.json").write_text("{not json")
    (tmp_path / "other.json").write_text(json.dumps({"key": key, "rows": []}))  # misnamed
    monkeypatch.setenv(REUSE_VARIABLE, str(tmp_path))
    rows = _run(methods)
    assert rows and np.isfinite([row["accuracy"] for row in rows]).all()
    assert "Trained here: the grader has no record of these runs" in capsys.readouterr().out
