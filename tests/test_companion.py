"""The companion strike binds every company until the actors' deal, whatever the writers'.

A hand-made industry: the union asks 100 and never moves; `target` opens at that demand
and settles in week 0's session (the first, and so the master, deal); `holdout` never
concedes. Each loses revenue at risk 100 times its share a week from week 0 (no backlog,
no substitution, no shocks). The actors strike in weeks 2-5 with a loss multiplier of 1.5.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from bargainsim import companion
from bargainsim.model import BargainingModel
from bargainsim.scenario import scenario_from_dict
from bargainsim.schema import CompanionStrike


def doc(strike: dict[str, Any] | None, flow: float = 0.0) -> dict[str, Any]:
    def company(opening: float) -> dict[str, Any]:
        return {"role": "company", "opening": {"wage": opening}, "limit": {"wage": opening},
                "market_share": 1, "revenue_at_risk": 100, "backlog_weeks": 0,
                "ramp_weeks": 1}

    return {
        "name": "companion", "horizon": 12, "mode": "separate", "protocol": {"clock": "week"},
        "issues": {"wage": {"min": 0, "max": 100}},
        "parties": {"union": {"role": "union", "opening": {"wage": 100},
                              "limit": {"wage": 100}},
                    "target": company(100), "holdout": company(0)},
        "industry": {"share_flow": flow, "share_loss_weeks": 0},
        "other_guilds": {"companion_strike": strike},
    }


ACTORS = {"start_week": 2, "end_week": 5, "loss_multiplier": 1.5}


def weekly(strike: dict[str, Any] | None, flow: float = 0.0, weeks: int = 8) -> dict[str, list]:
    """Each company's loss and share, week by week."""
    model = BargainingModel(scenario_from_dict(doc(strike, flow)), seed=0)
    out: dict[str, list] = {"target": [], "holdout": [], "target_share": []}
    for _ in range(weeks):
        before = {n: c.cum_loss for n, c in model.companies.items()}
        model.step()
        for n, c in model.companies.items():
            out[n].append(round(c.cum_loss - before[n], 9))
        out["target_share"].append(round(model.companies["target"].share, 9))
    assert model.companies["target"].settled_step == 0 and model.master_step == 0
    return out


def test_a_settled_company_books_the_companion_part_until_the_actors_deal() -> None:
    losses = weekly(ACTORS)
    # settled in week 0: nothing in week 1; weeks 2-5 the actors' part, (1.5 - 1) * 50
    assert losses["target"] == [50, 0, 25, 25, 25, 25, 0, 0]
    # still struck by the writers: 50 a week, times 1.5 while the actors strike too
    assert losses["holdout"] == [50, 50, 75, 75, 75, 75, 50, 50]


def test_the_companion_strike_raises_a_settled_companys_losses() -> None:
    with_actors, without = weekly(ACTORS), weekly(None)
    assert sum(with_actors["target"]) > sum(without["target"])
    assert without["target"] == [50] + [0] * 7


def test_no_share_moves_while_the_actors_strike_every_company() -> None:
    shares = weekly(ACTORS, flow=0.1)["target_share"]
    # week 1: the holdout hands a tenth of its half; weeks 2-5 nothing moves; then again
    assert shares[1] == pytest.approx(0.55)
    assert shares[1:6] == [shares[1]] * 5
    assert shares[6] == pytest.approx(0.55 + 0.1 * 0.45)
    assert weekly(None, flow=0.1)["target_share"][2] > shares[2]  # without actors it moves


def test_it_may_end_a_set_number_of_weeks_after_the_writers_deal() -> None:
    # the writers' master deal is in week 0: three weeks after it the actors settle
    strike = {"start_week": 2, "after_writers_deal": 3, "loss_multiplier": 1.5}
    losses = weekly(strike)
    assert losses["target"] == [50, 0, 25, 25, 0, 0, 0, 0]
    assert losses["holdout"] == [50, 50, 75, 75, 50, 50, 50, 50]


def test_until_the_writers_deal_it_goes_on() -> None:
    spec = CompanionStrike(start_week=2, after_writers_deal=3)
    assert companion.last_week(spec, None) == math.inf
    assert companion.multiplier(spec, 40, None) == spec.loss_multiplier
    assert companion.multiplier(spec, 13, 10) == spec.loss_multiplier
    assert companion.multiplier(spec, 14, 10) == 1.0
    assert companion.multiplier(spec, 1, 10) == 1.0
    fixed = CompanionStrike(start_week=2, end_week=5)
    assert companion.free_weeks(fixed, 0, 10, None) == 6  # weeks 0-1 and 6-9
    assert companion.free_weeks(fixed, 3, 2, None) == 0
    assert companion.free_weeks(None, 3, 2, None) == 2


@pytest.mark.parametrize("strike", [
    {"start_week": 2},
    {"start_week": 2, "end_week": 5, "after_writers_deal": 3},
])
def test_exactly_one_end_is_given(strike: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="exactly one of end_week"):
        CompanionStrike(**strike)
