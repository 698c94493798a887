"""A company's strike losses week by week, the share it loses, and the pressure they bring.

Every scenario has the week clock and a union that asks the most and never moves, so a
company settles only when it opens at the union's demand (in its first session). Losses
are read from the model's companies after each week (`model.step()`), and worked out by
hand in the comments: a company with revenue at risk R ($M a week at a full market), share
s and substitution u loses R s (1 - u) a week once its backlog is used up, ramping up
over `ramp_weeks`: in week w (from 0) by min(1, max(0, (w + 1 - backlog) / ramp)).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from bargainsim.model import BargainingModel
from bargainsim.scenario import scenario_from_dict


def studio(**values: Any) -> dict[str, Any]:
    """A company that never concedes (its limit is its opening) unless told otherwise."""
    return {"role": "company", "opening": {"wage": 0}, "limit": {"wage": 0}, **values}


# R = 100, share 1, backlog 2 weeks, ramp 4 weeks, substitution 0.25: full loss 75 a week
PLAIN = studio(revenue_at_risk=100, backlog_weeks=2, ramp_weeks=4, substitution=0.25)


def industry(companies: dict[str, dict[str, Any]], **extra: Any) -> dict[str, Any]:
    """A week-clock scenario: separate tables, the union asking 100 and never moving."""
    return {
        "name": "losses", "horizon": 2000, "mode": "separate", "protocol": {"clock": "week"},
        "issues": {"wage": {"min": 0, "max": 100}},
        "parties": {"union": {"role": "union", "opening": {"wage": 100},
                              "limit": {"wage": 100}}, **companies},
        **extra,
    }


def model_of(doc: dict[str, Any], seed: int = 0) -> BargainingModel:
    return BargainingModel(scenario_from_dict(doc), mode="separate", seed=seed)


def weekly_losses(model: BargainingModel, weeks: int) -> dict[str, list[float]]:
    """Each company's loss ($M) in each of the next weeks."""
    out: dict[str, list[float]] = {name: [] for name in model.companies}
    for _ in range(weeks):
        before = {name: c.cum_loss for name, c in model.companies.items()}
        model.step()
        for name, c in model.companies.items():
            out[name].append(c.cum_loss - before[name])
    return out


@pytest.mark.parametrize(
    ("company", "extra", "losses"),
    [
        # ramp (w + 1 - 2) / 4: 0, 0, 1/4, 1/2, 3/4, 1, 1 of 100 * (1 - 0.25) = 75
        pytest.param(PLAIN, {}, [0, 0, 18.75, 37.5, 56.25, 75, 75], id="backlog-then-ramp"),
        # no backlog, a one-week ramp, nothing substituted: the full 100 from week 0
        pytest.param(studio(revenue_at_risk=100, ramp_weeks=1), {}, [100, 100, 100],
                     id="no-backlog"),
        # substitution 0.8: a fifth of the revenue is at risk, 20 a week
        pytest.param(studio(revenue_at_risk=100, ramp_weeks=1, substitution=0.8), {},
                     [20, 20, 20], id="substitution"),
        # another guild out in weeks 3 and 4 doubles those weeks' losses: 2 x 37.5, 2 x 56.25
        pytest.param(PLAIN, {"other_guilds": {"companion_strike": {
            "start_week": 3, "end_week": 4, "loss_multiplier": 2}}},
            [0, 0, 18.75, 75, 112.5, 75, 75], id="companion-strike"),
    ],
)
def test_weekly_strike_losses(company: dict[str, Any], extra: dict[str, Any],
                              losses: list[float]) -> None:
    model = model_of(industry({"studio": company}, **extra))
    assert weekly_losses(model, len(losses))["studio"] == pytest.approx(losses)


