"""Figures of a comparison: settlement curves by mode, and the speed and terms each signs.

Both measures of when the strike ends are drawn: the last deal (industry back) and the
share-weighted week (writers back), each as `compare` tests it.

Functions take the per-mode records of a comparison (`experiments.compare.run_modes`) and
return a `matplotlib.figure.Figure` built without pyplot.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from scipy import stats

from bargainsim.experiments.statistics import survival
from bargainsim.plots.palette import mode_colour
from bargainsim.plots.run import _label

BOOTSTRAP = 1000
_JITTER_SEED = 20230502

Records = Mapping[str, Sequence[Mapping[str, Any]]]


# ---------------------------------------------------------------------------- settlement
def _censored(times: Sequence[Any], horizon: float) -> stats.CensoredData:
    t, e = survival(times)
    return stats.CensoredData(uncensored=t[e], right=np.where(np.isfinite(t[~e]), t[~e],
                                                              horizon))


def km_curve(
    times: Sequence[Any], horizon: float, weeks: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Kaplan-Meier share settled by each week, with scipy's pointwise 95% band.

    `None` times are right-censored at the horizon, `(time, False)` pairs at their time
    (as `experiments.statistics.survival` reads them). Returns the estimate and the band's
    low and high edges at `weeks` (Greenwood's formula, clipped to [0, 1]).
    """
    data = _censored(times, horizon)
    if data.num_censored() == len(data):
        zeros = np.zeros(weeks.size)
        return zeros, zeros, zeros
    result = stats.ecdf(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        band = result.cdf.confidence_interval(0.95)
        low, high = band.low.evaluate(weeks), band.high.evaluate(weeks)
    return result.cdf.evaluate(weeks), np.clip(low, 0, 1), np.clip(high, 0, 1)


def _per_run(records: Sequence[Mapping[str, Any]], weeks: np.ndarray, what: str) -> np.ndarray:
    """Per run (rows) and week (columns): the share of companies or writers back at work."""
    out = np.zeros((len(records), weeks.size))
    for i, rec in enumerate(records):
        if what == "writers":
            back = np.asarray(rec["writers_back_share"] or [0.0], dtype=float)
            idx = np.minimum(weeks.astype(int), back.size - 1)
            out[i] = np.where(weeks < back.size, back[idx], back[-1] if back.size else 0.0)
        else:
            steps = [c["settlement_step"] for c in rec["companies"].values()]
            done = np.array([np.inf if s is None else s for s in steps], dtype=float)
            out[i] = (done[None, :] <= weeks[:, None]).mean(axis=1)
    return out


def _cluster_band(per_run: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """Percentile 95% band of the mean over runs, resampling whole runs (seeds)."""
    idx = rng.integers(0, per_run.shape[0], size=(BOOTSTRAP, per_run.shape[0]))
    means = per_run[idx].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5], axis=0)
    return low, high


def settlement_curves(records: Records) -> dict[str, dict[str, dict[str, Any]]]:
    """The data behind `settlement_figure`: per panel and mode, curve, band and censoring.

    Panels: `industry` (the last deal: every company settled; KM and band from
    `scipy.stats.ecdf`), `weighted` (the share-weighted week has come: KM and band from
    `scipy.stats.ecdf`, a run with a company never back censored at its lower bound, and
    the curve evaluated at every time where it may step), `companies` (share of companies
    with a deal: KM of the
    pooled company settlement weeks from `scipy.stats.ecdf`) and `writers` (share of
    writers back at work, the mean of the runs' `writers_back_share`, which is the pooled
    KM since censoring happens only at the horizon). Companies and writers within a run
    are not independent, so their bands resample whole runs (a cluster bootstrap) rather
    than using Greenwood's formula.
    """
    first = next(iter(records.values()))
    horizon = float(first[0]["horizon"])
    weeks = np.arange(0, int(np.ceil(horizon)) + 1, dtype=float)
    out: dict[str, dict[str, dict[str, Any]]] = {"industry": {}, "weighted": {},
                                                 "companies": {}, "writers": {}}
    for mode, recs in records.items():
        rng = np.random.default_rng(_JITTER_SEED)
        industry = [r["settlement_step"] for r in recs]
        est, low, high = km_curve(industry, horizon, weeks)
        censored = [horizon for v in industry if v is None]
        out["industry"][mode] = {"weeks": weeks, "estimate": est, "low": low, "high": high,
                                 "censored": len(censored), "censored_at": censored,
                                 "n": len(industry)}
        weighted = [(r["weighted_settlement_step"], r["writers_back"]) for r in recs]
        at = np.unique([0.0, horizon, *(t for t, _ in weighted)])  # where it may step
        est, low, high = km_curve(weighted, horizon, at)
        censored = sorted(t for t, back in weighted if not back)
        out["weighted"][mode] = {"weeks": at, "estimate": est, "low": low, "high": high,
                                 "censored": len(censored), "censored_at": censored,
                                 "n": len(weighted)}
        steps = [c["settlement_step"] for r in recs for c in r["companies"].values()]
        est, _, _ = km_curve(steps, horizon, weeks)
        low, high = _cluster_band(_per_run(recs, weeks, "companies"), rng)
        censored = [horizon for v in steps if v is None]
        out["companies"][mode] = {"weeks": weeks, "estimate": est, "low": low, "high": high,
                                  "censored": len(censored), "censored_at": censored,
                                  "n": len(steps)}
        writers = _per_run(recs, weeks, "writers")
        low, high = _cluster_band(writers, rng)
        unfinished = int(sum(1 for r in recs if r["writers_back_share"]
                             and r["writers_back_share"][-1] < 1.0))
        out["writers"][mode] = {"weeks": weeks, "estimate": writers.mean(axis=0), "low": low,
                                "high": high, "censored": unfinished,
                                "censored_at": [horizon] * unfinished, "n": len(recs)}
    return out


