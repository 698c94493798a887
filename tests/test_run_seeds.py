"""Several runs in one restarted model equal runs in fresh models, byte for byte."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bargainsim.model import BargainingModel
from bargainsim.runner import run, run_seeds
from bargainsim.scenario import MODES, load_scenario

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("path", "overrides"), [
    ("scenarios/wga_2023.yaml", []),
    ("scenarios/wga_2023.yaml", ["coalition.rule=share_weighted", "industry.model_spread=0.4"]),
    ("scenarios/streamer_heavy.yaml", []),
    ("benchmarks/pair.yaml", []),
    ("scenarios/classroom/rubinstein.yaml", []),
    ("scenarios/classroom/attrition.yaml", []),  # continuous: a fresh model for each seed
])
def test_run_seeds_equals_run_for_every_mode(path: str, overrides: list[str]) -> None:
    spec = load_scenario(ROOT / path, overrides)
    seeds = [5, 0, 5, 11, 3]  # repeated and out of order: nothing carries over
    for mode in MODES:
        batch = [json.dumps(r) for r in run_seeds(spec, mode, seeds)]
        assert batch == [json.dumps(run(spec, mode=mode, seed=s)) for s in seeds]


def test_a_restarted_model_is_the_fresh_model_of_its_seed() -> None:
    spec = load_scenario(ROOT / "scenarios" / "wga_2023.yaml")
    used = BargainingModel(spec, mode="breakaway", seed=1).run()  # companies left, tables made
    restarted = used.restart(7, trace=True)
    fresh = BargainingModel(spec, mode="breakaway", seed=7, trace=True)
    assert restarted.rng.bit_generator.state == fresh.rng.bit_generator.state
    assert restarted.random.getstate() == fresh.random.getstate()
    assert [a.unique_id for a in restarted.agents] == [a.unique_id for a in fresh.agents]
    assert (restarted.steps, restarted.t, restarted.deals, restarted.writers_back) == (0, 0, [], [])
    assert len(restarted.tables) == len(fresh.tables) and restarted.coalition is not None
    assert all(c.in_coalition and c.cum_loss == 0 for c in restarted.companies.values())
    restarted.run()
    fresh.run()
    assert restarted.trace_rows and json.dumps(restarted.trace_rows) == json.dumps(fresh.trace_rows)


def test_restart_is_refused_where_it_cannot_be_exact() -> None:
    attrition = BargainingModel(load_scenario(ROOT / "scenarios/classroom/attrition.yaml"))
    with pytest.raises(ValueError, match="restart"):
        attrition.run().restart(1)
    stepped = BargainingModel(load_scenario(ROOT / "scenarios/classroom/faratin.yaml"))
    stepped.step()  # Mesa's own clock has moved: its scheduled events would be off
    with pytest.raises(ValueError, match="restart"):
        stepped.restart(1)


def test_a_run_that_raises_is_reported_and_the_next_starts_afresh(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import bargainsim.runner as runner

    spec = load_scenario(ROOT / "scenarios" / "wga_2023.yaml")
    real = runner.record

    def flaky(model: BargainingModel) -> dict:
        if model.seed == 2:
            model.union.fund = -1.0  # leave the model half-changed, then fail
            raise RuntimeError("injected")
        return real(model)

    monkeypatch.setattr(runner, "record", flaky)
    results = list(runner.each_run(spec, "separate", [1, 2, 3]))
    assert [(s, e is None) for s, _, e in results] == [(1, True), (2, False), (3, True)]
    assert str(results[1][2]) == "injected"
    monkeypatch.setattr(runner, "record", real)
    assert [json.dumps(r) for _, r, _ in (results[0], results[2])] == [
        json.dumps(run(spec, mode="separate", seed=s)) for s in (1, 3)]
    with pytest.raises(RuntimeError, match="injected"):
        monkeypatch.setattr(runner, "record", flaky)
        runner.run_seeds(spec, "separate", [2])
