"""Compare bargaining modes on one scenario over common seeds, by two measures.

Every mode runs over the same seeds (seed i gives every mode the same random streams).
Two survival times are compared (`TESTED`): the last deal (industry back: the week the
last company settled, `settlement_step`) and the share-weighted week (writers back:
companies' back weeks weighted by starting market share, `weighted_settlement_step`).
Runs without the event by the horizon enter as censored, never dropped: a last deal at
the horizon, a share-weighted week at its value with the horizon for companies never back
(a lower bound, so possibly before other runs' events: the Kaplan-Meier product-limit
estimate handles that; with censoring only after every event it equals the empirical
distribution with censored runs beyond the horizon). Medians are undefined when half or
more of the runs are censored. Differences get a paired bootstrap CI (seeds resampled
jointly, as the modes share them) and a log-rank test (scipy.stats.logrank),
Holm-adjusted across the pairs of each measure. The verdict of each measure is built from
its pairwise comparisons alone, so it never says more or less than they do. The figures
reported per mode, and the columns of the text table, are those the outputs table
declares (`bargainsim.outputs`).
"""

from __future__ import annotations

import itertools
import logging
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from bargainsim.experiments.statistics import boot_medians, ci95, survival
from bargainsim.outputs import Output, compared, figures, get
from bargainsim.scenario import Mode, Scenario, dump, scenario_from_dict

logger = logging.getLogger(__name__)

BOOTSTRAP = 2000
ALPHA = 0.05


@dataclass(frozen=True)
class Tested:
    """A survival time compare tests pairwise, and the keys its results go under."""

    output: str  # the time: an output with an event indicator
    median: str  # the key of its Kaplan-Meier median figure
    ci: str  # the key of its median's bootstrap CI figure
    suffix: str  # results under `comparisons{suffix}` and `verdict{suffix}`
    name: str  # how a statement names the measure
    back: str  # who is back when it ends
    meaning: str  # what it is, for the headings
    digits: int | None = None  # weeks in sentences rounded to this many decimals (None: as is)

    def title(self, long: bool = False) -> str:
        """`name (back)`, with the meaning when long."""
        return f"{self.name} ({self.back}: {self.meaning})" if long else (
            f"{self.name} ({self.back})")

    def weeks(self, value: float) -> float:
        """A number of weeks as statements show it (rounded to `digits`)."""
        return value if self.digits is None else round(value, self.digits) + 0.0  # no -0


TESTED: tuple[Tested, ...] = (
    Tested("settlement_step", "median_settlement_step", "median_ci95", "", "last deal",
           "industry back", "the week the last company settled"),
    Tested("weighted_settlement_step", "median_weighted_settlement_step",
           "weighted_median_ci95", "_weighted", "share-weighted week", "writers back",
           "companies' back weeks weighted by starting market share", digits=2),
)
TIME = TESTED[0].output  # the last deal's survival time (an output)
MEDIAN = TESTED[0].median  # its Kaplan-Meier median (a figure of that output)


def _work(task: tuple[dict[str, Any], str, list[int]]) -> list[dict[str, Any]]:
    """Worker: plain data in (scenario document, mode, seeds), plain records out."""
    from bargainsim.runner import run_seeds  # Mesa: imported where runs are made

    doc, mode, seeds = task
    return run_seeds(scenario_from_dict(doc), mode, seeds)  # type: ignore[arg-type]


