"""The union's belief (`beliefs.Beliefs`): boxes per company, a common factor, alliances."""

from __future__ import annotations

import numpy as np
import pytest

from bargainsim.beliefs import Beliefs


def beliefs(common: float, companies: int = 3, n: int = 64) -> Beliefs:
    u = (np.arange(n) + 0.5) / n
    grid = np.tile(np.exp(0.5 * (u - 0.5)), (companies, 1))  # one rising marginal each
    rng = np.random.default_rng(1)
    profile_u = rng.random((200, companies))
    profiles = np.exp(0.5 * (profile_u - 0.5))
    return Beliefs(grid, common, profiles, profile_u)


def test_the_prior_is_the_grid_evenly_weighted_without_bounds():
    b = beliefs(0.7)
    cells, weight = b.company(0)
    assert cells.tolist() == list(range(64))
    assert weight == pytest.approx(np.full(64, 1 / 64), abs=1e-9)


def test_independent_types_teach_nothing_about_the_others():
    b = beliefs(0.0)
    before = b.mean_type(1)
    b.at_least(0, 50)
    assert b.mean_type(1) == pytest.approx(before, abs=1e-12)
    assert b.mean_type(0) > before


@pytest.mark.parametrize("common", [0.3, 0.8])
def test_correlated_types_move_the_others_in_the_direction_learned(common: float):
    high, low, prior = beliefs(common), beliefs(common), beliefs(common)
    high.at_least(0, 48)  # company 0 signed what only its high types would
    low.below(0, 16)  # company 0 turned down what all but its low types would take
    assert high.mean_type(1) > prior.mean_type(1) > low.mean_type(1)
    assert high.mean_type(2) == pytest.approx(high.mean_type(1))


def test_stronger_correlation_teaches_more():
    moved = []
    for common in (0.2, 0.5, 0.9):
        b, prior = beliefs(common), beliefs(common)
        b.at_least(0, 48)
        moved.append(b.mean_type(1) - prior.mean_type(1))
    assert moved[0] < moved[1] < moved[2]


def test_a_contradiction_forgets_the_old_bound_and_is_counted():
    b = beliefs(0.5)
    b.at_least(0, 40)
    b.below(0, 20)  # below what it showed it is at least: the union's model was off
    assert b.contradictions == 1
    assert (b.lo[0], b.hi[0]) == (0, 20)
    b.at_least(0, 63)
    assert b.contradictions == 2
    assert (b.lo[0], b.hi[0]) == (63, 64)


def test_alliance_profiles_stay_inside_the_boxes_and_are_ruled_out():
    b = beliefs(0.5)
    alive, weight = b.alliance([0, 1, 2])
    assert alive.size == 200 and weight.sum() == pytest.approx(1.0)
    b.below(0, 32)
    alive, _ = b.alliance([0, 1, 2])
    assert (b._cell[alive, 0] < 32).all() and 0 < alive.size < 200
    b.rule_out(alive[:5])
    assert b.alliance([0, 1, 2])[0].size == alive.size - 5
    b.rule_out(np.arange(200))  # everything: the belief stands, counted
    assert b.contradictions == 1 and b.alliance([0, 1, 2])[0].size == alive.size - 5
