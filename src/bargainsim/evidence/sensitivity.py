"""Global sensitivity: how much each parameter moves mode A minus mode B (Morris, Sobol; SALib).

An experiment with a Morris or Sobol design (`bargainsim.experiments.design`) is run as a
sweep (the same Parquet shards, manifest and `--resume`; workers get plain data), then
analysed per design point over that point's common seeds: the difference A minus B of
the Kaplan-Meier medians of the last deal and of the share-weighted week, and of the
means of union utility and deadweight loss. Those per-point values are SALib's model
outputs. Two rules make every point count, both counted in the result: a median that is
undefined (half or more of the point's runs censored) is taken at the horizon (a lower
bound), and a mean no run has (no settled company) is replaced by the target's mean over
the other points. The rows on disk are sorted by (point, mode, seed) and SALib's
bootstrap is seeded, so the same experiment gives the same indices whatever the workers
or executor.

`sensitivity(model, parameters)` does the same for any Python callable (a toy model).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from bargainsim.errors import InputError, Problem
from bargainsim.experiments.compare import TESTED
from bargainsim.experiments.design import (
    Experiment,
    Plan,
    Sensitivity,
    salib_problem,
    salib_sample,
)
from bargainsim.experiments.statistics import km_quantile, survival
from bargainsim.experiments.storage import ResultStore
from bargainsim.outputs import get

Method = Literal["morris", "sobol"]
CONF = 0.95
MEDIANS = {"last_deal": TESTED[0], "weighted": TESTED[1]}  # target -> the measure it is
MEANS = ("union_utility", "deadweight_loss")
UNITS = {"last_deal": "weeks", "weighted": "weeks", "union_utility": "0-1",
         "deadweight_loss": "$M"}


def target_label(target: str, a: str, b: str) -> str:
    """What a target is, in words: `last deal: coalition minus separate (median weeks)`."""
    if target in MEDIANS:
        return f"{MEDIANS[target].name}: {a} minus {b} (KM median, weeks)"
    name = target.replace("_", " ")
    return f"{name}: {a} minus {b} (mean, {UNITS[target]})"


# ------------------------------------------------------------------ SALib's analysis


def indices(method: Method, problem: dict[str, Any], x: np.ndarray, y: np.ndarray,
            levels: int = 4, resamples: int = 1000, seed: int = 0) -> dict[str, Any]:
    """Morris (mu*, its CI, mu, sigma) or Sobol (S1, ST and their CIs) indices per parameter.

    Returns `{"indices": {name: {...}}, "ranking": [names, most influential first],
    "constant": bool}`; ranking by mu* (Morris) or ST (Sobol). A constant output has
    every index 0 (nothing moves it).
    """
    names = list(problem["names"])
    keys = (("mu_star", "mu_star_conf", "mu", "sigma") if method == "morris"
            else ("S1", "S1_conf", "ST", "ST_conf"))
    constant = bool(np.ptp(y) == 0)
    if constant:
        table = {n: dict.fromkeys(keys, 0.0) for n in names}
    else:
        from SALib.analyze import morris, sobol

        if method == "morris":
            si = morris.analyze(problem, x, y, num_resamples=resamples, conf_level=CONF,
                                num_levels=levels, seed=seed)
        else:
            si = sobol.analyze(problem, y, calc_second_order=False, num_resamples=resamples,
                               conf_level=CONF, seed=seed)
        table = {n: {k: _number(si[k][i]) for k in keys} for i, n in enumerate(names)}
    rank_by = "mu_star" if method == "morris" else "ST"
    ranking = sorted(names, key=lambda n: (-(table[n][rank_by] or 0.0), names.index(n)))
    return {"indices": table, "ranking": ranking, "constant": constant}


def _number(value: Any) -> float | None:
    value = float(value)
    return None if math.isnan(value) else value


def analyse(method: Method, problem: dict[str, Any], x: np.ndarray,
            outputs: Mapping[str, np.ndarray], levels: int = 4, resamples: int = 1000,
            seed: int = 0, labels: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Indices of every output over one sample: the result `sensitivity_figure` draws."""
    targets = {}
    for name, y in outputs.items():
        y = np.asarray(y, dtype=float)
        entry = indices(method, problem, x, y, levels, resamples, seed)
        targets[name] = {"label": (labels or {}).get(name, name), "mean": float(y.mean()),
                         "sd": float(y.std()), **entry}
    return {
        "method": method,
        "parameters": list(problem["names"]),
        "bounds": {n: list(b) for n, b in zip(problem["names"], problem["bounds"],
                                              strict=True)},
        "points": int(x.shape[0]),
        "confidence": CONF,
        "resamples": resamples,
        "levels": levels if method == "morris" else None,
        "targets": targets,
    }


