"""nbgrader configuration for the course: authors edit `solutions/`, learners get `notebooks/`."""

from pathlib import Path

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

ROOT = Path(__file__).resolve().parent

c.CourseDirectory.root = str(ROOT)
c.CourseDirectory.course_id = "cutout-cutmix"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "notebooks"
# Grading state stays in the build folder, never beside the committed notebooks.
c.CourseDirectory.submitted_directory = "build/course/submitted"
c.CourseDirectory.autograded_directory = "build/course/autograded"
c.CourseDirectory.feedback_directory = "build/course/feedback"
c.CourseDirectory.db_url = f"sqlite:///{ROOT / 'build' / 'gradebook.db'}"
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
