"""Figures: one run's trajectory, settlement curves by mode, and the terms each mode signs.

Every function takes plain data (trace rows, run records, the per-mode records of a
comparison) and returns a `matplotlib.figure.Figure` built without pyplot, so no figure,
backend or rcParams state is shared between calls; `save_figure` writes PNG, SVG or PDF
by the file's suffix. Colours are colour-blind safe: Okabe and Ito's palette for modes
and sides, Paul Tol's "muted" palette for the tables of one run.
"""

from __future__ import annotations

import textwrap
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator
from scipy import stats

from bargainsim.model import BargainingModel
from bargainsim.modes import MODES
from bargainsim.runner import record
from bargainsim.scenario import Mode, Scenario
from bargainsim.yamlio import InputError, Problem

SUFFIXES = (".png", ".svg", ".pdf")
DPI = 150

# Okabe & Ito (2008): distinguishable under every common colour-vision deficiency.
OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
UNION_COLOUR, EMPLOYER_COLOUR = "#D55E00", "#0072B2"
# Paul Tol's muted scheme: nine colours for up to nine tables in one figure.
TOL_MUTED = ("#332288", "#CC6677", "#117733", "#DDCC77", "#88CCEE", "#882255", "#44AA99",
             "#999933", "#AA4499")
BOOTSTRAP = 1000
_JITTER_SEED = 20230502


Records = Mapping[str, Sequence[Mapping[str, Any]]]


def mode_colour(mode: str, index: int) -> str:
    """The colour a mode declares (`bargainsim.modes`), else the index-th Okabe-Ito colour."""
    colour = MODES.get(mode).colour if mode in MODES else None
    return colour or OKABE_ITO[index % len(OKABE_ITO)]


def check_output(path: str, option: str) -> Path:
    """The output path, if its suffix names a known format and its directory exists.

    Raises:
        InputError: naming `option` and the path when the suffix is unknown, the path is a
            directory, or its parent directory does not exist.
    """
    target = Path(path)
    if target.suffix.lower() not in SUFFIXES:
        shown = target.suffix or "no suffix"
        raise InputError(option, [Problem(path, f"unsupported file type ({shown}); "
                                                "end the name in .png, .svg or .pdf")])
    if target.is_dir() or not target.parent.is_dir():
        raise InputError(option, [Problem(path, "cannot write a file there")])
    return target


def save_figure(fig: Figure, path: str, option: str) -> None:
    """Write `fig` to `path` in the format its suffix names.

    Raises:
        InputError: naming `option` when the suffix is unknown or the file cannot be written.
    """
    target = check_output(path, option)
    try:
        with rc_context({"svg.hashsalt": "bargainsim"}):  # fixed SVG ids: same figure, same file
            fig.savefig(target, dpi=DPI, format=target.suffix.lower()[1:],
                        metadata=_metadata(target.suffix.lower()))
    except OSError as exc:
        raise InputError(option, [Problem(path, f"cannot write: {exc.strerror}")]) from None


def _metadata(suffix: str) -> dict[str, Any]:
    """Fixed metadata, so the same figure gives the same file (no creation date)."""
    if suffix == ".svg":
        return {"Date": None}
    if suffix == ".pdf":
        return {"CreationDate": None}
    return {}


def _label(name: str, units: Mapping[str, str] | None, width: int = 28) -> str:
    """An axis label: the unit when known, wrapped to fit a small panel."""
    unit = (units or {}).get(name)
    return textwrap.fill(unit if unit else name, width)


# ---------------------------------------------------------------------------- trajectory
def _series(rows: Sequence[Mapping[str, Any]], key: str) -> tuple[np.ndarray, np.ndarray]:
    """Steps and values of `key` over rows, up to and including the row that closed it."""
    steps, values = [], []
    for row in rows:
        value = row.get(key)
        steps.append(float(row["step"]))
        values.append(np.nan if value is None else float(value))
        if row.get("closed"):
            break
    return np.array(steps), np.array(values)


