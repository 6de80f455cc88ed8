"""The course's nbgrader preprocessor lists are nbgrader's own with named changes only."""

import importlib

from traitlets.config import Config

from autograder.plugins import settings


def without_course_changes(step: str, names: list[str]) -> list[str]:
    added = set(settings.INSERTED_BEFORE[step].values())
    added |= {name for after in settings.INSERTED_AFTER[step].values() for name in after}
    back = {course: nbgrader for nbgrader, course in settings.REPLACED.items()}
    return [back.get(name, name) for name in names if name not in added]


def test_everything_but_the_named_changes_is_nbgraders_default():
    defaults = settings.nbgrader_defaults()
    for step, names in (
        ("autograde", settings.AUTOGRADE_PREPROCESSORS),
        ("feedback", settings.FEEDBACK_PREPROCESSORS),
    ):
        assert without_course_changes(step, names) == defaults[step]
    assert "autograder.plugins.execute.ExecuteAndDecide" in settings.AUTOGRADE_PREPROCESSORS
    assert "nbgrader.preprocessors.execute.Execute" not in settings.AUTOGRADE_PREPROCESSORS


def test_every_preprocessor_named_can_be_imported():
    for name in settings.AUTOGRADE_PREPROCESSORS + settings.FEEDBACK_PREPROCESSORS:
        module, _, cls = name.rpartition(".")
        assert isinstance(getattr(importlib.import_module(module), cls), type), name


def test_apply_configures_the_lists():
    config = Config()
    settings.apply(config)
    assert config.Autograde.autograde_preprocessors == settings.AUTOGRADE_PREPROCESSORS
    assert config.GenerateFeedback.preprocessors == settings.FEEDBACK_PREPROCESSORS
