"""Tests for autograder.pipeline.report and .summary: what an instructor reads in the class
report and the terminal table after grading."""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser

import pytest

from autograder.exercises.mistakes import MISTAKES
from autograder.pipeline.missing_feedback import reasons_for
from autograder.pipeline.reasons import Reason, status_text
from autograder.pipeline.report import write_class_report
from autograder.pipeline.summary import class_summary_text

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SCRIPT_NAME = "<script>alert('x')</script>"

# (notebook, test, points); the order the tests come in the notebooks.
TESTS = [
    ("01_cutout.ipynb", "centered-box-test", 2.0),
    ("01_cutout.ipynb", "apply-cutout-test", 2.0),
    ("02_cutmix.ipynb", "cutmix-test", 3.0),
    ("02_cutmix.ipynb", "cutmix-batch-test", 3.0),
]
MAXIMUM = 10.0

# Each graded learner's failed tests, with the diagnosed mistake ("" if none).
FAILED = {
    "ana": {},
    "ben": {
        "centered-box-test": "centered_box:box_not_clipped",
        "cutmix-test": "cutmix:lam_not_readjusted",
        "cutmix-batch-test": "cutmix_batch:lam_not_readjusted",
    },
    SCRIPT_NAME: {"cutmix-test": "cutmix:lam_not_readjusted", "cutmix-batch-test": ""},
    "dia": {
        "apply-cutout-test": "apply_cutout:input_modified",
        "cutmix-test": "cutmix:lam_not_readjusted",
    },
}
# Scores: ana 10, ben 2, SCRIPT_NAME 4, dia 5 -> 100%, 20%, 40%, 50%: median 45%.
# (If eve, who could not be graded, counted as 0, the median would be 40%.)


def explanation(function: str, key: str) -> str:
    return next(m.explanation for m in MISTAKES if (m.function, m.key) == (function, key))


def make_class() -> tuple[list[dict], list[dict]]:
    """5 learners over 4 tests; eve's notebook was invalid JSON, so she has no points."""
    rows, learners = [], []
    for name, failed in FAILED.items():
        score = 0.0
        for notebook, test, points in TESTS:
            passed = test not in failed
            mistake = failed.get(test, "")
            function, _, key = mistake.partition(":")
            rows.append(
                {
                    "learner": name,
                    "notebook": notebook,
                    "test": test,
                    "points": points if passed else 0.0,
                    "max": points,
                    "status": "passed" if passed else "failed",
                    "mistake": mistake,
                    "message": explanation(function, key) if mistake else "",
                }
            )
            score += points if passed else 0.0
        learners.append(
            {"learner": name, "status": "graded", "score": score, "max": MAXIMUM, "seconds": 12.5}
        )
    for notebook, test, points in TESTS:
        rows.append(
            {
                "learner": "eve",
                "notebook": notebook,
                "test": test,
                "points": None,
                "max": points,
                "status": "not graded",
                "mistake": "",
                "message": "",
            }
        )
    learners.append(
        {
            "learner": "eve",
            "status": "needs attention: invalid JSON",
            "reasons": [Reason("not_a_notebook", "invalid JSON", "02_cutmix.ipynb")],
            "score": None,
            "max": MAXIMUM,
            "seconds": 0.4,
        }
    )
    # The pipeline may list rows in any order: the report orders tests by notebook.
    rows.sort(key=lambda row: row["notebook"], reverse=True)
    return rows, learners


class Tables(HTMLParser):
    """Every <table> of a page as a list of rows of cell text (entities decoded)."""

    def __init__(self, text: str):
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.cell: list[str] | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.tables[-1][-1].append("".join(self.cell).strip())
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)

    def named(self, first_header: str) -> list[dict[str, str]]:
        """The table whose first column is `first_header`, as dicts by header."""
        table = next(t for t in self.tables if t[0][0] == first_header)
        return [dict(zip(table[0], row, strict=True)) for row in table[1:]]


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> str:
    rows, learners = make_class()
    path = write_class_report(rows, learners, tmp_path_factory.mktemp("report"))
    assert path.name == "class_report.html"
    assert path.is_file()
    return path.read_text(encoding="utf-8")


def test_learner_needing_attention_is_prominent_and_never_a_zero(report):
    attention = re.search(r'<div class="attention".*?</div>', report, re.DOTALL)
    assert attention, "no 'needs attention' box at the top of the report"
    assert "eve" in attention.group() and "invalid JSON" in attention.group()
    assert report.index("needs-attention") < report.index("Grade distribution")

    learners = {row["learner"]: row for row in Tables(report).named("learner")}
    assert learners["eve"]["score/max"] == "not graded"
    assert learners["ben"]["score/max"] == "2/10"
    # Mean and median are over graded learners only: eve is not counted as 0.
    assert '<div class="value">45%</div>median' in report


def test_pass_rates_count_graded_learners_in_notebook_order(report):
    tests = Tables(report).named("notebook")
    assert [row["test"] for row in tests] == [test for _, test, _ in TESTS]
    rates = {row["test"]: row["pass rate"] for row in tests}
    assert rates == {
        "centered-box-test": "3/4 (75%)",
        "apply-cutout-test": "3/4 (75%)",
        "cutmix-test": "1/4 (25%)",
        "cutmix-batch-test": "2/4 (50%)",
    }
    cutmix = next(row for row in tests if row["test"] == "cutmix-test")
    assert (cutmix["passed"], cutmix["failed"], cutmix["not graded"]) == ("1", "3", "0")


