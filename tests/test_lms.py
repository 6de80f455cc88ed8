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
from datetime import datetime
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
from autograder.pipeline.rosters import RosterError, read_canvas_gradebook, read_moodle_worksheet


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
        "handed in measuring_the_effect's notebooks ('04_measuring_the_effect.ipynb'), not this "
        "assignment's; not graded here (grade them with --assignment measuring_the_effect)",
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

    files = write_lms_grades(results, found, tmp_path, "Cutout and CutMix (55)")

    assert [p.name for p in files.written] == ["canvas_grades.csv", "moodle_grades.csv"]
    assert files.notes == [
        "canvas_grades.csv: rename its column 'Cutout and CutMix (55)' to your Canvas "
        "assignment's header as your gradebook export shows it ('Title (id)'), or pass that "
        "export with --canvas-gradebook, or Canvas adds a new assignment"
    ]
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


# --- the platforms' own lists of the class --------------------------------------------------

# Canvas's "Export Entire Gradebook" as lib/gradebook_exporter.rb writes it: identity columns,
# a custom column, one column per assignment "Title (id)", totals; a posting-policy row and the
# "Points Possible" row under the header; the Student View's test student last.
CANVAS_EXPORT = """\ufeffStudent,ID,SIS User ID,SIS Login ID,Section,Notes,Week 1 quiz (4400),\
Cutout and CutMix (4401),Measuring the effect (4402),Current Score,Final Score
,,,,,,,Manual Posting,,,
    Points Possible,,,,,(read only),5.00,31.00,6.00,(read only),(read only)
"Lovelace, Ada",101,s101,ada@uni.example,Group A,,5.00,,,100.00,20.00
"Turing, Alan",102,s102,alan@uni.example,Group B,keen,4.00,,,80.00,16.00
"Hopper, Grace",104,s104,grace@uni.example,Group A,,,,,,
"Student, Test",999,,abc123,Group A,,,,,,
"""


