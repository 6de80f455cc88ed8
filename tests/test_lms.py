"""A course run through a learning platform: the archives Canvas and Moodle hand out, as
their documentation and source describe them (autograder/pipeline/lms.py), the grade files
they import (lms_grades.py), the learner's packaging command (augcourse/submission.py), and
bad input on the way, each with the sentence an instructor or a learner reads."""

import csv
import io
import json
import os
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from test_intake import EXPECTED, GRADE_IDS, TESTS, make_notebook, notebook_bytes, texts, write

from augcourse import submission
from autograder.pipeline.intake import assignments_in, find_submissions
from autograder.pipeline.learner_result import LearnerResult
from autograder.pipeline.lms import canvas_file, moodle_folder
from autograder.pipeline.lms_grades import write_lms_grades
from autograder.pipeline.reasons import Reason


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def learner_package() -> bytes:
    """What `augcourse.submission` writes: the notebooks at the top of a zip."""
    return zip_bytes({name: notebook_bytes(name) for name in EXPECTED})


def by_learner(found):
    return {s.learner: s for s in found}


# --- Canvas ---------------------------------------------------------------------------


def canvas_archive(path: Path) -> Path:
    """Canvas's "Download Submissions" zip, named as lib/content_zipper.rb names files:
    sortable name lower-cased without punctuation, LATE, user id, file id, file name."""
    members = {
        # on time; 02 handed in twice, so Canvas renamed the second "02_cutmix-1.ipynb"
        "lovelaceada_101_9001_01_cutout.ipynb": notebook_bytes("01_cutout.ipynb"),
        "lovelaceada_101_9002_02_cutmix-1.ipynb": notebook_bytes("02_cutmix.ipynb"),
        # late, and the package made by augcourse.submission, itself a zip
        "turingalan_LATE_102_9003_cutout_cutmix-submission.zip": learner_package(),
        # graded anonymously: no name, an anonymous id
        "anon_x7Yz2_9004_01_cutout.ipynb": notebook_bytes("01_cutout.ipynb"),
        "anon_x7Yz2_9005_02_cutmix.ipynb": notebook_bytes("02_cutmix.ipynb"),
    }
    path.write_bytes(zip_bytes(members))
    return path


def test_canvas_file_names_give_the_user_id_the_name_and_late():
    identity, uploaded = canvas_file("smithjane_LATE_4242_77_01_cutout.ipynb")
    assert (identity.learner_id, identity.name, identity.late, uploaded) == (
        "canvas-4242",
        "smithjane",
        True,
        "01_cutout.ipynb",
    )
    # "<learner>__<anything>_<notebook>" of other platforms is not taken for Canvas's
    assert canvas_file("bob__12345_67890_01_cutout.ipynb") is None


def test_a_canvas_archive_is_graded_by_user_id_with_late_work_marked(tmp_path):
    archive = canvas_archive(tmp_path / "course-cutout submissions.zip")

    found = by_learner(find_submissions(archive, EXPECTED, GRADE_IDS, workdir=tmp_path / "w"))

    assert sorted(found) == ["canvas-101", "canvas-102", "canvas-anon_x7Yz2"]
    ada, alan = found["canvas-101"], found["canvas-102"]
    assert (ada.name, ada.late, sorted(ada.notebooks), ada.problems) == (
        "lovelaceada",
        False,
        EXPECTED,
        [],  # a resubmission's "-1" is Canvas's doing, not a renamed notebook
    )
    assert (alan.name, alan.late, sorted(alan.notebooks)) == ("turingalan", True, EXPECTED)
    assert texts(alan.problems) == ["submitted late (as canvas marks it)"]
    assert not any(p.needs_attention for p in alan.problems), "late is noted, not held back"
    assert sorted(found["canvas-anon_x7Yz2"].notebooks) == EXPECTED


