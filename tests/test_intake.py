"""Intake of submissions: every download layout gives the right learners and notebooks,
and a broken notebook comes back either repaired (nbgrader accepts it) or refused with a
reason, never as something that would stop nbgrader for the whole class."""

import json
import logging
import os
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from nbgrader.nbgraderformat import MetadataValidator

from autograder.pipeline import notebook_repair
from autograder.pipeline.intake import Submission, find_submissions, grade_ids_of
from autograder.pipeline.notebook_repair import sanitize, write_clean
from autograder.pipeline.reasons import Reason

EXPECTED = ["01_cutout.ipynb", "02_cutmix.ipynb"]
TESTS = {
    "01_cutout.ipynb": ["box-test", "cutout-test", "purpose-test"],
    "02_cutmix.ipynb": ["lam-test", "cutmix-test", "labels-test"],
}
GRADE_IDS = {name: set(ids) for name, ids in TESTS.items()}


def nbgrader_meta(grade_id, *, grade=False, solution=False, locked=False, points=None):
    meta = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": 3,
        "solution": solution,
        "task": False,
    }
    if points is not None:
        meta["points"] = points
    return meta


def make_notebook(grade_ids):
    """A notebook as nbgrader releases it: per test id an answer cell, then the test cell."""
    cells = [new_markdown_cell("# Exercises")]
    for grade_id in grade_ids:
        answer = f"{grade_id}-answer"
        cells.append(
            new_code_cell(
                "def answer():\n    return 1",
                id=answer,
                metadata={"nbgrader": nbgrader_meta(answer, solution=True)},
            )
        )
        cells.append(
            new_code_cell(
                f'"""Checks {grade_id}."""\nassert answer() == 1',
                id=grade_id,
                metadata={"nbgrader": nbgrader_meta(grade_id, grade=True, locked=True, points=1)},
            )
        )
    return new_notebook(cells=cells)


def write(path: Path, notebook=None, name=None) -> Path:
    """Write the notebook of the expected name `name` (or the given one) to path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook or make_notebook(TESTS[name or path.name]), path)
    return path


def texts(reasons: list[Reason]) -> list[str]:
    return [reason.text for reason in reasons]


def by_learner(submissions: list[Submission]) -> dict[str, Submission]:
    return {s.learner: s for s in submissions}


def graded_as(submission: Submission) -> dict[str, str]:
    """{expected name: file name} of what will be graded."""
    return {name: path.name for name, path in submission.notebooks.items()}


def assert_nbgrader_accepts(notebook):
    """nbgrader's own check of cell metadata (what makes autograde abort) passes."""
    MetadataValidator().validate_nb(notebook)
    nbformat.validate(notebook)


# --- layouts ----------------------------------------------------------------------------


@pytest.mark.parametrize("given", ["course folder", "submitted folder"])
def test_nbgrader_layout(tmp_path, given):
    submitted = tmp_path / "course" / "submitted"
    for learner in ("bob", "alice"):
        for name in EXPECTED:
            write(submitted / learner / "cutout_cutmix" / name)
    (submitted / "alice" / "cutout_cutmix" / "timestamp.txt").write_text("2024-05-01 10:00:00")
    (tmp_path / "course" / "gradebook.db").write_text("")
    path = tmp_path / "course" if given == "course folder" else submitted

    found = find_submissions(path, EXPECTED, GRADE_IDS)

    assert [s.learner for s in found] == ["alice", "bob"]
    alice = by_learner(found)["alice"]
    assert alice.notebooks == {
        name: submitted / "alice" / "cutout_cutmix" / name for name in EXPECTED
    }
    assert alice.problems == []  # timestamp.txt is nbgrader's own, not an extra file
    assert alice.timestamp == submitted / "alice" / "cutout_cutmix" / "timestamp.txt"
    assert alice.source == submitted / "alice"
    assert by_learner(found)["bob"].timestamp is None


def test_the_collected_timestamp_wins_over_one_a_learner_put_in_a_subfolder(tmp_path):
    folder = tmp_path / "submitted" / "alice" / "cutout_cutmix"
    for name in EXPECTED:
        write(folder / name)
    # "a/" sorts before "timestamp.txt": the learner's own comes first in the listing.
    (folder / "a").mkdir()
    (folder / "a" / "timestamp.txt").write_text("2000-01-01 00:00:00")
    (folder / "timestamp.txt").write_text("2024-05-01 10:00:00")

    (alice,) = find_submissions(tmp_path / "submitted", EXPECTED, GRADE_IDS)

    assert alice.timestamp == folder / "timestamp.txt"


