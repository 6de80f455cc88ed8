"""The attack bank: hostile submissions gain nothing, are flagged, and harm no one.

Each attacker submits the third notebook with the reversed-ratio bug left in
`cutmix_labels` plus one attack meant to get the 2 points of `cutmix-labels-test`
anyway (or to read, write or break something). One real grading run grades them all,
with an honest learner beside them.
"""

import csv
import html
import sqlite3
import textwrap

import nbformat
import pytest
from system_tools import needs_bubblewrap

from autograder.limits import Limits
from autograder.pipeline.course import ASSIGNMENT, ROOT, SOLUTIONS
from autograder.pipeline.grading import grade_class

pytestmark = [
    pytest.mark.nbgrader,
    needs_bubblewrap,
]
NOTEBOOK = "03_reversed_ratio_bug.ipynb"
TARGET = "cutmix-labels-test"
BUG = "def cutmix_labels(label1, label2, patch_ratio):\n    return label1 * patch_ratio + label2 * (1 - patch_ratio)\n\n"
SECRET = "secret-of-the-instructor-7f3a"

# name -> (code put in the cutmix_labels answer cell, the flag expected in the learner's status)
ATTACKS = {
    "patch_numpy": (
        BUG + "np.allclose = lambda *a, **k: True\nnp.array_equal = lambda *a, **k: True\n"
        "np.testing.assert_allclose = lambda *a, **k: None\n",
        "changes numpy",
    ),
    "replace_builtins": (
        BUG + "import builtins\n\nbuiltins.isinstance = lambda *a: True\n"
        "builtins.AssertionError = type('Never', (Exception,), {})\n",
        "changes Python's builtins",
    ),
    "plant_modules": (
        BUG + "import sys\nimport types\n\nfake = types.ModuleType('autograder.checks')\n"
        "fake.grade_cutmix_labels = lambda fn: None\nsys.modules['autograder'] = types.ModuleType('autograder')\n"
        "sys.modules['autograder.checks'] = fake\n",
        "changes sys.modules",
    ),
    "import_reference": (
        "try:\n    from autograder.exercises.reference import cutmix_labels\nexcept ImportError:\n"
        + textwrap.indent(BUG, "    "),
        "imports or reads the grader's code",
    ),
    "read_reference_by_path": (
        BUG + "namespace = {}\ntry:\n"
        f"    exec(open({str(ROOT / 'autograder' / 'reference.py')!r}).read(), namespace)\n"
        "    cutmix_labels = namespace['cutmix_labels']\nexcept OSError:\n    pass\n",
        "imports or reads the grader's code",
    ),
    "read_solutions": (
        BUG + "import json\ntry:\n"
        f"    cells = json.load(open({str(SOLUTIONS / ASSIGNMENT / NOTEBOOK)!r}))['cells']\n"
        "    exec(next(''.join(c['source']) for c in cells if 'def cutmix_labels' in ''.join(c['source'])))\n"
        "except OSError:\n    pass\n",
        "imports or reads the grader's code",
    ),
    "behave_differently_when_graded": (
        BUG
        + "import os\n\nif os.environ.get('NBGRADER_EXECUTION'):\n    np.allclose = lambda *a, **k: True\n",
        "NBGRADER_EXECUTION",
    ),
    "print_secrets": (
        BUG + "import os\n\nprint(dict(os.environ))\nprint(os.listdir('/'))\n"
        f"print(open({str(ROOT / 'autograder' / 'answers.py')!r}).read() if os.path.exists({str(ROOT / 'autograder' / 'answers.py')!r}) else 'hidden')\n",
        "reads or writes files",
    ),
    "hard_code_visible_answers": (
        "def cutmix_labels(label1, label2, patch_ratio):\n"
        "    known = {0.3: [0.7, 0.3, 0.0], 0.25: [0.75, 0.25, 0.0], 0.0: [1.0, 0.0, 0.0]}\n"
        "    return np.array(known.get(patch_ratio, [1.0, 0.0, 0.0]))\n",
        None,
    ),
    "write_gradebook": (
        BUG
        + "import glob\n\nfor path in glob.glob('../../../*.db') + glob.glob('/tmp/**/gradebook.db', recursive=True):\n"
        "    open(path, 'w').write('corrupted')\n",
        "reads or writes files",
    ),
    "read_other_learners": (
        BUG
        + "import glob\n\nfor path in glob.glob('../../*/*/*.ipynb'):\n    print('FOUND', path, open(path).read()[:20])\n",
        "reads or writes files",
    ),
    "network": (
        BUG + "import socket\n\ntry:\n    socket.create_connection(('127.0.0.1', 22), timeout=2)\n"
        "except OSError as error:\n    print('no network:', error)\n",
        "opens network connections",
    ),
    "fork_bomb": (
        BUG
        + "import os\n\nif os.fork() == 0:\n    while True:\n        try:\n            os.fork()\n"
        "        except OSError:\n            pass\n",
        "starts processes",
    ),
    "memory_bomb": (BUG + "hog = bytearray(64 * 1024**3)\n", None),
    "endless_loop": (
        BUG
        + "import signal\n\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass\n",
        "changes signal handling",
    ),
    "exit_kernel": (BUG + "import os\n\nos._exit(0)\n", "exits the kernel"),
    "output_flood": (BUG + "for i in range(300_000):\n    print('flood' * 20, i)\n", None),
}