def test_the_assignment_is_told_from_canvas_names_and_packages(tmp_path):
    notebooks = {"cutout_cutmix": EXPECTED, "measuring_the_effect": ["04_x.ipynb"]}
    resubmitted = tmp_path / "a.zip"
    resubmitted.write_bytes(zip_bytes({"doe_1_2_04_x-1.ipynb": b"{}"}))
    assert assignments_in(resubmitted, notebooks) == ["measuring_the_effect"]
    assert assignments_in(canvas_archive(tmp_path / "c.zip"), notebooks) == ["cutout_cutmix"]


# --- Moodle ---------------------------------------------------------------------------


def moodle_archive(path: Path) -> Path:
    """Moodle's "Download all submissions" zip with "Download submissions in folders" on:
    `<Full name>_<participant id>_assignsubmission_<plugin>[_]/<files>` (downloader.php)."""
    members = {
        "Ada Lovelace_201_assignsubmission_file/cutout_cutmix-submission.zip": learner_package(),
        # Moodle 3.x's trailing "_", and an online text beside the files
        "Alan Turing_202_assignsubmission_file_/01_cutout.ipynb": notebook_bytes("01_cutout.ipynb"),
        "Alan Turing_202_assignsubmission_file_/02_cutmix.ipynb": notebook_bytes("02_cutmix.ipynb"),
        "Alan Turing_202_assignsubmission_onlinetext_/onlinetext.html": b"<p>done</p>",
    }
    path.write_bytes(zip_bytes(members))
    return path


def test_a_moodle_archive_is_graded_by_participant_id(tmp_path):
    archive = moodle_archive(tmp_path / "COURSE-Cutout-42.zip")

    found = by_learner(find_submissions(archive, EXPECTED, GRADE_IDS, workdir=tmp_path / "w"))

    assert sorted(found) == ["moodle-201", "moodle-202"]
    assert (found["moodle-201"].name, sorted(found["moodle-201"].notebooks)) == (
        "Ada Lovelace",
        EXPECTED,
    )
    assert found["moodle-201"].problems == []
    assert sorted(found["moodle-202"].notebooks) == EXPECTED
    assert texts(found["moodle-202"].problems) == ["extra file onlinetext.html ignored"]
    assert moodle_folder("Ada Lovelace_201_assignsubmission_file").learner_id == "moodle-201"


def test_a_moodle_archive_without_folders_names_each_file(tmp_path):
    for name in EXPECTED:
        write(tmp_path / f"Grace Hopper_303_assignsubmission_file_{name}", name=name)

    (grace,) = find_submissions(tmp_path, EXPECTED, GRADE_IDS)

    assert (grace.learner, grace.name, sorted(grace.notebooks), grace.problems) == (
        "moodle-303",
        "Grace Hopper",
        EXPECTED,
        [],
    )


# --- bad input ------------------------------------------------------------------------


def test_a_notebook_of_the_other_assignment_is_named_not_graded_as_empty(tmp_path):
    other = make_notebook(["most-robust-to-grey-test"])
    write(tmp_path / "kim" / "04_measuring_the_effect.ipynb", other)

    (kim,) = find_submissions(tmp_path, EXPECTED, GRADE_IDS, assignment="cutout_cutmix")

    assert kim.notebooks == {}
    assert kim.problems[0] == Reason(
        "wrong_assignment",
        "'04_measuring_the_effect.ipynb' is a notebook of measuring_the_effect, not of this "
        "assignment; it was not graded here (grade it with --assignment measuring_the_effect)",
    )
    assert kim.problems[0].needs_attention
    assert "extra file" not in " ".join(texts(kim.problems))


