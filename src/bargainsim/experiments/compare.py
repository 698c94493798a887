"""Compare bargaining modes on one scenario over common seeds.

Every mode runs over the same seeds (seed i gives every mode the same random streams).
The industry settlement week is a survival time: runs that did not settle by the
horizon enter as censored, never dropped. Because censoring happens only at the
horizon, after every observed deal, the Kaplan-Meier estimate equals the empirical
distribution with censored runs placed beyond the horizon; medians are undefined when
half or more of the runs are censored. Differences get a paired bootstrap CI (seeds
resampled jointly, as the modes share them) and a log-rank test (scipy.stats.logrank),
Holm-adjusted across all pairs. The figures reported per mode, and the columns of the
text table, are those the outputs table declares (`bargainsim.outputs`).
"""

from __future__ import annotations

import itertools
import logging
import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from scipy import stats

from bargainsim.experiments.statistics import boot_medians, ci95, times
from bargainsim.outputs import compared, figures
from bargainsim.scenario import Mode, Scenario, dump, scenario_from_dict

logger = logging.getLogger(__name__)

BOOTSTRAP = 2000
ALPHA = 0.05
TIME = "settlement_step"  # the survival time the pairwise tests compare (an output)
MEDIAN = "median_settlement_step"  # its Kaplan-Meier median (a figure of that output)


def _work(task: tuple[dict[str, Any], str, list[int]]) -> list[dict[str, Any]]:
    """Worker: plain data in (scenario document, mode, seeds), plain records out."""
    from bargainsim.runner import run_seeds  # Mesa: imported where runs are made

    doc, mode, seeds = task
    return run_seeds(scenario_from_dict(doc), mode, seeds)  # type: ignore[arg-type]