# ------------------------------------------------------------------ any Python callable


def sensitivity(
    model: Callable[[dict[str, float], int], float | Mapping[str, float]],
    parameters: Mapping[str, tuple[float, float]],
    method: Method = "morris",
    samples: int = 20,
    levels: int = 4,
    seeds: int = 1,
    seed: int = 0,
    resamples: int = 1000,
) -> dict[str, Any]:
    """Morris or Sobol indices of a Python callable over bounded parameters.

    Args:
        model: `model(values, seed)` -> a number, or a mapping of output name to number;
            at each point its outputs are averaged over seeds 0..seeds-1.
        parameters: name -> (min, max).
        method: `morris` (samples = trajectories) or `sobol` (samples = base points, a
            power of 2; first and total order).
        samples: trajectories (Morris) or base samples (Sobol).
        levels: Morris's grid levels (even).
        seeds: runs per point, averaged.
        seed: the sample's and the bootstrap's seed.
        resamples: bootstrap resamples of the confidence intervals.

    Returns:
        The result as plain data (see `analyse`); `plots.sensitivity_figure` draws it.
    """
    if method not in ("morris", "sobol"):
        raise ValueError(f"method must be 'morris' or 'sobol', got {method!r}")
    names = list(parameters)
    problem = {"num_vars": len(names), "names": names,
               "bounds": [[float(lo), float(hi)] for lo, hi in parameters.values()]}
    x = salib_sample(problem, method, samples, levels, seed)
    sums: dict[str, np.ndarray] = {}
    for i, row in enumerate(x):
        values = dict(zip(names, (float(v) for v in row), strict=True))
        for s in range(seeds):
            out = model(values, s)
            got = dict(out) if isinstance(out, Mapping) else {"output": float(out)}
            for key, value in got.items():
                sums.setdefault(key, np.zeros(len(x)))[i] += float(value) / seeds
    result = analyse(method, problem, x, sums, levels, resamples, seed)
    result.update(seeds=seeds)
    return result


# ------------------------------------------------------------------ an experiment


def run_experiment(plan: Plan, out: str | Path, workers: int = 1, kind: str = "process",
                   address: str | None = None, resume: bool = False,
                   flush_seconds: float = 5.0) -> dict[str, Any]:
    """Run a Morris or Sobol experiment into a results folder (as `sweep`) and analyse it."""
    from bargainsim.experiments.sweep import run_sweep

    _check_design(plan.experiment, plan.source)
    run_sweep(plan, out, workers=workers, kind=kind, address=address,  # type: ignore[arg-type]
              resume=resume, flush_seconds=flush_seconds)
    return analyse_folder(out, plan.experiment.analysis())


def _check_design(exp: Experiment, source: str) -> None:
    if exp.design.kind not in ("morris", "sobol"):
        raise InputError(source, [Problem(
            "design.kind", f"a sensitivity analysis needs a Morris or Sobol design, not "
            f"{exp.design.kind} (design: {{kind: morris, trajectories: N}} or {{kind: sobol, "
            "samples: N}})")])


def analyse_folder(folder: str | Path, settings: Sensitivity | None = None) -> dict[str, Any]:
    """Indices from a finished Morris or Sobol results folder.

    `settings` (targets, modes, bootstrap) default to the stored experiment's.

    Raises:
        InputError: not such a folder, another design, or runs still missing.
    """
    store = ResultStore(folder)
    manifest = store.manifest()
    stored = store.experiment()
    exp = Experiment.model_validate(stored["experiment"])
    _check_design(exp, str(folder))
    sens = settings or exp.analysis()
    a, b = sens.modes or exp.modes[:2]
    table = store.table()
    if table.num_rows < manifest["total_runs"]:
        raise InputError(str(folder), [Problem("shards", (
            f"{table.num_rows:,} of {manifest['total_runs']:,} runs on disk; Morris and "
            "Sobol need every point: finish with the same command and --resume"))])
    points = stored["points"]
    values, notes = point_values(table.to_pylist(), len(points), (a, b), sens.targets,
                                 float(manifest["horizon"]))
    problem = salib_problem(exp)
    x = np.array([[p[n] for n in problem["names"]] for p in points], dtype=float)
    labels = {t: target_label(t, a, b) for t in sens.targets}
    result = analyse(exp.design.kind, problem, x, values,  # type: ignore[arg-type]
                     exp.design.levels or 4, sens.resamples, sens.seed, labels)
    for target, note in notes.items():
        result["targets"][target].update(note)
        result["targets"][target]["values"] = [_number(v) for v in values[target]]
    result.update(experiment=exp.name, folder=str(folder), modes=[a, b],
                  seeds=exp.seeds, runs=table.num_rows, design=exp.design.model_dump())
    return result


