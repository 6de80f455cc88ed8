"""The course's late penalty: 10 % of a notebook's score per started day late, wired into
nbgrader's AssignLatePenalties by the course's settings. (The whole path, from the hub
exchange's receipt time to grades.csv, is tests/hub/test_browser_on_hub.py.)"""

from __future__ import annotations

import pytest
from nbgrader.preprocessors import AssignLatePenalties
from traitlets.config import Config

from autograder.plugins.late import CourseLatePenalty
from autograder.plugins.settings import apply


@pytest.mark.parametrize(
    ("seconds_late", "penalty"),
    [
        (1, 0.8),
        (60, 0.8),
        (24 * 3600, 0.8),
        (24 * 3600 + 1, 1.6),
        (9.5 * 86400, 8.0),
        (40 * 86400, 8.0),
    ],
)
def test_a_share_per_started_day_never_more_than_the_score(seconds_late, penalty):
    assert CourseLatePenalty().late_submission_penalty("x", 8.0, seconds_late) == pytest.approx(
        penalty
    )


def test_no_penalty_on_time_or_when_the_share_is_zero():
    assert CourseLatePenalty().late_submission_penalty("x", 8.0, 0) is None
    assert CourseLatePenalty(percent_per_day=0).late_submission_penalty("x", 8.0, 3600) is None


def test_the_course_settings_give_nbgrader_this_plugin():
    config = Config()
    apply(config)
    preprocessor = AssignLatePenalties(config=config)
    preprocessor.init_plugin()
    assert isinstance(preprocessor.plugin_inst, CourseLatePenalty)
    assert preprocessor.plugin_inst.percent_per_day == 10.0