def test_most_common_mistake_comes_first_with_the_banks_explanation(report):
    mistakes = Tables(report).named("mistake")
    first = mistakes[0]
    assert first["mistake"] == "cutmix:lam_not_readjusted"
    assert first["function"] == "cutmix"
    assert first["learners"] == "3"
    assert first["explanation"] == explanation("cutmix", "lam_not_readjusted")
    assert set(first["who"].split(", ")) == {"ben", "dia", SCRIPT_NAME}
    # The same key in another function has that function's explanation.
    batch = next(row for row in mistakes if row["mistake"] == "cutmix_batch:lam_not_readjusted")
    assert batch["explanation"] == explanation("cutmix_batch", "lam_not_readjusted")
    assert batch["learners"] == "1"
    assert [int(row["learners"]) for row in mistakes] == sorted(
        (int(row["learners"]) for row in mistakes), reverse=True
    )
    assert "1 failed test, by 1 learner, matched no known mistake" in report


def test_three_embedded_pngs_and_no_external_resources(report):
    images = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', report)
    assert len(images) == 3  # grade distribution, pass rates, mistakes
    for data in images:
        assert base64.b64decode(data, validate=True).startswith(PNG_SIGNATURE)
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", report)
    assert "<script" not in report.lower()


def test_learner_names_are_escaped(report):
    assert SCRIPT_NAME not in report
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in report
    learners = [row["learner"] for row in Tables(report).named("learner")]
    assert SCRIPT_NAME in learners  # shown as text


def test_mistake_missing_from_the_bank_shows_the_escaped_message(tmp_path):
    rows = [
        {
            "learner": "ana",
            "notebook": "01_cutout.ipynb",
            "test": "cutout-test",
            "points": 0.0,
            "max": 3.0,
            "status": "failed",
            "mistake": "cutout:made_up",
            "message": "<b>expected</b> 3",
        }
    ]
    learners = [{"learner": "ana", "status": "graded", "score": 0.0, "max": 3.0, "seconds": 1.0}]
    text = write_class_report(rows, learners, tmp_path).read_text(encoding="utf-8")
    (row,) = Tables(text).named("mistake")
    assert row["explanation"] == "Not in the bank of mistakes. Example message: <b>expected</b> 3"
    assert "&lt;b&gt;expected&lt;/b&gt;" in text


def test_report_without_any_graded_learner(tmp_path):
    learners = [
        {"learner": "eve", "status": "needs attention: timed out", "reasons": [Reason("timed_out", "timed out")],
         "score": None, "max": 10.0, "seconds": 600.0}
    ]  # fmt: skip
    rows = [
        {"learner": "eve", "notebook": "01_cutout.ipynb", "test": "cutout-test", "points": None,
         "max": 3.0, "status": "not graded", "mistake": "", "message": ""}
    ]  # fmt: skip
    text = write_class_report(rows, learners, tmp_path / "new").read_text(encoding="utf-8")
    assert "No learner was graded." in text
    assert "No mistake was diagnosed." in text
    assert "timed out" in text
    assert (Tables(text).named("notebook")[0]["pass rate"]) == "-"


def test_summary_table_has_one_line_per_learner_and_totals():
    rows, learners = make_class()
    lines = class_summary_text(learners, rows).splitlines()
    assert len(lines) == 2 + len(learners) + 2  # header, rule, learners, rule, totals
    header, body, totals = lines[0], lines[2:-2], lines[-1]
    status_column = header.index("status")
    for learner, line in zip(learners, body, strict=True):
        assert line.startswith(learner["learner"])
        assert line[status_column:].startswith(learner["status"])
    eve = body[-1]
    assert "not graded" in eve and "0/10" not in eve
    ben = body[1]
    assert "2/10" in ben and "centered_box:box_not_clipped (+2 more)" in ben
    assert totals.startswith("total: 5 learners, 4 graded, 1 needing attention")
    assert "7 failed tests" in totals
    assert "most common mistake cutmix:lam_not_readjusted (3 learners)" in totals


def test_summary_table_keeps_a_learner_on_one_line():
    learners = [
        {"learner": "mal\nlory", "status": "graded", "score": 1.0, "max": 1.0, "seconds": 1.0}
    ]
    lines = class_summary_text(learners, []).splitlines()
    assert len(lines) == 5
    assert lines[2].startswith("mal?lory")


def test_a_notebooks_feedback_page_gives_the_reasons_said_of_it_or_of_no_notebook():
    # Decided by the notebook a reason is said of, whatever its sentence names.
    died = Reason("kernel_died", "the kernel died (the code exited)", "03_bug.ipynb")
    missing = Reason("missing_notebook", "missing notebook 02_cutmix.ipynb", "02_cutmix.ipynb")
    timed_out = Reason("timed_out", "grading took longer than 600 s and was stopped")
    reasons = [died, missing, timed_out]
    assert reasons_for("03_bug.ipynb", reasons) == [died, timed_out]
    assert reasons_for("01_cutout.ipynb", reasons) == [timed_out]
    assert status_text(reasons) == (
        "needs attention: the kernel died (the code exited); missing notebook 02_cutmix.ipynb; "
        "grading took longer than 600 s and was stopped"
    )
    assert status_text([]) == "graded"


def test_a_reason_has_a_kind_from_the_fixed_set():
    with pytest.raises(ValueError, match="unknown kind"):
        Reason("something_else", "text")
    assert Reason("repaired", "cell ids given").about("01_cutout.ipynb") == Reason(
        "repaired", "01_cutout.ipynb: cell ids given", "01_cutout.ipynb"
    )