def point_values(rows: Sequence[dict[str, Any]], points: int, modes: tuple[str, str],
                 targets: Sequence[str], horizon: float
                 ) -> tuple[dict[str, np.ndarray], dict[str, dict[str, int]]]:
    """Per point and target, mode A minus mode B over the point's common seeds.

    A seed counts at a point when its runs in both modes are ok. Returns the values and,
    per target, how many points took the horizon for an undefined median
    (`censored_medians`) or the mean of the other points (`imputed`).
    """
    a, b = modes
    by_point: dict[int, dict[tuple[str, int], dict[str, Any]]] = defaultdict(dict)
    for r in rows:
        if r["status"] == "ok" and r["mode"] in modes:
            by_point[r["point"]][(r["mode"], r["seed"])] = r
    values = {t: np.full(points, np.nan) for t in targets}
    notes = {t: {"censored_medians": 0, "imputed": 0} for t in targets}
    for p in range(points):
        index = by_point.get(p, {})
        seeds = sorted(s for m, s in index if m == a and (b, s) in index)
        runs = {m: [index[(m, s)] for s in seeds] for m in modes}
        for t in targets:
            if not seeds:
                continue
            if t in MEDIANS:
                ma, ca = _median(runs[a], MEDIANS[t].output, horizon)
                mb, cb = _median(runs[b], MEDIANS[t].output, horizon)
                notes[t]["censored_medians"] += int(ca or cb)
                values[t][p] = ma - mb
            else:
                xa = [r.get(t) for r in runs[a] if r.get(t) is not None]
                xb = [r.get(t) for r in runs[b] if r.get(t) is not None]
                if xa and xb:
                    values[t][p] = float(np.mean(xa)) - float(np.mean(xb))
    for t in targets:
        missing = np.isnan(values[t])
        notes[t]["imputed"] = int(missing.sum())
        if missing.all():
            raise InputError("sensitivity", [Problem(t, (
                f"no design point has a value of {t} in both {a} and {b}"))])
        values[t][missing] = float(values[t][~missing].mean())
    return values, notes


def _median(runs: list[dict[str, Any]], output: str, horizon: float) -> tuple[float, bool]:
    """A survival time's Kaplan-Meier median over runs, and whether it was undefined.

    Undefined (half or more censored): the horizon, a lower bound.
    """
    event = get(output).event
    t, e = survival([(r.get(output), r.get(event) if event else True) for r in runs])
    median = km_quantile(t, 0.5, e)
    return (horizon, True) if median is None else (median, False)


# ------------------------------------------------------------------ text


def format_sensitivity(result: dict[str, Any], top: int = 5) -> str:
    """Per target: the parameters ranked, with their indices and 95% intervals."""
    method = result["method"]
    head = (f"{result.get('experiment', 'model')}: {method} over {result['points']:,} points"
            + (f", {result['seeds']} seeds per point" if result.get("seeds") else ""))
    lines = [head]
    if method == "morris":
        lines.append("mu*: mean absolute elementary effect (output change over the parameter's "
                     "whole range), 95% bootstrap CI; sigma: spread of the effects "
                     "(interactions, non-linearity)")
    else:
        lines.append("S1: first-order Sobol index (share of variance alone), ST: total order "
                     "(with interactions); 95% bootstrap CIs")
    for t in result["targets"].values():
        lines += ["", f"{t['label']}: mean {t['mean']:.4g}, sd {t['sd']:.4g}"]
        notes = []
        if t.get("censored_medians"):
            notes.append(f"{_points(t['censored_medians'])} with a median undefined, taken "
                         "at the horizon")
        if t.get("imputed"):
            notes.append(f"{_points(t['imputed'])} without a value, given the mean")
        if t["constant"]:
            notes.append("constant over the design: no parameter moves it")
        if notes:
            lines.append("  (" + "; ".join(notes) + ")")
        for rank, param in enumerate(t["ranking"][:top], 1):
            lines.append(f"  {rank}. {param:<36} {_cells(method, t['indices'][param])}")
    return "\n".join(lines)


def _points(n: int) -> str:
    return f"{n} point" if n == 1 else f"{n} points"


def _cells(method: str, ix: dict[str, float | None]) -> str:
    def f(v: float | None) -> str:
        return "nan" if v is None else f"{v:.3g}"

    if method == "morris":
        return (f"mu* {f(ix['mu_star'])} ± {f(ix['mu_star_conf'])}   mu {f(ix['mu'])}   "
                f"sigma {f(ix['sigma'])}")
    return (f"S1 {f(ix['S1'])} ± {f(ix['S1_conf'])}   ST {f(ix['ST'])} ± "
            f"{f(ix['ST_conf'])}")