def test_nbgrader_layout_with_every_assignment_takes_only_the_one_graded(tmp_path):
    # nbgrader's submitted/<learner>/ holds each assignment the learner handed in.
    submitted = tmp_path / "submitted"
    for name in EXPECTED:
        write(submitted / "alice" / "cutout_cutmix" / name)
    other = submitted / "alice" / "measuring_the_effect" / "04_measuring_the_effect.ipynb"
    write(other, make_notebook(["paired-gain-test"]))
    (submitted / "bob" / "measuring_the_effect").mkdir(parents=True)
    write(submitted / "bob" / "measuring_the_effect" / other.name, make_notebook([]))

    found = by_learner(find_submissions(submitted, EXPECTED, GRADE_IDS))

    assert graded_as(found["alice"]) == {name: name for name in EXPECTED}
    assert found["alice"].problems == [], "the other assignment is no extra file"
    assert found["bob"].notebooks == {}
    assert [(p.kind, p.notebook) for p in found["bob"].problems] == [
        ("missing_notebook", name) for name in EXPECTED
    ], found["bob"]


def test_one_learner_folder_given_directly(tmp_path):
    folder = tmp_path / "submitted" / "alice" / "cutout_cutmix"
    for name in EXPECTED:
        write(folder / name)

    found = find_submissions(folder, EXPECTED)

    assert [(s.learner, graded_as(s)) for s in found] == [
        ("alice", {name: name for name in EXPECTED})
    ]


def test_per_learner_folders_report_missing_and_extra_files(tmp_path):
    for name in EXPECTED:
        write(tmp_path / "alice" / name)
    write(tmp_path / "bob" / "01_cutout.ipynb")
    (tmp_path / "bob" / "notes.txt").write_text("my notes")
    (tmp_path / "bob" / ".ipynb_checkpoints").mkdir()
    write(
        tmp_path / "bob" / ".ipynb_checkpoints" / "02_cutmix-checkpoint.ipynb",
        name="02_cutmix.ipynb",
    )
    (tmp_path / "bob" / ".DS_Store").write_text("")

    found = by_learner(find_submissions(tmp_path, EXPECTED, GRADE_IDS))

    assert sorted(found) == ["alice", "bob"]
    assert found["alice"].problems == []
    assert graded_as(found["bob"]) == {"01_cutout.ipynb": "01_cutout.ipynb"}
    assert texts(found["bob"].problems) == [
        "missing notebook 02_cutmix.ipynb",
        "extra file notes.txt ignored",
    ]


def test_flat_lms_download(tmp_path, caplog):
    write(tmp_path / "alice_01_cutout.ipynb", name="01_cutout.ipynb")
    write(tmp_path / "alice-02_cutmix.ipynb", name="02_cutmix.ipynb")
    write(tmp_path / "bob__12345_67890_01_CUTOUT.ipynb", name="01_cutout.ipynb")
    write(tmp_path / "bob__12345_67890_02_cutmix.ipynb", name="02_cutmix.ipynb")
    (tmp_path / "bob_notes.txt").write_text("")
    (tmp_path / "index.html").write_text("<html>grading sheet</html>")

    with caplog.at_level(logging.WARNING, logger="autograder.pipeline.intake"):
        found = by_learner(find_submissions(tmp_path, EXPECTED, GRADE_IDS))

    assert sorted(found) == ["alice", "bob"]
    assert graded_as(found["alice"]) == {
        "01_cutout.ipynb": "alice_01_cutout.ipynb",
        "02_cutmix.ipynb": "alice-02_cutmix.ipynb",
    }
    assert found["alice"].problems == []
    assert graded_as(found["bob"]) == {
        "01_cutout.ipynb": "bob__12345_67890_01_CUTOUT.ipynb",
        "02_cutmix.ipynb": "bob__12345_67890_02_cutmix.ipynb",
    }
    assert texts(found["bob"].problems) == [
        "notebook renamed: 'bob__12345_67890_01_CUTOUT.ipynb' graded as 01_cutout.ipynb",
        "extra file bob_notes.txt ignored",
    ]
    # A file named after nobody is no learner's problem, but the instructor is told.
    assert "index.html" in caplog.text


