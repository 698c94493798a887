"""sensitivity: Morris and Sobol find a planted effect; experiments, folders, figures, errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bargainsim.evidence.sensitivity import analyse_folder, format_sensitivity, sensitivity
from bargainsim.experiments.design import load_experiment
from bargainsim.experiments.sweep import run_sweep
from bargainsim.plots.sensitivity import sensitivity_figure

ROOT = Path(__file__).resolve().parents[1]
WGA = ROOT / "scenarios" / "wga_2023.yaml"
PARAMS = {"a": (0.0, 1.0), "b": (0.0, 1.0), "c": (0.0, 1.0)}


def planted(values: dict[str, float], seed: int) -> dict[str, float]:
    """`a` drives `y` ten times as much as `b`; `c` drives only `z`; a little seed noise."""
    noise = np.random.default_rng(seed).normal(0, 0.05)
    return {"y": 10 * values["a"] + values["b"] + noise, "z": values["c"] ** 2}


@pytest.mark.parametrize(("method", "samples"), [("morris", 20), ("sobol", 128)])
def test_the_planted_parameter_ranks_first(method: str, samples: int) -> None:
    result = sensitivity(planted, PARAMS, method=method, samples=samples, seeds=2, seed=3)
    y, z = result["targets"]["y"], result["targets"]["z"]
    assert y["ranking"] == ["a", "b", "c"]
    assert z["ranking"][0] == "c"
    if method == "morris":
        assert y["indices"]["a"]["mu_star"] == pytest.approx(10, rel=0.02)
        assert y["indices"]["b"]["mu_star"] == pytest.approx(1, rel=0.05)
        assert y["indices"]["c"]["mu_star"] == pytest.approx(0, abs=1e-9)
        assert result["points"] == samples * 4
    else:
        assert y["indices"]["a"]["S1"] > 0.8 and y["indices"]["a"]["ST"] > 0.8
        assert y["indices"]["c"]["ST"] == pytest.approx(0, abs=1e-9)
        assert result["points"] == samples * 5
    json.dumps(result)  # plain data
    assert "1. a" in format_sensitivity(result)


def test_same_seed_same_indices_and_a_constant_output_moves_nothing() -> None:
    def flat(values: dict[str, float], seed: int) -> float:
        return 1.0

    first = sensitivity(planted, PARAMS, samples=10, seed=5)
    assert sensitivity(planted, PARAMS, samples=10, seed=5) == first
    const = sensitivity(flat, PARAMS, samples=10)["targets"]["output"]
    assert const["constant"] and all(ix["mu_star"] == 0 for ix in const["indices"].values())


def bars(ax: Any) -> dict[str, float]:
    """Bar widths by y tick label (the bars of one series, drawn first)."""
    labels = [t.get_text() for t in ax.get_yticklabels()]
    patches = ax.patches[: len(labels)]
    by_y = {round(p.get_y() + p.get_height() / 2): p.get_width() for p in patches}
    ticks = [round(v) for v in ax.get_yticks()]
    return {label: by_y[t] for label, t in zip(labels, ticks, strict=True)}


@pytest.mark.parametrize(("method", "key"), [("morris", "mu_star"), ("sobol", "S1")])
def test_the_figure_draws_each_targets_indices_with_intervals(method: str, key: str) -> None:
    result = sensitivity(planted, PARAMS, method=method, samples=16 if method == "morris"
                         else 64, seed=1)
    fig = sensitivity_figure(result)
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in panels] == ["y", "z"]
    for ax, target in zip(panels, result["targets"].values(), strict=True):
        drawn = bars(ax)
        assert drawn == pytest.approx({p: target["indices"][p][key] for p in PARAMS})
        # an error bar per parameter: its half-width is the index's confidence interval
        caps = [c for c in ax.containers if getattr(c, "has_xerr", False)]
        segments = caps[0].lines[2][0].get_segments()
        widths = sorted(round((s[1][0] - s[0][0]) / 2, 9) for s in segments)
        assert widths == pytest.approx(sorted(target["indices"][p][f"{key}_conf"]
                                              for p in PARAMS), abs=1e-8)
    texts = {t.get_text() for t in fig.legends[0].get_texts()}
    assert texts == ({"mu* (95% CI)", "sigma"} if method == "morris" else
                     {"S1, first order (95% CI)", "ST, total order (95% CI)"})
    title = {"morris": "Morris screening", "sobol": "Sobol indices"}[method]
    assert fig.get_suptitle().startswith(f"{title}: model, ")


# ------------------------------------------------------------------ experiments

SMALL = """\
name: small_morris
parameters:
  industry.model_spread: {min: 0, max: 1}
  talks.resume_probability: {min: 0.06, max: 0.32}
  parties.wga.strike_fund: {min: 0, max: 100}