_PANELS = {
    "industry": ("last deal (industry back):\nruns with every company settled", "runs"),
    "weighted": ("share-weighted week (writers back):\nruns past their weighted week",
                 "runs"),
    "companies": ("companies with a deal", "companies"),
    "writers": ("writers back at work", "runs"),
}


def settlement_figure(records: Records, title: str | None = None) -> Figure:
    """Kaplan-Meier curves of settlement by week, per mode, with 95% bands and censoring.

    Four panels share the week axis: the share of runs in which every company has
    settled (the last deal), the share of runs past their share-weighted week, the share
    of companies with a deal, and the share of writers back at work. Censored
    observations are marked with a `+` where they are censored (the horizon; a run's
    lower bound for the share-weighted week); the legend gives their number per mode.

    Args:
        records: per mode, the records of a comparison (`experiments.compare.run_modes`).
        title: figure title; by default the scenario name and the number of seeds.
    """
    curves = settlement_curves(records)
    first = next(iter(records.values()))
    horizon = float(first[0]["horizon"])
    fig = Figure(figsize=(17, 5.8), layout="constrained")
    axes = fig.subplots(1, len(_PANELS), sharey=True)
    for ax, (panel, (heading, unit)) in zip(axes, _PANELS.items(), strict=True):
        for i, mode in enumerate(records):
            c = curves[panel][mode]
            colour = mode_colour(mode, i)
            ax.fill_between(c["weeks"], c["low"], c["high"], step="post", color=colour,
                            alpha=0.18, linewidth=0)
            label = f"{mode} ({c['censored']} of {c['n']} {unit} censored)"
            ax.plot(c["weeks"], c["estimate"], drawstyle="steps-post", color=colour,
                    linewidth=1.8, label=label)
            if c["censored"]:  # at each time a run is censored, on the curve
                at = np.unique(c["censored_at"])
                on = c["estimate"][np.searchsorted(c["weeks"], at, side="right") - 1]
                ax.plot(at, on, marker="+", markersize=14, markeredgewidth=2, color=colour,
                        linestyle="none")
        ax.axvline(horizon, color="#777777", linestyle=":", linewidth=1)
        ax.set_title(heading, fontsize=9.5, loc="left", fontweight="bold")
        ax.set_xlabel("week of strike")
        ax.set_xlim(0, horizon + 1)
        ax.set_ylim(-0.02, 1.02)
        ax.grid(alpha=0.3)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), fontsize=8.5,
                  title="mode (+: censored)", title_fontsize=8.5, frameon=False)
    axes[0].set_ylabel("share by the week (Kaplan-Meier, 95% band)")
    n = len(first)
    fig.suptitle(title or f"{first[0]['scenario']}: settlement by mode over {n} seeds",
                 fontsize=12)
    return fig