def test_flat_download_inside_a_wrapper_folder(tmp_path):
    for learner in ("alice", "bob"):
        for name in EXPECTED:
            write(tmp_path / "Assignment 1 - download" / f"{learner}_{name}", name=name)

    found = find_submissions(tmp_path, EXPECTED)

    assert [(s.learner, sorted(graded_as(s).values())) for s in found] == [
        ("alice", ["alice_01_cutout.ipynb", "alice_02_cutmix.ipynb"]),
        ("bob", ["bob_01_cutout.ipynb", "bob_02_cutmix.ipynb"]),
    ]


def make_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def notebook_bytes(name: str) -> bytes:
    return nbformat.writes(make_notebook(TESTS[name])).encode()


def test_zip_of_flat_files_skips_zip_slip_members(tmp_path):
    outside = tmp_path / "outside" / "evil_01_cutout.ipynb"
    archive = make_zip(
        tmp_path / "download.zip",
        {
            "alice_01_cutout.ipynb": notebook_bytes("01_cutout.ipynb"),
            "../alice_02_cutmix.ipynb": notebook_bytes("02_cutmix.ipynb"),
            str(outside): b"{}",  # an absolute path
            "bob_01_cutout.ipynb": notebook_bytes("01_cutout.ipynb"),
            "bob_02_cutmix.ipynb": notebook_bytes("02_cutmix.ipynb"),
            "__MACOSX/._bob_01_cutout.ipynb": b"\x00\x05",
            ".DS_Store": b"",
        },
    )
    work = tmp_path / "work"
    work.mkdir()

    found = by_learner(find_submissions(archive, EXPECTED, GRADE_IDS, workdir=work))

    assert sorted(found) == ["alice", "bob"]
    assert graded_as(found["alice"]) == {"01_cutout.ipynb": "alice_01_cutout.ipynb"}
    assert texts(found["alice"].problems) == [
        "unsafe path in zip skipped: '../alice_02_cutmix.ipynb'",
        "missing notebook 02_cutmix.ipynb",
    ]
    # The skipped member is said of the notebook it would have been.
    assert [(p.kind, p.notebook) for p in found["alice"].problems] == [
        ("zip_member_skipped", "02_cutmix.ipynb"),
        ("missing_notebook", "02_cutmix.ipynb"),
    ]
    assert found["bob"].problems == []
    # Nothing was written outside the extraction folder.
    (extracted,) = work.iterdir()
    assert found["bob"].notebooks["01_cutout.ipynb"].is_relative_to(extracted)
    assert not (work / "alice_02_cutmix.ipynb").exists()
    assert not outside.exists()
    assert sorted(p.name for p in tmp_path.rglob("*02_cutmix.ipynb")) == ["bob_02_cutmix.ipynb"]


def test_zip_with_nested_nbgrader_layout_and_windows_separators(tmp_path):
    members = {
        f"export/submitted/{learner}/cutout_cutmix/{name}": notebook_bytes(name)
        for learner in ("alice", "bob")
        for name in EXPECTED
    }
    members["export/submitted/carol\\cutout_cutmix\\01_cutout.ipynb"] = notebook_bytes(
        "01_cutout.ipynb"
    )
    archive = make_zip(tmp_path / "course.zip", members)

    found = by_learner(find_submissions(archive, EXPECTED, workdir=tmp_path))

    assert sorted(found) == ["alice", "bob", "carol"]
    assert graded_as(found["alice"]) == {name: name for name in EXPECTED}
    assert found["carol"].problems == [
        Reason("missing_notebook", "missing notebook 02_cutmix.ipynb", "02_cutmix.ipynb")
    ]
    assert json.loads(found["carol"].notebooks["01_cutout.ipynb"].read_text())["nbformat"] == 4