def run_modes(
    spec: Scenario, modes: Sequence[Mode], seeds: Iterable[int], workers: int = 1,
    posterior: Any = None, fixed: Sequence[str] = (),
) -> dict[str, list[dict[str, Any]]]:
    """Records of every (mode, seed), in seed order whatever the number of workers.

    With a posterior (`evidence.posterior`), seed i runs the scenario with the particle it
    draws, in every mode; the paths in `fixed` (`--set`) keep the scenario's values.
    """
    from bargainsim.runner import run_seeds  # Mesa: imported where runs are made (not by
    # `summarize`, which only compares stored records)

    seeds = list(seeds)
    doc = dump(spec)
    if posterior is not None:
        posterior.check(doc, spec.name)
        groups = [(posterior.document(doc, i, fixed, spec.name), group)
                  for i, group in posterior.groups(seeds).items()]
    else:
        groups = [(doc, seeds)]
    if workers <= 1 and posterior is None:
        return {mode: run_seeds(spec, mode, seeds) for mode in modes}
    size = max(1, len(seeds) * len(modes) // (workers * 8))  # seeds per task
    tasks = [(d, mode, group[i:i + size]) for mode in modes for d, group in groups
             for i in range(0, len(group), size)]
    if workers <= 1:
        results = [_work(task) for task in tasks]
    else:
        from bargainsim.experiments.sweep import executor  # the sweep's pool: forked
        # workers that end with this process, garbage collection kept off what they share

        with executor("process", workers, None) as pool:
            assert pool is not None
            results = list(pool.map(_work, tasks))
    out: dict[str, list[dict[str, Any]]] = {m: [] for m in modes}
    for (_, mode, _), recs in zip(tasks, results, strict=True):
        out[mode].extend(recs)
    order = {s: k for k, s in enumerate(seeds)}
    for mode in modes:
        out[mode].sort(key=lambda rec: order[rec["seed"]])
    return out


def _values(rows: list[dict[str, Any]], output: Output) -> list[Any]:
    """An output's values over the runs; `(time, event)` pairs for a survival time."""
    if output.event:
        return [(r.get(output.name), r.get(output.event)) for r in rows]
    return [r.get(output.name) for r in rows]


def has_column(rows: list[dict[str, Any]], name: str) -> bool:
    """Whether the runs' rows hold a column (a sweep keeps only some; older ones fewer)."""
    return any(name in r for r in rows)


def summarize_mode(rows: list[dict[str, Any]], idx: np.ndarray) -> dict[str, Any]:
    """Per-mode figures over runs, as the outputs table declares them.

    `rows` hold each run's compared values by output name (`outputs.compared`, or a
    sweep's rows); `idx` are the bootstrap resamples of seeds shared by every mode. A
    figure of a column the rows do not hold is None.
    """
    out: dict[str, Any] = {"runs": len(rows)}
    values: dict[str, list[Any] | None] = {}
    for output, figure in figures():
        if output.name not in values:
            values[output.name] = (_values(rows, output) if has_column(rows, output.name)
                                   else None)
        column = values[output.name]
        out[figure.key] = None if column is None else figure.statistic(column, idx)
    return out


def _survival(rows: list[dict[str, Any]], name: str) -> tuple[np.ndarray, np.ndarray]:
    """A survival time's times and event flags over the runs (see `statistics.survival`)."""
    return survival(_values(rows, get(name)))


def _logrank(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray],
             horizon: float) -> float:
    """Log-rank p-value of two samples of (times, events).

    A censored run is censored at its time, or at the horizon when that is +inf.
    """
    def data(t: np.ndarray, e: np.ndarray) -> stats.CensoredData:
        return stats.CensoredData(uncensored=t[e], right=np.where(np.isfinite(t[~e]),
                                                                  t[~e], horizon))

    if not a[1].any() and not b[1].any():
        return 1.0
    with np.errstate(invalid="ignore", divide="ignore"):  # no events: p is NaN -> 1
        p = float(stats.logrank(data(*a), data(*b)).pvalue)
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
    result: dict[str, Any] = {"scenario": scenario, "seeds": n, "modes": summary}
    for tested in TESTED:
        if all(has_column(r, tested.output) for r in rows.values()):
            comparisons = pairwise(rows, summary, tested, horizon, idx)
            verdict = _verdict(comparisons, modes)
        else:  # a sweep's rows from before the measure existed
            comparisons, verdict = [], (f"not compared: the runs have no {tested.output} "
                                        "(rows from an older version)")
        result[f"comparisons{tested.suffix}"] = comparisons
        result[f"verdict{tested.suffix}"] = verdict
    return result