def test_a_learners_zip_with_nested_folders_and_stray_files_loses_nothing(tmp_path):
    # The learner zipped their whole kit folder, from a Mac.
    kit_zip = zip_bytes(
        {
            "cutout_cutmix/01_cutout.ipynb": notebook_bytes("01_cutout.ipynb"),
            "cutout_cutmix/work/02_cutmix.ipynb": notebook_bytes("02_cutmix.ipynb"),
            "cutout_cutmix/augcourse/checks.py": b"# module",
            "__MACOSX/cutout_cutmix/._01_cutout.ipynb": b"\x00\x05",
        }
    )
    (tmp_path / "lee").mkdir()
    (tmp_path / "lee" / "my work.zip").write_bytes(kit_zip)
    (tmp_path / "lee" / "notes.txt").write_text("draft")

    (lee,) = find_submissions(tmp_path, EXPECTED, GRADE_IDS, workdir=tmp_path / "w")

    assert sorted(lee.notebooks) == EXPECTED
    assert texts(lee.problems) == [
        "extra file my work.zip/cutout_cutmix/augcourse/checks.py ignored",
        "extra file notes.txt ignored",
    ]
    assert not (tmp_path / "lee" / "cutout_cutmix").exists(), "the download is left as it was"


def test_a_zip_that_cannot_be_opened_needs_attention(tmp_path):
    (tmp_path / "kim").mkdir()
    (tmp_path / "kim" / "cutout_cutmix-submission.zip").write_bytes(b"PK\x03\x04 cut short")

    (kim,) = find_submissions(tmp_path, EXPECTED, GRADE_IDS, workdir=tmp_path / "w")

    assert kim.problems[0] == Reason(
        "zip_member_skipped", "'cutout_cutmix-submission.zip' is not a zip that can be opened"
    )
    assert kim.problems[0].needs_attention


def test_names_differing_only_in_case_or_accents_are_graded_apart_and_said_so(tmp_path):
    for folder in ("Zoë", "zoe"):
        write(tmp_path / folder / "01_cutout.ipynb")

    found = {s.name: s for s in find_submissions(tmp_path, EXPECTED, GRADE_IDS)}

    assert {name: s.learner for name, s in found.items()} == {"Zoë": "Zoe", "zoe": "zoe-2"}
    assert (
        "another learner's name differs only in case or accents: 'zoe' (graded as zoe-2); "
        "graded apart" in texts(found["Zoë"].problems)
    )
    assert (
        "another learner's name differs only in case or accents: 'Zoë' (graded as Zoe); "
        "graded apart" in texts(found["zoe"].problems)
    )


# --- grade files for the platforms ------------------------------------------------------


def test_grade_files_for_canvas_and_moodle_hold_their_learners_and_no_zero(tmp_path):
    found = find_submissions(canvas_archive(tmp_path / "c.zip"), EXPECTED, GRADE_IDS)
    found += find_submissions(moodle_archive(tmp_path / "m.zip"), EXPECTED, GRADE_IDS)
    write(tmp_path / "plain" / "ann" / "01_cutout.ipynb")
    found += find_submissions(tmp_path / "plain", EXPECTED, GRADE_IDS)
    attention = [Reason("missing_notebook", "missing notebook 02_cutmix.ipynb")]
    results = [
        LearnerResult(s.learner, 25.0, 31.0, 1.0, reasons=attention if "102" in s.learner else [])
        for s in found
    ]

    written = write_lms_grades(results, found, tmp_path, "Cutout and CutMix (55)")

    assert [p.name for p in written] == ["canvas_grades.csv", "moodle_grades.csv"]
    canvas = list(csv.reader(open(tmp_path / "canvas_grades.csv")))
    assert canvas[0] == [
        "Student",
        "ID",
        "SIS User ID",
        "SIS Login ID",
        "Section",
        "Cutout and CutMix (55)",
    ]
    assert canvas[1:] == [
        ["lovelaceada", "101", "", "", "", "25"],
        ["turingalan", "102", "", "", "", ""],  # needs attention: empty, not 0
        ["anon_x7Yz2", "", "", "", "", "25"],
    ]
    moodle = list(csv.DictReader(open(tmp_path / "moodle_grades.csv")))
    assert [(r["Identifier"], r["Full name"], r["Grade"], r["Maximum grade"]) for r in moodle] == [
        ("Participant 201", "Ada Lovelace", "25", "31"),
        ("Participant 202", "Alan Turing", "25", "31"),
    ]
    assert {"Identifier", "Grade", "Last modified (grade)"} <= set(moodle[0])
    assert "ann" not in (tmp_path / "canvas_grades.csv").read_text()