def test_zip_of_one_folder_per_learner(tmp_path):
    archive = make_zip(
        tmp_path / "moodle.zip",
        {
            "Alice Smith_123_assignsubmission_file_/01_cutout.ipynb": notebook_bytes(
                "01_cutout.ipynb"
            ),
            "Alice Smith_123_assignsubmission_file_/work/02_cutmix.ipynb": notebook_bytes(
                "02_cutmix.ipynb"
            ),
            "Bob Jones_456_assignsubmission_file_/01_cutout.ipynb": notebook_bytes(
                "01_cutout.ipynb"
            ),
        },
    )

    found = find_submissions(archive, EXPECTED, workdir=tmp_path)

    # Graded under Moodle's participant id, with the name kept for people to read.
    assert [(s.learner, s.name, sorted(s.notebooks)) for s in found] == [
        ("moodle-123", "Alice Smith", EXPECTED),
        ("moodle-456", "Bob Jones", ["01_cutout.ipynb"]),
    ]


def test_zip_of_one_learners_notebooks_is_named_after_the_zip(tmp_path):
    archive = make_zip(tmp_path / "alice.zip", {name: notebook_bytes(name) for name in EXPECTED})

    found = find_submissions(archive, EXPECTED, workdir=tmp_path / "work")

    assert [(s.learner, sorted(s.notebooks), s.problems) for s in found] == [
        ("alice", EXPECTED, [])
    ]


def test_not_a_zip_is_refused(tmp_path):
    path = tmp_path / "grades.csv"
    path.write_text("learner,score\n")
    with pytest.raises(ValueError, match="neither a folder nor a zip"):
        find_submissions(path, EXPECTED)
    with pytest.raises(FileNotFoundError):
        find_submissions(tmp_path / "nowhere", EXPECTED)


# --- renamed, duplicated and extra notebooks -----------------------------------------------


def test_renamed_notebook_is_identified_by_its_graded_cells(tmp_path):
    write(tmp_path / "alice" / "01_cutout (1).ipynb", name="01_cutout.ipynb")
    write(tmp_path / "alice" / "my cutmix.ipynb", name="02_cutmix.ipynb")
    write(tmp_path / "alice" / "scratch.ipynb", make_notebook(["my-own-test"]))
    (tmp_path / "alice" / "broken.ipynb").write_text("{not json")

    (alice,) = find_submissions(tmp_path, EXPECTED, GRADE_IDS)

    assert graded_as(alice) == {
        "01_cutout.ipynb": "01_cutout (1).ipynb",
        "02_cutmix.ipynb": "my cutmix.ipynb",
    }
    assert texts(alice.problems) == [
        "notebook renamed: '01_cutout (1).ipynb' graded as 01_cutout.ipynb",
        "notebook renamed: 'my cutmix.ipynb' graded as 02_cutmix.ipynb",
        "extra file broken.ipynb ignored",
        "extra file scratch.ipynb ignored",
    ]


def test_renamed_notebook_needs_more_than_half_of_the_graded_cells(tmp_path):
    # Shares 2 of the 4 graded cells in either notebook: exactly half, not enough.
    write(tmp_path / "alice" / "copy.ipynb", make_notebook(["box-test", "cutout-test", "own-test"]))
    # Shares 2 of 3: enough.
    write(tmp_path / "alice" / "cutmix part.ipynb", make_notebook(["lam-test", "cutmix-test"]))

    (alice,) = find_submissions(tmp_path, EXPECTED, GRADE_IDS)

    assert graded_as(alice) == {"02_cutmix.ipynb": "cutmix part.ipynb"}
    assert "extra file copy.ipynb ignored" in texts(alice.problems)
    assert "missing notebook 01_cutout.ipynb" in texts(alice.problems)


def test_without_grade_ids_a_renamed_notebook_is_an_extra_file(tmp_path):
    write(tmp_path / "alice" / "01_cutout (1).ipynb", name="01_cutout.ipynb")

    (alice,) = find_submissions(tmp_path, EXPECTED)

    assert alice.notebooks == {}
    assert "extra file 01_cutout (1).ipynb ignored" in texts(alice.problems)


def test_two_files_for_one_notebook_grade_the_exact_name(tmp_path):
    write(tmp_path / "alice" / "01_cutout (1).ipynb", name="01_cutout.ipynb")
    exact = write(tmp_path / "alice" / "01_cutout.ipynb")
    # The renamed copy is newer; the exact name still wins, and the instructor is told.
    os.utime(exact, (1_000_000, 1_000_000))

    (alice,) = find_submissions(tmp_path, EXPECTED, GRADE_IDS)

    assert alice.notebooks["01_cutout.ipynb"] == exact
    assert (
        Reason(
            "duplicate_files",
            "more than one file for 01_cutout.ipynb: graded '01_cutout.ipynb', "
            "ignored '01_cutout (1).ipynb'",
            "01_cutout.ipynb",
        )
        in alice.problems
    )


