"""The screening plan (`screening.solve`): cut-off types, backward induction, the floor."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bargainsim.screening import _refined, solve
from bargainsim.theory import sobel_takahashi


def uniform(n: int) -> tuple[np.ndarray, np.ndarray]:
    return (np.arange(n) + 0.5) / n, np.full(n, 1.0 / n)


def path(policy, n: int) -> tuple[list[float], list[float]]:
    """Demands and cut-off values along the equilibrium path from the full belief."""
    demands, cuts, k = [], [], n
    for r in range(policy.rounds):
        demands.append(float(policy.demand[r, k]))
        k = int(policy.cut[r, k])
        cuts.append(float(policy.values[k]) if k < n else float("nan"))
    return demands, cuts


def test_one_round_is_the_monopoly_demand():
    v, m = uniform(1000)
    p = solve(v, m, 1, 0.9, 0.9)
    assert p.demand[0, 1000] == pytest.approx(0.5, abs=1e-3)
    assert p.expected(0, 1000) == pytest.approx(0.25, abs=1e-3)


def test_two_rounds_match_the_hand_worked_equilibrium():
    v, m = uniform(2000)
    demands, cuts = path(solve(v, m, 2, 0.9, 0.9), 2000)
    assert demands == pytest.approx([0.465385, 0.423077], abs=5e-4)
    assert cuts == pytest.approx([0.846154, 0.423077], abs=2e-3)


@settings(max_examples=12)
@given(st.integers(1, 5), st.floats(0.3, 0.95))
def test_plan_matches_sobel_takahashi(rounds: int, d: float):
    """Within the grid's error, about 0.4 / n for n types (measured from 256 to 2000)."""
    v, m = uniform(1000)
    policy = solve(v, m, rounds, d, d)
    eq = sobel_takahashi(rounds, d)
    demands, _ = path(policy, 1000)
    assert demands == pytest.approx(list(eq.demands), abs=2e-3)
    assert policy.expected(0, 1000) == pytest.approx(eq.union_payoff, abs=1e-3)


def test_the_floor_bounds_every_demand_and_low_types_never_settle():
    v, m = uniform(400)
    p = solve(v, m, 3, 0.9, 0.9, floor=0.6)
    assert (p.demand >= 0.6 - 1e-12).all()
    demands, cuts = path(p, 400)
    assert min(cuts) >= 0.6 - 1e-9


def test_a_cost_of_waiting_lets_the_union_demand_more():
    v, m = uniform(400)
    free = solve(v, m, 3, 0.9, 0.9)
    costly = solve(v, m, 3, 0.9, 0.9, waiting_cost=np.full(400, 0.05))
    assert costly.demand[0, 400] > free.demand[0, 400]
    assert costly.expected(0, 400) > free.expected(0, 400)


def test_patient_employers_get_lower_first_demands():
    """Theory's direction: the more patient the informed side, the less the union asks."""
    v, m = uniform(600)
    first = [solve(v, m, 4, 0.9, dc).demand[0, 600] for dc in (0.5, 0.8, 0.95)]
    assert first[0] > first[1] > first[2]


def test_refined_takes_the_parabola_peak_between_finite_neighbours():
    """`_refined` by hand: the peak through (-1, 1), (0, 2), (1, 1.5); ends and no cut-off."""
    inf = float("inf")
    offer = [0.0, 10.0, 20.0, 30.0]
    chosen, peak, missing = _refined([1.0, -inf, 1.0], [2.0, 2.0, -inf], [1.5, 1.5, -inf],
                                     [1, 0, 2], offer)
    step = 0.5 * (1.0 - 1.5) / (1.0 - 4.0 + 1.5)  # 1/6 of a type above the best, type 1
    assert chosen[0] == pytest.approx(10.0 + 10.0 * step)
    assert peak[0] == pytest.approx(2.0 - 0.25 * (1.0 - 1.5) * step)
    assert (chosen[1], peak[1]) == (0.0, 2.0)  # no neighbour below: the best type's own
    assert missing == [2]
