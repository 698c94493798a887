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
