"""Moves made at once (`speed.foresee`) leave every run exactly as moves one at a time.

The vectorised forms of the formulas (`concessions`, `aims`,
`speed.packages`, `speed.snap_rows`, `speed.proposals`) must equal their
one-at-a-time forms bit for bit, and a whole run with look-ahead must give the same
record, byte for byte, as the same run moved one at a time (a traced run moves one at a
time, so it serves as the reference).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bargainsim import speed
from bargainsim.model import BargainingModel
from bargainsim.packages import ConcessionPath, IssueSpace
from bargainsim.runner import record
from bargainsim.scenario import load_scenario, scenario_from_dict
from bargainsim.table import Table
from bargainsim.tactics import CostDriven, Resistance, TimeDependent

ROOT = Path(__file__).resolve().parents[1]
ISSUES = ("wage", "ai", "residuals", "staffing")

unit = st.floats(0.0, 1.0, allow_nan=False)
tactics = st.one_of(
    st.builds(lambda b, k, t: TimeDependent(kind="time_dependent", beta=b, kappa=k, t_max=t),
              st.floats(0.05, 50.0), st.floats(0.0, 0.9), st.floats(0.5, 300.0)),
    st.builds(lambda tau: Resistance(kind="resistance", tau=tau), st.floats(0.001, 5.0)),
    st.just(CostDriven(kind="cost_driven")),
)


@settings(max_examples=200, deadline=None)
@given(tactic=tactics, ts=st.lists(st.floats(-10.0, 400.0), min_size=1, max_size=60),
       u_open=unit, u_limit=unit)
def test_curves_equal_the_one_at_a_time_formulas_bit_for_bit(
    tactic: Any, ts: list[float], u_open: float, u_limit: float
) -> None:
    times = np.array(ts)
    assert tactic.concessions(times).tolist() == [tactic.concession(t) for t in ts]
    # the aim of a time-concession tactic reads neither the party nor the table
    assert tactic.aims(None, None, times, u_open, u_limit).tolist() == [
        tactic.aim(None, None, t, u_open, u_limit) for t in ts
    ]


share = st.integers(0, 1000).map(lambda i: i / 1000)  # weights and positions as scenarios give
vectors = st.integers(1, 4).flatmap(
    lambda k: st.tuples(*[st.lists(share, min_size=k, max_size=k) for _ in range(4)])
)


@settings(max_examples=300, deadline=None)
@given(vs=vectors, wants_high=st.booleans(), focus=st.sampled_from([0.0, 0.5, 1.0, 3.0, 80.0]),
       targets=st.lists(st.floats(-0.5, 1.5), min_size=1, max_size=40),
       levels=st.lists(st.integers(0, 120), min_size=4, max_size=4))
def test_packages_and_snapping_equal_one_at_a_time_bit_for_bit(
    vs: tuple[list[float], ...], wants_high: bool, focus: float, targets: list[float],
    levels: list[int],
) -> None:
    own_w, opp_w, opening, far = (np.array(v) for v in vs)
    path = ConcessionPath.build(own_w, wants_high, opening, far, opp_w, focus)
    rows = speed.packages(path, np.array(targets))
    single = np.array([path.package(t) for t in targets])
    assert rows.tobytes() == single.tobytes()
    k = len(opening)
    space = IssueSpace(ISSUES[:k], np.zeros(k), np.ones(k), np.array(levels[:k], dtype=float))
    snapped = speed.snap_rows(space, rows.copy(), wants_high, opening, far)
    assert snapped.tobytes() == np.array(
        [space.snap(r, wants_high, opening, far) for r in single]).tobytes()


def _tactic_doc(draw: Any) -> dict[str, Any]:
    kind = draw(st.sampled_from(["time_dependent", "time_dependent", "resistance",
                                 "cost_driven", "rubinstein"]))
    if kind == "time_dependent":
        return {"kind": kind, "beta": draw(st.floats(0.1, 10.0)),
                "kappa": draw(st.floats(0.0, 0.5)), "t_max": draw(st.floats(2.0, 60.0))}
    if kind == "resistance":
        return {"kind": kind, "tau": draw(st.floats(0.01, 1.0))}
    if kind == "rubinstein":
        return {"kind": kind}
    return {"kind": kind}


@st.composite
def move_games(draw: Any) -> dict[str, Any]:
    """Two-party move-clock games: issues (some discrete), weights, limits, tactics."""
    k = draw(st.integers(1, 3))
    names = ISSUES[:k]
    issues = {}
    for n in names:
        issue: dict[str, Any] = {"min": 0, "max": 10}
        if draw(st.booleans()):
            issue["step"] = draw(st.sampled_from([0.5, 1.0, 2.5]))
        issues[n] = issue
    def package(lo: float, hi: float) -> dict[str, float]:
        out = {}
        for n in names:
            step = issues[n].get("step", 0.001)  # a discrete issue's values are its steps
            out[n] = round(round(draw(st.floats(lo, hi)) / step) * step, 3)
        return out
    def side(opening: dict[str, float], limit: dict[str, float], role: str) -> dict[str, Any]:
        doc: dict[str, Any] = {"role": role, "opening": opening, "limit": limit,
                               "discount": draw(st.sampled_from([1.0, 1.0, 0.97, 0.8])),
                               "tactic": _tactic_doc(draw)}
        if k > 1 and draw(st.booleans()):
            doc["weights"] = {n: draw(st.floats(0.0, 1.0)) + 0.01 for n in names}
        return doc
    union = side(package(7, 10), package(2, 7), "union")
    studio = side(package(0, 3), package(3, 8), "company")
    rubinstein = [p for p in (union, studio) if p["tactic"]["kind"] == "rubinstein"]
    if rubinstein and (k > 1 or "step" in issues[names[0]]):  # one divisible issue only
        for p in rubinstein:
            p["tactic"] = {"kind": "cost_driven"}
    elif rubinstein and union["discount"] * studio["discount"] >= 1.0:
        studio["discount"] = 0.9  # an endless game needs discounting
    if draw(st.booleans()):
        union["members"] = {"count": 40, "tiers": {"all": {
            "share": 1, "weekly_pay": 1000, "savings_weeks": 5,
            "reservation": draw(st.floats(0.3, 1.0)), "floor": 0.3}}}
    return {
        "name": "look_ahead",
        "horizon": draw(st.integers(1, 120)),
        "mode": "separate",
        "protocol": {"clock": "move",
                     "first_mover": draw(st.sampled_from(["union", "employer"])),
                     "concession_focus": draw(st.sampled_from([0.0, 1.0, 4.0]))},
        "issues": issues,
        "parties": {"union": union, "studio": studio},
    }


def _same_with_and_without_look_ahead(spec: Any, seed: int = 0) -> BargainingModel:
    fast = BargainingModel(spec, seed=seed).run()
    slow = BargainingModel(spec, seed=seed, look_ahead=False).run()  # one move at a time
    traced = BargainingModel(spec, seed=seed, trace=True).run()  # a trace moves one at a time
    assert json.dumps(record(fast)) == json.dumps(record(slow)) == json.dumps(record(traced))
    assert (fast.t, fast.steps) == (slow.t, slow.steps)
    assert fast.tables[0].standing is not None or slow.tables[0].standing is None
    return fast


@settings(max_examples=250, deadline=None)
@given(doc=move_games(), seed=st.integers(0, 3))
def test_a_run_with_look_ahead_equals_moves_one_at_a_time(doc: dict[str, Any], seed: int) -> None:
    _same_with_and_without_look_ahead(scenario_from_dict(doc), seed)


@pytest.mark.parametrize("path", ["benchmarks/pair.yaml", "scenarios/classroom/faratin.yaml",
                                  "scenarios/classroom/rubinstein.yaml"])
def test_shipped_move_games_are_made_at_once_with_the_same_record(
    path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = load_scenario(ROOT / path)
    moves: list[float] = []
    one_at_a_time = Table.move
    monkeypatch.setattr(Table, "move", lambda self, t, dt: moves.append(t) or one_at_a_time(
        self, t, dt))
    fast = _same_with_and_without_look_ahead(spec)
    steps = fast.steps
    moves.clear()
    BargainingModel(spec, seed=0).run()
    # only the accepting move is made one at a time; the slow run made every move so
    assert len(moves) == 1 and steps == moves[0] + 1
    assert len(fast.writers_back) == steps


def test_a_vote_that_rejects_the_deal_is_followed_exactly() -> None:
    """Members who refuse a deal put a floor under the union's aim: the look-ahead is redone.

    (Leadership's static limit lies below what members need, so deals are voted down.)
    """
    doc = {
        "name": "rejects", "horizon": 80, "mode": "separate",
        "protocol": {"clock": "move"},
        "issues": {"wage": {"min": 0, "max": 10}},
        "parties": {
            "union": {"role": "union", "opening": {"wage": 10}, "limit": {"wage": 2},
                      "tactic": {"kind": "time_dependent", "beta": 2.0, "t_max": 20},
                      "members": {"count": 50, "tiers": {"all": {
                          "share": 1, "weekly_pay": 1000, "savings_weeks": 5,
                          "reservation": 0.6, "floor": 0.5}}}},
            "studio": {"role": "company", "opening": {"wage": 0}, "limit": {"wage": 8},
                       "tactic": {"kind": "time_dependent", "beta": 0.7, "t_max": 40}},
        },
    }
    fast = _same_with_and_without_look_ahead(scenario_from_dict(doc))
    assert sum(not v["passed"] for v in fast.votes) >= 3  # each followed by a new look


def test_a_coalition_or_a_seated_player_is_not_foreseen() -> None:
    spec = load_scenario(ROOT / "benchmarks" / "pair.yaml")
    model = BargainingModel(spec, seed=0)
    table = model.tables[0]
    ts = np.arange(0.0, 10.0)
    assert speed.foresee(table, ts, 1.0) is not None

    class Seated:
        def accept(self, *a: Any) -> bool:
            return False

        def propose(self, party: Any, t: float, table: Table) -> np.ndarray:
            return party.offer(t, table)

        def leave(self, party: Any) -> bool:
            return False

    model.union.player = Seated()
    assert speed.foresee(table, ts, 1.0) is None


def test_extreme_weights_that_make_nan_arithmetic_are_followed_exactly() -> None:
    """Speeds that underflow at a high focus: inf * 0 must not turn a look into NaN offers."""
    doc = {"name": "nan", "horizon": 40, "mode": "separate",
           "protocol": {"clock": "move", "concession_focus": 50},
           "issues": {n: {"min": 0, "max": 10} for n in "abc"},
           "parties": {
               "union": {"role": "union", "opening": {"a": 10, "b": 10, "c": 10},
                         "limit": {"a": 0, "b": 0, "c": 0},
                         "weights": {"a": 1e-7, "b": 0.159, "c": 0.5},
                         "tactic": {"kind": "time_dependent", "beta": 1.0, "t_max": 30}},
               "studio": {"role": "company", "opening": {"a": 0, "b": 0, "c": 0},
                          "limit": {"a": 1, "b": 1, "c": 1},
                          "weights": {"a": 1, "b": 1, "c": 0.001},
                          "tactic": {"kind": "time_dependent", "beta": 1.0, "t_max": 30}}}}
    with np.errstate(all="ignore"):
        fast = _same_with_and_without_look_ahead(scenario_from_dict(doc))
    assert fast.deals  # the traced run settles; so must the one that looks ahead


def test_a_long_stalled_game_does_not_look_ahead_at_every_move(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every other offer trimmed and no deal: looks are spaced out, and short."""
    doc = {"name": "stall", "horizon": 3000, "mode": "separate",
           "protocol": {"clock": "move"},
           "issues": {"wage": {"min": 0, "max": 99}, "ai": {"min": 3, "max": 4, "step": 1},
                      "residuals": {"min": 0, "max": 1, "step": 0.25}},
           "parties": {
               "union": {"role": "union", "opening": {"wage": 67.752, "ai": 4, "residuals": 0.75},
                         "limit": {"wage": 41.887, "ai": 4, "residuals": 0.5},
                         "tactic": {"kind": "resistance", "tau": 0.01}, "discount": 0.97},
               "studio": {"role": "company", "opening": {"wage": 37.403, "ai": 3, "residuals": 0},
                          "limit": {"wage": 69.661, "ai": 4, "residuals": 0.5},
                          "tactic": {"kind": "time_dependent", "beta": 2.0, "kappa": 0.4257,
                                     "t_max": 2.5}}}}
    spec = scenario_from_dict(doc)
    looked: list[int] = []
    real = speed.foresee
    monkeypatch.setattr(speed, "foresee",
                        lambda table, ts, dt: looked.append(len(ts)) or real(table, ts, dt))
    model = _same_with_and_without_look_ahead(spec)
    assert not model.deals and model.t == 3000
    assert len(looked) < 150 and max(looked) <= 128


def _look_with_close_tests(
    monkeypatch: pytest.MonkeyPatch, margins: np.ndarray, says_yes_at: float | None
) -> tuple[Any, list[float]]:
    """A 20-move look at the pair, the employer's margins and exact answers set by the test.

    The employer moves second, so its row j is move 1 + 2j; its exact tests say yes only at
    `says_yes_at`. Returns the look and the times of the exact tests asked for.
    """
    from bargainsim.agents.base import Party

    model = BargainingModel(load_scenario(ROOT / "benchmarks" / "pair.yaml"))
    table = model.tables[0]
    employer = table.employer
    real = speed.margins
    monkeypatch.setattr(speed, "margins", lambda party, offers, own, d: (
        margins[: len(offers)] if party is employer else real(party, offers, own, d)))
    asked: list[float] = []

    def prefers(self: Party, vector: np.ndarray, t: float, *rest: Any) -> bool:
        asked.append(t)
        return t == says_yes_at

    monkeypatch.setattr(Party, "prefers", prefers)
    return speed.foresee(table, np.arange(0.0, 20.0), 1.0), asked


@pytest.mark.parametrize(("says_yes_at", "quiet"), [(9.0, 9), (5.0, 5), (None, 13)])
def test_tests_too_close_to_call_are_made_exactly(
    monkeypatch: pytest.MonkeyPatch, says_yes_at: float | None, quiet: int
) -> None:
    margins = np.full(10, -1.0)
    margins[[2, 4]] = [-5e-13, 5e-13]  # within 1e-12 either way: too close to call
    margins[6] = 1e-6  # a clear yes at move 13
    plan, asked = _look_with_close_tests(monkeypatch, margins, says_yes_at)
    assert plan is not None and plan.quiet == quiet
    assert asked == [5.0, 9.0][: 1 if says_yes_at == 5.0 else 2]


def test_a_refused_close_test_at_the_last_move_leaves_the_whole_look_quiet(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    margins = np.full(10, -1.0)
    margins[[3, 9]] = -5e-13  # too close to call, the last one at the look's last move
    plan, asked = _look_with_close_tests(monkeypatch, margins, None)
    assert plan is not None and plan.quiet == 20
    assert asked == [7.0, 19.0]


def test_a_game_stalled_a_hair_short_of_a_deal_runs_to_its_horizon() -> None:
    # the union's limit is worth to it a hair more than TIE above the studio's limit: once
    # both sit at their limits every acceptance test is within 1e-12 and refused exactly
    spec = load_scenario(ROOT / "scenarios/classroom/faratin.yaml",
                         ["parties.union.limit.wage=5.0000000100005",
                          "parties.studio.limit.wage=5"])
    model = _same_with_and_without_look_ahead(spec)
    assert not model.deals and model.t == spec.horizon