# ---------------------------------------------------------------------------- terms
def terms_data(records: Records) -> dict[str, dict[str, np.ndarray]]:
    """Per panel and mode the values `terms_figure` draws.

    Panels: `last deal` (settled runs only), `share-weighted week` (runs with every
    company's writers back), one per issue (the terms each company signed, one value per
    settled company and run) and `union utility` (per run, 0-1).
    """
    first = next(iter(records.values()))
    issues = list(_issue_names(first))
    out: dict[str, dict[str, np.ndarray]] = {"last deal": {}, "share-weighted week": {}}
    out.update({issue: {} for issue in issues})
    out["union utility"] = {}
    for mode, recs in records.items():
        out["last deal"][mode] = np.array(
            [r["settlement_step"] for r in recs if r["settlement_step"] is not None], float)
        out["share-weighted week"][mode] = np.array(
            [r["weighted_settlement_step"] for r in recs if r["writers_back"]], float)
        for issue in issues:
            out[issue][mode] = np.array([c["terms"][issue] for r in recs
                                         for c in r["companies"].values()
                                         if c["terms"] is not None], float)
        out["union utility"][mode] = np.array(
            [r["union_utility"] for r in recs if r["union_utility"] is not None], float)
    return out


def _issue_names(recs: Sequence[Mapping[str, Any]]) -> list[str]:
    for rec in recs:
        for deal in rec["deals"]:
            return list(deal["terms"])
    return []


def terms_figure(
    records: Records, units: Mapping[str, str] | None = None, title: str | None = None
) -> Figure:
    """Box plots, with every value as a point, of speed and terms per mode.

    The first panels are the week of the last deal (industry back) of settled runs and
    the share-weighted week (writers back) of runs with every writer back (the censored
    count is under each mode's name); then one panel per issue with the terms every company
    signed; last, the union's utility of the terms (0-1). The price of settling sooner
    sits beside the speed.

    Args:
        records: per mode, the records of a comparison (`experiments.compare.run_modes`).
        units: unit of each issue, for the axis labels.
        title: figure title; by default the scenario name and the number of seeds.
    """
    data = terms_data(records)
    modes = list(records)
    panels = list(data)
    ncols = min(4, len(panels))
    nrows = -(-len(panels) // ncols)
    fig = Figure(figsize=(3.1 * ncols + 0.8, 3.5 * nrows + 0.6), layout="constrained")
    grid = fig.add_gridspec(nrows, ncols)
    rng = np.random.default_rng(_JITTER_SEED)
    labels = {"last deal": "week of the last deal (industry back)",
              "share-weighted week": "share-weighted week (writers back)",
              "union utility": "union's utility of the terms (0-1)"}
    censored = {"last deal": lambda r: r["settlement_step"] is None,
                "share-weighted week": lambda r: not r["writers_back"]}
    for k, panel in enumerate(panels):
        ax = fig.add_subplot(grid[k // ncols, k % ncols])
        for i, mode in enumerate(modes):
            values = data[panel][mode]
            colour = mode_colour(mode, i)
            if values.size:
                box = ax.boxplot([values], positions=[i], widths=0.6, showfliers=False,
                                 patch_artist=True, medianprops={"color": "#000000"})
                box["boxes"][0].set(facecolor=colour, alpha=0.35, edgecolor=colour)
                x = i + rng.uniform(-0.22, 0.22, values.size)
                ax.plot(x, values, marker="o", markersize=2.5, linestyle="none", color=colour,
                        alpha=0.5, label=f"{panel}:{mode}")
        ticks = list(modes)
        if panel in censored:
            ticks = [f"{m}\n({sum(map(censored[panel], records[m]))} cens.)" for m in modes]
        ax.set_xticks(range(len(modes)), ticks, fontsize=8)
        ax.set_xlim(-0.6, len(modes) - 0.4)
        ax.set_title(panel, fontsize=10, loc="left", fontweight="bold")
        ax.set_ylabel(labels.get(panel) or _label(panel, units), fontsize=8.5)
        ax.grid(alpha=0.3, axis="y")
    handles = [Line2D([], [], color=mode_colour(m, i), marker="s", markersize=9,
                      linestyle="none", label=m) for i, m in enumerate(modes)]
    spare = nrows * ncols - len(panels)
    if spare:
        cell = fig.add_subplot(grid[nrows - 1, ncols - 1])
        cell.axis("off")
        cell.legend(handles=handles, loc="center", title="mode", frameon=False)
    else:
        fig.legend(handles=handles, loc="outside right upper", title="mode")
    first = next(iter(records.values()))
    fig.suptitle(title or f"{first[0]['scenario']}: speed and terms by mode over "
                          f"{len(first)} seeds (boxes: quartiles; points: runs or companies)",
                 fontsize=11)
    return fig