def run_modes(
    spec: Scenario, modes: Sequence[Mode], seeds: Iterable[int], workers: int = 1
) -> dict[str, list[dict[str, Any]]]:
    """Records of every (mode, seed), in seed order whatever the number of workers."""
    from bargainsim.runner import run_seeds  # Mesa: imported where runs are made (not by
    # `summarize`, which only compares stored records)

    seeds = list(seeds)
    if workers <= 1:
        return {mode: run_seeds(spec, mode, seeds) for mode in modes}
    doc = dump(spec)
    size = max(1, len(seeds) * len(modes) // (workers * 8))  # seeds per task
    tasks = [(doc, mode, seeds[i:i + size]) for mode in modes for i in range(0, len(seeds), size)]
    from bargainsim.experiments.sweep import executor  # the sweep's pool: forked workers
    # that end with this process, garbage collection kept off what they share

    with executor("process", workers, None) as pool:
        assert pool is not None
        results = list(pool.map(_work, tasks))
    out: dict[str, list[dict[str, Any]]] = {m: [] for m in modes}
    for (_, mode, _), recs in zip(tasks, results, strict=True):
        out[mode].extend(recs)
    return out


def summarize_mode(rows: list[dict[str, Any]], idx: np.ndarray) -> dict[str, Any]:
    """Per-mode figures over runs, as the outputs table declares them.

    `rows` hold each run's compared values by output name (`outputs.compared`, or a
    sweep's rows); `idx` are the bootstrap resamples of seeds shared by every mode.
    """
    out: dict[str, Any] = {"runs": len(rows)}
    values: dict[str, list[Any]] = {}
    for output, figure in figures():
        if output.name not in values:
            values[output.name] = [r.get(output.name) for r in rows]
        out[figure.key] = figure.statistic(values[output.name], idx)
    return out


def _times(rows: list[dict[str, Any]]) -> np.ndarray:
    """The tested survival time of each run, censored runs as +inf."""
    return times([r.get(TIME) for r in rows])


def _logrank(a: np.ndarray, b: np.ndarray, horizon: float) -> float:
    def data(t: np.ndarray) -> stats.CensoredData:
        return stats.CensoredData(
            uncensored=t[np.isfinite(t)], right=np.full(int((~np.isfinite(t)).sum()), horizon)
        )

    if not np.isfinite(a).any() and not np.isfinite(b).any():
        return 1.0
    with np.errstate(invalid="ignore", divide="ignore"):  # no events: p is NaN -> 1
        p = float(stats.logrank(data(a), data(b)).pvalue)
    return 1.0 if math.isnan(p) else p


def holm(pvalues: Sequence[float]) -> list[float]:
    """Holm-Bonferroni adjusted p-values, in the input order."""
    m = len(pvalues)
    order = sorted(range(m), key=lambda i: pvalues[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * pvalues[i]))
        adjusted[i] = running
    return adjusted


def compare(
    records: dict[str, list[dict[str, Any]]], scenario: str, bootstrap: int = BOOTSTRAP
) -> dict[str, Any]:
    """Tables, pairwise comparisons and a verdict from every mode's run records."""
    horizon = float(next(iter(records.values()))[0]["horizon"])
    rows = {mode: [compared(r) for r in recs] for mode, recs in records.items()}
    return compare_rows(rows, horizon, scenario, bootstrap)


def compare_rows(
    rows: dict[str, list[dict[str, Any]]], horizon: float, scenario: str,
    bootstrap: int = BOOTSTRAP,
) -> dict[str, Any]:
    """`compare` from each run's compared values by output name (a sweep's rows hold them).

    Every mode's rows are in the same seed order (common random numbers).
    """
    modes = list(rows)
    n = len(next(iter(rows.values())))
    rng = np.random.default_rng(20230502)  # fixed: the same resamples for every call
    idx = rng.integers(0, n, size=(bootstrap, n))
    summary = {m: summarize_mode(rows[m], idx) for m in modes}
    pairs = list(itertools.combinations(modes, 2))
    raw = [_logrank(_times(rows[a]), _times(rows[b]), horizon) for a, b in pairs]
    adjusted = holm(raw)
    comparisons = []
    for (a, b), p_raw, p in zip(pairs, raw, adjusted, strict=True):
        ma, mb = summary[a][MEDIAN], summary[b][MEDIAN]
        entry: dict[str, Any] = {"a": a, "b": b, "p_value_raw": p_raw, "p_value": p}
        if ma is None or mb is None:
            undefined = [m for m, v in ((a, ma), (b, mb)) if v is None]
            entry.update(median_difference=None, ci95=None, sooner=None,
                         reason=f"median undefined for {', '.join(undefined)} "
                                "(half or more of the runs censored)")
        else:
            diff = boot_medians(_times(rows[a]), idx) - boot_medians(_times(rows[b]), idx)
            ci = ci95(diff)
            sooner = None
            if ci is not None and p < ALPHA and (ci[0] > 0 or ci[1] < 0):
                sooner = a if ci[1] < 0 else b
            entry.update(median_difference=ma - mb, ci95=ci, sooner=sooner)
        entry["sentence"] = _sentence(entry)
        comparisons.append(entry)
    return {
        "scenario": scenario,
        "seeds": n,
        "modes": summary,
        "comparisons": comparisons,
        "verdict": _verdict(comparisons, summary),
    }


def _p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _sentence(c: dict[str, Any]) -> str:
    if c["median_difference"] is None:
        return (f"{c['a']} vs {c['b']}: no median comparison ({c['reason']}); "
                f"log-rank {_p(c['p_value'])}")
    if c["sooner"] is None:
        ci = c["ci95"]
        ci_text = f"95% CI {ci[0]:g} to {ci[1]:g}" if ci else "CI undefined"
        return (f"{c['a']} vs {c['b']}: no clear difference (median difference "
                f"{c['median_difference']:+g} weeks, {ci_text}, {_p(c['p_value'])})")
    d = abs(c["median_difference"])
    lo, hi = sorted(abs(x) for x in c["ci95"])
    other = c["b"] if c["sooner"] == c["a"] else c["a"]
    return (f"{c['sooner']} settles sooner than {other}: median {d:g} weeks earlier "
            f"(95% CI {lo:g}-{hi:g}), {_p(c['p_value'])}")


def _verdict(comparisons: list[dict[str, Any]], summary: dict[str, Any]) -> str:
    """Name the modes that settle clearly sooner than some mode and later than none."""
    beats: dict[str, set[str]] = {m: set() for m in summary}
    beaten: set[str] = set()
    for c in comparisons:
        if c["sooner"]:
            loser = c["b"] if c["sooner"] == c["a"] else c["a"]
            beats[c["sooner"]].add(loser)
            beaten.add(loser)
    winners = [m for m in summary if beats[m] and m not in beaten]
    if not winners:
        return "no mode settles clearly sooner than another"
    if len(winners) == 1:
        return f"{winners[0]} settles sooner than {', '.join(sorted(beats[winners[0]]))}"
    losers = sorted(set().union(*(beats[m] for m in winners)))
    return (f"{', '.join(winners)} each settle sooner than {', '.join(losers)} "
            "(no clear order among them)")


def format_table(result: dict[str, Any]) -> str:
    """The comparison as plain text: a row per mode, a sentence per pair, the verdict.

    A column per figure of the outputs table (its label, width and format).
    """
    shown = [f for _, f in figures()]
    lines = [
        f"scenario {result['scenario']}: {result['seeds']} seeds per mode; industry settlement "
        "week (Kaplan-Meier, censored runs kept)",
        f"{'mode':<11}{'runs':>5}" + "".join(f.header() for f in shown),
    ]
    for mode, s in result["modes"].items():
        lines.append(f"{mode:<11}{s['runs']:>5}" + "".join(f.cell(s[f.key]) for f in shown))
    lines.append("(mean: over runs that settled; p90: 90th percentile; first: median first deal)")
    lines.append("")
    lines += [c["sentence"] for c in result["comparisons"]]
    lines.append("")
    lines.append(f"verdict: {result['verdict']}")
    return "\n".join(lines)