def test_grade_ids_of_reads_graded_cells_only(tmp_path):
    path = write(tmp_path / "01_cutout.ipynb")
    assert grade_ids_of(path) == GRADE_IDS["01_cutout.ipynb"]
    (tmp_path / "bad.ipynb").write_bytes(b"\xff\x00")
    assert grade_ids_of(tmp_path / "bad.ipynb") == set()


# --- learner ids ----------------------------------------------------------------------


def test_learner_ids_are_safe_and_unique(tmp_path):
    for folder in ("Zoë Smith", "Zoe Smith", "alice", "Alice", ".hidden", "o'neil; rm -rf"):
        write(tmp_path / folder / "01_cutout.ipynb")

    found = find_submissions(tmp_path, EXPECTED)

    ids = {s.name: s.learner for s in found}
    assert ids == {
        "Alice": "Alice",
        "alice": "alice-2",  # differs only in case: the same folder on macOS and Windows
        "Zoe Smith": "Zoe_Smith",
        "Zoë Smith": "Zoe_Smith-2",
        "o'neil; rm -rf": "o_neil__rm_-rf",
    }
    assert [s.learner for s in found] == sorted(ids.values())
    assert by_learner(found)["Zoe_Smith-2"].source == tmp_path / "Zoë Smith"


def test_flat_learner_names_are_stripped_of_separators(tmp_path):
    write(tmp_path / "Smith, Jane - 01_cutout.ipynb", name="01_cutout.ipynb")

    (jane,) = find_submissions(tmp_path, EXPECTED)

    assert (jane.learner, jane.name) == ("Smith__Jane", "Smith, Jane")


# --- notebook repair (notebook_repair.sanitize) -----------------------------------------


def write_text(tmp_path, text: str) -> Path:
    path = tmp_path / "01_cutout.ipynb"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    "text, reason",
    [
        ("", "not a valid notebook: empty file"),
        (
            '{"cells": [',
            "not a valid notebook: invalid JSON (Expecting value: line 1, column 12)",
        ),
        ("[1, 2]", "not a valid notebook: JSON but not a notebook (no nbformat version)"),
        ('{"nbformat": 4, "nbformat_minor": 5}', "not a valid notebook: no list of cells"),
        (
            '{"nbformat": 7, "cells": []}',
            "not a valid notebook: nbformat 7 is newer than this course supports (4)",
        ),
    ],
)
def test_a_file_that_is_not_a_notebook_is_refused_with_a_reason(tmp_path, text, reason):
    assert sanitize(write_text(tmp_path, text)) == (None, [Reason("not_a_notebook", reason)])


def test_a_notebook_nbformat_rejects_is_refused_not_raised(tmp_path):
    cell = {"cell_type": "code", "id": "a", "metadata": {}, "outputs": [], "source": 5}
    data = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [cell]}

    notebook, problems = sanitize(write_text(tmp_path, json.dumps(data)))

    assert notebook is None
    assert len(problems) == 1 and problems[0].kind == "not_a_notebook"
    assert problems[0].text.startswith("not a valid notebook: ") and "5" in problems[0].text


def test_tags_nbformat_forbids_are_removed_and_the_notebook_graded(tmp_path):
    notebook = make_notebook(TESTS["01_cutout.ipynb"])
    notebook.cells[0].metadata["tags"] = ['x" onmouseover="alert(1,2)', "fine"]
    notebook.cells[1].metadata["tags"] = "not a list"
    path = tmp_path / "01_cutout.ipynb"
    path.write_text(json.dumps(notebook))

    clean, problems = sanitize(path)

    assert clean is not None, problems
    assert "tags" not in clean.cells[0].metadata and "tags" not in clean.cells[1].metadata
    assert texts(problems) == [
        "cell 1 had tags nbformat does not allow; they were removed",
        "cell 2 had tags nbformat does not allow; they were removed",
    ]
    assert_nbgrader_accepts(clean)


