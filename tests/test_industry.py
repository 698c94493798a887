"""The industry model: modes, outputs, calibration, mechanisms and invariants."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bargainsim.model import BargainingModel
from bargainsim.prepare import resolve_companies
from bargainsim.runner import run
from bargainsim.scenario import MODES, load_scenario, scenario_from_dict
from pinned import EARLY_TALKS

ROOT = Path(__file__).resolve().parents[1]
WGA = ROOT / "scenarios" / "wga_2023.yaml"
COMPANIES = ["disney", "netflix", "wbd", "nbcu", "paramount", "amazon", "sony", "apple"]


def wga(*overrides: str):
    return load_scenario(WGA, list(overrides))


def median_step(recs: list[dict], key: str = "settlement_step", horizon: float = 52) -> float:
    """Median with censored runs counted at the horizon (they are later than any deal)."""
    return float(np.median([r[key] if r[key] is not None else horizon + 1 for r in recs]))


@pytest.fixture(scope="module")
def cli_records() -> dict[str, dict]:
    out = {}
    for mode in MODES:
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "bargainsim",
                "run",
                str(WGA),
                "--mode",
                mode,
                "--seed",
                "3",
                "--json",
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        out[mode] = json.loads(proc.stdout)
    return out


def test_every_mode_runs_and_reports_the_outputs(cli_records):
    keys = {
        "companies",
        "settlement_step",
        "first_deal_step",
        "writers_back_share",
        "union_utility",
        "company_losses",
        "writer_weeks_lost",
        "deadweight_loss",
        "deals",
    }
    for mode, rec in cli_records.items():
        assert keys <= set(rec), mode
        assert rec["mode"] == mode
        assert set(rec["companies"]) == set(COMPANIES)
        assert len(rec["writers_back_share"]) >= 1
        assert all(0.0 <= s <= 1.0 for s in rec["writers_back_share"])
        assert rec["deadweight_loss"] == pytest.approx(
            sum(rec["company_losses"].values()) + rec["writers_lost_earnings"]
        )


def test_coalition_gives_one_deal_covering_all_eight(cli_records):
    rec = cli_records["coalition"]
    assert len(rec["deals"]) == 1
    deal = rec["deals"][0]
    assert sorted(deal["parties"]) == sorted(COMPANIES)
    assert deal["coalition"] == "amptp"
    assert rec["first_deal_step"] == rec["settlement_step"] == deal["step"]


def test_separate_gives_one_deal_per_company(cli_records):
    rec = cli_records["separate"]
    covered = [p for d in rec["deals"] for p in d["parties"]]
    assert all(len(d["parties"]) == 1 for d in rec["deals"])
    assert len(covered) == len(set(covered))
    settled = [n for n, c in rec["companies"].items() if c["settlement_step"] is not None]
    assert sorted(covered) == sorted(settled)
    assert len(rec["deals"]) >= 6


def test_every_deal_lies_between_the_opening_positions(cli_records):
    spec = wga()
    union = spec.parties["wga"].opening
    employer = spec.industry.employer_opening
    for rec in cli_records.values():
        for deal in rec["deals"]:
            for issue, value in deal["terms"].items():
                lo, hi = sorted((union[issue], employer[issue]))
                assert lo - 1e-9 <= value <= hi + 1e-9, (rec["mode"], issue, value)


def test_calibration_to_2023_over_200_seeds():
    spec = wga()
    recs = [run(spec, mode="coalition", seed=s) for s in range(200)]
    steps = [r["settlement_step"] for r in recs]
    assert 17 <= median_step(recs) <= 25, np.percentile([s or 99 for s in steps], [25, 50, 75])
    wages = [r["deals"][0]["terms"]["wage"] for r in recs if r["deals"]]
    assert abs(float(np.median(wages)) - 13.0) <= 1.0, np.median(wages)


def test_investor_pressure_shortens_that_companys_strike_in_separate_mode():
    calm = wga("parties.disney.investor_pressure=0")
    pressed = wga("parties.disney.investor_pressure=6")
    seeds = range(40)
    a = [
        run(calm, mode="separate", seed=s)["companies"]["disney"]["settlement_step"] for s in seeds
    ]
    b = [
        run(pressed, mode="separate", seed=s)["companies"]["disney"]["settlement_step"]
        for s in seeds
    ]
    a = np.array([x if x is not None else 53 for x in a])
    b = np.array([x if x is not None else 53 for x in b])
    assert np.median(b) < np.median(a)
    assert np.all(b <= a)  # same seed, same streams: pressure never delays this company


def test_publishing_an_offer_members_like_lowers_solidarity():
    model = BargainingModel(wga(), mode="coalition", seed=0)
    for _ in range(18):
        model.step()
    union = model.union
    striking = np.ones(len(union.members.rho), dtype=bool)
    # an offer worth, to every member, a bit more than the median member's reservation
    offer = union.opening * 0.0 + model.space.normalise(
        {"wage": 14, "residuals": 70, "staffing": 6, "ai": 0.8, "data": 0.5},
        np.zeros(model.space.size),
    )
    union.update_solidarity(striking, [offer], [])
    relayed = union.solidarity
    union.update_solidarity(striking, [offer], [offer])
    published = union.solidarity
    assert published < relayed
    # and over whole runs: publishing from week 0 lowers the solidarity leadership sees
    quiet = wga("coalition.publish_offer=null")
    loud = wga("coalition.publish_offer.from_week=0")

    def mean_solidarity(spec) -> float:
        vals = []
        for seed in range(10):
            m = BargainingModel(spec, mode="coalition", seed=seed, trace=True).run()
            vals += [r["solidarity"] for r in m.trace_rows if r.get("solidarity") is not None]
        return float(np.mean(vals))

    assert mean_solidarity(loud) < mean_solidarity(quiet)


def test_a_larger_strike_fund_raises_the_union_utility():
    poor = wga("parties.wga.strike_fund=0")
    rich = wga("parties.wga.strike_fund=400")
    seeds = range(30)
    u_poor = [run(poor, mode="coalition", seed=s)["union_utility"] for s in seeds]
    u_rich = [run(rich, mode="coalition", seed=s)["union_utility"] for s in seeds]
    assert np.mean(u_rich) > np.mean(u_poor)


IDENTICAL = [
    "industry.model_spread=0",
    "industry.revenue_shock_sd=0",
    "talks.meet_probability=1",
    "talks.breakdown_probability=0",
    "other_guilds.pattern_deal=null",
    "other_guilds.companion_strike=null",
    "coalition.publish_offer=null",
    *[f"parties.{c}.market_share=1" for c in COMPANIES],
    *[f"parties.{c}.preset=legacy_studio" for c in COMPANIES],
    "parties.sony.investor_pressure=1.0",
]


def test_identical_companies_settle_alike_in_coalition_and_separate_modes():
    spec = wga(*IDENTICAL)
    resolved = resolve_companies(spec)
    assert len({json.dumps(v, sort_keys=True) for v in resolved.values()}) == 1
    for seed in (0, 1):
        coal = run(spec, mode="coalition", seed=seed)
        sep = run(spec, mode="separate", seed=seed)
        assert coal["settled"] and sep["settled"]
        assert coal["settlement_step"] == sep["settlement_step"]
        assert {d["step"] for d in sep["deals"]} == {coal["settlement_step"]}
        for deal in sep["deals"]:
            for issue, value in deal["terms"].items():
                assert value == pytest.approx(coal["deals"][0]["terms"][issue], abs=1e-9)


def test_different_business_models_make_the_coalition_tighter():
    # with identical companies the rules agree; with different ones the hardest line binds
    hard = wga("coalition.rule=hardest_line")
    soft = wga("coalition.rule=share_weighted")
    seeds = range(200)
    a = [run(hard, mode="coalition", seed=s) for s in seeds]
    b = [run(soft, mode="coalition", seed=s) for s in seeds]
    assert median_step(a) >= median_step(b)
    assert np.mean([r["union_utility"] or 0 for r in a]) < np.mean(
        [r["union_utility"] or 0 for r in b]
    )


def test_industry_knobs_move_market_shares_and_business_models():
    base = resolve_companies(wga())
    heavy = resolve_companies(wga("industry.streamer_share=0.6"))
    digital = ["netflix", "amazon", "apple"]
    assert sum(heavy[c]["market_share"] for c in digital) == pytest.approx(0.6)
    assert sum(v["market_share"] for v in heavy.values()) == pytest.approx(1.0)
    assert sum(base[c]["market_share"] for c in digital) == pytest.approx(0.33)
    flat = resolve_companies(wga("industry.model_spread=0"))
    assert len({v["backlog_weeks"] for v in flat.values()}) == 1
    half = resolve_companies(wga("industry.model_spread=0.5"))
    mid = (base["netflix"]["backlog_weeks"] + flat["netflix"]["backlog_weeks"]) / 2
    assert half["netflix"]["backlog_weeks"] == pytest.approx(mid)


def test_breakaway_members_leave_and_settle_alone():
    spec = wga("coalition.sanction_weeks=0")  # leaving free: Disney's calculation favours it
    rec = run(spec, mode="breakaway", seed=0)
    assert rec["companies"]["disney"]["left_coalition"] is True
    disney_deals = [d for d in rec["deals"] if "disney" in d["parties"]]
    assert len(disney_deals) == 1 and disney_deals[0]["parties"] == ["disney"]
    assert "coalition" not in disney_deals[0]


def test_pattern_mode_starts_with_the_target():
    rec = run(wga("pattern.target=netflix"), mode="pattern", seed=0)
    first = min(rec["deals"], key=lambda d: d["step"])
    assert first["parties"] == ["netflix"]
    later = [d for d in rec["deals"] if d["parties"] != ["netflix"]]
    assert all(d["step"] >= first["step"] for d in later)


def test_members_can_reject_a_deal_and_the_strike_goes_on():
    # leadership that ignores its members' mood brings deals they vote down
    def rejected(margin: float) -> list[dict]:
        spec = wga(f"parties.wga.ratification_margin={margin}",
                   "parties.wga.ratification_threshold=0.95")
        recs = [run(spec, mode="coalition", seed=s) for s in range(30)]
        return [v for r in recs for v in r["ratification_votes"] if not v["passed"]]

    heedless = rejected(0.0)
    assert len(heedless) > len(rejected(0.1))
    assert all(v["yes_share"] < 0.95 for v in heedless)


def test_trace_is_written_only_when_asked(tmp_path):
    out = tmp_path / "trace.csv"
    subprocess.run(
        [sys.executable, "-m", "bargainsim", "run", str(WGA), "--trace", str(out)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    header = out.read_text().splitlines()[0].split(",")
    for col in (
        "step",
        "party",
        "aspiration.wage",
        "offer.wage",
        "solidarity",
        "savings_weeks",
        "losses",
        "coalition_members",
    ):
        assert col in header
    assert BargainingModel(wga(), seed=0).run().trace_rows is None


def test_contrast_scenarios_validate_and_run():
    for name in ("streamer_heavy", "studio_heavy", "uniform_industry"):
        spec = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
        rec = run(spec, mode="coalition", seed=0)
        assert rec["scenario"] == name


# ----------------------------------------------------------------------- invariants

PRESETS = st.sampled_from(["legacy_studio", "streamer", "tech"])


@st.composite
def industries(draw):
    n = draw(st.integers(1, 4))
    doc = wga().model_dump(mode="json", exclude_none=True)
    parties = {"wga": doc["parties"]["wga"]}
    parties["wga"]["members"]["count"] = draw(st.integers(20, 80))
    parties["wga"]["strike_fund"] = draw(st.floats(0, 200))
    for i in range(n):
        parties[f"c{i}"] = {
            "role": "company",
            "preset": draw(PRESETS),
            "market_share": draw(st.floats(0.1, 10)),
            "backlog_weeks": draw(st.floats(0, 20)),
            "exit_threshold": draw(st.floats(10, 5000)),
        }
    doc["parties"] = parties
    doc["horizon"] = draw(st.integers(5, 60))
    doc["coalition"]["rule"] = draw(
        st.sampled_from(["hardest_line", "unanimity", "share_weighted"])
    )
    doc["industry"]["revenue_shock_sd"] = draw(st.floats(0, 1))
    doc["talks"]["meet_probability"] = draw(st.floats(0.1, 1))
    return doc


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=industries(), mode=st.sampled_from(MODES), seed=st.integers(0, 10**6))
def test_invariants_hold_for_generated_industries(doc, mode, seed):
    spec = scenario_from_dict(doc)
    model = BargainingModel(spec, mode=mode, seed=seed, trace=True).run()
    issues = spec.issues
    for row in model.trace_rows:
        for name, issue in issues.items():
            for key in (f"offer.{name}", f"aspiration.{name}"):
                value = row.get(key)
                if value is not None:
                    assert issue.min - 1e-9 <= value <= issue.max + 1e-9
        if row.get("savings_weeks") is not None:
            assert row["savings_weeks"] >= 0
        if row.get("losses") is not None:
            assert row["losses"] >= 0
    assert np.all(model.union.members.savings >= 0)
    covered = [p for d in model.deals for p in d.parties]
    assert len(covered) == len(set(covered))  # each company settles at most once
    for deal in model.deals:
        for name in deal.parties:
            company = model.companies[name]
            assert company.settled_step == deal.step
            assert model.space.to_units(company.terms) == pytest.approx(deal.terms)
    from bargainsim.runner import record

    rec = record(model)
    for name, c in rec["companies"].items():
        assert c["losses"] >= 0
        if c["settlement_step"] is None:
            assert rec["settled"] is False and rec["settlement_step"] is None
            assert name not in covered
    if rec["settled"]:
        assert rec["settlement_step"] == max(d.step for d in model.deals)


def test_share_flows_equally_to_settled_rivals_that_have_no_share():
    # companies with no market share and generous static limits settle first; the one
    # company with a share then hands its share to them equally (it used to divide by 0);
    # no companion strike, which would stop share moving while it binds every company
    overrides = ["other_guilds.companion_strike=null"]
    for name in ("netflix", "wbd", "nbcu", "paramount", "amazon", "sony", "apple"):
        overrides += [f"parties.{name}.market_share=0", f"parties.{name}.limit.wage=16.9",
                      f"parties.{name}.limit.residuals=100", f"parties.{name}.limit.staffing=9",
                      f"parties.{name}.limit.ai=1", f"parties.{name}.limit.data=1"]
    spec = load_scenario(ROOT / "scenarios" / "wga_2023.yaml", overrides + EARLY_TALKS)
    rec = run(spec, mode="separate", seed=0)
    shares = {n: c["market_share"] for n, c in rec["companies"].items()}
    assert sum(shares.values()) == pytest.approx(1.0)
    assert 0 < shares["amazon"] < shares["disney"] < 1.0  # amazon settled first, got a share


@pytest.mark.parametrize("fund", [0.0, 0.5, 20.0])
def test_members_who_always_struck_lose_savings_as_in_the_general_case(fund):
    """`MemberPopulation.week`'s path for members who all struck every week (index ranges
    of the neediest) leaves the same savings, hardship, reservations and fund, bit for bit,
    as its general path (masks over every member)."""
    model = BargainingModel(wga(), mode="coalition", seed=3)
    fast = model.union.members
    general = copy.deepcopy(fast)
    general._alike = False  # (the general path, as for members who have been back at work)
    striking = np.ones(fast.runway0.size, dtype=bool)
    fast_fund = general_fund = fund
    for _ in range(30):
        fast_fund = fast.week(striking, fast_fund, everyone=True)
        general_fund = general.week(striking, general_fund, everyone=True)
        assert fast_fund == general_fund
        for name in ("savings", "exhausted", "hardship", "rho"):
            assert getattr(fast, name).tobytes() == getattr(general, name).tobytes(), name
    assert fast._alike and fast.exhausted.max() > 0