# --- the learner's packaging command ----------------------------------------------------


@pytest.fixture
def learner_folder(tmp_path):
    """A kit as the learner has it: the notebooks, run and answered, and the manifest."""
    folder = tmp_path / "cutout_cutmix"
    for name in EXPECTED:
        notebook = make_notebook(TESTS[name])
        for cell in notebook.cells:
            cell.execution_count = 1
        write(folder / name, notebook)
    manifest = {"assignment": "cutout_cutmix", "notebooks": {n: TESTS[n] for n in EXPECTED}}
    (folder / submission.MANIFEST).write_text(json.dumps(manifest))
    return folder


def test_package_zips_the_checked_notebooks_for_upload(learner_folder, capsys):
    done = submission.package(learner_folder)

    assert done.complete and done.errors == [] and done.warnings == []
    assert done.zip_path == learner_folder / "cutout_cutmix-submission.zip"
    assert sorted(zipfile.ZipFile(done.zip_path).namelist()) == EXPECTED
    assert f"✓ 2 notebooks checked. Upload {done.zip_path}" in capsys.readouterr().out


def test_package_says_what_is_missing_empty_renamed_or_never_run(learner_folder, capsys):
    (learner_folder / "01_cutout.ipynb").write_bytes(b"")  # never saved
    (learner_folder / "02_cutmix.ipynb").rename(learner_folder / "02_cutmix (1).ipynb")
    nbformat.write(make_notebook(TESTS["02_cutmix.ipynb"]), learner_folder / "02_cutmix (1).ipynb")

    done = submission.package(learner_folder)

    assert done.errors == [
        "01_cutout.ipynb: is empty (0 bytes): it was not saved; open it in JupyterLab and save it"
    ]
    assert done.warnings == [
        "02_cutmix.ipynb: found as '02_cutmix (1).ipynb', packaged as 02_cutmix.ipynb",
        "02_cutmix.ipynb: was never run (or saved without outputs): Kernel > Restart Kernel "
        "and Run All Cells, then save",
    ]
    assert zipfile.ZipFile(done.zip_path).namelist() == ["02_cutmix.ipynb"]
    out = capsys.readouterr().out
    assert "✗ 01_cutout.ipynb: is empty (0 bytes)" in out
    assert "cutout_cutmix-submission.zip was written but is INCOMPLETE" in out
    assert submission.main([str(learner_folder)]) == 1


def test_package_names_a_missing_notebook_and_an_unreadable_one(learner_folder):
    (learner_folder / "01_cutout.ipynb").unlink()
    (learner_folder / "02_cutmix.ipynb").write_text('{"cells": [')

    done = submission.package(learner_folder, quiet=True)

    assert done.errors == [
        f"01_cutout.ipynb is missing: it is not in {learner_folder}",
        "02_cutmix.ipynb: is not a notebook (not readable as notebook JSON); was it saved by "
        "JupyterLab?",
    ]
    assert done.zip_path is None
    assert "Nothing was packaged" in submission.report(done, EXPECTED)


def test_the_packaging_command_imports_nothing_of_the_grader():
    source = Path(submission.__file__).read_text()
    assert "autograder" not in source.replace("autograded", "")


# --- end to end: the grading command on both platforms' archives ---------------------------


