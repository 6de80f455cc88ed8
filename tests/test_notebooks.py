"""The course notebooks through real nbgrader: release in sync, solutions full marks,
blank release zero, and plausible wrong answers below full marks."""

import concurrent.futures
import filecmp
from pathlib import Path

import correct_styles
import nbformat
import pytest

from autograder.exercises.answers import ANSWERS
from autograder.exercises.mistakes import mistakes_for
from autograder.exercises.registry import exercises_of
from autograder.exercises.samples import with_answers
from autograder.pipeline.course import (
    ASSIGNMENT,
    RELEASE,
    SOLUTIONS,
    Course,
    assignments,
    graded_cells,
    read_notebook,
)
from autograder.release import build_release

NOTEBOOKS = sorted(p.name for p in (SOLUTIONS / ASSIGNMENT).glob("*.ipynb"))
STATED_TOTALS = {"01_cutout.ipynb": 8, "02_cutmix.ipynb": 17, "03_reversed_ratio_bug.ipynb": 6}
WRONG_VALUES = {
    "label_mix_ratio": ["0.25", "75"],
    "mixed_label": ["np.array([0.25, 0.75, 0.0])", "[0.75, 0.25]"],
    "output_shape": ["(32, 32, 3)", "(3, 16, 16)"],
}
WEAK_TESTS = [
    "def test_cutmix_labels(fn):\n    assert fn(np.array([1.0, 0.0]), np.array([0.0, 1.0]), 0.5).sum() == 1.0\n",
    "def test_cutmix_labels(fn):\n    fn(np.array([1.0, 0.0]), np.array([0.0, 1.0]), 0.3)\n",
]


def test_every_solution_notebook_is_released():
    assert NOTEBOOKS == list(STATED_TOTALS), "solutions/ and the stated points disagree"


@pytest.mark.nbgrader
@pytest.mark.parametrize("assignment", assignments())
def test_regenerated_release_equals_committed_notebooks(tmp_path, assignment):
    regenerated = build_release(tmp_path, assignment)
    committed = RELEASE / assignment
    comparison = filecmp.dircmp(regenerated, committed)
    assert not comparison.left_only and not comparison.right_only, (
        f"files differ: only regenerated {comparison.left_only}, only committed {comparison.right_only}"
    )
    for name in sorted(p.name for p in regenerated.iterdir()):
        assert (regenerated / name).read_bytes() == (committed / name).read_bytes(), (
            f"notebooks/{assignment}/{name} is stale: run `make release` and commit"
        )


def test_points_sum_to_the_stated_total_per_notebook():
    for name, total in STATED_TOTALS.items():
        points = graded_cells(read_notebook(SOLUTIONS / ASSIGNMENT / name))
        assert sum(points.values()) == total, f"{name}: {points}"
        assert f"Points: {total} in total" in "".join(
            c.source
            for c in read_notebook(SOLUTIONS / ASSIGNMENT / name).cells
            if c.cell_type == "markdown"
        ), f"{name} does not state its total of {total} points"


def _wrong_answers(which: int) -> dict[str, str]:
    """The `which`-th plausible wrong answer for every graded exercise."""
    answers = {}
    for function in correct_styles.LEARNER_FUNCTIONS:
        answers[function] = mistakes_for(function)[which].notebook_source()
    for variable, wrong in WRONG_VALUES.items():
        answers[variable] = f"{variable} = {wrong[which]}\n"
    for question, key in ANSWERS.items():
        answers[question] = f'{question} = "{"ABCD".replace(key.letter, "")[which]}"\n'
    answers["test_cutmix_labels"] = WEAK_TESTS[which]
    return answers


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    """One real nbgrader run over a small class: solution, blank release, two wrong, one other style."""
    course = Course(tmp_path_factory.mktemp("course"))
    release = course.generate_release()
    blank = {name: release / name for name in NOTEBOOKS}
    course.submit("solution", {name: SOLUTIONS / ASSIGNMENT / name for name in NOTEBOOKS})
    course.submit("blank", blank)
    course.submit("wrong_a", with_answers(_wrong_answers(0)))
    course.submit("wrong_b", with_answers(_wrong_answers(1)))
    course.submit("other_style", with_answers(correct_styles.other_style_answers()))
    course.autograde("*")
    return course