def test_unreadable_nbgrader_metadata_makes_an_ordinary_cell(tmp_path):
    notebook = make_notebook(TESTS["01_cutout.ipynb"])
    notebook.cells[1].metadata.nbgrader = "solution"
    path = write(tmp_path / "01_cutout.ipynb", notebook)

    clean, problems = sanitize(path)

    assert texts(problems) == [
        "cell 2 had nbgrader metadata without a usable grade_id; it is graded as an ordinary cell"
    ]
    assert "nbgrader" not in clean.cells[1].metadata
    assert_nbgrader_accepts(clean)


def test_a_binary_file_is_refused(tmp_path):
    path = tmp_path / "01_cutout.ipynb"
    path.write_bytes(b"%PDF-1.4\xff\xfe")
    assert sanitize(path) == (
        None,
        [Reason("not_a_notebook", "not a valid notebook: not UTF-8 text")],
    )


def test_a_clean_notebook_passes_unchanged_except_outputs(tmp_path):
    notebook = make_notebook(TESTS["01_cutout.ipynb"])
    notebook.cells[2].outputs = [new_output("stream", text="ok\n")]
    notebook.cells[2].execution_count = 3
    path = write(tmp_path / "01_cutout.ipynb", notebook)

    clean, problems = sanitize(path, GRADE_IDS["01_cutout.ipynb"])

    assert problems == []
    assert clean.cells[2].outputs == [] and clean.cells[2].execution_count is None
    assert [c.source for c in clean.cells] == [c.source for c in notebook.cells]
    assert [c.id for c in clean.cells] == [c.id for c in notebook.cells]


def test_duplicated_graded_cell_is_removed(tmp_path):
    notebook = make_notebook(TESTS["01_cutout.ipynb"])
    test_cell = notebook.cells[2]
    copy = nbformat.from_dict(json.loads(json.dumps(test_cell)))
    copy.id = "pasted"
    copy.source = "assert True  # the learner's edited copy"
    notebook.cells.append(copy)
    path = write(tmp_path / "01_cutout.ipynb", notebook)
    with pytest.raises(Exception, match="Duplicate grade id: box-test"):
        MetadataValidator().validate_nb(nbformat.read(path, as_version=4))

    clean, problems = sanitize(path)

    assert texts(problems) == ["graded cell box-test appeared twice; the copy was removed"]
    assert [c.source for c in clean.cells].count(test_cell.source) == 1
    assert "assert True  # the learner's edited copy" not in [c.source for c in clean.cells]
    assert_nbgrader_accepts(clean)


def test_duplicated_answer_cell_stays_as_ordinary_code(tmp_path):
    notebook = make_notebook(TESTS["01_cutout.ipynb"])
    copy = nbformat.from_dict(json.loads(json.dumps(notebook.cells[1])))
    copy.id = "second-try"
    copy.source = "def answer():\n    return 2"
    notebook.cells.insert(2, copy)
    path = write(tmp_path / "01_cutout.ipynb", notebook)

    clean, problems = sanitize(path)

    assert texts(problems) == [
        "answer cell box-test-answer appeared twice; the first is graded, "
        "the later copies run as ordinary code"
    ]
    second = next(c for c in clean.cells if c.id == "second-try")
    assert second.source == "def answer():\n    return 2" and "nbgrader" not in second.metadata
    assert clean.cells[1].metadata.nbgrader["grade_id"] == "box-test-answer"
    assert_nbgrader_accepts(clean)


def test_unknown_schema_version_is_set_to_3(tmp_path):
    notebook = make_notebook(TESTS["01_cutout.ipynb"])
    notebook.cells[2].metadata.nbgrader["schema_version"] = 4
    notebook.cells[4].metadata.nbgrader["schema_version"] = 4
    path = write(tmp_path / "01_cutout.ipynb", notebook)

    clean, problems = sanitize(path)

    assert texts(problems) == ["unknown nbgrader schema version 4, treated as 3"]
    assert {
        c.metadata.nbgrader["schema_version"] for c in clean.cells if "nbgrader" in c.metadata
    } == {3}
    assert_nbgrader_accepts(clean)


