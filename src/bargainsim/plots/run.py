"""One run's figure: offers against demands per issue, deals, and the strike's course.

Functions take plain data (trace rows, a run record) and return a `matplotlib.figure.Figure`
built without pyplot, so no figure, backend or rcParams state is shared between calls.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from bargainsim.model import BargainingModel
from bargainsim.plots.palette import EMPLOYER_COLOUR, UNION_COLOUR, table_colour
from bargainsim.runner import record
from bargainsim.schema import Mode, Scenario


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
    colours = {name: table_colour(i) for i, name in enumerate(tables)}
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