@pytest.mark.nbgrader
@pytest.mark.parametrize("student", ["solution", "other_style"])
def test_correct_submissions_get_full_marks(graded_class, student):
    scores = graded_class.scores(student)
    for name, total in STATED_TOTALS.items():
        lost = {g: s for g, s in scores[name].items() if s[0] != s[1]}
        assert not lost, f"{student} lost points in {name}: {lost}"
        assert sum(m for _, m in scores[name].values()) == total


@pytest.mark.nbgrader
def test_blank_release_gets_zero_on_every_graded_cell(graded_class):
    scores = graded_class.scores("blank")
    for name in NOTEBOOKS:
        assert scores[name] and all(score == 0 for score, _ in scores[name].values()), scores[name]


@pytest.mark.nbgrader
@pytest.mark.parametrize("student", ["wrong_a", "wrong_b"])
def test_plausible_wrong_answers_lose_the_points_of_their_check(graded_class, student):
    scores = {gid: s for nb in graded_class.scores(student).values() for gid, s in nb.items()}
    for grade_id, (score, max_score) in scores.items():
        assert score < max_score, f"{student}: {grade_id} kept full marks ({score}/{max_score})"


def _validate(*args: str, cwd: Path) -> str:
    return Course(cwd).run("validate", *args).stdout


@pytest.fixture(scope="module")
def validated(tmp_path_factory):
    """{notebook: (nbgrader validate of the solution, validate --invert of the release)}, the
    six commands two at a time (each runs a whole notebook), each in a folder of its own
    (a command writes its course folder's nbgrader_config.py)."""
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        runs = {
            name: (
                pool.submit(
                    _validate,
                    str(SOLUTIONS / ASSIGNMENT / name),
                    cwd=tmp_path_factory.mktemp("validate"),
                ),
                pool.submit(
                    _validate,
                    "--invert",
                    str(RELEASE / ASSIGNMENT / name),
                    cwd=tmp_path_factory.mktemp("validate"),
                ),
            )
            for name in NOTEBOOKS
        }
        return {
            name: (solved.result(), inverted.result()) for name, (solved, inverted) in runs.items()
        }


@pytest.mark.nbgrader
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_nbgrader_validate_passes_solutions_and_inverted_fails_every_graded_cell_of_release(
    validated, name
):
    solved, inverted = validated[name]
    assert "Success! Your notebook passes all the tests." in solved, solved
    # With --invert, nbgrader lists every graded cell that passes; none may.
    assert "Success! The notebook does not pass any tests." in inverted, inverted


def _run_allowing_errors(path: Path) -> nbformat.NotebookNode:
    from nbclient import NotebookClient

    notebook = read_notebook(path)
    NotebookClient(
        notebook, timeout=120, allow_errors=True, resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    return notebook


EXERCISES = [e.name for e in exercises_of(ASSIGNMENT)]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_blank_learner_notebook_stops_only_where_the_learner_must_write_code(name):
    """Run the released notebook untouched: every error must come from an unfinished exercise."""
    notebook = _run_allowing_errors(RELEASE / ASSIGNMENT / name)
    unexpected = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.output_type != "error":
                continue
            unfinished = output.ename == "NotImplementedError" or (
                output.ename == "NameError" and any(f"'{e}'" in output.evalue for e in EXERCISES)
            )
            if not unfinished:
                unexpected.append(f"cell {cell.get('id')}: {output.ename}: {output.evalue}")
    assert not unexpected, "\n".join(unexpected)
