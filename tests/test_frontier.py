"""The frontier of what an alliance can offer: the solver against scipy, and every rule's point.

`Frontier` (a warm-started dual simplex) is checked against `scipy.optimize.linprog` on
random problems, warm and cold. Each coalition rule's limit package, built by the model
from random members, is checked for the frontier property: the members whose consent the
rule needs accept it, it lies in the box between the alliance's opening and the union's,
and no package those members accept gives the union more (in the union's utility for
`unanimity` and `share_weighted`; on some issue without less on another for `hardest_line`,
which is never better for the union than `unanimity`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from bargainsim.frontier import Frontier, Road, complete, furthest_on_road
from bargainsim.model import BargainingModel
from bargainsim.packages import concession_path
from bargainsim.scenario import scenario_from_dict

TOL = 1e-7


def best(c: np.ndarray, A: np.ndarray, b: np.ndarray, lo: np.ndarray,
         hi: np.ndarray) -> float | None:
    """max c.x s.t. A x <= b, lo <= x <= hi by scipy (None: infeasible)."""
    res = linprog(-c, A_ub=A, b_ub=b, bounds=list(zip(lo, hi, strict=True)), method="highs",
                  options={"primal_feasibility_tolerance": 1e-10,
                           "dual_feasibility_tolerance": 1e-10})
    assert res.status in (0, 2), res.message
    return None if res.status == 2 else float(-res.fun)


@st.composite
def problems(draw: st.DrawFn) -> tuple[np.ndarray, ...]:
    """Members' weights (rows, non-negative, summing to 1), the union's, a box, weeks of b."""
    n = draw(st.integers(1, 5))
    k = draw(st.integers(1, 8))
    unit = st.floats(0.0, 1.0)
    A = np.array(draw(st.lists(st.lists(unit, min_size=n, max_size=n), min_size=k,
                               max_size=k)))
    A = np.where(A.sum(axis=1, keepdims=True) > 0, A / np.maximum(A.sum(axis=1, keepdims=True),
                                                                  1e-300), 1.0 / n)
    c = np.array(draw(st.lists(unit, min_size=n, max_size=n)))
    lo = np.array(draw(st.lists(st.floats(0.0, 0.6), min_size=n, max_size=n)))
    hi = lo + np.array(draw(st.lists(st.floats(0.0, 0.4), min_size=n, max_size=n)))
    weeks = np.array(draw(st.lists(st.lists(st.floats(0.0, 1.0), min_size=k, max_size=k),
                                   min_size=1, max_size=6)))
    return c, A, lo, hi, weeks


@settings(max_examples=300)
@given(problems())
def test_the_dual_simplex_finds_the_optimum_week_after_week(problem: tuple[np.ndarray, ...]
                                                            ) -> None:
    """Warm-started from each week's basis, every week's answer is the linear program's."""
    c, A, lo, hi, weeks = problem
    solver = Frontier(c, A, lo, hi)
    basis = None
    for b in weeks:
        x, basis = solver.solve(b, basis)
        cold, _ = solver.solve(b)
        expected = best(c, A, b, lo, hi)
        for found in (x, cold):  # whatever is found meets every row and the box
            if found is not None:
                assert np.all(A @ found <= b + TOL)
                assert np.all(found >= lo - TOL) and np.all(found <= hi + TOL)
        if expected is None or x is None or cold is None:
            # someone finds no package: then none may find one unless the problem is
            # feasible or infeasible by less than 1e-6, where the tolerances (scipy's and
            # ours, warm and cold pivots' rounding) may decide either way
            edge = (best(c, A, b - 1e-6, lo, hi) is None
                    and best(c, A, b + 1e-6, lo, hi) is not None)
            assert edge or (x is None and cold is None and expected is None)
            continue
        # rows may be met to 1e-10: no better than the optimum of rows loosened by 1e-9
        loose = best(c, A, b + 1e-9, lo, hi)
        assert loose is not None
        for found in (x, cold):
            assert expected - TOL <= c @ found <= loose + TOL


def test_the_warm_path_keeps_the_basis_when_only_slack_changes() -> None:
    """A right-hand side that leaves the optimal basis within bounds needs no pivot."""
    A = np.array([[0.9, 0.1], [0.1, 0.9]])
    solver = Frontier(np.array([0.5, 0.5]), A, np.zeros(2), np.ones(2))
    x, basis = solver.solve(np.array([0.28, 0.28]))
    assert x == pytest.approx([0.28, 0.28])
    y, again = solver.solve(np.array([0.3, 0.3]), basis)
    assert again == basis and y == pytest.approx([0.3, 0.3])
    assert solver.solve(np.array([-0.1, 0.5]), basis)[0] is None  # below the box: no package