design: {kind: morris, trajectories: 4, levels: 4, seed: 7}
modes: [coalition, separate]
seeds: 6
outputs: [union_utility, deadweight_loss]
"""


def experiment(tmp_path: Path, text: str, name: str = "exp.yaml") -> Path:
    path = tmp_path / name
    path.write_text(f"scenario: {WGA}\n" + text)
    return path


def toy_run(spec: Any, mode: str, seed: int) -> dict[str, Any]:
    """A stand-in for the model: coalition's last deal moves with model_spread alone."""
    spread = spec.industry.model_spread
    step = 10 + (20 * spread if mode == "coalition" else 0) + seed % 3
    return {"settled": True, "settlement_step": step, "first_deal_step": step,
            "writers_back": True, "weighted_settlement_step": step,
            "union_utility": 0.5 + (0.3 * spec.talks.resume_probability if mode == "separate"
                                    else 0),
            "deadweight_loss": 1000.0 + seed}


@pytest.mark.parametrize("kind", ["morris: {kind: morris, trajectories: 6, levels: 4, seed: 1}",
                                  "sobol: {kind: sobol, samples: 16, seed: 1}"])
def test_a_planted_effect_in_a_results_folder_ranks_first(tmp_path: Path, kind: str) -> None:
    design = kind.split(": ", 1)[1]
    text = SMALL.replace("design: {kind: morris, trajectories: 4, levels: 4, seed: 7}",
                         f"design: {design}")
    plan = load_experiment(experiment(tmp_path, text))
    run_sweep(plan, tmp_path / "out", runner=toy_run)
    result = analyse_folder(tmp_path / "out")
    targets = result["targets"]
    assert targets["last_deal"]["ranking"][0] == "industry.model_spread"
    assert targets["weighted"]["ranking"][0] == "industry.model_spread"
    assert targets["union_utility"]["ranking"][0] == "talks.resume_probability"
    assert targets["deadweight_loss"]["constant"]
    # coalition minus separate: 20 x spread at each point, over its common seeds
    spreads = [p["industry.model_spread"] for p in plan.points]
    assert targets["last_deal"]["values"] == pytest.approx([20 * s for s in spreads])
    assert targets["last_deal"]["label"] == ("last deal: coalition minus separate (KM median, "
                                             "weeks)")


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bargainsim", *args], capture_output=True,
                          text=True, timeout=600)