def trajectory_data(
    rows: Sequence[Mapping[str, Any]],
) -> tuple[list[str], dict[str, dict[str, list[Mapping[str, Any]]]]]:
    """Issues and, per table, the union's and the employer side's trace rows in step order.

    Union rows are those with `solidarity`, employer rows those with `losses`.
    """
    issues = [k.split(".", 1)[1] for k in (rows[0] if rows else {}) if k.startswith("offer.")]
    tables: dict[str, dict[str, list[Mapping[str, Any]]]] = {}
    for row in rows:
        side = "union" if "solidarity" in row else "employer"
        tables.setdefault(row["table"], {"union": [], "employer": []})[side].append(row)
    return issues, tables


def _table_of(deal: Mapping[str, Any]) -> str:
    return deal.get("coalition") or deal["parties"][0]


def trajectory_figure(
    rows: Sequence[Mapping[str, Any]],
    record: Mapping[str, Any],
    units: Mapping[str, str] | None = None,
    bounds: Mapping[str, tuple[float, float]] | None = None,
) -> Figure:
    """Offers over time for each issue, deals marked, and (weekly clock) a lower panel.

    Each issue gets a panel with the union's demand (dashed) and each employer side's offer
    (solid) at every table, drawn as held between moves, up to the table's deal, which is
    marked with a star at the agreed terms. With a weekly clock a lower panel shows the
    union's solidarity, the share of writers back at work and the industry's cumulative
    strike losses.

    Args:
        rows: trace rows of one run (`BargainingModel(..., trace=True).run().trace_rows`).
        record: that run's record (`bargainsim.runner.record`).
        units: unit of each issue, for the axis labels.
        bounds: each issue's (min, max); the issue's axis spans them.

    Returns:
        The figure.
    """
    if not rows:
        raise ValueError("no trace rows to plot (a continuous-time run has none)")
    issues, tables = trajectory_data(rows)
    weekly = record["clock"] == "week"
    single = len(tables) == 1
    ncols = 1 if len(issues) == 1 else 2
    nrows = -(-len(issues) // ncols)
    fig = Figure(figsize=(11 if ncols == 2 else 8, 2.5 * nrows + (3.2 if weekly else 0.9)),
                 layout="constrained")
    grid = fig.add_gridspec(nrows + int(weekly), ncols,
                            height_ratios=[1.0] * nrows + ([1.15] if weekly else []))
    colours = {name: TOL_MUTED[i % len(TOL_MUTED)] for i, name in enumerate(tables)}
    unit_word = "week of strike" if weekly else "step (one move: an offer or an acceptance)"
    deals = {(_table_of(d), int(d["step"])): d for d in record["deals"]}
    dodge = _dodge(list(deals))
    axes: list[Axes] = []
    for k, issue in enumerate(issues):
        ax = fig.add_subplot(grid[k // ncols, k % ncols], sharex=axes[0] if axes else None)
        axes.append(ax)
        for name, sides in tables.items():
            union_c = UNION_COLOUR if single else colours[name]
            employer_c = EMPLOYER_COLOUR if single else colours[name]
            for side, colour, style in (("union", union_c, "--"), ("employer", employer_c, "-")):
                x, y = _series(sides[side], f"offer.{issue}")
                lone = np.isfinite(y).sum() == 1  # a table that opened and closed in a week
                ax.plot(x, y, drawstyle="steps-post", color=colour, linestyle=style,
                        linewidth=1.6 if side == "employer" else 1.3,
                        marker="o" if lone else None, markersize=4,
                        label=f"{side}:{name}:{issue}")
        for (name, step), deal in deals.items():
            if issue in deal["terms"]:
                colour = "#000000" if single else colours.get(name, "#000000")
                ax.plot([step + dodge[name, step]], [deal["terms"][issue]], marker="*",
                        markersize=12, color=colour, markeredgecolor="white",
                        markeredgewidth=0.6, linestyle="none", label=f"deal:{name}:{issue}",
                        zorder=5)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if bounds and issue in bounds:
            lo, hi = bounds[issue]
            ax.set_ylim(lo - 0.04 * (hi - lo), hi + 0.04 * (hi - lo))
        ax.set_title(issue, fontsize=10, loc="left", fontweight="bold")
        ax.set_ylabel(_label(issue, units), fontsize=8.5)
        ax.grid(alpha=0.3)
        if k // ncols == nrows - 1 or (k + ncols >= len(issues)):
            ax.set_xlabel(unit_word)
    handles = _trajectory_legend(tables, colours, single)
    spare = len(issues) % ncols != 0
    if spare:
        cell = fig.add_subplot(grid[nrows - 1, ncols - 1])
        cell.axis("off")
        cell.legend(handles=handles, loc="center", ncols=2 if len(handles) > 7 else 1,
                    fontsize=9, frameon=False)
    if weekly:
        _lower_panel(fig.add_subplot(grid[nrows, :], sharex=axes[0]), tables, record)
    if not spare:
        axes[0].legend(handles=handles, fontsize=8, loc="best",
                      ncols=1 if len(handles) <= 4 else 2)
    fig.suptitle(_trajectory_title(record), fontsize=12)
    return fig


def _dodge(keys: Sequence[tuple[str, int]], width: float = 0.22) -> dict[tuple[str, int], float]:
    """Horizontal offsets (in steps) that keep deals signed in the same step apart."""
    out: dict[tuple[str, int], float] = {}
    for step in {s for _, s in keys}:
        same = [k for k in keys if k[1] == step]
        for j, key in enumerate(same):
            out[key] = (j - (len(same) - 1) / 2) * width
    return out


def _trajectory_legend(
    tables: Mapping[str, Any], colours: Mapping[str, str], single: bool
) -> list[Line2D]:
    if single:
        name = next(iter(tables))
        return [
            Line2D([], [], color=UNION_COLOUR, linestyle="--", label="union's demand"),
            Line2D([], [], color=EMPLOYER_COLOUR, label=f"{name}'s offer"),
            Line2D([], [], color="#000000", marker="*", markersize=11, linestyle="none",
                   label="deal (ratified)"),
        ]
    handles = [Line2D([], [], color=colours[name], linewidth=4, label=name) for name in tables]
    handles += [
        Line2D([], [], color="#555555", linestyle="--", label="union's demand at the table"),
        Line2D([], [], color="#555555", label="employer side's offer"),
        Line2D([], [], color="#555555", marker="*", markersize=11, linestyle="none",
               label="deal (ratified)"),
    ]
    return handles


def _lower_panel(
    ax: Axes, tables: Mapping[str, Mapping[str, list[Mapping[str, Any]]]],
    record: Mapping[str, Any],
) -> None:
    """Solidarity, writers back at work and cumulative losses per week."""
    by_step: dict[int, Mapping[str, Any]] = {}
    for sides in tables.values():
        for row in sides["union"]:
            by_step.setdefault(int(row["step"]), row)
    steps = np.array(sorted(by_step), dtype=float)
    solidarity = np.array([np.nan if by_step[int(s)].get("solidarity") is None
                           else by_step[int(s)]["solidarity"] for s in steps], dtype=float)
    losses = np.array([by_step[int(s)].get("industry_losses", np.nan) for s in steps], float)
    back = np.asarray(record["writers_back_share"], dtype=float)
    ax.plot(steps, solidarity, color="#009E73", linewidth=1.8, label="solidarity (share)",
            drawstyle="steps-post")
    ax.plot(np.arange(back.size), back, color="#CC79A7", linewidth=1.8, drawstyle="steps-post",
            label="writers back at work (share)")
    ax.set_ylim(-0.03, 1.03)
    ax.set_ylabel("share of members")
    ax.set_xlabel("week of strike")
    ax.grid(alpha=0.3)
    right = ax.twinx()
    right.plot(steps, losses, color="#E69F00", linewidth=1.8, linestyle="-.",
               label="industry's cumulative losses ($M)")
    right.set_ylabel("cumulative losses ($M)")
    right.set_ylim(bottom=0)
    lines = ax.get_lines() + right.get_lines()
    ax.legend(handles=lines, loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=3,
              fontsize=8.5, frameon=False, borderaxespad=0.2)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title("members and losses", fontsize=10, loc="left", fontweight="bold")


def _trajectory_title(record: Mapping[str, Any]) -> str:
    unit = "week" if record["clock"] == "week" else "step"
    head = f"{record['scenario']}: {record['mode']} mode, seed {record['seed']}"
    if record["settled"]:
        return f"{head}: every employer settled by {unit} {record['settlement_step']}"
    return f"{head}: not settled by the horizon ({record['horizon']:g} {unit}s), censored"


# ---------------------------------------------------------------------------- settlement
def _censored(times: Sequence[float | None], horizon: float) -> stats.CensoredData:
    t = np.array([np.inf if v is None else float(v) for v in times])
    return stats.CensoredData(uncensored=t[np.isfinite(t)],
                              right=np.full(int((~np.isfinite(t)).sum()), horizon))


def km_curve(
    times: Sequence[float | None], horizon: float, weeks: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Kaplan-Meier share settled by each week, with scipy's pointwise 95% band.

    `None` times are right-censored at the horizon. Returns the estimate and the band's
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

    Panels: `industry` (every company settled: the comparison's survival time; KM and
    band from `scipy.stats.ecdf`), `companies` (share of companies with a deal: KM of the
    pooled company settlement weeks from `scipy.stats.ecdf`) and `writers` (share of
    writers back at work, the mean of the runs' `writers_back_share`, which is the pooled
    KM since censoring happens only at the horizon). Companies and writers within a run
    are not independent, so their bands resample whole runs (a cluster bootstrap) rather
    than using Greenwood's formula.
    """
    first = next(iter(records.values()))
    horizon = float(first[0]["horizon"])
    weeks = np.arange(0, int(np.ceil(horizon)) + 1, dtype=float)
    out: dict[str, dict[str, dict[str, Any]]] = {"industry": {}, "companies": {},
                                                 "writers": {}}
    for mode, recs in records.items():
        rng = np.random.default_rng(_JITTER_SEED)
        industry = [r["settlement_step"] for r in recs]
        est, low, high = km_curve(industry, horizon, weeks)
        out["industry"][mode] = {"weeks": weeks, "estimate": est, "low": low, "high": high,
                                 "censored": sum(v is None for v in industry),
                                 "n": len(industry)}
        steps = [c["settlement_step"] for r in recs for c in r["companies"].values()]
        est, _, _ = km_curve(steps, horizon, weeks)
        low, high = _cluster_band(_per_run(recs, weeks, "companies"), rng)
        out["companies"][mode] = {"weeks": weeks, "estimate": est, "low": low, "high": high,
                                  "censored": sum(v is None for v in steps), "n": len(steps)}
        writers = _per_run(recs, weeks, "writers")
        low, high = _cluster_band(writers, rng)
        unfinished = int(sum(1 for r in recs if r["writers_back_share"]
                             and r["writers_back_share"][-1] < 1.0))
        out["writers"][mode] = {"weeks": weeks, "estimate": writers.mean(axis=0), "low": low,
                                "high": high, "censored": unfinished, "n": len(recs)}
    return out


_PANELS = {
    "industry": ("runs with every company settled", "runs"),
    "companies": ("companies with a deal", "companies"),
    "writers": ("writers back at work", "runs"),
}


def settlement_figure(records: Records, title: str | None = None) -> Figure:
    """Kaplan-Meier curves of settlement by week, per mode, with 95% bands and censoring.

    Three panels share the week axis: the share of runs in which every company has
    settled, the share of companies with a deal, and the share of writers back at work.
    Censored observations (no deal by the horizon) are marked with a `+` at the horizon;
    the legend gives their number per mode.

    Args:
        records: per mode, the records of a comparison (`experiments.compare.run_modes`).
        title: figure title; by default the scenario name and the number of seeds.
    """
    curves = settlement_curves(records)
    first = next(iter(records.values()))
    horizon = float(first[0]["horizon"])
    fig = Figure(figsize=(13, 5.6), layout="constrained")
    axes = fig.subplots(1, 3, sharey=True)
    for ax, (panel, (heading, unit)) in zip(axes, _PANELS.items(), strict=True):
        for i, mode in enumerate(records):
            c = curves[panel][mode]
            colour = mode_colour(mode, i)
            ax.fill_between(c["weeks"], c["low"], c["high"], step="post", color=colour,
                            alpha=0.18, linewidth=0)
            label = f"{mode} ({c['censored']} of {c['n']} {unit} censored)"
            ax.plot(c["weeks"], c["estimate"], drawstyle="steps-post", color=colour,
                    linewidth=1.8, label=label)
            if c["censored"]:
                ax.plot([horizon], [c["estimate"][-1]], marker="+", markersize=14,
                        markeredgewidth=2, color=colour, linestyle="none")
        ax.axvline(horizon, color="#777777", linestyle=":", linewidth=1)
        ax.set_title(heading, fontsize=10, loc="left", fontweight="bold")
        ax.set_xlabel("week of strike")
        ax.set_xlim(0, horizon + 1)
        ax.set_ylim(-0.02, 1.02)
        ax.grid(alpha=0.3)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), fontsize=8.5,
                  title="mode (censored at the horizon: +)", title_fontsize=8.5, frameon=False)
    axes[0].set_ylabel("share by the week (Kaplan-Meier, 95% band)")
    n = len(first)
    fig.suptitle(title or f"{first[0]['scenario']}: settlement by mode over {n} seeds",
                 fontsize=12)
    return fig


# ---------------------------------------------------------------------------- terms
def terms_data(records: Records) -> dict[str, dict[str, np.ndarray]]:
    """Per panel and mode the values `terms_figure` draws.

    Panels: `settlement week` (settled runs only), one per issue (the terms each company
    signed, one value per settled company and run) and `union utility` (per run, 0-1).
    """
    first = next(iter(records.values()))
    issues = list(_issue_names(first))
    out: dict[str, dict[str, np.ndarray]] = {"settlement week": {}}
    out.update({issue: {} for issue in issues})
    out["union utility"] = {}
    for mode, recs in records.items():
        out["settlement week"][mode] = np.array(
            [r["settlement_step"] for r in recs if r["settlement_step"] is not None], float)
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

    The first panel is the industry settlement week of settled runs (the censored count
    is under each mode's name); then one panel per issue with the terms every company
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
    labels = {"settlement week": "week of the last deal",
              "union utility": "union's utility of the terms (0-1)"}
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
        if panel == "settlement week":
            ticks = [f"{m}\n({sum(r['settlement_step'] is None for r in records[m])} cens.)"
                     for m in modes]
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


# ---------------------------------------------------------------------------- from a scenario
def issue_axes(spec: Scenario) -> tuple[dict[str, str], dict[str, tuple[float, float]]]:
    """Each issue's unit and (min, max), for axis labels and limits."""
    units = {name: issue.unit for name, issue in spec.issues.items()}
    bounds = {name: (issue.min, issue.max) for name, issue in spec.issues.items()}
    return units, bounds


def run_figure(spec: Scenario, mode: Mode | None = None, seed: int = 0) -> Figure:
    """Simulate one run with its trace and draw its trajectory (`trajectory_figure`).

    Raises:
        ValueError: for a continuous-time scenario, which has no trace.
    """
    if spec.protocol.clock == "continuous":
        raise ValueError("a continuous-time run (war of attrition) has no trace to plot")
    model = BargainingModel(spec, mode=mode, seed=seed, trace=True).run()
    assert model.trace_rows is not None
    units, bounds = issue_axes(spec)
    return trajectory_figure(model.trace_rows, record(model), units, bounds)