def pairwise(
    rows: dict[str, list[dict[str, Any]]], summary: dict[str, dict[str, Any]], tested: Tested,
    horizon: float, idx: np.ndarray,
) -> list[dict[str, Any]]:
    """Every pair of modes compared on one survival time.

    Per pair: the median difference with a paired bootstrap CI, the Holm-adjusted
    log-rank p, the sooner mode (None unless both are clear) and a sentence.
    """
    pairs = list(itertools.combinations(rows, 2))
    data = {m: _survival(rows[m], tested.output) for m in rows}
    raw = [_logrank(data[a], data[b], horizon) for a, b in pairs]
    adjusted = holm(raw)
    comparisons = []
    for (a, b), p_raw, p in zip(pairs, raw, adjusted, strict=True):
        ma, mb = summary[a][tested.median], summary[b][tested.median]
        entry: dict[str, Any] = {"a": a, "b": b, "p_value_raw": p_raw, "p_value": p}
        if ma is None or mb is None:
            undefined = [m for m, v in ((a, ma), (b, mb)) if v is None]
            entry.update(median_difference=None, ci95=None, sooner=None,
                         reason=f"median undefined for {', '.join(undefined)} "
                                "(half or more of the runs censored)")
        else:
            (ta, ea), (tb, eb) = data[a], data[b]
            diff = boot_medians(ta, idx, ea) - boot_medians(tb, idx, eb)
            ci = ci95(diff)
            sooner = None
            if ci is not None and p < ALPHA and (ci[0] > 0 or ci[1] < 0):
                sooner = a if ci[1] < 0 else b
            entry.update(median_difference=ma - mb, ci95=ci, sooner=sooner)
        entry["sentence"] = _sentence(entry, tested)
        entry["measure"] = tested.name
        comparisons.append(entry)
    return comparisons


def _p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _sentence(c: dict[str, Any], tested: Tested = TESTED[0]) -> str:
    """The comparison of a pair as one sentence (weeks as the measure shows them)."""
    w = tested.weeks
    if c["median_difference"] is None:
        return (f"{c['a']} vs {c['b']}: no median comparison ({c['reason']}); "
                f"log-rank {_p(c['p_value'])}")
    if c["sooner"] is None:
        ci = c["ci95"]
        ci_text = f"95% CI {w(ci[0]):g} to {w(ci[1]):g}" if ci else "CI undefined"
        return (f"{c['a']} vs {c['b']}: no clear difference (median difference "
                f"{w(c['median_difference']):+g} weeks, {ci_text}, {_p(c['p_value'])})")
    d = w(abs(c["median_difference"]))
    lo, hi = sorted(w(abs(x)) for x in c["ci95"])
    other = c["b"] if c["sooner"] == c["a"] else c["a"]
    return (f"{c['sooner']} settles sooner than {other}: median {d:g} weeks earlier "
            f"(95% CI {lo:g}-{hi:g}), {_p(c['p_value'])}")


Pair = frozenset[str]


def relation(
    comparisons: Sequence[dict[str, Any]],
) -> tuple[set[tuple[str, str]], list[tuple[str, str]], list[tuple[str, str]]]:
    """What the pairwise lines say: (sooner, later) pairs, ties and pairs not compared.

    A tie is a pair with no clear difference (medians defined, CI or p not clear); a pair
    not compared has a median undefined (half or more censored). Ties and pairs not
    compared are (a, b) in the comparisons' order.
    """
    sooner: set[tuple[str, str]] = set()
    ties: list[tuple[str, str]] = []
    undefined: list[tuple[str, str]] = []
    for c in comparisons:
        if c["sooner"]:
            sooner.add((c["sooner"], c["b"] if c["sooner"] == c["a"] else c["a"]))
        elif c["median_difference"] is None:
            undefined.append((c["a"], c["b"]))
        else:
            ties.append((c["a"], c["b"]))
    return sooner, ties, undefined


def tiers(modes: Sequence[str], sooner: set[tuple[str, str]]) -> list[list[str]] | None:
    """The modes in groups, soonest first, when the clear differences order them so.

    Each group is the modes no remaining mode is clearly sooner than; the grouping holds
    only when every mode of a group is clearly sooner than every mode of each later group
    (a weak order; within a group no pair is clear). None when it does not (or a cycle).
    """
    remaining = list(modes)
    groups: list[list[str]] = []
    while remaining:
        top = [m for m in remaining if not any((w, m) in sooner for w in remaining)]
        if not top:
            return None
        groups.append(top)
        remaining = [m for m in remaining if m not in top]
    for i, group in enumerate(groups):
        for later in groups[i + 1:]:
            if any((a, b) not in sooner for a in group for b in later):
                return None
    return groups


