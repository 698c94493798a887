"""The talks process: shared calendars, the union's capacity and its priority rule."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from bargainsim.model import BargainingModel
from bargainsim.scenario import load_scenario
from bargainsim.status import SETTLED, STRIKING
from bargainsim.talks import PRIORITIES, Calendar, Staffing, blend, scores

WGA = Path(__file__).resolve().parents[1] / "scenarios" / "wga_2023.yaml"
NEVER = ["parties.wga.ratification_threshold=1", "horizon=30"]  # few deals, late


def wga(*overrides: str):
    return load_scenario(WGA, list(overrides))


def sessions(model: BargainingModel) -> dict[str, list[int]]:
    """Each table's session weeks, up to the run's first deal (every table open till then)."""
    end = min((d.step for d in model.deals), default=model.horizon)
    return {t.name: [w for w in t.sessions if w <= end] for t in model.tables}


# ------------------------------------------------------------------ the copula


@given(st.floats(0, 1, exclude_max=True), st.floats(0, 1, exclude_max=True))
def test_blend_is_the_own_draw_at_0_and_the_calendar_at_1(own: float, shared: float) -> None:
    a, b = scores(np.array([own, shared]))
    assert blend(a, b, 0.0) == own
    assert blend(a, b, 1.0) == shared
    assert 0.0 <= blend(a, b, 0.5) <= 1.0


@given(st.floats(0.001, 0.999), st.floats(0.001, 0.999), st.floats(0, 1))
def test_blend_rises_with_both_draws(own: float, shared: float, rho: float) -> None:
    a, b, higher = scores(np.array([own, shared, min(0.9999, shared + 0.05)]))
    assert blend(a, higher, rho) >= blend(a, b, rho)


@pytest.mark.parametrize("rho", [0.2, 0.5, 0.8])
def test_blend_keeps_uniform_draws_and_gives_their_scores_the_correlation(rho: float) -> None:
    rng = np.random.default_rng(1)
    own, other, shared = (scores(rng.random(20_000)) for _ in range(3))
    mixed = np.array([blend(a, b, rho) for a, b in zip(own, shared, strict=True)])
    assert stats.kstest(mixed, "uniform").pvalue > 0.001  # still a uniform draw
    z_shared = np.array([z for _, z in shared])
    r = np.corrcoef(stats.norm.ppf(mixed), z_shared)[0, 1]
    assert r == pytest.approx(np.sqrt(rho), abs=0.02)  # score = sqrt(rho) z_shared + ...
    a = np.array([blend(x, s, rho) for x, s in zip(other, shared, strict=True)])
    # two tables blending the same calendar: their scores correlate by rho
    assert np.corrcoef(stats.norm.ppf(mixed), stats.norm.ppf(a))[0, 1] == pytest.approx(
        rho, abs=0.02)


def test_the_calendar_gives_the_same_draws_for_a_week_however_often_asked() -> None:
    cal = Calendar(np.random.default_rng(3))
    later = cal.week(70)
    assert cal.week(70) == later and cal.week(0) == cal.week(0)
    assert len({cal.week(w) for w in range(71)}) == 71
    fresh = Calendar(np.random.default_rng(3))
    assert fresh.week(0) == cal.week(0)  # drawing ahead does not shift early weeks


# ------------------------------------------------------------------ the union's choice


def _table(name: str, loss: float, share: float, serial: int) -> SimpleNamespace:
    company = SimpleNamespace(name=name, last_loss=loss, share=share, status=STRIKING)
    return SimpleNamespace(name=name, covers=[company], serial=serial)


def test_unlimited_capacity_staffs_every_table() -> None:
    tables = [_table(n, 1.0, 0.1, i) for i, n in enumerate("abcd")]
    assert Staffing(None, "largest_loss").choose(tables) == tables
    assert Staffing(4, "rotating").choose(tables) == tables


def test_largest_loss_staffs_the_tables_losing_most() -> None:
    tables = [_table("a", 1.0, 0.5, 0), _table("b", 5.0, 0.1, 1), _table("c", 3.0, 0.1, 2)]
    chosen = Staffing(2, "largest_loss").choose(tables)
    assert [t.name for t in chosen] == ["b", "c"]  # in the order the tables were opened
    tables[1].covers[0].status = SETTLED  # a company at work loses nothing
    assert [t.name for t in Staffing(1, "largest_loss").choose(tables)] == ["c"]


def test_largest_share_and_ties_go_to_share_then_the_first_opened() -> None:
    tables = [_table("a", 0.0, 0.2, 0), _table("b", 0.0, 0.2, 1), _table("c", 0.0, 0.3, 2)]
    assert [t.name for t in Staffing(1, "largest_share").choose(tables)] == ["c"]
    assert [t.name for t in Staffing(2, "largest_loss").choose(tables)] == ["a", "c"]


def test_rotating_gives_every_table_its_turn() -> None:
    tables = [_table(n, 1.0, 0.1, i) for i, n in enumerate("abcde")]
    staff = Staffing(2, "rotating")
    turns = [[t.name for t in staff.choose(tables)] for _ in range(5)]
    assert turns == [["a", "b"], ["c", "d"], ["a", "e"], ["b", "c"], ["d", "e"]]


def test_a_named_company_comes_first_then_the_largest_loss() -> None:
    tables = [_table("a", 9.0, 0.1, 0), _table("b", 1.0, 0.1, 1), _table("c", 5.0, 0.1, 2)]
    assert [t.name for t in Staffing(2, "b").choose(tables)] == ["a", "b"]
    assert [t.name for t in Staffing(1, "b").choose(tables)] == ["b"]
    assert set(PRIORITIES) == {"largest_loss", "largest_share", "rotating"}


# ------------------------------------------------------------------ in the model


def test_correlation_1_puts_every_table_on_one_calendar() -> None:
    spec = wga(*NEVER, "talks.correlation=1")
    for seed in range(5):
        held = sessions(BargainingModel(spec, "separate", seed).run())
        assert len({tuple(w) for w in held.values()}) == 1, held  # the same weeks
        assert 0 < len(next(iter(held.values()))) < 30  # some weeks, not all


def test_correlation_0_gives_tables_their_own_weeks() -> None:
    held = sessions(BargainingModel(wga(*NEVER, "talks.correlation=0"), "separate", 1).run())
    assert len({tuple(w) for w in held.values()}) > 4


def test_more_correlation_makes_tables_meet_in_the_same_weeks_more_often() -> None:
    def agreement(rho: float) -> float:
        same = []
        for seed in range(20):
            held = sessions(BargainingModel(wga(*NEVER, f"talks.correlation={rho}"),
                                            "separate", seed).run())
            end = 1 + max(max(s, default=0) for s in held.values())
            weeks = np.array([[w in s for w in range(end)] for s in held.values()])
            same.append(np.mean(weeks[:, None, :] == weeks[None, :, :]))
        return float(np.mean(same))

    low, mid, high = agreement(0.0), agreement(0.5), agreement(1.0)
    assert low < mid < high == 1.0


def test_a_shared_calendar_brings_the_last_separate_deal_no_later() -> None:
    def last(rho: float) -> float:
        spec = wga(f"talks.correlation={rho}")
        steps = []
        for seed in range(60):
            m = BargainingModel(spec, "separate", seed).run()
            steps.append(max(c.back_step if c.back_step is not None else 53
                             for c in m.companies.values()))
        return float(np.median(steps))

    assert last(1.0) < last(0.0)


def test_capacity_bounds_the_sessions_a_week() -> None:
    for capacity in (1, 3):
        spec = wga(*NEVER, "talks.correlation=1", "talks.meet_probability=1",
                   "talks.breakdown_probability=0", f"talks.capacity={capacity}",
                   "talks.on_at_start=true")
        m = BargainingModel(spec, "separate", 0).run()
        per_week = np.bincount([w for s in sessions(m).values() for w in s], minlength=30)
        assert per_week.max() == capacity and per_week.min() == capacity


def test_a_table_left_unstaffed_keeps_its_talks_on() -> None:
    spec = wga(*NEVER, "talks.correlation=1", "talks.meet_probability=1",
               "talks.breakdown_probability=1", "talks.resume_probability=0.01",
               "talks.capacity=1", "talks.on_at_start=true")
    m = BargainingModel(spec, "separate", 0).run()
    staffed = [t for t in m.tables if t.sessions]
    assert len(staffed) > 1  # every failed session breaks its talks; the next table meets
    assert all(len(t.sessions) <= 3 for t in m.tables)


def test_less_capacity_means_fewer_sessions_in_all() -> None:
    def held(capacity: str) -> int:
        spec = wga(*NEVER, f"talks.capacity={capacity}")
        return sum(len(s) for seed in range(5)
                   for s in sessions(BargainingModel(spec, "separate", seed).run()).values())

    assert held("1") < held("2") < held("null")


def test_talks_off_at_the_start_delay_the_first_session() -> None:
    def first(on: str) -> float:
        spec = wga(*NEVER, f"talks.on_at_start={on}", "talks.correlation=0")
        return float(np.mean([min(s[0] for s in sessions(BargainingModel(
            spec, "coalition", seed).run()).values() if s) for seed in range(40)]))

    assert first("true") + 2 < first("false")


def test_defaults_are_independent_tables_with_every_table_staffed() -> None:
    from bargainsim.schema import Talks

    talks = Talks()
    assert (talks.correlation, talks.capacity, talks.on_at_start) == (0.0, None, True)
    spec = wga("talks.correlation=0")
    m = BargainingModel(spec, "separate", 2)
    assert m.calendar is None  # no calendar stream is drawn: each table's own draws alone


def test_tables_opened_later_have_their_talks_on() -> None:
    """A pattern offered, or a member that left: both sides want to talk, whatever the start."""
    spec = wga("talks.on_at_start=false", "coalition.sanction_weeks=0")
    for mode in ("pattern", "breakaway"):
        model = BargainingModel(spec, mode, 0)
        assert not any(t.talks_on for t in model.tables)  # the run starts with talks off
        later: list = []
        while model.running and not later:
            model.step()
            later = [t for t in model.tables if t.serial >= 1 and t.employer is not None
                     and not isinstance(t.employer, type(model.coalition))]
        assert later, mode
        assert all(t.talks_on or t.sessions for t in later), mode
