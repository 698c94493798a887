"""Breakaway by calculation: a member leaves the alliance when leaving pays it.

A member weighs its gain from bargaining alone (strike losses saved by a sooner deal,
share taken from struck rivals) against what it costs (dearer terms alone, the alliance's
sanctions): `bargainsim.options.breakaway_weighing`. Up to the first departure, runs with
different sanctions are the same run, so the first week a member leaves can only come
later when leaving is sanctioned harder.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bargainsim import options
from bargainsim.model import BargainingModel
from bargainsim.runner import run
from bargainsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
WGA = ROOT / "scenarios" / "wga_2023.yaml"
COMPANIES = ("disney", "netflix", "wbd", "nbcu", "paramount", "amazon", "sony", "apple")


def first_departure(sanction: float, seed: int) -> int | None:
    """The first week a member leaves the alliance (None: nobody leaves)."""
    model = BargainingModel(load_scenario(WGA, [f"coalition.sanction_weeks={sanction}"]),
                            mode="breakaway", seed=seed)
    assert model.coalition is not None
    while model.running:
        week = model.t
        model.step()
        if len(model.coalition.members) < len(COMPANIES):
            return week
    return None


def test_sanctions_delay_or_prevent_leaving() -> None:
    never = 10**6
    for seed in range(6):
        weeks = [first_departure(s, seed) for s in (0, 13, 1000)]
        free, sanctioned, prohibitive = (never if w is None else w for w in weeks)
        assert free <= sanctioned <= prohibitive
        assert weeks[0] is not None and weeks[2] is None


def test_a_member_leaves_exactly_when_its_calculation_favours_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[tuple[str, int, bool]] = []
    weigh = options.breakaway_weighing

    def recorded(model: BargainingModel, company: object) -> options.Weighing:
        result = weigh(model, company)  # type: ignore[arg-type]
        seen.append((company.name, model.t, result.favours))  # type: ignore[attr-defined]
        return result

    monkeypatch.setattr(options, "breakaway_weighing", recorded)
    spec = load_scenario(WGA, ["coalition.sanction_weeks=4"])
    model = BargainingModel(spec, mode="breakaway", seed=0).run()
    left = {n for n, c in model.companies.items() if not c.in_coalition}
    favoured = {name for name, _, favours in seen if favours}
    assert left and left == favoured
    for name in left:  # asked each week until it left, and it left the first time it paid
        weeks = [(week, favours) for n, week, favours in seen if n == name]
        assert weeks[-1][1] and not any(f for _, f in weeks[:-1])


def test_a_member_that_does_not_yet_weigh_leaving_stays() -> None:
    # the exit threshold is when its board starts weighing it: never, here
    never = [f"parties.{c}.exit_threshold=1e12" for c in COMPANIES]
    spec = load_scenario(WGA, [*never, "coalition.sanction_weeks=0"])
    for seed in range(3):
        alone = run(spec, mode="breakaway", seed=seed)
        together = run(spec, mode="coalition", seed=seed)
        assert not any(c["left_coalition"] for c in alone["companies"].values())
        assert alone["settlement_step"] == together["settlement_step"]
        assert alone["deals"] == together["deals"]


def test_leaving_is_weighed_in_money() -> None:
    # the same state (nobody left: leaving is prohibitive), weighed under two alliances
    model = BargainingModel(load_scenario(WGA, ["coalition.sanction_weeks=1000"]),
                            mode="breakaway", seed=0)
    for _ in range(14):
        model.step()
    disney = model.companies["disney"]
    weighed = {}
    for weeks in (0, 10):
        model.spec = load_scenario(WGA, [f"coalition.sanction_weeks={weeks}"])
        weighed[weeks] = options.breakaway_weighing(model, disney)
    pressure = 1.0 + disney.investor_pressure()
    extra = 10 * disney.revenue_at_risk * disney.share * pressure  # ten weeks of its revenue
    assert weighed[10].gain == pytest.approx(weighed[0].gain) and weighed[0].gain > 0
    assert weighed[10].cost == pytest.approx(weighed[0].cost + extra)


def test_a_leaver_pays_the_sanctions() -> None:
    spec = load_scenario(WGA, ["coalition.sanction_weeks=4"])
    sanctioned = BargainingModel(spec, mode="breakaway", seed=0)
    while all(c.in_coalition for c in sanctioned.companies.values()):
        before = {n: c.cum_loss for n, c in sanctioned.companies.items()}
        sanctioned.step()
    leaver = next(c for c in sanctioned.companies.values() if not c.in_coalition)
    weekly = leaver.last_loss
    fine = 4 * leaver.revenue_at_risk * leaver.share
    assert leaver.cum_loss - before[leaver.name] == pytest.approx(weekly + fine)
