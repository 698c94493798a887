"""The two-party engine reproduces the closed forms of theory.py."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bargainsim import theory
from bargainsim.model import BargainingModel
from bargainsim.runner import run
from bargainsim.scenario import load_scenario, scenario_from_dict

ROOT = Path(__file__).resolve().parents[1]
CLASSROOM = ROOT / "scenarios" / "classroom"


def cli_json(*args: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "bargainsim", "run", *args, "--json"],
        capture_output=True, text=True, check=True, timeout=60,
    )
    return json.loads(out.stdout)


def test_faratin_example_from_the_command_line():
    rec = cli_json(str(CLASSROOM / "faratin.yaml"))
    assert rec["settled"] is True
    assert rec["settlement_step"] == 18
    assert rec["deals"][0]["terms"]["wage"] == pytest.approx(5.5317, abs=5e-5)
    assert rec["deals"][0]["parties"] == ["studio"]


def test_rubinstein_example_from_the_command_line():
    rec = cli_json(str(CLASSROOM / "rubinstein.yaml"))
    assert rec["settlement_step"] == 1
    assert rec["deals"][0]["terms"]["share"] == pytest.approx(0.714286, abs=5e-7)


def faratin_doc(u: theory.FaratinSide, s: theory.FaratinSide, horizon: int) -> dict:
    return {
        "name": "faratin_h",
        "horizon": horizon,
        "mode": "separate",
        "issues": {"wage": {"min": min(u.lo, s.lo), "max": max(u.hi, s.hi)}},
        "parties": {
            "union": {
                "role": "union", "opening": {"wage": u.hi}, "limit": {"wage": u.lo},
                "tactic": {"kind": "time_dependent", "beta": u.beta, "kappa": u.kappa,
                           "t_max": u.t_max},
            },
            "studio": {
                "role": "company", "opening": {"wage": s.lo}, "limit": {"wage": s.hi},
                "tactic": {"kind": "time_dependent", "beta": s.beta, "kappa": s.kappa,
                           "t_max": s.t_max},
            },
        },
    }


@settings(max_examples=150, deadline=None)
@given(
    bu=st.floats(0.1, 5.0), bs=st.floats(0.1, 5.0),
    ku=st.floats(0.0, 0.3), ks=st.floats(0.0, 0.3),
    tu=st.integers(5, 40), ts=st.integers(5, 40),
    lo_s=st.floats(0.0, 3.0), gap=st.floats(0.5, 4.0), width=st.floats(1.0, 6.0),
)
def test_faratin_agreement_matches_theory(bu, bs, ku, ks, tu, ts, lo_s, gap, width):
    # union range [lo_s + gap, lo_s + gap + width]; studio range [lo_s, lo_s + gap + width/2]
    union = theory.FaratinSide(bu, ku, tu, lo_s + gap, lo_s + gap + width)
    studio = theory.FaratinSide(bs, ks, ts, lo_s, lo_s + gap + width / 2)
    horizon = 60
    expected = theory.faratin_agreement(union, studio, first="high", horizon=horizon - 1)
    rec = run(scenario_from_dict(faratin_doc(union, studio, horizon)))
    if expected is None:
        assert rec["settled"] is False
        assert rec["settlement_step"] is None
    else:
        step, value = expected
        assert rec["settlement_step"] == step
        assert rec["deals"][0]["terms"]["wage"] == pytest.approx(value, abs=1e-6)


@settings(max_examples=150, deadline=None)
@given(d1=st.floats(0.05, 0.99), d2=st.floats(0.05, 0.99))
def test_rubinstein_infinite_horizon_matches_theory(d1, d2):
    doc = load_scenario(CLASSROOM / "rubinstein.yaml").model_dump(mode="json", exclude_none=True)
    doc["parties"]["union"]["discount"] = d1
    doc["parties"]["studio"]["discount"] = d2
    rec = run(scenario_from_dict(doc))
    assert rec["settlement_step"] == 1
    assert rec["deals"][0]["terms"]["share"] == pytest.approx(theory.rubinstein_share(d1, d2),
                                                               abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(d1=st.floats(0.05, 0.99), d2=st.floats(0.05, 0.99), rounds=st.integers(1, 30))
def test_rubinstein_finite_horizon_matches_theory(d1, d2, rounds):
    doc = load_scenario(CLASSROOM / "rubinstein.yaml").model_dump(mode="json", exclude_none=True)
    doc["parties"]["union"].update(discount=d1, tactic={"kind": "rubinstein", "rounds": rounds})
    doc["parties"]["studio"].update(discount=d2, tactic={"kind": "rubinstein", "rounds": rounds})
    rec = run(scenario_from_dict(doc))
    assert rec["settlement_step"] == 1
    expected = theory.rubinstein_finite_share(d1, d2, rounds)
    assert rec["deals"][0]["terms"]["share"] == pytest.approx(expected, abs=1e-9)


def test_rubinstein_studio_first_gets_the_proposer_share():
    doc = load_scenario(CLASSROOM / "rubinstein.yaml").model_dump(mode="json", exclude_none=True)
    doc["protocol"]["first_mover"] = "employer"
    rec = run(scenario_from_dict(doc))
    # the studio proposes first: it keeps (1 - d_union) / (1 - d_union d_studio)
    studio_keeps = theory.rubinstein_share(0.8, 0.9)
    assert rec["settlement_step"] == 1
    assert rec["deals"][0]["terms"]["share"] == pytest.approx(1 - studio_keeps, abs=1e-9)


def attrition_doc(c1: float, c2: float, v1: float, v2: float, horizon: float) -> dict:
    doc = load_scenario(CLASSROOM / "attrition.yaml").model_dump(mode="json", exclude_none=True)
    doc["horizon"] = horizon
    doc["parties"]["union"]["tactic"] = {"kind": "attrition", "cost": c1, "prize": v1}
    doc["parties"]["studio"]["tactic"] = {"kind": "attrition", "cost": c2, "prize": v2}
    return doc


def attrition_sample(doc: dict, seeds: int) -> tuple[np.ndarray, np.ndarray]:
    spec = scenario_from_dict(doc)
    recs = [run(spec, seed=s) for s in range(seeds)]
    times = np.array([r["settlement_time"] for r in recs], dtype=float)
    studio = np.array([r["conceded_by"] == "studio" for r in recs], dtype=float)
    return times, studio


@pytest.mark.slow
def test_attrition_example_over_5000_seeds():
    spec = load_scenario(CLASSROOM / "attrition.yaml")
    times, studio = attrition_sample(spec.model_dump(mode="json", exclude_none=True), 5000)
    mean = theory.attrition_expected_length(1, 10, 2, 10)
    assert mean == pytest.approx(10 / 3)
    se = times.std(ddof=1) / math.sqrt(len(times))
    assert abs(times.mean() - mean) < 3 * se
    p = theory.attrition_first_concession_probabilities(1, 10, 2, 10)[1]
    assert p == pytest.approx(1 / 3)
    se_p = math.sqrt(p * (1 - p) / len(studio))
    assert abs(studio.mean() - p) < 3 * se_p


@pytest.mark.slow
@pytest.mark.parametrize("c1,c2,v1,v2", [(1, 1, 10, 10), (3, 1, 10, 5), (0.5, 2, 4, 20)])
def test_attrition_matches_theory_across_parameters(c1, c2, v1, v2):
    horizon = 20.0
    times, studio = attrition_sample(attrition_doc(c1, c2, v1, v2, horizon), 3000)
    settled = ~np.isnan(times)
    # censored runs are reported as censored: compare the mean of min(T, horizon)
    clipped = np.where(settled, times, horizon)
    expected = theory.attrition_truncated_mean(c1, v1, c2, v2, horizon)
    se = clipped.std(ddof=1) / math.sqrt(len(clipped))
    assert abs(clipped.mean() - expected) < 3.5 * se
    cdf = theory.attrition_length_cdf(horizon, c1, v1, c2, v2)
    assert abs(settled.mean() - cdf) < 3.5 * math.sqrt(cdf * (1 - cdf) / len(times)) + 1e-9
    p2 = theory.attrition_first_concession_probabilities(c1, v1, c2, v2)[1]
    share = studio[settled].mean()
    assert abs(share - p2) < 3.5 * math.sqrt(p2 * (1 - p2) / settled.sum())


def test_attrition_median_is_close_to_theory():
    times, _ = attrition_sample(attrition_doc(1, 2, 10, 10, 60), 2000)
    median = theory.attrition_median_length(1, 10, 2, 10)
    # the sample median of 2000 exponential draws has a standard error of about 0.075
    assert abs(np.median(times) - median) < 0.3


def test_model_builds_with_no_arguments_and_reproduces_faratin():
    model = BargainingModel().run()
    assert model.deals[0].step == 18
    assert len(model.agents) == 2


def test_same_seed_same_output_byte_for_byte():
    a = subprocess.run([sys.executable, "-m", "bargainsim", "run",
                        str(CLASSROOM / "attrition.yaml"), "--seed", "7", "--json"],
                       capture_output=True, check=True)
    b = subprocess.run([sys.executable, "-m", "bargainsim", "run",
                        str(CLASSROOM / "attrition.yaml"), "--seed", "7", "--json"],
                       capture_output=True, check=True)
    c = subprocess.run([sys.executable, "-m", "bargainsim", "run",
                        str(CLASSROOM / "attrition.yaml"), "--seed", "8", "--json"],
                       capture_output=True, check=True)
    assert a.stdout == b.stdout
    assert a.stdout != c.stdout


def test_move_numbers_do_not_follow_mesa_steps():
    model = BargainingModel()
    model.step()
    # Mesa counts this as its step 1; the first offer was bargainsim's move 0
    assert model.steps == 1
    assert model.t == 1
    assert model.tables[0].union_offer is not None
    assert model.tables[0].employer_offer is None


# --- screening (Sobel & Takahashi 1983): the engine's uninformed union against theory ---

def screening_spec(rounds: int, d: float):
    doc = load_scenario(CLASSROOM / "screening.yaml")
    data = doc.model_dump(mode="json", exclude_none=True)
    data["horizon"] = rounds
    data["parties"]["union"]["discount"] = d
    data["parties"]["studio"]["discount"] = d
    return scenario_from_dict(data)


def screening_outcomes(spec, seeds: int) -> tuple[np.ndarray, np.ndarray]:
    """Per seed: the round of the deal (-1: none) and the union's discounted payoff."""
    rounds, payoffs, model = [], [], None
    d = spec.parties["union"].discount
    for seed in range(seeds):
        model = BargainingModel(spec, seed=seed) if model is None else model.restart(seed)
        model.run()
        if model.deals:
            step = model.deals[0].step
            rounds.append(step)
            payoffs.append(d**step * model.deals[0].terms["share"])
        else:
            rounds.append(-1)
            payoffs.append(0.0)
    return np.array(rounds), np.array(payoffs)


