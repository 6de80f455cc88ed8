"""The sample class graded for the tests: how it is graded, and the record of its results that
the golden test keeps (tests/golden/sample_class.json)."""

from __future__ import annotations

import html
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import correct_styles
import nbformat

from autograder.exercises.samples import with_answers, write_sample_class
from autograder.limits import Limits
from autograder.pipeline.course import ASSIGNMENT, Course
from autograder.pipeline.grading import grade_class

LIMITS = Limits(cell_seconds=10, learner_seconds=300)
# A fixed grading seed, so the inputs drawn at grading time, and with them the feedback text,
# are the same in every run (the golden test compares them across commits).
SEED = "20261129"
GOLDEN = Path(__file__).parent / "golden" / "sample_class.json"


def regrade_folders(graded: dict, learners, root: Path) -> tuple[Path, Path]:
    """(submitted, out) under root for grading `learners` of the graded sample class again,
    elsewhere or otherwise, with its grading seed, so their results can be compared."""
    submitted = root / "submitted"
    for learner in learners:
        shutil.copytree(graded["submitted"] / learner, submitted / learner)
    out = root / "out"
    out.mkdir()
    (out / "grading_seed.txt").write_text(SEED)
    return submitted, out


def grade_sample_class(root: Path, canary_records: Path | None = None) -> dict:
    """Grade the sample class (typical mistakes, broken notebooks, a crashing and a hanging
    learner) plus a learner writing in another style, in `root`; canary_records: a folder of
    passing canaries to reuse."""
    release = Course(root / "release-course").generate_release()
    submitted = root / "submitted"
    write_sample_class(submitted, release)
    other = with_answers(correct_styles.other_style_answers())
    folder = submitted / "other_style" / ASSIGNMENT
    folder.mkdir(parents=True)
    for name, notebook in other.items():
        nbformat.write(notebook, folder / name)
    out = root / "out"
    out.mkdir()
    (out / "grading_seed.txt").write_text(SEED)
    lines = []
    results = grade_class(
        submitted, out, progress=lines.append, limits=LIMITS, reuse_canary_from=canary_records
    )
    return {
        "results": {r.learner: r for r in results},
        "out": out,
        "progress": lines,
        "submitted": submitted,
    }


class _Text(HTMLParser):
    """The text a reader sees on a page: no style, no script, whitespace collapsed."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("style", "script")

    def handle_endtag(self, tag):
        self._skip -= tag in ("style", "script") and self._skip > 0

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def page_text(page: str) -> str:
    parser = _Text()
    parser.feed(page)
    return re.sub(r"\s+", " ", html.unescape(" ".join(parser.parts))).strip()


def _stable(text: str) -> str:
    """Text without what changes from run to run: temporary folders, timings, addresses, and
    shares of random draws."""
    text = re.sub(r"/tmp/\S+", "<tmp>", text)
    text = re.sub(r"\b\d+(\.\d+)? ?(s|seconds)\b", "<time>", text)
    text = re.sub(r"0x[0-9a-f]{6,}", "<address>", text)
    # Shares of draws from a learner's own unseeded randomness (numpy's global generator)
    text = re.sub(r"\b\d+(\.\d+)?%", "<share>%", text)
    return re.sub(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?", "<timestamp>", text)


def record(graded: dict) -> dict:
    """What the golden test keeps of a graded sample class, per learner: the score, whether
    the learner is graded or needs attention (not the wording of the reasons), every test's
    points, verdict, mistake key and message, and the text of each feedback page."""
    out = graded["out"]
    learners = {}
    for name, result in sorted(graded["results"].items()):
        pages = sorted((out / "feedback" / name / ASSIGNMENT).glob("*.html"))
        learners[name] = {
            "score": result.score,
            "max": result.max,
            "graded": not result.reasons,
            "tests": [
                {
                    key: _stable(str(row[key])) if key == "message" else row[key]
                    for key in ("notebook", "test", "points", "max", "status", "mistake", "message")
                }
                for row in result.rows
            ],
            "feedback": {page.name: _stable(page_text(page.read_text())) for page in pages},
        }
    return learners


def main() -> None:
    """Write the golden record: `python tests/sample_class.py`, only when a change of scores,
    verdicts, keys or feedback text is meant (say why in the commit)."""
    import json
    import tempfile

    with tempfile.TemporaryDirectory() as root:
        learners = record(grade_sample_class(Path(root)))
    GOLDEN.parent.mkdir(exist_ok=True)
    GOLDEN.write_text(json.dumps(learners, indent=1, sort_keys=True) + "\n")
    print(f"wrote {GOLDEN}")


if __name__ == "__main__":
    main()