def test_a_revenue_shock_multiplies_each_weeks_loss_by_a_factor_of_mean_one() -> None:
    """With revenue_shock_sd, week w's loss is the plain loss times a log-normal factor.

    The factors are drawn one a week from the company's own stream: the same with another
    backlog (a week with no loss still draws) or another company beside it, and the same
    for the same seed; exp(sd z - sd^2 / 2) has mean 1.
    """
    shocked = {"industry": {"revenue_shock_sd": 0.3}}
    weeks = 1000
    no_backlog = studio(revenue_at_risk=100, ramp_weeks=1)  # 100 a week, unshocked
    factors = np.array(weekly_losses(model_of(industry({"studio": no_backlog}, **shocked)),
                                     weeks)["studio"]) / 100
    assert np.all(factors > 0) and len(set(factors.tolist())) == weeks
    assert factors.mean() == pytest.approx(1.0, abs=0.05)  # 0.3 / sqrt(1000) = 0.01 a s.e.
    # the backlog-and-ramp company: its plain losses times the same factors
    plain = [0, 0, 18.75, 37.5, 56.25, 75, 75]
    ramped = weekly_losses(model_of(industry({"studio": PLAIN}, **shocked)), 7)["studio"]
    assert ramped == pytest.approx(np.array(plain) * factors[:7])
    # a rival beside it (half the market each: 100 * 0.5 = 50 a week for both) draws from
    # its own stream
    pair = industry({"studio": no_backlog, "rival": no_backlog}, **shocked)
    both = weekly_losses(model_of(pair), 7)
    assert both["studio"] == pytest.approx(50 * factors[:7])
    assert both["rival"] != pytest.approx(50 * factors[:7])
    # another seed, other factors
    other = weekly_losses(model_of(industry({"studio": no_backlog}, **shocked), seed=1), 7)
    assert other["studio"] != pytest.approx(100 * factors[:7])


def settles_at_once(share: float) -> dict[str, Any]:
    """A company opening at the union's demand: it accepts the union's first offer, week 0."""
    return {"role": "company", "opening": {"wage": 100}, "limit": {"wage": 100},
            "revenue_at_risk": 100, "ramp_weeks": 1, "market_share": share}


@pytest.mark.parametrize(
    ("shares", "expected"),
    [
        # A (0.5) and C (0.2) settle in week 0; B (0.3) strikes on and hands 2% of its share
        # a week to them, 5:2: week 1 moves 0.3 * 0.02 = 0.006 (A +0.0042857, C +0.0017143,
        # B 0.294), week 2 moves 0.294 * 0.02 = 0.00588 (A +0.0042, C +0.00168, B 0.28812).
        # B's losses: week 0 100 * 0.3 = 30; week 1 100 * 0.3 = 30 at the share it had,
        # plus the lost revenue 100 * 0.006 * 10 weeks = 6; week 2 29.4 + 5.88
        pytest.param((0.5, 0.3, 0.2),
                     {"A": ([0.5, 0.5 + 0.006 * 5 / 7, 0.5 + 0.01188 * 5 / 7], [50, 0, 0]),
                      "B": ([0.3, 0.294, 0.28812], [30, 36, 35.28]),
                      "C": ([0.2, 0.2 + 0.006 * 2 / 7, 0.2 + 0.01188 * 2 / 7], [20, 0, 0])},
                     id="in-proportion-to-share"),
        # rivals with no share take it alike: 0.02 in week 1 (0.01 each), 0.0196 in week 2
        pytest.param((0.0, 1.0, 0.0),
                     {"A": ([0.0, 0.01, 0.0198], [0, 0, 0]),
                      "B": ([1.0, 0.98, 0.9604], [100, 100 + 20, 98 + 19.6]),
                      "C": ([0.0, 0.01, 0.0198], [0, 0, 0])},
                     id="alike-when-none-has-any"),
    ],
)
def test_an_unsettled_company_loses_share_to_rivals_that_have_settled(
    shares: tuple[float, float, float], expected: dict[str, tuple[list[float], list[float]]]
) -> None:
    a, b, c = shares
    model = model_of(industry({"A": settles_at_once(a),
                               "B": {**settles_at_once(b), "opening": {"wage": 0},
                                     "limit": {"wage": 0}},
                               "C": settles_at_once(c)},
                              industry={"share_flow": 0.02, "share_loss_weeks": 10}))
    seen: dict[str, list[float]] = {name: [] for name in model.companies}
    losses: dict[str, list[float]] = {name: [] for name in model.companies}
    for _ in range(3):
        for name, week in weekly_losses(model, 1).items():
            losses[name] += week
            seen[name].append(model.companies[name].share)
    assert sorted(d.parties[0] for d in model.deals if d.step == 0) == ["A", "C"]
    for name, (share, loss) in expected.items():
        assert seen[name] == pytest.approx(share), name
        assert losses[name] == pytest.approx(loss), name
    assert sum(c.share for c in model.companies.values()) == pytest.approx(1.0)