def test_incomplete_nbgrader_metadata_is_filled_in(tmp_path):
    notebook = make_notebook(TESTS["01_cutout.ipynb"])
    notebook.cells[2].metadata.nbgrader = {"grade": True, "grade_id": "box-test", "colour": "red"}
    notebook.cells[4].metadata.nbgrader["points"] = "2"
    notebook.cells[6].metadata.nbgrader = {"grade": True, "locked": True, "points": 1}  # no id
    path = write(tmp_path / "01_cutout.ipynb", notebook)

    clean, problems = sanitize(path, GRADE_IDS["01_cutout.ipynb"])

    assert texts(problems) == [
        "nbgrader metadata of cell box-test repaired: missing schema_version, missing locked, "
        "missing solution, missing points, unknown key 'colour'",
        "nbgrader metadata of cell cutout-test repaired: invalid points '2'",
        "cell 7 had nbgrader metadata without a usable grade_id; it is graded as an ordinary cell",
        "graded cell purpose-test was deleted; it is restored from the release",
    ]
    # A restored cell costs the learner nothing; the repairs are worth the instructor's look.
    assert [p.kind for p in problems] == ["repaired"] * 3 + ["restored_cell"]
    assert [p.needs_attention for p in problems] == [True] * 3 + [False]
    assert clean.cells[4].metadata.nbgrader["points"] == 2.0
    assert_nbgrader_accepts(clean)


def test_deleted_graded_cell_is_reported_when_the_release_is_known(tmp_path):
    notebook = make_notebook(TESTS["01_cutout.ipynb"])
    del notebook.cells[4]  # cutout-test
    path = write(tmp_path / "01_cutout.ipynb", notebook)

    assert sanitize(path)[1] == []
    assert sanitize(path, GRADE_IDS["01_cutout.ipynb"])[1] == [
        Reason(
            "restored_cell", "graded cell cutout-test was deleted; it is restored from the release"
        )
    ]


def test_nbformat_3_is_converted(tmp_path):
    from nbformat import v3

    cell = v3.new_code_cell(input="assert True")
    cell.metadata["nbgrader"] = nbgrader_meta("box-test", grade=True, locked=True, points=2)
    old = v3.new_notebook(worksheets=[v3.new_worksheet(cells=[cell])])
    path = tmp_path / "01_cutout.ipynb"
    path.write_text(v3.writes_json(old))

    clean, problems = sanitize(path)

    assert texts(problems) == ["notebook format 3 converted to 4"]
    assert clean.nbformat == 4
    assert [c.source for c in clean.cells] == ["assert True"]
    assert grade_ids_of(write_clean(clean, tmp_path / "clean.ipynb")) == {"box-test"}
    assert_nbgrader_accepts(clean)


def test_missing_and_duplicated_cell_ids_are_repaired(tmp_path):
    notebook = make_notebook(TESTS["01_cutout.ipynb"])
    data = json.loads(nbformat.writes(notebook))
    del data["cells"][0]["id"]
    data["cells"][3]["id"] = data["cells"][1]["id"]
    path = write_text(tmp_path, json.dumps(data))

    clean, problems = sanitize(path)

    assert texts(problems) == ["2 cell ids missing, invalid or duplicated; new ids given"]
    ids = [c.id for c in clean.cells]
    assert len(set(ids)) == len(ids) and ids[1] == data["cells"][1]["id"]
    assert_nbgrader_accepts(clean)


def test_huge_outputs_are_cleared_and_reported(tmp_path, monkeypatch):
    monkeypatch.setattr(notebook_repair, "HUGE_OUTPUT_BYTES", 1_000)
    notebook = make_notebook(TESTS["01_cutout.ipynb"])
    notebook.cells[1].outputs = [new_output("stream", text="x" * 5_000_000)]
    path = write(tmp_path / "01_cutout.ipynb", notebook)

    clean, problems = sanitize(path)

    assert texts(problems) == ["outputs of 5 MB cleared"]
    assert all(c.get("outputs", []) == [] for c in clean.cells)


def test_write_clean_gives_a_file_nbgrader_reads(tmp_path):
    notebook = make_notebook(TESTS["02_cutmix.ipynb"])
    notebook.cells[2].metadata.nbgrader["schema_version"] = 99
    clean, _ = sanitize(write(tmp_path / "in" / "02_cutmix.ipynb", notebook))

    out = write_clean(clean, tmp_path / "submitted" / "alice" / "cutout_cutmix" / "02_cutmix.ipynb")

    from nbgrader.nbgraderformat import read as nbgrader_read

    with open(out) as handle:
        assert (
            nbgrader_read(handle, as_version=4).cells[2].metadata.nbgrader["grade_id"] == "lam-test"
        )
