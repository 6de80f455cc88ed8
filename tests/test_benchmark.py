"""What `make benchmark` measures: a cohort in the proportions it states, and a grading whose
time per phase is really recorded for each learner."""

from collections import Counter

import nbformat
import pytest

from autograder.exercises.cohort import BROKEN_KINDS, cohort_counts, plan_cohort, write_cohort
from autograder.exercises.mistakes import lookup
from autograder.pipeline.course import ASSIGNMENT, EXPERIMENT, SOLUTIONS, notebook_names
from autograder.plugins.timing import PHASES


@pytest.mark.parametrize("n", [4, 40, 500])
@pytest.mark.parametrize("assignment", [ASSIGNMENT, EXPERIMENT])
def test_the_cohort_has_the_stated_proportions(assignment, n):
    cohort = plan_cohort(assignment, n)
    kinds = Counter(member.kind for member in cohort)
    broken = sum(kinds[k] for k in (*BROKEN_KINDS, "hang"))
    assert len({m.learner for m in cohort}) == n
    assert kinds["right"] == round(0.6 * n) and kinds["mistakes"] == round(0.3 * n)
    assert broken == n - kinds["right"] - kinds["mistakes"]
    assert kinds["hang"] == n // 40 == cohort_counts(n)["hang"]
    for member in cohort:
        if member.kind == "mistakes":
            assert 1 <= len(member.detail) <= 2
            for spec in member.detail:
                assert lookup(*spec.split(":"))  # a mistake of the bank


def test_the_written_cohort_holds_what_it_says(tmp_path):
    cohort = write_cohort(tmp_path, ASSIGNMENT, 10)
    names = notebook_names(SOLUTIONS / ASSIGNMENT)
    by_kind = {member.kind: member for member in cohort}
    assert set(by_kind) >= {"right", "mistakes", "invalid_json"}

    def folder(member):
        return tmp_path / member.learner / ASSIGNMENT

    right = folder(by_kind["right"])
    for name in names:
        assert nbformat.read(right / name, as_version=4) == nbformat.read(
            SOLUTIONS / ASSIGNMENT / name, as_version=4
        )
    wrong = "".join((folder(by_kind["mistakes"]) / name).read_text() for name in names)
    for spec in by_kind["mistakes"].detail:
        body = lookup(*spec.split(":")).notebook_source().splitlines()[1]
        assert body.strip() in wrong
    broken = folder(by_kind["invalid_json"]) / names[-1]
    with pytest.raises(nbformat.reader.NotJSONError):
        nbformat.read(broken, as_version=4)


@pytest.mark.nbgrader
def test_each_graded_learner_carries_the_time_of_each_phase(graded_sample_class):
    learner = graded_sample_class["results"]["reference"]
    timings = learner.timings
    assert set(timings) <= set(PHASES)
    # Every phase of a full grading took time, measured; together no more than the learner's.
    for phase in ("prepare", "start-up", "kernel start", "learner cells", "figures"):
        assert timings[phase] > 0, phase
    for phase in ("decisions", "gradebook", "feedback HTML", "results"):
        assert timings[phase] > 0, phase
    assert sum(timings.values()) <= learner.seconds
    assert sum(timings.values()) > 0.7 * learner.seconds
    # A learner whose notebooks never reached nbgrader has only the pipeline's own phases.
    eve = graded_sample_class["results"]["eve"]
    assert {"prepare", "results", "kernel start"} <= set(eve.timings)
