"""An instructor in JupyterLab: all of nbgrader's tools; Formgrader lists the assignment and,
after the grading command has run on sample submissions, the learners and their scores."""

from __future__ import annotations

import pytest
from labtools import (
    ASSIGNMENT,
    SAMPLE_LEARNERS,
    menu_labels,
    open_formgrader,
    open_lab,
    open_menu,
    right_sidebar_titles,
)

pytestmark = pytest.mark.browser


def test_instructor_lab_has_nbgrader_tools_and_formgrader_lists_the_assignment(
    instructor_lab, page, steps
):
    from playwright.sync_api import expect

    with steps("open the instructor's lab"):
        open_lab(page, instructor_lab)
        assert "Nbgrader" in menu_labels(page), menu_labels(page)
        titles = right_sidebar_titles(page)
        assert any("Create Assignment" in title for title in titles), titles
    with steps("Nbgrader menu"):
        items = open_menu(page, "Nbgrader")
        for label in ("Assignment List", "Course List", "Formgrader"):
            expect(items.filter(has_text=label).first).to_be_visible()
    with steps("Formgrader lists the assignment"):
        page.keyboard.press("Escape")
        frame = open_formgrader(page)
        row = frame.locator("#main-table tr", has_text=ASSIGNMENT)
        expect(row).to_have_count(1)


def gradebook_scores(course) -> dict[str, tuple[float, float]]:
    """{learner: (score, max_score)} as nbgrader's gradebook holds them."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        return {s["id"]: (s["score"], s["max_score"]) for s in gradebook.student_dicts()}


def shown(score: float) -> str:
    """A score as Formgrader writes it (rounded to 2 decimals, no trailing zeros)."""
    return f"{round(score, 2):g}"


def test_formgrader_shows_graded_learners_and_scores(graded_course, graded_lab, page, steps):
    from playwright.sync_api import expect

    # What the grading command recorded: the reference gets full marks, ada's mistakes cost.
    scores = gradebook_scores(graded_course)
    assert sorted(scores) == sorted(SAMPLE_LEARNERS), scores
    score, maximum = scores["reference"]
    assert score == maximum > 0, f"reference solution: {score}/{maximum}"
    assert scores["ada"][0] < maximum, f"ada's mistakes cost nothing: {scores['ada']}"
    with steps("Formgrader lists the assignment with its submissions"):
        open_lab(page, graded_lab)
        frame = open_formgrader(page)
        row = frame.locator("#main-table tr", has_text=ASSIGNMENT)
        expect(row.locator("td.num-submissions")).to_have_text(str(len(SAMPLE_LEARNERS)))
    with steps("Manage Students shows the learners and their scores"):
        frame.get_by_role("link", name="Manage Students").click()
        for learner, (score, maximum) in scores.items():
            row = frame.locator("#main-table tr").filter(
                has=frame.locator("td.id", has_text=learner)
            )
            expect(row.locator("td.score")).to_have_text(f"{shown(score)} / {shown(maximum)}")
        frame.locator("#main-table").scroll_into_view_if_needed()
    with steps("a learner's submission and score"):
        learner = "ada"
        frame.locator(f"#main-table a[href$='/manage_students/{learner}']").click()
        row = frame.locator("#main-table tr", has_text=ASSIGNMENT)
        score, maximum = scores[learner]
        expect(row.locator("td.score")).to_have_text(f"{shown(score)} / {shown(maximum)}")