def pressured(tactic: dict[str, Any]) -> dict[str, Any]:
    """PLAIN with investor pressure 0.4 past a tolerance of $100M, whose limit is its losses.

    Its limit is the cost it would accept: last week's loss times 6 expected weeks to come,
    times 1 + pressure, over a cost scale of 10,000 ($M for the whole wage range), where
    pressure = 0.4 * (cumulative loss - 100) / 100 once losses pass 100.
    """
    company = {**PLAIN, "issue_costs": {"wage": 10_000}, "investor_pressure": 0.4,
               "loss_tolerance": 100, "expected_remaining_weeks": 6, "tactic": tactic}
    del company["limit"]
    return company


# Losses 0, 0, 18.75, 37.5, 56.25, 75, 75 add up to 0, 0, 18.75, 56.25, 112.5, 187.5,
# 262.5; pressure 0 up to week 3, then 0.4 * 0.125 = 0.05, 0.35, 0.65.
# Limits (wage, 100 for the whole range): 100 * loss * 6 * (1 + pressure) / 10,000.
LIMITS = [0.0, 0.0, 1.125, 2.25, 56.25 * 6 * 1.05 / 100, 75 * 6 * 1.35 / 100,
          75 * 6 * 1.65 / 100]


@pytest.mark.parametrize(
    ("tactic", "part_of_the_limit"),
    [
        # cost-driven: it offers its limit at every session, so the pressure shows in it
        pytest.param({"kind": "cost_driven"}, [1.0] * 7, id="raises-its-limit"),
        # Boulware (beta 0.01: (t / 1000)^100, nothing) barely moves by itself; pressure p
        # (at most 1) pulls its aim p of the way to its limit, from its opening 0
        pytest.param({"kind": "time_dependent", "beta": 0.01, "t_max": 1000},
                     [0, 0, 0, 0, 0.05, 0.35, 0.65], id="hurries-a-stubborn-tactic"),
    ],
)
def test_investor_pressure_beyond_tolerance(
    tactic: dict[str, Any], part_of_the_limit: list[float]
) -> None:
    model = model_of(industry({"studio": pressured(tactic)}))
    [table] = model.tables
    offers = []
    for _ in range(7):
        model.step()
        assert table.employer_offer is not None
        offers.append(float(table.employer_offer[0]) * 100)
    expected = [p * limit for p, limit in zip(part_of_the_limit, LIMITS, strict=True)]
    assert offers == pytest.approx(expected, abs=1e-9)


# A struck company whose limit follows its losses: 100 a week at a full market from week 0
# (no backlog, a one-week ramp, nothing substituted), a contract whose whole wage range
# costs 10,000 at a full market, 6 weeks expected to come, no investor pressure. Its tactic
# barely moves (Boulware), so it stays struck while its limit is read week by week.
LAGGARD = {"role": "company", "opening": {"wage": 0}, "revenue_at_risk": 100,
           "ramp_weeks": 1, "issue_costs": {"wage": 10_000}, "expected_remaining_weeks": 6,
           "market_share": 0.5, "tactic": {"kind": "time_dependent", "beta": 0.01,
                                           "t_max": 1000}}


