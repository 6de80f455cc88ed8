"""A learner in JupyterLab: run each released notebook, Validate it untouched (failures) and
solved (success), see the pictures; and no instructor tools in the learner's lab."""

from __future__ import annotations

import re

import nbformat
import pytest
from labtools import (
    ASSIGNMENT,
    close_dialog,
    main_menu,
    menu_labels,
    open_notebook,
    released_notebooks,
    right_sidebar_titles,
    run_all,
    solved_notebook,
    validate,
)

pytestmark = pytest.mark.browser

NOTEBOOKS = released_notebooks()  # <assignment>/<name>, notebook 04 included
FIRST = f"{ASSIGNMENT}/01_cutout.ipynb"
# Notebooks whose pictures come before the first exercise, so an untouched run draws them.
WITH_PICTURES = {FIRST, "measuring_the_effect/04_measuring_the_effect.ipynb"}


def test_learner_lab_has_validate_but_no_instructor_tools(learner_lab, page, steps):
    from playwright.sync_api import expect

    with steps("open the first notebook"):
        open_notebook(page, learner_lab, FIRST)
    with steps("Validate button in the notebook toolbar"):
        expect(page.locator(".jp-NotebookPanel-toolbar .validate-button")).to_be_visible()
    with steps("no Nbgrader menu and no Create Assignment panel"):
        assert "Nbgrader" not in menu_labels(page), menu_labels(page)
        titles = right_sidebar_titles(page)
        assert not any("Create Assignment" in title for title in titles), titles
    with steps("no Formgrader in the command palette"):
        main_menu(page, "View", "apputils:activate-command-palette")
        palette = page.locator(".lm-CommandPalette-input")
        palette.fill("run all")  # the palette works: it finds other commands
        expect(page.locator(".lm-CommandPalette-item").first).to_be_visible()
        palette.fill("formgrader")
        expect(page.locator(".lm-CommandPalette-item")).to_have_count(0)
    with steps("no Formgrader on the server"):
        page.keyboard.press("Escape")
        status, _ = learner_lab.request("/formgrader")
        assert status == 404, f"/formgrader answered {status}, not 404"
        status, _ = learner_lab.request(f"/nbgrader_version?version={nbgrader_version()}")
        assert status == 200, f"Validate's server side answered {status}"


def nbgrader_version() -> str:
    import nbgrader

    return nbgrader.__version__


def graded_test_cells(path: str) -> int:
    from autograder.pipeline.course import RELEASE

    notebook = nbformat.read(RELEASE / path, as_version=nbformat.NO_CONVERT)
    return sum(
        1
        for cell in notebook.cells
        if cell.cell_type == "code"
        and cell.metadata.get("nbgrader", {}).get("grade")
        and not cell.metadata.get("nbgrader", {}).get("solution")
    )


@pytest.mark.parametrize("path", NOTEBOOKS)
def test_learner_runs_and_validates_notebook(path, learner_lab, page, steps):
    from playwright.sync_api import expect

    try:
        with steps("open the untouched notebook"):
            open_notebook(page, learner_lab, path)
        with steps("run all cells"):
            run_all(page)
            # An untouched notebook stops at the first check of an exercise.
            errors = page.locator(".jp-OutputArea-output", has_text="NotImplementedError")
            expect(errors).to_have_count(1)
        if path in WITH_PICTURES:
            with steps("pictures render"):
                image = page.locator(".jp-OutputArea-output img").first
                image.scroll_into_view_if_needed()
                box = image.bounding_box()
                natural = image.evaluate("img => [img.naturalWidth, img.naturalHeight]")
                assert box and box["width"] > 0 and box["height"] > 0, f"image box {box}"
                assert min(natural) > 0, f"image not decoded: natural size {natural}"
        with steps("validate the untouched notebook: failures listed"):
            message = validate(page)
            expect(message).to_have_class(re.compile("validation-failed"))
            failed = message.get_by_text("The following cell failed:")
            expected = graded_test_cells(path)
            expect(failed).to_have_count(expected)
            expect(message).to_contain_text("NotImplementedError")
        with steps("write a correct solution into the notebook"):
            close_dialog(page)
            solved = solved_notebook(path)
            (learner_lab.root_dir / path).write_text(nbformat.writes(solved))
            # Validate saved the notebook, so nothing is lost: load the lab again, from disk.
            open_notebook(page, learner_lab, path)
        with steps("validate the solved notebook: success"):
            message = validate(page)
            expect(message).to_have_class(re.compile("validation-success"))
            expect(message).to_contain_text("Success! Your notebook passes all the tests.")
    finally:
        learner_lab.shut_down_kernels()


def test_validate_names_a_wrong_answers_mistake_first_and_shows_no_check_code(
    learner_lab, page, steps
):
    from autograder.exercises.mistakes import lookup

    path = f"{ASSIGNMENT}/03_reversed_ratio_bug.ipynb"
    notebook = solved_notebook(path)
    wrong = lookup("cutmix_labels", "reversed_ratio")
    answer = next(
        c
        for c in notebook.cells
        if c.metadata.get("nbgrader", {}).get("grade_id") == "cutmix-labels-answer"
    )
    answer.source = wrong.notebook_source()
    (learner_lab.root_dir / path).write_text(nbformat.writes(notebook))
    try:
        with steps("validate a notebook with the reversed-ratio bug in cutmix_labels"):
            open_notebook(page, learner_lab, path)
            message = validate(page)
            text = message.inner_text()
            all_lines = [line.strip() for line in text.splitlines() if line.strip()]
            first = next(
                (n for n, line in enumerate(all_lines) if line.startswith("CheckFailed:")), None
            )
            assert first is not None, text
            lines = all_lines[first:]
            error = "\n".join(lines)
            assert lines[0].startswith("CheckFailed: cutmix_labels("), error
            labels = [
                line.split(":")[0]
                for line in lines[:8]
                if line.startswith(("expected:", "got:", "likely mistake:"))
            ]
            assert labels == ["expected", "got", "likely mistake"], error
            assert "This is the reversed-ratio bug" in error  # the bank's hint, augcourse/hints.py
            assert "augcourse" not in text and "Traceback" not in error, text
    finally:
        learner_lab.shut_down_kernels()
