"""Private information in the engine (`information`): types, screening, what is learned."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bargainsim.cli import main
from bargainsim.errors import InputError
from bargainsim.experiments.statistics import km_median
from bargainsim.model import BargainingModel
from bargainsim.runner import run, run_seeds
from bargainsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
WGA = ROOT / "scenarios" / "wga_2023.yaml"
SCREENING = ROOT / "scenarios" / "classroom" / "screening.yaml"


def private(*overrides: str):
    return load_scenario(WGA, ["information=private", *overrides])


def test_complete_information_draws_no_types_and_builds_no_belief():
    model = BargainingModel(load_scenario(WGA), seed=3)
    assert model.information is None
    assert all(c.cost_type == 1.0 for c in model.companies.values())


def test_types_scale_strike_losses_and_are_the_same_in_every_mode():
    spec = private("types.prior.spread=0.5")
    seen = {}
    for mode in ("coalition", "separate", "pattern"):
        model = BargainingModel(spec, mode=mode, seed=11)
        seen[mode] = dict(model.information.types)
        plain = BargainingModel(load_scenario(WGA), mode=mode, seed=11)
        for name, company in model.companies.items():
            ratio = company.revenue_at_risk / plain.companies[name].revenue_at_risk
            assert ratio == pytest.approx(seen[mode][name])
    assert seen["coalition"] == seen["separate"] == seen["pattern"]
    assert len(set(seen["coalition"].values())) == len(seen["coalition"])


def test_same_seed_same_record_and_batches_equal_single_runs():
    spec = private("types.common=0.6")
    batch = run_seeds(spec, "separate", [4, 5])
    assert batch == [run(spec, "separate", 4), run(spec, "separate", 5)]


def test_a_company_knows_its_limit_the_union_only_its_prior():
    model = BargainingModel(private("types.prior.spread=0.6"), mode="separate", seed=2)
    for _ in range(14):
        model.advance()
    company = model.companies["disney"]
    theta = company.cost_type
    assert company.limits_if(np.array([theta]))[0] == pytest.approx(company.limit_utility())
    grid = model.information.beliefs.grid[model.information.column["disney"]]
    assert grid.min() < theta < grid.max()


def test_coalition_mode_reveals_only_the_alliance():
    """In coalition mode the union sees the alliance's moves alone: no company's own box
    narrows, while the alliance's profiles are ruled out."""
    model = BargainingModel(private(), mode="coalition", seed=1)
    model.run()
    beliefs = model.information.beliefs
    assert (beliefs.lo == 0).all() and (beliefs.hi == beliefs.n).all()
    assert not beliefs.possible.all()


def test_separate_tables_narrow_each_companys_own_belief():
    model = BargainingModel(private(), mode="separate", seed=1)
    model.run()
    beliefs = model.information.beliefs
    assert ((beliefs.lo > 0) | (beliefs.hi < beliefs.n)).any()


def tables(model):
    return {t.name: t for t in model.tables}


def advanced(spec, weeks: int, mode: str = "separate", seed: int = 0) -> BargainingModel:
    model = BargainingModel(spec, mode=mode, seed=seed)
    for _ in range(weeks):
        model.advance()
    return model


@pytest.mark.parametrize("common", [0.5, 0.9])
def test_an_early_high_settlement_raises_the_demands_elsewhere(common: float):
    """Gu and Kuhn's mechanism: a company that signs a demand only its high-cost types
    would sign tells the union the others' costs are likely high too."""
    spec = private(f"types.common={common}", "types.prior.spread=0.6")
    before = advanced(spec, 12)
    after = advanced(spec, 12)
    a, b = tables(after)["disney"], tables(after)["wbd"]
    assert not a.closed and not b.closed
    info = after.information
    mean_before = info.mean_type("wbd")
    values, _ = info.values(a)
    info.at_least(a, float(np.quantile(values, 0.9)))  # its deal: what its top tenth signs
    assert info.mean_type("wbd") > mean_before
    demand_before = before.information.demand(tables(before)["wbd"], 12.0)
    assert info.demand(b, 12.0) > demand_before


