"""The instructor's grading pipeline: course folders and real nbgrader runs, intake of
submissions, per-learner grading, the instructor's outputs and the class report."""