def assert_matches_screening(spec, rounds: int, d: float, seeds: int) -> None:
    """Shares settling in each round, no deal and the union's payoff, within 4 standard
    errors (plus the belief's grid error, 0.002)."""
    eq = theory.sobel_takahashi(rounds, d)
    got, pay = screening_outcomes(spec, seeds)
    for r, share in enumerate(eq.accept_shares):
        se = math.sqrt(share * (1 - share) / seeds)
        assert np.mean(got == r) == pytest.approx(share, abs=4 * se + 0.002), f"round {r}"
    se = math.sqrt(eq.no_deal * (1 - eq.no_deal) / seeds)
    assert np.mean(got == -1) == pytest.approx(eq.no_deal, abs=4 * se + 0.002)
    assert pay.mean() == pytest.approx(eq.union_payoff, abs=4 * pay.std() / math.sqrt(seeds)
                                       + 0.002)


def test_screening_classroom_game_matches_the_hand_worked_equilibrium():
    spec = load_scenario(CLASSROOM / "screening.yaml")
    assert_matches_screening(spec, 2, 0.9, 4000)
    # the union's first demand is theory's 0.465385, from its belief alone
    fresh = BargainingModel(spec, seed=0)
    info = fresh.information
    assert info is not None
    assert fresh.union.utility(fresh.union.proposal(0.0, fresh.tables[0])) == pytest.approx(
        0.465385, abs=1e-3)


@pytest.mark.slow
@settings(max_examples=5, deadline=None)
@given(st.integers(1, 4), st.floats(0.5, 0.95))
def test_screening_engine_matches_sobel_takahashi(rounds: int, d: float):
    assert_matches_screening(screening_spec(rounds, d), rounds, d, 3000)
