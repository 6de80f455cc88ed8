"""What nbgrader loads by dotted name from a course folder's nbgrader_config.py (written by
autograder.pipeline.course on every run): the settings, the preprocessors that decide graded
cells outside the learner's kernel and make learner content inert, the feedback exporter, and
the confined kernel."""