def laggard_limits(flow: float, weeks: int = 12) -> tuple[list[float], list[float]]:
    """The laggard's limit utility and share after each week, beside a rival that settled."""
    model = model_of(industry({"rival": settles_at_once(0.5), "laggard": LAGGARD},
                              industry={"share_flow": flow, "share_loss_weeks": 10}))
    laggard = model.companies["laggard"]
    limits, shares = [], []
    for _ in range(weeks):
        model.step()
        limits.append(laggard.limit_utility())
        shares.append(laggard.share)
    assert not laggard.settled
    return limits, shares


def test_share_flow_cannot_loosen_a_laggards_limit() -> None:
    """Losses and the cost of a deal both scale with the current share: their ratio does not.

    The rival settles in week 0; from week 1 the laggard hands 20% of its share a week to
    it. At share s it loses 100 s a week on strike plus the capitalised share, 100 x 0.2 s x
    10 weeks = 200 s, and its contract costs 10,000 s: its limit is 1 - 300 s x 6 /
    10,000 s = 0.82 whatever s is (0.94 without share flow: 100 s x 6 / 10,000 s). With the
    cost fixed at its starting share, as before issue 14, its limit climbed back towards 1
    as its share shrank (1 - 300 x 0.5 x 0.8^k x 6 / 5,000).
    """
    flowing, shares = laggard_limits(0.2)
    still, _ = laggard_limits(0.0)
    assert shares[-1] == pytest.approx(0.5 * 0.8 ** 11)  # it did shrink
    assert still == pytest.approx([0.94] * 12)
    assert flowing == pytest.approx([0.94] + [0.82] * 11)
    assert all(f <= s + 1e-12 for f, s in zip(flowing, still, strict=True))


def test_a_deals_cost_is_at_the_share_it_had_when_it_signed() -> None:
    """The laggard's deal (the whole wage range) costs 10,000 x its share when it signs.

    It hands 20% of its share a week to the rival from week 1; its deal cost is read at
    the share it kept (0.5 x 0.8^3 after weeks 1-3), not its starting share. The rival's
    cost stays at the share it signed with (5,000) as it grows.
    """
    model = model_of(industry({"rival": {**settles_at_once(0.5), "issue_costs": {"wage": 10_000}},
                               "laggard": LAGGARD},
                              industry={"share_flow": 0.2, "share_loss_weeks": 10}))
    rival, laggard = model.companies["rival"], model.companies["laggard"]
    for _ in range(4):
        model.step()
    assert rival.share == pytest.approx(1 - 0.5 * 0.8 ** 3)
    assert rival.deal_cost() == pytest.approx(5_000)
    laggard.settle(4, np.ones(1))  # signs the whole range at the share it kept
    assert laggard.deal_cost() == pytest.approx(10_000 * 0.5 * 0.8 ** 3)


def shocked_limits(weight: float, weeks: int = 200) -> tuple[list[float], list[float], list[float]]:
    """The laggard alone (a full market) under revenue shocks: limits, booked and expected loss."""
    model = model_of(industry({"laggard": {**LAGGARD, "market_share": 1}},
                              industry={"revenue_shock_sd": 0.3, "shock_weight": weight}))
    laggard = model.companies["laggard"]
    limits, booked, expected = [], [], []
    for _ in range(weeks):
        model.step()
        limits.append(laggard.limit_utility())
        booked.append(laggard.last_loss)
        expected.append(laggard.expected_loss)
    return limits, booked, expected


def test_a_companys_limit_follows_its_smoothed_loss_not_one_weeks_shock() -> None:
    """The loss it expects is 100 times an exponentially weighted mean of the shocks.

    Week w's booked loss is 100 z_w (z_w the shock); the expected loss is 100 m_w with
    m_w = (1 - weight) m_(w-1) + weight z_w from m = 1, and the limit is 1 - 6 x 100 m_w /
    10,000. With weight 1 it is one week's shock (the form before issue 14); smaller
    weights move the limit less from week to week on the same shocks.
    """
    spread = {}
    for weight in (1.0, 0.25):
        limits, booked, expected = shocked_limits(weight)
        level, smoothed = 1.0, []
        for loss in booked:
            level = (1 - weight) * level + weight * loss / 100
            smoothed.append(100 * level)
        assert expected == pytest.approx(smoothed)
        assert limits == pytest.approx([1 - 6 * e / 10_000 for e in expected])
        spread[weight] = float(np.std(np.diff(limits)))
    assert spread[1.0] == pytest.approx(float(np.std(np.diff(
        [1 - 6 * b / 10_000 for b in shocked_limits(1.0)[1]]))))
    assert spread[0.25] < 0.5 * spread[1.0]


