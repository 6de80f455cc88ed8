"""The configuration the learner's and the instructor's JupyterLab start with."""

import pytest
from nbgrader.apps import NbGrader
from nbgrader.preprocessors import Execute

from autograder.lab import write_config
from autograder.limits import limits_for


@pytest.fixture(autouse=True)
def lab_working_folder(tmp_path, monkeypatch):
    """A working folder without nbgrader_config.py, as notebooks/ is for the learner's lab
    (the project's own nbgrader_config.py would win over the lab's otherwise)."""
    folder = tmp_path / "lab-cwd"
    folder.mkdir()
    monkeypatch.chdir(folder)


def nbgrader_config_seen_by_validate(config_dir, monkeypatch):
    """nbgrader's configuration as its Validate handler in the lab loads it: the lab's server
    runs with JUPYTER_CONFIG_DIR set to the folder write_config wrote."""
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(config_dir))
    app = NbGrader()
    app.load_config_file()
    return app.config


def test_learner_validate_gives_each_cell_the_graders_time(tmp_path, monkeypatch):
    # Notebook 04 trains its models in one cell: nbgrader's 30 s would fail a right answer
    # on a slower laptop, although grading would give it the time.
    write_config("learner", tmp_path / "config")
    config = nbgrader_config_seen_by_validate(tmp_path / "config", monkeypatch)
    timeout = Execute(config=config).timeout
    assert timeout >= limits_for("measuring_the_effect").cell_seconds > Execute().timeout


def test_instructor_lab_on_the_project_uses_the_projects_nbgrader_config(tmp_path):
    write_config("learner", tmp_path / "config")
    write_config("instructor", tmp_path / "config")  # the same folder, reused by another role
    assert not (tmp_path / "config" / "nbgrader_config.py").exists()


def test_instructor_lab_on_a_graded_course_reads_its_gradebook(tmp_path, monkeypatch):
    course = tmp_path / "course"
    write_config("instructor", tmp_path / "config", course_root=course)
    config = nbgrader_config_seen_by_validate(tmp_path / "config", monkeypatch)
    assert config.CourseDirectory.db_url == f"sqlite:///{course / 'gradebook.db'}"
    assert config.CourseDirectory.root == str(course)
