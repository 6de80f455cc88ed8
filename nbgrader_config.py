"""nbgrader configuration for the course: authors edit `solutions/`, learners get `notebooks/`.

The grading behaviour (restored test cells, output limits, clean feedback) is shared with the
course folders that `python -m autograder.grade` creates: see autograder/plugins/settings.py.
"""

from pathlib import Path

from autograder.plugins.settings import apply

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)
apply(c)

ROOT = Path(__file__).resolve().parent

c.CourseDirectory.root = str(ROOT)
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "notebooks"
# Grading state stays in the build folder, never beside the committed notebooks.
c.CourseDirectory.submitted_directory = "build/course/submitted"
c.CourseDirectory.autograded_directory = "build/course/autograded"
c.CourseDirectory.feedback_directory = "build/course/feedback"
c.CourseDirectory.db_url = f"sqlite:///{ROOT / 'build' / 'gradebook.db'}"
# SQLite cannot create the gradebook in a missing folder (a fresh clone has no build/).
(ROOT / "build").mkdir(exist_ok=True)