def test_a_road_stops_where_the_first_member_objects_and_is_raised_where_it_can_be() -> None:
    """Member A (weights 0.9, 0.1) concedes b nine times as fast as a towards (1, 1).

    On its road (a, b) = (l / 9, l) member B (0.1, 0.9) objects at 0.1 l / 9 + 0.9 l = 0.28:
    l = 0.3073; A itself would go to 0.9 l / 9 + 0.1 l = 0.28, l = 1.4. With B weighing
    only b, B's 0.9 b <= 0.28 stops the road at b = 0.3111, and a can then rise to A's own
    limit: 0.9 a + 0.1 x 0.3111 = 0.28, a = 0.2765.
    """
    union = np.array([0.5, 0.5])
    path = concession_path(np.array([0.9, 0.1]), False, np.zeros(2), np.ones(2), union, 1.0)
    way = Road.of(path)
    b = np.array([0.28, 0.28])
    A = np.array([[0.9, 0.1], [0.1, 0.9]])
    lam = 0.28 / (0.1 / 9 + 0.9)
    assert furthest_on_road(way, A, b) == pytest.approx([lam / 9, lam])
    only_b = np.array([[0.9, 0.1], [0.0, 1.0]])
    b_only = np.array([0.28, 0.9 * 0.28 / 0.9])
    stop = furthest_on_road(way, only_b, b_only)
    assert stop == pytest.approx([0.28 / 9, 0.28])
    raised = complete(stop, only_b, b_only, np.ones(2), [1, 0])
    assert raised == pytest.approx([(0.28 - 0.1 * 0.28) / 0.9, 0.28])
    assert furthest_on_road(way, A, np.array([-0.1, 0.28])) is None


# ------------------------------------------------------------------ every rule's point
@st.composite
def alliances(draw: st.DrawFn) -> dict[str, Any]:
    """An alliance of 1-8 members with random weights, shares and static limit packages."""
    n = draw(st.integers(1, 4))
    k = draw(st.integers(1, 8))
    issues = [f"i{j}" for j in range(n)]
    unit = st.floats(0.0, 1.0).map(lambda v: round(v, 3))
    opening = draw(st.lists(st.floats(0.0, 0.5).map(lambda v: round(v, 3)), min_size=n,
                            max_size=n))
    demand = [o + draw(st.floats(0.0, 0.5).map(lambda v: round(v, 3))) for o in opening]
    parties: dict[str, Any] = {"union": {
        "role": "union", "opening": dict(zip(issues, demand, strict=True)),
        "limit": dict(zip(issues, demand, strict=True)),
        "weights": dict(zip(issues, draw(st.lists(unit, min_size=n, max_size=n)),
                            strict=True))}}
    for m in range(k):
        parties[f"m{m}"] = {
            "role": "company", "market_share": draw(st.floats(0.01, 1.0)),
            "weights": dict(zip(issues, draw(st.lists(unit, min_size=n, max_size=n)),
                                strict=True)),
            "limit": dict(zip(issues, draw(st.lists(unit, min_size=n, max_size=n)),
                              strict=True))}
    return {
        "name": "frontier", "horizon": 5, "mode": "coalition", "protocol": {"clock": "week"},
        "issues": {i: {"min": 0, "max": 1} for i in issues},
        "industry": {"employer_opening": dict(zip(issues, opening, strict=True))},
        "coalition": {"rule": draw(st.sampled_from(["hardest_line", "unanimity",
                                                    "share_weighted"])),
                      "quorum": draw(st.floats(0.1, 1.0))},
        "parties": parties,
    }


def rule_limit(doc: dict[str, Any], rule: str | None = None) -> tuple[np.ndarray, dict[str, Any]]:
    """The alliance's limit package under `rule` (the scenario's own by default), and its parts."""
    if rule is not None:
        doc = {**doc, "coalition": {**doc["coalition"], "rule": rule}}
    model = BargainingModel(scenario_from_dict(doc), mode="coalition", seed=0)
    coalition = model.coalition
    assert coalition is not None
    [table] = model.tables
    members = coalition.members
    parts = {
        "A": np.array([m.weights for m in members]),
        "b": np.array([1.0 - m.limit_utility() for m in members]),
        "shares": np.array([m.share for m in members]),
        "union": table.union.weights,
        "lo": np.minimum(coalition.opening, table.union.opening),
        "hi": np.maximum(coalition.opening, table.union.opening),
        "opening": coalition.opening,
        "quorum": coalition.quorum,
    }
    return coalition.limit_package(table), parts


@settings(max_examples=150)
@given(alliances())
def test_every_rules_limit_is_on_the_frontier_of_the_members_it_needs(doc: dict[str, Any]
                                                                      ) -> None:
    x, p = rule_limit(doc)
    A, b, union, lo, hi = p["A"], p["b"], p["union"], p["lo"], p["hi"]
    rule = doc["coalition"]["rule"]
    assert np.all(x >= lo - TOL) and np.all(x <= hi + TOL)
    if rule == "share_weighted":
        consenting = A @ x <= b + TOL
        shares = p["shares"]
        reachable = best(union, A[consenting], b[consenting], lo, hi) if consenting.any() else 0
        if shares[consenting].sum() < p["quorum"] * shares.sum() - 1e-9:
            # no quorum accepts even the opening: the alliance offers its opening
            assert x == pytest.approx(p["opening"], abs=TOL)
            return
        assert reachable is not None and union @ x == pytest.approx(reachable, abs=TOL)
        return
    everyone = best(union, A, b, lo, hi)
    if everyone is None:  # a member refuses even the alliance's opening
        assert x == pytest.approx(p["opening"], abs=TOL)
        return
    assert np.all(A @ x <= b + TOL)
    if rule == "unanimity":
        assert union @ x == pytest.approx(everyone, abs=TOL)
        return
    # hardest_line: nothing every member accepts is above it on an issue the union values
    # and below it on none; and the union's best over every member is at least as good
    valued = union > 0
    if valued.any():
        raised = best(valued.astype(float), A, b, np.where(valued, x, lo), hi)
        assert raised is not None and raised == pytest.approx(float(x[valued].sum()), abs=TOL)
    assert union @ x <= everyone + TOL