def test_a_low_settlement_after_rejections_lowers_the_demands_elsewhere():
    spec = private("types.common=0.9", "types.prior.spread=0.6")
    before = advanced(spec, 12)
    after = advanced(spec, 12)
    a, b = tables(after)["disney"], tables(after)["wbd"]
    info = after.information
    info.beliefs.below(info.column["disney"], info.beliefs.n // 5)  # it turned down much
    info.at_least(a, 0.0)  # then signed
    assert info.mean_type("wbd") < before.information.mean_type("wbd")
    assert info.demand(b, 12.0) < before.information.demand(tables(before)["wbd"], 12.0)


def test_a_more_patient_studio_faces_a_lower_first_demand():
    """Theory's direction (Sobel and Takahashi): the more patient the informed side, the
    less the uninformed union asks at first, and the less it expects."""
    first, expected = [], []
    for d in (0.6, 0.8, 0.95):
        spec = load_scenario(SCREENING, [f"parties.studio.discount={d}", "horizon=4"])
        model = BargainingModel(spec, seed=0)
        table = model.tables[0]
        first.append(model.union.utility(model.union.proposal(0.0, table)))
        expected.append(model.information.continuation(table, 0.0))
    assert first[0] > first[1] > first[2]
    assert expected[0] > expected[1] > expected[2]


@pytest.mark.parametrize(("override", "needle"), [
    ("protocol.clock=move", "types.of: strike_cost needs protocol.clock: week"),
    ("types.of=limit", "uniform prior within [0, 1]"),
    ("types.companies.nobody.spread=0.2", "types.companies: 'nobody' is not a company"),
])
def test_bad_private_information_is_refused_with_its_key(override: str, needle: str,
                                                          capsys: pytest.CaptureFixture[str]):
    args = ["run", str(WGA), "--set", "information=private", "--set", override]
    code = main(args)
    err = capsys.readouterr()
    assert code == 2
    assert needle in err.out + err.err
    assert "Traceback" not in err.out + err.err


def test_limit_types_refuse_a_written_limit():
    with pytest.raises(InputError, match=r"parties.studio.limit \(line \d+\): with types.of: "
                       "limit the limit is drawn"):
        load_scenario(SCREENING, ["parties.studio.limit.share=0.5"])


def median_last_deal(spec, mode: str, seeds: int = 200) -> float:
    """Kaplan-Meier median of the last deal's week (censored at the horizon: infinite)."""
    records = run_seeds(spec, mode, range(seeds))
    median = km_median([r["settlement_step"] for r in records], np.arange(seeds))
    return np.inf if median is None else median


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["coalition", "separate"])
def test_a_wider_prior_with_the_same_mean_lengthens_strikes(mode: str):
    """A mean-preserving spread of the strike-cost types (log-sd 0.05 to 0.6, mean 1):
    the union screens a wider belief, and the last deal comes later (200 seeds)."""
    narrow = median_last_deal(private("types.prior.spread=0.05"), mode)
    wide = median_last_deal(private("types.prior.spread=0.6"), mode)
    assert wide > narrow


WEEK_SCENARIOS = sorted(p.name for p in (ROOT / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("name", WEEK_SCENARIOS)
def test_every_shipped_strike_runs_with_private_information_in_every_mode(name: str):
    """Interim agreements, companion strikes, pattern deals, break-away: all with types."""
    spec = load_scenario(ROOT / "scenarios" / name, ["information=private", "types.common=0.5"])
    for mode in ("coalition", "separate", "pattern", "breakaway"):
        for record in run_seeds(spec, mode, [0, 1]):
            assert record["settlement_step"] is None or record["settlement_step"] >= 0


@pytest.mark.parametrize("mode", ["coalition", "separate"])
def test_the_float_bounds_hold_the_values_of_every_type_still_possible(mode: str):
    """`_bound` lets the union skip the type-by-type work: it must hold every such value."""
    spec = private("types.prior.spread=0.6", "types.common=0.5",
                   "coalition.rule=share_weighted")
    model = BargainingModel(spec, mode=mode, seed=5)
    info = model.information
    checked = 0
    for _ in range(30):
        model.advance()
        for table in model.open_tables():
            values, _ = info.values(table)
            alive, _ = info._belief(table)
            if alive.size == 0:
                continue
            assert info._bound(table, top=True) >= values[alive].max() - 1e-12
            assert info._bound(table, top=False) <= values[alive].min() + 1e-12
            checked += 1
    assert checked > 20


def test_member_by_member_tests_agree_with_the_bound():
    """`_any_above` and `_all_at_least` ask member by member and keep the least value
    once every member's is known: the answers are `_bound`'s, asked again or not."""
    model = BargainingModel(private("types.prior.spread=0.6"), mode="coalition", seed=5)
    info = model.information
    checked = 0
    for _ in range(30):
        model.advance()
        for table in model.open_tables():
            for top in (True, False):
                bound = info._bound(table, top)
                for shift in (-1e-3, -1e-10, 0.0, 1e-10, 1e-3, -1e-3, 0.0):
                    threshold = bound + shift
                    test = info._any_above if top else info._all_at_least
                    assert test(table, threshold) == info._holds(bound, top, threshold)
                    checked += 1
    assert checked > 100


@pytest.mark.parametrize("overrides", [
    ["types.common=0.5"],  # one prior for every company
    ["types.common=0.5", "types.presets.tech.spread=0.5", "types.companies.netflix.spread=0.1"],
])
def test_drawn_types_are_each_companys_quantile_of_its_own_draw(overrides: list[str]):
    """Companies of one prior share a `quantile` call: each type as if drawn alone."""
    from bargainsim import information

    spec = private(*overrides)
    drawn = information.draw_types(spec, np.random.default_rng(8))
    scores = np.random.default_rng(8).standard_normal((1, len(spec.company_names) + 1))
    u = information._uniforms(scores, spec.types.common)[0]
    alone = {c: float(information.quantile(information.prior_of(spec, c), u[i : i + 1])[0])
             for i, c in enumerate(spec.company_names)}
    assert drawn == alone
    assert len({id(information.prior_of(spec, c)) for c in spec.company_names}) == (
        1 if len(overrides) == 1 else 3)
