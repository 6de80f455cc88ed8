"""The figures augcourse/draws.py states: how often a right CutMix fails the properties that the
visible and hidden checks test, and how often wrong ones slip through, recomputed exactly."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from augcourse import draws

EMPTY_BELOW = 1 - (1 / min(draws.IMAGE)) ** 2  # lam above this pastes nothing: int(4 s) = 0


@pytest.mark.parametrize("alpha", [0.2, 1.0, 4.0])
def test_the_stated_chance_of_an_empty_paste_is_betas(alpha):
    exact = stats.beta(alpha, alpha).sf(EMPTY_BELOW)
    assert math.isclose(draws.EMPTY_PROBABILITY[alpha], exact, rel_tol=0.01), exact


@pytest.mark.parametrize("alpha", sorted(draws.EMPTY_PASTES))
def test_a_right_cutmix_fails_the_alpha_property_with_chance_below_one_in_a_million(alpha):
    fewest, most = draws.EMPTY_PASTES[alpha]
    right = stats.binom(draws.ALPHA_DRAWS, stats.beta(alpha, alpha).sf(EMPTY_BELOW))
    assert right.cdf(fewest - 1) + right.sf(most) < 1e-6


def test_a_cutmix_that_ignores_alpha_passes_with_chance_below_one_in_a_million():
    uniform = stats.binom(draws.ALPHA_DRAWS, 1 - EMPTY_BELOW)
    passes = 1.0
    for fewest, most in draws.EMPTY_PASTES.values():
        passes *= uniform.cdf(most) - uniform.cdf(fewest - 1)
    assert passes < 1e-6
    assert draws.empty_pastes_problem(0.2, 0)  # lam fixed at 0.5 never pastes nothing


def test_a_right_centre_misses_a_row_or_column_with_chance_below_one_in_a_million():
    height, width = draws.IMAGE
    assert (height, width) == (4, 4)  # the argument in draws' docstring is for 4 x 4
    lam = stats.beta(draws.CENTRE_ALPHA, draws.CENTRE_ALPHA)
    one_pixel = lam.cdf(1 - (1 / 4) ** 2) - lam.cdf(1 - (2 / 4) ** 2)  # int(4 s) == 1
    assert math.isclose(one_pixel, 0.1875)
    per_row = one_pixel / height
    assert (height + width) * (1 - per_row) ** draws.CENTRE_DRAWS < 1e-6


def test_messages_say_what_was_seen_and_what_a_right_answer_gives():
    message = draws.empty_pastes_problem(0.2, 12)
    assert "12 of 400" in message and "Beta(alpha, alpha)" in message
    assert draws.empty_pastes_problem(0.2, 122) is None
    seen = {(r, c) for r in range(3) for c in range(3)}  # never the last row or column
    assert "row 3, column 3" in draws.centres_problem(seen)
    assert draws.centres_problem(seen | {(3, 3)}) is None
    assert draws.one_pixel_centre((2, 3, 1, 2)) == (2, 1)
    assert draws.one_pixel_centre((2, 4, 1, 2)) is None
