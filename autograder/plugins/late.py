"""The course's late penalty: a share of the notebook's score per started day late.

nbgrader's AssignLatePenalties asks this plugin for each notebook of a submission received
after the assignment's due date (the due date set in Formgrader; the receipt time is the
exchange's `timestamp.txt`). The penalty is `percent_per_day` % of the notebook's score for
each started day (24 h) late, never more than the score: 1 minute late costs 10 %, 25 hours
late 20 %, 10 days or more everything.

An instructor changes it in autograder/plugins/settings.py (`c.CourseLatePenalty...`), or
gives no penalty with `percent_per_day = 0` (late work is still marked late in grades.csv).
"""

from __future__ import annotations

import math

from nbgrader.plugins import LateSubmissionPlugin
from traitlets import Float

DAY_SECONDS = 24 * 60 * 60


class CourseLatePenalty(LateSubmissionPlugin):
    percent_per_day = Float(
        10.0, help="Share of the notebook's score taken per started day late, in percent."
    ).tag(config=True)

    def late_submission_penalty(
        self, student_id: str, score: float, total_seconds_late: float
    ) -> float | None:
        if total_seconds_late <= 0 or self.percent_per_day <= 0:
            return None
        days = math.ceil(total_seconds_late / DAY_SECONDS)
        return min(score, score * self.percent_per_day / 100 * days)