def test_cli_writes_json_and_figure_resumes_and_matches_workers(tmp_path: Path) -> None:
    exp = experiment(tmp_path, SMALL)
    one = cli("sensitivity", str(exp), "--workers", "1", "--out", str(tmp_path / "one"))
    assert one.returncode == 0, one.stderr
    assert "last deal: coalition minus separate" in one.stdout
    result = json.loads((tmp_path / "one" / "sensitivity.json").read_text())
    assert result["method"] == "morris" and result["points"] == 4 * 4
    assert set(result["targets"]) == {"last_deal", "weighted", "union_utility",
                                      "deadweight_loss"}
    for target in result["targets"].values():
        assert sorted(target["ranking"]) == sorted(result["parameters"])
        assert len(target["values"]) == result["points"]
    png = (tmp_path / "one" / "sensitivity.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
    two = cli("sensitivity", str(exp), "--workers", "2", "--json", "--out", str(tmp_path / "two"))
    assert two.returncode == 0, two.stderr
    same = json.loads(two.stdout)
    assert same["targets"] == result["targets"]
    # a finished folder: --resume runs nothing and gives the same indices
    again = cli("sensitivity", str(exp), "--resume", "--json", "--out", str(tmp_path / "one"))
    assert again.returncode == 0 and json.loads(again.stdout)["targets"] == result["targets"]
    refused = cli("sensitivity", str(exp), "--out", str(tmp_path / "one"))
    assert refused.returncode == 2 and "add --resume" in refused.stderr


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (SMALL.replace("trajectories: 4, ", ""),
         "design.trajectories (line 7): a Morris design needs the number of trajectories"),
        (SMALL.replace("{kind: morris, trajectories: 4, levels: 4, seed: 7}",
                       "{kind: sobol, samples: 12}"),
         "design.samples (line 7): a Sobol design needs a power of 2 of at least 2 (got 12)"),
        (SMALL.replace("levels: 4", "levels: 3"), "design.levels (line 7): Morris's levels "
         "must be even"),
        (SMALL.replace("{min: 0, max: 1}", "{values: [0, 1]}"),
         "parameters.industry.model_spread (line 4): a Morris design needs min and max bounds"),
        (SMALL + "sensitivity: {modes: [coalition, pattern]}\n",
         "sensitivity (line 11): mode 'pattern' is not among the modes run"),
        (SMALL + "sensitivity: {targets: [last_deal, speed]}\n",
         "sensitivity.targets.1 (line 11): Input should be 'last_deal', 'weighted'"),
        (SMALL.replace("outputs: [union_utility, deadweight_loss]", "outputs: []")
         + "sensitivity: {targets: [union_utility]}\n",
         "sensitivity (line 11): the target union_utility needs union_utility among the outputs"),
        (SMALL + "sensitivity: {resample: 10}\n", "sensitivity.resample (line 11): unknown key"),
        (SMALL.replace("modes: [coalition, separate]", "modes: [coalition]"),
         "modes (line 8): a sensitivity analysis compares two modes"),
    ],
)
def test_bad_experiment_files_exit_2_with_file_key_and_line(tmp_path: Path, text: str,
                                                            expected: str) -> None:
    exp = experiment(tmp_path, text)
    proc = cli("sensitivity", str(exp), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2, proc.stderr
    assert f"{exp}: {expected}" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()


def test_a_sweep_design_is_refused_naming_the_shipped_ones(tmp_path: Path) -> None:
    proc = cli("sensitivity", "lhs_industry", "--out", str(tmp_path / "out"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "lhs_industry.yaml: design.kind: bargainsim sensitivity needs a Morris or Sobol " \
           "design, not lhs" in proc.stderr
    assert "sensitivity_morris, sensitivity_sobol" in proc.stderr


def test_the_shipped_experiments_are_valid_and_their_budgets_as_stated() -> None:
    morris = load_experiment(ROOT / "experiments" / "sensitivity_morris.yaml")
    sobol = load_experiment(ROOT / "experiments" / "sensitivity_sobol.yaml")
    lhs = load_experiment(ROOT / "experiments" / "lhs_industry.yaml")
    assert morris.parameters == sobol.parameters == lhs.parameters
    assert morris.total_runs == 4_160 and sobol.total_runs == 14_336
    assert morris.experiment.analysis().modes == ["coalition", "separate"]


def test_an_unfinished_folder_is_refused_then_resumed_to_the_same_indices(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    from bargainsim.errors import InputError
    from bargainsim.evidence.sensitivity import run_experiment
    from bargainsim.experiments.storage import ResultStore

    plan = load_experiment(experiment(tmp_path, SMALL))
    whole = run_experiment(plan, tmp_path / "out")
    store = ResultStore(tmp_path / "out")
    table = store.table()
    for shard in store.shard_files():
        shard.unlink()
    pq.write_table(table.slice(0, table.num_rows - 10), store.shards / "part-000000.parquet")
    with pytest.raises(InputError, match="182 of 192 runs on disk; Morris and Sobol need every "
                       "point: finish with the same command and --resume"):
        analyse_folder(tmp_path / "out")
    resumed = run_experiment(plan, tmp_path / "out", resume=True)
    assert resumed["targets"] == whole["targets"]


def test_a_dask_cluster_gives_the_same_indices(tmp_path: Path) -> None:
    from bargainsim.evidence.sensitivity import run_experiment

    plan = load_experiment(experiment(tmp_path, SMALL))
    local = run_experiment(plan, tmp_path / "process", workers=2)
    dask = run_experiment(plan, tmp_path / "dask", workers=2, kind="dask")
    assert dask["targets"] == local["targets"]