def _and(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _or(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def _vs(pairs: Sequence[tuple[str, str]]) -> str:
    return ", ".join(f"{a} vs {b}" for a, b in pairs)


def _notes(ties: Sequence[tuple[str, str]], undefined: Sequence[tuple[str, str]],
           group: Sequence[str] | None = None) -> list[str]:
    """Ties and pairs not compared, as verdict notes (within a group: named as a group)."""
    if group is not None and len(ties) == len(group) * (len(group) - 1) // 2:
        word = "between" if len(group) == 2 else "among"
        return [f"no clear difference {word} {_and(group)}"]
    notes = [f"no clear difference: {_vs(ties)}"] if ties else []
    return notes + ([f"no median comparison: {_vs(undefined)}"] if undefined else [])


def _verdict(comparisons: Sequence[dict[str, Any]], modes: Sequence[str]) -> str:
    """The verdict from the pairwise comparisons alone: every clear difference and tie.

    It states each clear difference and each tie the comparisons hold, and nothing else.
    No clear difference: says so. When the clear differences order the modes in groups
    (`tiers`), the groups soonest first, each clearly sooner than all later ones, with the
    ties inside groups. Otherwise "no single order": the modes no mode is clearly sooner
    than, each mode's clear wins, and the ties.
    """
    sooner, ties, undefined = relation(comparisons)
    if not sooner:
        notes = _notes([], undefined)
        return "no mode settles clearly sooner than another" + (
            f" ({'; '.join(notes)})" if notes else "")
    groups = tiers(modes, sooner)
    if groups is not None:
        clauses = []
        for i, group in enumerate(groups[:-1]):
            later = ", ".join(sorted(m for g in groups[i + 1:] for m in g))
            verb = "settles" if len(group) == 1 else "each settle"
            clauses.append(f"{_and(group)} {verb} sooner than {later}")
        notes = []
        for group in groups:
            inside = [(a, b) for a, b in ties if a in group and b in group]
            missing = [(a, b) for a, b in undefined if a in group and b in group]
            if inside or missing:
                notes += _notes(inside, missing, group if not missing else None)
        return "; ".join(clauses) + (f" ({'; '.join(notes)})" if notes else "")
    beaten = {loser for _, loser in sooner}
    clauses = []
    top = [m for m in modes if m not in beaten]
    if top:
        clauses.append(f"no mode is clearly sooner than {_or(top)}")
    for m in modes:
        wins = sorted(loser for w, loser in sooner if w == m)
        if wins:
            clauses.append(f"{m} settles sooner than {', '.join(wins)}")
    notes = _notes(ties, undefined)
    return "no single order: " + "; ".join(clauses) + (
        f" ({'; '.join(notes)})" if notes else "")


def _block(title: str, shown: Sequence[Any], result: dict[str, Any]) -> list[str]:
    lines = [title, f"{'mode':<11}{'runs':>5}" + "".join(f.header() for f in shown)]
    for mode, s in result["modes"].items():
        lines.append(f"{mode:<11}{s['runs']:>5}" + "".join(f.cell(s.get(f.key)) for f in shown))
    return lines


def format_table(result: dict[str, Any]) -> str:
    """The comparison as plain text, each statement naming its measure.

    A table per measure (last deal, share-weighted week) and one of the other figures,
    a column per figure of the outputs table (its label, width and format); then, per
    measure, a sentence per pair of modes and the verdict.
    """
    by_output: dict[str, list[Any]] = {}
    for output, figure in figures():
        by_output.setdefault(output.name, []).append(figure)
    lines = [f"scenario {result['scenario']}: {result['seeds']} seeds per mode; two measures "
             "of when the strike ends (Kaplan-Meier, censored runs kept)"]
    for tested in TESTED:
        lines += _block(tested.title(long=True),
                        by_output.pop(tested.output, []), result)
    rest = [f for shown in by_output.values() for f in shown]
    if rest:
        lines += _block("other figures", rest, result)
    lines.append("(settled, back: share of runs not censored; mean: over those runs; p90: "
                 "90th percentile; first: median first deal)")
    for tested in TESTED:
        comparisons = result.get(f"comparisons{tested.suffix}")
        if comparisons is None:
            continue
        lines.append("")
        lines += [f"{tested.name}: {c['sentence']}" for c in comparisons]
        lines.append(f"verdict, {tested.name}: {result[f'verdict{tested.suffix}']}")
    return "\n".join(lines)
