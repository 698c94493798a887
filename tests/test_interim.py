"""Interim agreements: who signs, what signing changes, the me-too clause, sanctions.

Small hand-made scenarios fix everything but the mechanism: a union that asks 100 and
never moves (a static limit), so no table reaches a deal unless a company opens at the
union's demand; companies with revenue at risk from week 0. wga_2007 checks the same
directions in a full scenario.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bargainsim import options
from bargainsim.interim import table_of
from bargainsim.model import BargainingModel
from bargainsim.scenario import load_scenario, scenario_from_dict
from bargainsim.status import INTERIM, SETTLED, STATUSES, STRIKING

ROOT = Path(__file__).resolve().parents[1]
WGA_2007 = ROOT / "scenarios" / "wga_2007.yaml"


def company(share: float, wage_cost: float, **values: Any) -> dict[str, Any]:
    """A company that never concedes at its table (its limit is its opening)."""
    return {"role": "company", "opening": {"wage": 0}, "limit": {"wage": 0},
            "market_share": share, "revenue_at_risk": 100, "backlog_weeks": 0,
            "ramp_weeks": 1, "issue_costs": {"wage": wage_cost}, **values}


def scenario(companies: dict[str, dict[str, Any]], **extra: Any) -> dict[str, Any]:
    """Separate tables, a union asking 100 and never moving, interim offers from week 0."""
    return {
        "name": "interim", "horizon": 30, "mode": "separate", "protocol": {"clock": "week"},
        "issues": {"wage": {"min": 0, "max": 100}},
        "parties": {"union": {"role": "union", "opening": {"wage": 100},
                              "limit": {"wage": 100}}, **companies},
        "industry": {"share_flow": 0.0},
        "interim": {"offered_from": 0},
        **extra,
    }


def model_of(doc: dict[str, Any], mode: str = "separate", seed: int = 0) -> BargainingModel:
    return BargainingModel(scenario_from_dict(doc), mode=mode, seed=seed)


# With share s, revenue at risk 100 and no backlog, a company loses 100 s a week from week 0
# and expects 6 more weeks: its limit cost is 600 s. The union's standing terms (its opening,
# wage 100) cost it wage_cost * s, the deal it expects at its table (the midpoint of the
# openings) half that: signing costs 0.5 * wage_cost * s more. It signs when that is below
# 600 s: wage cost 1000 (500 s) signs, 1400 (700 s) does not.
CHEAP, DEAR = 1000.0, 1400.0


def test_a_company_signs_when_its_calculation_favours_it() -> None:
    model = model_of(scenario({"cheap": company(1, CHEAP), "dear": company(1, DEAR)}))
    for name in ("cheap", "dear"):
        c = model.companies[name]
        table = table_of(model, c)
        assert table is not None
        weighing = options.interim_weighing(model, c, model.union.opening, table)
        assert weighing.gain == pytest.approx(0.0)  # no loss booked before week 0
    model.step()
    cheap, dear = model.companies["cheap"], model.companies["dear"]
    assert cheap.status is INTERIM and dear.status is STRIKING  # losses booked: 600 s each
    assert [a.company for a in model.interim_agreements] == ["cheap"]
    assert cheap.back_step == 0 and dear.back_step is None
    table = table_of(model, dear)
    assert table is not None
    weighing = options.interim_weighing(model, dear, model.union.opening, table)
    assert weighing.gain == pytest.approx(50 * 6) and weighing.cost == pytest.approx(0.5 * DEAR / 2)


def test_a_signers_losses_stop_while_the_strike_goes_on_against_the_rest() -> None:
    model = model_of(scenario({"cheap": company(1, CHEAP), "dear": company(1, DEAR)}))
    model.step()
    cheap, dear = model.companies["cheap"], model.companies["dear"]
    assert cheap.status is INTERIM and cheap.status.working and not cheap.status.final
    signed_at = cheap.cum_loss
    before = dear.cum_loss
    for _ in range(5):
        model.step()
    assert cheap.cum_loss == signed_at  # back at work: no more strike losses
    assert dear.cum_loss == pytest.approx(before + 5 * 50)  # still struck: 100 * 0.5 a week
    assert dear.status is STRIKING and model.running  # the run goes on: bargaining not final
    assert all(t.employer is not cheap for t in model.open_tables())  # its table closed


def test_a_signer_takes_share_from_rivals_still_struck() -> None:
    doc = scenario({"cheap": company(1, CHEAP), "dear": company(1, DEAR)},
                   industry={"share_flow": 0.1, "share_loss_weeks": 0})
    model = model_of(doc)
    model.step()
    assert model.companies["cheap"].status is INTERIM
    model.step()
    cheap, dear = model.companies["cheap"], model.companies["dear"]
    assert cheap.share == pytest.approx(0.5 + 0.05) and dear.share == pytest.approx(0.45)


def test_its_writers_go_back_to_work() -> None:
    model = BargainingModel(load_scenario(WGA_2007), seed=0)
    while not model.interim_agreements:
        model.step()
    signed = {a.company for a in model.interim_agreements}
    names = list(model.companies)
    striking = model._striking()
    employer = model.union.members.employer
    for i, name in enumerate(names):
        if np.any(employer == i):
            assert (not striking[employer == i].any()) == (name in signed)
    assert model.writers_back[-1] > 0


def test_sanctions_reduce_signing() -> None:
    # a boycott of signers (and sanctions on members) makes signing dearer: on the same
    # seed, no company signs sooner and fewer sign; before the first signing the runs are
    # the same, so the first week anyone signs can only come later
    plain = load_scenario(WGA_2007, ["interim.boycott_weeks=0"])
    harsh = load_scenario(WGA_2007, ["interim.boycott_weeks=400", "coalition.sanction_weeks=400"])
    signed: dict[str, int] = {"plain": 0, "harsh": 0}
    for seed in range(10):
        first = {}
        for label, spec in (("plain", plain), ("harsh", harsh)):
            m = BargainingModel(spec, seed=seed).run()
            signed[label] += len(m.interim_agreements)
            first[label] = min((a.step for a in m.interim_agreements), default=99)
        assert first["plain"] <= first["harsh"]
    assert signed["harsh"] < signed["plain"]


def test_sanctions_are_weighed_and_paid() -> None:
    doc = scenario({"cheap": company(1, CHEAP), "dear": company(1, DEAR)},
                   interim={"offered_from": 0, "boycott_weeks": 0.5})
    model = model_of(doc)
    model.step()
    cheap = model.companies["cheap"]
    # a boycott of half a week of revenue (100 * 0.5 / 2 = 25) still leaves signing worth it
    # for `cheap` (600 * 0.5 = 300 gained against 250 + 25); it is booked as a loss that week
    assert cheap.status is INTERIM
    assert model.interim_agreements[0].sanctions == pytest.approx(25)
    assert cheap.cum_loss == pytest.approx(50 + 25)  # the week's strike loss and the boycott
    # a whole week's boycott makes it a tie (300 against 250 + 50): it does not sign
    doc["interim"]["boycott_weeks"] = 1
    model = model_of(doc)
    model.step()
    assert model.companies["cheap"].status is STRIKING


def test_me_too_takes_the_master_terms_only_when_better_for_the_union() -> None:
    model = model_of(scenario({"low": company(1, CHEAP), "high": company(1, CHEAP)}))
    assert model.interim is not None
    low, high = model.companies["low"], model.companies["high"]
    low.sign_interim(0, np.array([0.2]))
    high.sign_interim(0, np.array([0.9]))
    model.interim.master_deal(model, np.array([0.5]), 7)
    assert low.status is SETTLED and high.status is SETTLED
    assert low.terms is not None and high.terms is not None
    assert low.terms[0] == pytest.approx(0.5)  # the master is better for the union
    assert high.terms[0] == pytest.approx(0.9)  # its own interim terms are better
    assert low.settled_step == high.settled_step == 7 and low.back_step == 0


def test_signers_end_on_the_better_terms_for_the_union_in_the_master_week() -> None:
    spec = load_scenario(WGA_2007)
    seen = 0
    for seed in range(6):
        m = BargainingModel(spec, seed=seed).run()
        if m.master_step is None:
            continue
        master = next(d for d in m.deals if d.step == m.master_step and d.coalition)
        best = m.union.utility(m.space.normalise(master.terms, np.zeros(m.space.size)))
        for a in m.interim_agreements:
            c = m.companies[a.company]
            interim = m.union.utility(m.space.normalise(a.terms, np.zeros(m.space.size)))
            assert c.status is SETTLED and c.settled_step == m.master_step
            assert c.back_step == a.step <= m.master_step  # (signed in the master's week too)
            assert c.terms is not None
            assert m.union.utility(c.terms) == pytest.approx(max(interim, best))
            seen += 1
    assert seen >= 5


def test_with_no_master_left_the_interim_terms_become_final() -> None:
    # both sign in week 0 (no share to lose, cheap terms): no table is left to make a
    # master deal, so their interim terms stand and the run ends
    model = model_of(scenario({"a": company(1, CHEAP), "b": company(2, CHEAP)})).run()
    assert all(c.status is SETTLED and c.settled_step == 0 for c in model.companies.values())
    assert model.t == 1 and model.master_step is None


def test_offered_only_to_whom_the_scenario_says() -> None:
    doc = scenario({"cheap": company(1, CHEAP), "also": company(1, CHEAP)},
                   interim={"offered_from": 2, "offered_to": ["also"]})
    model = model_of(doc)
    for _ in range(2):
        model.step()
    assert not model.interim_agreements  # not before offered_from
    model.step()
    assert [a.company for a in model.interim_agreements] == ["also"]
    spec = load_scenario(WGA_2007, ["interim.offered_to=independents"])
    for seed in range(3):
        m = BargainingModel(spec, seed=seed).run()
        assert m.coalition is not None
        signers = {a.company for a in m.interim_agreements}
        assert signers and signers <= {"late_night", "united_artists"}


@pytest.mark.parametrize("kind", ["current", "opening"])
def test_the_union_offers_its_standing_terms(kind: str) -> None:
    spec = load_scenario(WGA_2007, [f"interim.terms={kind}", "interim.offered_from=8"])
    model = BargainingModel(spec, seed=1)
    while model.t < 8:
        model.step()
    assert model.interim is not None and model.coalition is not None
    table = table_of(model, model.companies["disney"])
    assert table is not None and table.union_offer is not None
    terms = model.interim.terms_for(model, table)
    expected = table.union_offer if kind == "current" else model.union.opening
    assert np.array_equal(terms, expected)


def test_a_member_that_signs_leaves_the_alliance() -> None:
    model = BargainingModel(load_scenario(WGA_2007), seed=0)
    assert model.coalition is not None
    while not model.interim_agreements:
        model.step()
    names = {a.company for a in model.interim_agreements}
    assert "weinstein" in names  # a member of the AMPTP in 2007
    alliance = next(t for t in model.tables if t.employer is model.coalition)
    assert all(c.name not in names for c in model.coalition.members)
    assert all(c.name not in names for c in alliance.covers)


def test_on_wga_2007_the_signers_are_back_before_the_alliances_deal() -> None:
    # the late-night company, United Artists and The Weinstein Co. signed in weeks 7-9 of
    # 2007-08, the alliance settled in week 14: here, over 100 seeds, in more than half
    spec = load_scenario(WGA_2007)
    named = ("late_night", "united_artists", "weinstein")
    before, model = 0, None
    for seed in range(100):
        model = BargainingModel(spec, seed=seed) if model is None else model.restart(seed)
        model.run()
        back = {a.company: a.step for a in model.interim_agreements}
        master = model.master_step
        before += master is not None and all(n in back and back[n] < master for n in named)
    assert before > 50


def test_on_wga_1988_independents_sign_from_july_and_members_can_vote_a_deal_down() -> None:
    spec = load_scenario(ROOT / "scenarios" / "wga_1988.yaml")
    independents = {"independents_tv", "independents_film", "independents_other"}
    offered = signed = rejected = 0
    model = None
    for seed in range(50):
        model = BargainingModel(spec, seed=seed) if model is None else model.restart(seed)
        model.run()
        steps = {a.company: a.step for a in model.interim_agreements}
        assert all(step >= 17 for step in steps.values())  # offered from July (week 17)
        if model.master_step is None or model.master_step > 17:  # still on strike then
            offered += 1
            signed += independents <= set(steps)
        rejected += any(not v["passed"] for v in model.votes)
    assert signed > offered / 2 and rejected > 0


def test_the_interim_status_is_registered_at_work_and_not_final() -> None:
    assert STATUSES.names()[:3] == ("striking", "settled", "interim")
    assert STATUSES.get("interim") is INTERIM
    assert INTERIM.working and not INTERIM.final
