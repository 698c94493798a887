"""Several runs in one restarted model equal runs in fresh models, byte for byte."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pytest

from bargainsim.model import BargainingModel
from bargainsim.runner import record, run, run_seeds
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


def _state(agent: mesa.Agent) -> dict[str, object]:
    """An agent's attributes as plain values, other agents by id, its memos left out.

    A party's state memo belongs to a model revision (`Party.remembered`), new in every
    run; its utilities of read-only packages are pure (`Party.worth`), valid in any run.
    """
    skip = {"model", "_memo", "_memo_revision", "_worth"}
    return {k: _plain(v) for k, v in vars(agent).items() if k not in skip}


def _plain(value: object) -> object:
    if isinstance(value, mesa.Agent):
        return ("agent", value.unique_id)
    if isinstance(value, np.ndarray):
        return ("array", value.dtype.str, value.tolist())
    if isinstance(value, np.random.Generator):
        return value.bit_generator.state
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if type(value).__module__.startswith("bargainsim.agents"):  # a member population
        return {k: _plain(v) for k, v in vars(value).items()}
    return repr(value)


@pytest.mark.parametrize("mode", MODES)
def test_restart_sets_up_the_same_parties_as_a_fresh_model(mode: str) -> None:
    spec = load_scenario(ROOT / "scenarios" / "wga_2023.yaml")
    used = BargainingModel(spec, mode=mode, seed=1).run()
    before = list(used.agents)
    restarted = used.restart(7)
    fresh = BargainingModel(spec, mode=mode, seed=7)
    assert list(restarted.agents) == before  # the same objects, set up afresh
    assert [_state(a) for a in restarted.agents] == [_state(a) for a in fresh.agents]
    assert restarted.agent_id_counter == fresh.agent_id_counter


def test_restart_after_agents_were_added_builds_every_party_anew() -> None:
    spec = load_scenario(ROOT / "scenarios" / "wga_2023.yaml")
    used = BargainingModel(spec, mode="coalition", seed=1).run()
    stranger = mesa.Agent(used)
    restarted = used.restart(4)
    fresh = BargainingModel(spec, mode="coalition", seed=4)
    assert stranger not in restarted.agents
    assert [a.unique_id for a in restarted.agents] == [a.unique_id for a in fresh.agents]
    assert [_state(a) for a in restarted.agents] == [_state(a) for a in fresh.agents]
    assert json.dumps(record(restarted.run())) == json.dumps(record(fresh.run()))


def test_mesa_generators_after_restart_start_from_the_seed() -> None:
    spec = load_scenario(ROOT / "benchmarks" / "pair.yaml")
    model = BargainingModel(spec, seed=3).run()
    model.rng.random(5)  # used, then restarted
    model.restart(9)
    fresh = BargainingModel(spec, seed=9)
    assert model.rng.random(3).tolist() == fresh.rng.random(3).tolist()
    model.reset_rng()  # Mesa's own reset goes back to the seed's first state
    fresh.reset_rng()
    assert model.rng.bit_generator.state == fresh.rng.bit_generator.state
    model.rng = np.random.default_rng(1)  # Mesa's setter still works
    assert model.rng.bit_generator.state == np.random.default_rng(1).bit_generator.state


def test_party_memos_stay_bounded_across_runs() -> None:
    spec = load_scenario(ROOT / "benchmarks" / "pair.yaml")
    model = BargainingModel(spec, seed=0).run()
    union = model.union
    for i in range(500):  # packages that are not the model's own: a fresh object each time
        assert union.worth(np.full(1, i / 500)) == pytest.approx(i / 500)
    assert len(union.remembered()) <= 64
    model.restart(1)
    assert model.union is union and len(union.remembered()) <= 64


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


@pytest.mark.parametrize("seed", [-1, 1.5])
@pytest.mark.parametrize("path", ["benchmarks/pair.yaml", "scenarios/wga_2023.yaml"])
def test_a_seed_a_fresh_model_refuses_is_refused_by_restart_too(path: str, seed: Any) -> None:
    spec = load_scenario(ROOT / path)
    with pytest.raises((ValueError, TypeError)) as fresh:
        BargainingModel(spec, seed=seed)
    model = BargainingModel(spec, seed=0).run()
    with pytest.raises(type(fresh.value), match=re.escape(str(fresh.value))):
        model.restart(seed)
    with pytest.raises(type(fresh.value)):
        run_seeds(spec, None, [0, seed])
    # the refused restart left the model as it was: it restarts with a good seed as before
    assert json.dumps(record(model.restart(3).run())) == json.dumps(run(spec, seed=3))


def test_a_restart_that_failed_half_way_leaves_no_party_behind(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import bargainsim.model as model_module

    spec = load_scenario(ROOT / "scenarios" / "wga_2023.yaml")
    used = BargainingModel(spec, mode="coalition", seed=1).run()

    def broken(*args: object) -> None:
        raise RuntimeError("members could not be drawn")

    with monkeypatch.context() as patch:  # fails after the companies, before the union
        patch.setattr(model_module, "MemberPopulation", broken)
        with pytest.raises(RuntimeError, match="members"):
            used.restart(2)
    mesa.Agent(used)  # and then the model's agents change: every party is built anew
    restarted = used.restart(4)
    fresh = BargainingModel(spec, mode="coalition", seed=4)
    assert restarted.union in restarted.agents and restarted.coalition in restarted.agents
    assert [a.unique_id for a in restarted.agents] == [a.unique_id for a in fresh.agents]
    assert [_state(a) for a in restarted.agents] == [_state(a) for a in fresh.agents]
    assert restarted.agent_id_counter == fresh.agent_id_counter