def pact(aid: float, mode: str) -> BargainingModel:
    """A rival and an outsider that settle at once, and a laggard struck until its limit
    reaches the union's.

    The laggard (half the market) loses 50 a week and expects the strike to last as long
    again as it has (duration dependence 1, at least 6 weeks): its limit package is a wage
    of 100 x 50 x max(6, w + 1) / 5,000 = max(6, w + 1) in week w; it offers its limit
    (cost-driven), and so does the alliance. The union settles for 20 from week 1. The
    pact binds the rival and the laggard, not the outsider. In separate play the rival
    settles in week 0; in break-away play it is in the alliance with the laggard, leaves
    it in week 1 (past its exit threshold after a week's losses) and settles alone then.
    """
    laggard = {**LAGGARD, "tactic": {"kind": "cost_driven"}, "duration_dependence": 1}
    rival = {**settles_at_once(0.3), "exit_threshold": 1}
    return BargainingModel(scenario_from_dict({
        "name": "pact", "horizon": 60, "mode": mode, "protocol": {"clock": "week"},
        "issues": {"wage": {"min": 0, "max": 100}},
        "industry": {"share_flow": 0, "employer_opening": {"wage": 0}},
        "coalition": {"members": ["rival", "laggard"], "mutual_aid": aid,
                      "tactic": {"kind": "cost_driven"}},
        "parties": {
            "union": {"role": "union", "opening": {"wage": 100}, "limit": {"wage": 20},
                      "tactic": {"kind": "time_dependent", "beta": 1, "t_max": 1}},
            "rival": rival, "outsider": settles_at_once(0.2), "laggard": laggard,
        },
    }), mode=mode, seed=0)


@pytest.mark.parametrize("mode", ["separate", "breakaway"])
def test_a_mutual_aid_pact_pays_a_struck_member_and_lengthens_its_strike(mode: str) -> None:
    """Aid of half its losses halves what the laggard expects to avoid by settling.

    Each week the rival is at work it pays half the laggard's 50; the outsider, outside
    the pact, pays nothing. The laggard's limit wage is then half as far along,
    max(6, w + 1) / 2: it (or the alliance it is left alone in) reaches the union's 20 in
    week 39 instead of week 19.
    """
    runs = {}
    for aid in (0.0, 0.5):
        model = pact(aid, mode)
        laggard, rival, outsider = (model.companies[n] for n in ("laggard", "rival", "outsider"))
        limits = []
        while model.running:
            before = (laggard.cum_loss, rival.cum_loss, outsider.cum_loss)
            paying = rival.status.working
            model.step()
            if laggard.settled:
                break
            limits.append(laggard.limit_utility())
            if paying:  # the laggard is paid aid, the rival pays it, the outsider nothing
                paid = 50 * aid
                assert laggard.cum_loss - before[0] == pytest.approx(50 - paid)
                assert rival.cum_loss - before[1] == pytest.approx(paid)
                assert outsider.cum_loss == before[2]
        assert rival.status.working and model.t > 2
        runs[aid] = (laggard.settled_step, limits)
    assert runs[0.0][0] == 19 and runs[0.5][0] == 39
    assert runs[0.0][1] == pytest.approx([1 - max(6, w + 1) / 100 for w in range(19)])
    # the same week under aid: its limit is as high or higher (it concedes less)
    assert all(a >= b - 1e-12 for a, b in zip(runs[0.5][1], runs[0.0][1], strict=False))