def write_export(tmp_path, text=CANVAS_EXPORT, name="gradebook.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_canvas_gradebook_export_gives_the_assignment_header_and_the_learners(tmp_path):
    roster = read_canvas_gradebook(write_export(tmp_path), "cutout_cutmix")

    assert roster.grade_column == "Cutout and CutMix (4401)"
    assert roster.columns == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert list(roster.rows) == ["canvas-101", "canvas-102", "canvas-104", "canvas-999"]
    assert roster.rows["canvas-102"]["SIS Login ID"] == "alan@uni.example"
    # what Canvas writes for a user whose locale has a decimal comma
    semicolons = io.StringIO()
    csv.writer(semicolons, delimiter=";").writerows(csv.reader(io.StringIO(CANVAS_EXPORT)))
    semicolons = semicolons.getvalue().replace("5.00", "5,00")
    again = read_canvas_gradebook(write_export(tmp_path, semicolons, "s.csv"), "cutout_cutmix")
    assert again.grade_column == roster.grade_column and again.rows == roster.rows


@pytest.mark.parametrize(
    "text, column, message",
    [
        (
            "Identifier,Full name,Grade\nParticipant 1,Ada,\n",
            None,
            "is not a Canvas gradebook export: its first row should start with Student (or "
            "LastName, FirstName), ID, ...; it is Identifier, Full name, Grade",
        ),
        (
            "Student,ID,Section,Week 1 quiz (4400),Week 2 quiz (4403)\n",
            None,
            "several assignment columns that could be cutout_cutmix: 'Week 1 quiz (4400)'; "
            "'Week 2 quiz (4403)'; name one with --canvas-column",
        ),
        (
            "Student,ID,Section,Current Score\n",
            None,
            "has no assignment column (columns headed 'Title (id)': none); create the "
            "assignment in Canvas and export the gradebook again",
        ),
        (CANVAS_EXPORT, "Lab 7", "has no assignment column named like 'Lab 7'"),
        (
            CANVAS_EXPORT.replace(
                "Measuring the effect (4402)", '"Cutout and CutMix, part 2 (4402)"'
            ),
            None,
            "several assignment columns that could be cutout_cutmix: 'Cutout and CutMix "
            "(4401)'; 'Cutout and CutMix, part 2 (4402)'",
        ),
    ],
    ids=["moodle file", "two others", "no assignment", "named column absent", "two candidates"],
)
def test_a_file_that_is_no_usable_canvas_export_is_refused_saying_why(
    tmp_path, text, column, message
):
    with pytest.raises(RosterError) as refused:
        read_canvas_gradebook(write_export(tmp_path, text), "cutout_cutmix", column)
    assert message in str(refused.value)


def test_the_canvas_column_is_chosen_by_header_id_or_part_of_its_title(tmp_path):
    text = CANVAS_EXPORT.replace(
        "Measuring the effect (4402)", '"Cutout and CutMix, part 2 (4402)"'
    )
    path = write_export(tmp_path, text)
    for column in ("Cutout and CutMix, part 2 (4402)", "4402", "part 2"):
        assert read_canvas_gradebook(path, "cutout_cutmix", column).grade_column == (
            "Cutout and CutMix, part 2 (4402)"
        )


def test_with_the_canvas_export_the_grade_file_imports_as_is_and_names_who_handed_in_nothing(
    tmp_path,
):
    roster = read_canvas_gradebook(write_export(tmp_path), "cutout_cutmix")
    found = find_submissions(canvas_archive(tmp_path / "c.zip"), EXPECTED, GRADE_IDS)
    attention = [Reason("missing_notebook", "missing notebook 02_cutmix.ipynb")]
    results = [
        LearnerResult(s.learner, 25.0, 31.0, 1.0, reasons=attention if "102" in s.learner else [])
        for s in found
    ]

    files = write_lms_grades(results, found, tmp_path, "cutout_cutmix", rosters={"canvas": roster})

    rows = list(csv.reader(open(tmp_path / "canvas_grades.csv", encoding="utf-8")))
    assert rows == [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Cutout and CutMix (4401)"],
        ["Lovelace, Ada", "101", "s101", "ada@uni.example", "Group A", "25"],
        ["Turing, Alan", "102", "s102", "alan@uni.example", "Group B", ""],  # needs attention
        ["Hopper, Grace", "104", "s104", "grace@uni.example", "Group A", ""],  # nothing handed in
        ["Student, Test", "999", "", "abc123", "Group A", ""],
        ["anon_x7Yz2", "", "", "", "", "25"],  # not on the list: kept, and said
    ]
    assert files.absent == [
        ("canvas", "canvas-104", "Hopper, Grace"),
        ("canvas", "canvas-999", "Student, Test"),
    ]
    assert files.notes == [
        f"1 learner(s) of the archive are not in {roster.source}, so the platform will not "
        "find their rows: anon_x7Yz2 (canvas-anon_x7Yz2)"
    ]


MOODLE_WORKSHEET = """Identifier,Full name,Email address,Status,Grade,Maximum grade,\
Grade can be changed,Last modified (submission),Last modified (grade),Feedback comments
Participant 201,Ada Lovelace,ada@uni.example,Submitted for grading,,100.00,Yes,"Monday, 1 June 2026, 10:00 AM",-,
Participant 202,Alan Turing,alan@uni.example,Submitted for grading,,100.00,Yes,"Monday, 1 June 2026, 11:00 AM",-,
Participant 205,Kim Park,kim@uni.example,No submission,,100.00,Yes,-,-,
"""


def test_with_moodles_worksheet_its_columns_and_participants_are_kept(tmp_path):
    roster = read_moodle_worksheet(write_export(tmp_path, MOODLE_WORKSHEET))
    found = find_submissions(moodle_archive(tmp_path / "m.zip"), EXPECTED, GRADE_IDS)
    results = [LearnerResult(s.learner, 25.0, 31.0, 1.0) for s in found]
    graded_at = datetime(2026, 6, 2, 9, 30)

    files = write_lms_grades(results, found, tmp_path, "x", graded_at, rosters={"moodle": roster})

    rows = list(csv.DictReader(open(tmp_path / "moodle_grades.csv", encoding="utf-8")))
    assert list(rows[0]) == roster.columns and "Feedback comments" in rows[0]
    assert [(r["Identifier"], r["Email address"], r["Grade"]) for r in rows] == [
        ("Participant 201", "ada@uni.example", "25"),
        ("Participant 202", "alan@uni.example", "25"),
        ("Participant 205", "kim@uni.example", ""),
    ]
    assert rows[0]["Last modified (grade)"] == "2026-06-02 09:30:00"
    assert rows[2]["Last modified (grade)"] == "-", "a learner not graded keeps Moodle's row"
    assert files.absent == [("moodle", "moodle-205", "Kim Park")]
    assert files.notes == [
        "moodle_grades.csv: Moodle's maximum grade is 100.00 but grades here are points out of "
        "31: set the assignment's maximum grade to the points before uploading"
    ]
    with pytest.raises(RosterError, match="is not a Moodle grading worksheet: it has no column"):
        read_moodle_worksheet(write_export(tmp_path, CANVAS_EXPORT, "canvas.csv"))


# --- an archive holding both assignments ----------------------------------------------------


def test_an_archive_of_both_assignments_grades_the_one_most_learners_handed_in(tmp_path):
    from autograder import grade
    from autograder.pipeline.course import assignments

    archive = tmp_path / "download.zip"
    archive.write_bytes(
        zip_bytes(
            {
                "lovelaceada_101_1_01_cutout.ipynb": notebook_bytes("01_cutout.ipynb"),
                "turingalan_102_2_02_cutmix.ipynb": notebook_bytes("02_cutmix.ipynb"),
                "hopperg_103_3_04_measuring_the_effect.ipynb": b"{}",
            }
        )
    )
    said = []

    assert grade.choose_assignment(archive, assignments(), said.append) == "cutout_cutmix"
    assert said == [
        f"{archive} holds submissions of 2 assignments: grading cutout_cutmix, which most "
        "learners handed in (2); 1 learner handed in measuring_the_effect's notebooks (grade "
        "those with --assignment measuring_the_effect)"
    ]
    archive.write_bytes(
        zip_bytes(
            {
                "lovelaceada_101_1_01_cutout.ipynb": notebook_bytes("01_cutout.ipynb"),
                "hopperg_103_3_04_measuring_the_effect.ipynb": b"{}",
            }
        )
    )
    with pytest.raises(ValueError, match="as many of each .*; grade one at a time with --assign"):
        grade.choose_assignment(archive, assignments(), said.append)


# --- progress -------------------------------------------------------------------------------


def test_progress_shows_a_bar_with_the_count_and_a_line_per_learner_only_when_verbose():
    from autograder.pipeline.progress import ClassProgress

    results = [LearnerResult(name, 25.0, 31.0, 2.0) for name in ("ada", "alan", "grace")]
    for verbose in (False, True):
        stream, said = io.StringIO(), []
        shown = ClassProgress(say=said.append, verbose=verbose, bar=True, stream=stream)
        shown.start(len(results))
        for result in results:
            shown.learner_done(result)
        shown.close()
        bar = stream.getvalue().splitlines()
        # not a terminal: whole lines, the first at the start and the last at the end
        assert "\r" not in stream.getvalue() and len(bar) == 2, bar
        assert bar[0].startswith("grading:   0%") and " 0/3 " in bar[0]
        assert bar[-1].startswith("grading: 100%") and " 3/3 " in bar[-1]
        assert "learner/s" in bar[-1] or "s/learner" in bar[-1], "the rate"
        lines = [line for line in said if "] " in line]
        assert lines == (
            [
                "  [1/3] ada: 25/31, graded (2.0 s)",
                "  [2/3] alan: 25/31, graded (2.0 s)",
                "  [3/3] grace: 25/31, graded (2.0 s)",
            ]
            if verbose
            else []
        )


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
    tmp_path, canary_records, monkeypatch, capsys
):
    """Each archive as the platform hands it out, with one learner right, one with a known
    mistake (late, on Canvas) and, on Canvas, one who handed in the other assignment; Canvas's
    with the gradebook export and no --assignment, Moodle's with --verbose."""
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
    # Canvas's gradebook export: the four learners of the archive's three and one who handed
    # in nothing; the assignment's column under the title the instructor gave it.
    gradebook = write_export(
        tmp_path,
        "Student,ID,SIS User ID,SIS Login ID,Section,Week 1 quiz (4400),Cutout and CutMix (4401)\n"
        "    Points Possible,,,,,5.00,31.00\n"
        '"Hopper, Grace",103,s103,grace@uni.example,A,,\n'
        '"Lovelace, Ada",101,s101,ada@uni.example,A,5.00,\n'
        '"Park, Kim",105,s105,kim@uni.example,B,4.00,\n'
        '"Turing, Alan",102,s102,alan@uni.example,B,,\n',
    )
    outs, said = {}, {}
    for archive, options in (
        # no --assignment: the archive holds both, and most learners handed in cutout_cutmix
        (canvas, ["--canvas-gradebook", str(gradebook)]),
        (moodle, ["--assignment", ASSIGNMENT, "--verbose"]),
    ):
        out = tmp_path / archive.stem
        argv = [str(archive), "--out", str(out), *options]
        assert grade.main(argv + ["--reuse-canary", str(canary_records)]) == 0
        outs[archive.stem] = out
        said[archive.stem] = capsys.readouterr()

    canvas_out = said["canvas"].out
    assert (
        f"{canvas} holds submissions of 2 assignments: grading cutout_cutmix, which most learners "
        "handed in (2); 1 learner handed in measuring_the_effect's notebooks" in canvas_out
    )
    assert (
        "no submission (1 learner of the platform's list, an empty grade in its grade file): "
        "Park, Kim (canvas-105)" in canvas_out
    )
    assert "] canvas-10" not in canvas_out, "a line per learner only with --verbose"
    assert "total: 3 learners" in canvas_out and "rename its column" not in canvas_out
    bar = said["canvas"].err.splitlines()
    assert bar[-1].startswith("grading: 100%") and " 3/3 " in bar[-1], said["canvas"].err
    moodle_out = said["moodle"].out
    assert "  [1/2] moodle-20" in moodle_out and "  [2/2] moodle-20" in moodle_out
    assert " 2/2 " in said["moodle"].err.splitlines()[-1]

    with open(outs["canvas"] / "canvas_grades.csv", encoding="utf-8") as handle:
        canvas_rows = list(csv.reader(handle))
    assert canvas_rows[0] == [
        "Student",
        "ID",
        "SIS User ID",
        "SIS Login ID",
        "Section",
        "Cutout and CutMix (4401)",
    ]
    assert [row[:2] for row in canvas_rows[1:]] == [
        ["Hopper, Grace", "103"],
        ["Lovelace, Ada", "101"],
        ["Park, Kim", "105"],
        ["Turing, Alan", "102"],
    ]
    grade_of = {row[1]: row[-1] for row in canvas_rows[1:]}
    assert grade_of["101"] == "31", canvas_rows
    assert grade_of["102"] not in ("", "31"), "the mistake costs points, and is graded"
    assert grade_of["103"] == "", "the other assignment is not graded as 0"
    assert grade_of["105"] == "", "nothing handed in: empty, not 0"
    grades = {r["student_id"]: r for r in csv.DictReader(open(outs["canvas"] / "grades.csv"))}
    assert (grades["canvas-102"]["late"], grades["canvas-101"]["late"]) == ("yes", "")
    assert grades["canvas-103"]["status"].startswith(
        "needs attention: handed in measuring_the_effect's notebooks "
        "('hopperg_103_9_04_measuring_the_effect.ipynb'), not this assignment's"
    )
    report = (outs["canvas"] / "class_report.html").read_text()
    assert "No submission: 1 learner" in report and "Park, Kim (canvas-105)" in report
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
