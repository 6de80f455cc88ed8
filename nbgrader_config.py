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
# Collect puts submissions here; the grading command grades them into its course folder.
c.CourseDirectory.submitted_directory = "build/course/submitted"
# Formgrader shows the class the grading command graded: its default course folder's
# gradebook, autograded notebooks and feedback (autograder/pipeline/course_book.py).
GRADED = ROOT / "build" / "grading" / "course"
c.CourseDirectory.autograded_directory = str(GRADED / "autograded")
c.CourseDirectory.feedback_directory = str(GRADED / "feedback")
c.CourseDirectory.db_url = f"sqlite:///{GRADED / 'gradebook.db'}"
# SQLite cannot create the gradebook in a missing folder (a fresh clone has no build/).
GRADED.mkdir(parents=True, exist_ok=True)