@pytest.mark.nbgrader
def test_the_grading_command_grades_canvas_and_moodle_archives_into_their_grade_files(
    tmp_path, canary_records, monkeypatch
):
    """Each archive as the platform hands it out, with one learner right, one with a known
    mistake (late, on Canvas) and, on Canvas, one who handed in the other assignment."""
    from autograder import grade
    from autograder.exercises.samples import mistake_answers, solved_release, with_answers
    from autograder.pipeline.course import ASSIGNMENT, EXPERIMENT, SOLUTIONS, notebook_names

    def package(notebooks) -> bytes:
        return zip_bytes({name: nbformat.writes(nb).encode() for name, nb in notebooks.items()})

    names = notebook_names(SOLUTIONS / ASSIGNMENT)
    right = {name: solved_release(f"{ASSIGNMENT}/{name}") for name in names}
    mistaken = with_answers(mistake_answers("cutmix:lam_not_readjusted"))
    other = solved_release(f"{EXPERIMENT}/04_measuring_the_effect.ipynb")
    canvas = tmp_path / "canvas.zip"
    canvas.write_bytes(
        zip_bytes(
            {
                "lovelaceada_101_1_cutout_cutmix-submission.zip": package(right),
                **{
                    f"turingalan_LATE_102_{i}_{name}": nbformat.writes(nb).encode()
                    for i, (name, nb) in enumerate(mistaken.items(), start=2)
                },
                "hopperg_103_9_04_measuring_the_effect.ipynb": nbformat.writes(other).encode(),
            }
        )
    )
    moodle = tmp_path / "moodle.zip"
    moodle.write_bytes(
        zip_bytes(
            {
                "Ada Lovelace_201_assignsubmission_file/cutout_cutmix-submission.zip": package(
                    right
                ),
                **{
                    f"Alan Turing_202_assignsubmission_file/{name}": nbformat.writes(nb).encode()
                    for name, nb in mistaken.items()
                },
            }
        )
    )
    # nbgrader's gradebook calls `alembic` by name: the virtual environment's bin folder
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    outs = {}
    for archive in (canvas, moodle):
        out = tmp_path / archive.stem
        argv = [str(archive), "--assignment", ASSIGNMENT, "--out", str(out)]
        assert grade.main(argv + ["--reuse-canary", str(canary_records)]) == 0
        outs[archive.stem] = out

    canvas_rows = list(csv.DictReader(open(outs["canvas"] / "canvas_grades.csv")))
    column = f"{ASSIGNMENT}"
    assert [(r["Student"], r["ID"]) for r in canvas_rows] == [
        ("lovelaceada", "101"),
        ("turingalan", "102"),
        ("hopperg", "103"),
    ]
    full = canvas_rows[0][column]
    assert full == "31", canvas_rows
    assert canvas_rows[1][column] not in ("", full), "the mistake costs points, and is graded"
    assert canvas_rows[2][column] == "", "the other assignment is not graded as 0"
    grades = {r["student_id"]: r for r in csv.DictReader(open(outs["canvas"] / "grades.csv"))}
    assert (grades["canvas-102"]["late"], grades["canvas-101"]["late"]) == ("yes", "")
    assert grades["canvas-103"]["status"].startswith(
        "needs attention: 'hopperg_103_9_04_measuring_the_effect.ipynb' is a notebook of "
        "measuring_the_effect, not of this assignment"
    )
    rows = json.loads((outs["canvas"] / "tests.json").read_text())
    assert any(
        r["learner"] == "canvas-102" and "lam_not_readjusted" in r["mistake"] for r in rows
    ), "the mistake is named"
    assert not (outs["canvas"] / "moodle_grades.csv").exists()

    moodle_rows = list(csv.DictReader(open(outs["moodle"] / "moodle_grades.csv")))
    assert [(r["Identifier"], r["Full name"], r["Maximum grade"]) for r in moodle_rows] == [
        ("Participant 201", "Ada Lovelace", "31"),
        ("Participant 202", "Alan Turing", "31"),
    ]
    assert moodle_rows[0]["Grade"] == "31" and moodle_rows[1]["Grade"] not in ("", "31")
    assert not (outs["moodle"] / "canvas_grades.csv").exists()