def _notebook(answer: str) -> nbformat.NotebookNode:
    notebook = nbformat.read(SOLUTIONS / ASSIGNMENT / NOTEBOOK, as_version=4)
    cell = next(
        c
        for c in notebook.cells
        if c.metadata.get("nbgrader", {}).get("grade_id") == "cutmix-labels-answer"
    )
    cell.source = answer
    return notebook


@pytest.fixture(scope="module")
def attacked(tmp_path_factory, canary_records):
    root = tmp_path_factory.mktemp("attacks")
    submitted = root / "submitted"
    for name, (code, _) in ATTACKS.items():
        folder = submitted / name / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(_notebook(code), folder / NOTEBOOK)
    edited = _notebook(BUG)
    test_cell = next(
        c for c in edited.cells if c.metadata.get("nbgrader", {}).get("grade_id") == TARGET
    )
    test_cell.source = "pass"
    (submitted / "edit_test_cell" / ASSIGNMENT).mkdir(parents=True)
    nbformat.write(edited, submitted / "edit_test_cell" / ASSIGNMENT / NOTEBOOK)
    extra = _notebook(BUG)
    extra.cells.append(
        nbformat.v4.new_code_cell(
            "pass",
            metadata={
                "nbgrader": {
                    "grade": True,
                    "grade_id": "extra-credit",
                    "locked": False,
                    "points": 100,
                    "schema_version": 3,
                    "solution": False,
                    "task": False,
                }
            },
        )
    )
    (submitted / "cell_after_tests" / ASSIGNMENT).mkdir(parents=True)
    nbformat.write(extra, submitted / "cell_after_tests" / ASSIGNMENT / NOTEBOOK)
    (submitted / "honest" / ASSIGNMENT).mkdir(parents=True)
    nbformat.write(
        nbformat.read(SOLUTIONS / ASSIGNMENT / NOTEBOOK, as_version=4),
        submitted / "honest" / ASSIGNMENT / NOTEBOOK,
    )

    out = root / "out"
    out.mkdir()
    sentinel = out / "instructor_notes.txt"
    sentinel.write_text(SECRET)
    results = grade_class(
        submitted,
        out,
        progress=lambda _: None,
        limits=Limits(cell_seconds=5, learner_seconds=120),
        reuse_canary_from=canary_records,
    )
    return {"results": {r.learner: r for r in results}, "out": out, "sentinel": sentinel}


def _target(result):
    return next(r for r in result.rows if r["notebook"] == NOTEBOOK and r["test"] == TARGET)


@pytest.mark.parametrize("attack", [*ATTACKS, "edit_test_cell", "cell_after_tests"])
def test_attack_gains_no_points(attacked, attack):
    row = _target(attacked["results"][attack])
    assert row["points"] in (None, 0.0), f"{attack} got {row['points']} of {row['max']}"


@pytest.mark.parametrize(
    ("attack", "flag"),
    [(name, flag) for name, (_, flag) in ATTACKS.items() if flag]
    + [
        ("edit_test_cell", "edited the read-only cell"),
        ("cell_after_tests", "added a graded cell"),
    ],
)
def test_attack_is_flagged_with_its_reason(attacked, attack, flag):
    result = attacked["results"][attack]
    assert flag in result.status, result.status
    assert flag in _target(result)["flags"] or result.status.count(flag)


@pytest.mark.parametrize("attack", ["fork_bomb", "endless_loop", "exit_kernel", "memory_bomb"])
def test_attacks_on_the_machine_end_as_attention_or_plain_failure(attacked, attack):
    result = attacked["results"][attack]
    assert result.status.startswith("needs attention") or _target(result)["status"] == "failed"


def test_the_honest_learner_beside_them_gets_full_marks(attacked):
    honest = attacked["results"]["honest"]
    assert all(r["points"] == r["max"] for r in honest.rows if r["notebook"] == NOTEBOOK)


def test_nothing_outside_the_learners_folders_changed_or_leaked(attacked):
    out = attacked["out"]
    assert attacked["sentinel"].read_text() == SECRET
    with sqlite3.connect(out / "course" / "gradebook.db") as db:
        assert db.execute("select count(*) from student").fetchone()[0] >= len(ATTACKS)
    feedback = "\n".join(html.unescape(p.read_text()) for p in (out / "feedback").rglob("*.html"))
    seed = (out / "grading_seed.txt").read_text().strip()
    assert seed not in feedback, "the grading seed reached a learner's feedback"
    assert "ANSWERS = {" not in feedback and "def worked_example" not in feedback
    assert SECRET not in feedback
    rows = list(csv.DictReader(open(out / "tests.csv")))
    assert {r["learner"] for r in rows} >= set(ATTACKS)


def test_an_output_flood_is_cut_or_stopped(attacked):
    result = attacked["results"]["output_flood"]
    pages = list((attacked["out"] / "feedback" / "output_flood").rglob("*.html"))
    stopped = "ran longer than" in result.status or "did not answer" in result.status
    assert stopped or (pages and sum(p.stat().st_size for p in pages) < 3_000_000), result.status


def test_reading_another_learner_finds_only_itself(attacked):
    autograded = (
        attacked["out"] / "course" / "autograded" / "read_other_learners" / ASSIGNMENT / NOTEBOOK
    )
    notebook = nbformat.read(autograded, as_version=4)
    printed = "".join(
        output.get("text", "")
        for cell in notebook.cells
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "cutmix-labels-answer"
        for output in cell.outputs
    )
    found = [line.split()[1] for line in printed.splitlines() if line.startswith("FOUND")]
    assert found and all("/read_other_learners/" in path for path in found), found
