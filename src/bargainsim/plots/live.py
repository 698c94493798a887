"""The classroom app's live plots, drawn from an ObservedModel's history with matplotlib.

Each function returns a new `matplotlib.figure.Figure` (no pyplot state, safe in the
server's threads): offers against demands per issue, solidarity, losses, and which
companies have settled. The x axis is the model's step (a week, or a move in the
classroom two-party games).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from bargainsim.plots.palette import (
    COALITION_COLOUR,
    SOLIDARITY_COLOUR,
    STRIKING_COLOURS,
    WRITERS_BACK_COLOUR,
    status_colour,
    table_colour,
)
from bargainsim.status import STATUSES

if TYPE_CHECKING:
    from bargainsim.viz.observed import ObservedModel

WIDTH = 6.4
DPI = 90  # the page's images; matplotlib's layout engines cost more than drawing, so the
# margins below are fixed in inches instead


def _margins(fig: Figure, top: float, bottom: float, left: float = 0.6, **space: float) -> None:
    """Fixed margins in inches (fast to draw, unlike a layout engine)."""
    width, height = fig.get_size_inches()
    fig.subplots_adjust(left=left / width, right=1 - 0.15 / width, top=1 - top / height,
                        bottom=bottom / height, **space)


def _unit(model: ObservedModel) -> str:
    return {"move": "move", "week": "week", "continuous": "time"}[model.clock]


def colours(model: ObservedModel) -> dict[str, tuple[float, float, float] | str]:
    """One colour per company (in scenario order) and one for the coalition."""
    out: dict[str, tuple[float, float, float] | str] = {
        name: table_colour(i) for i, name in enumerate(model.companies)
    }
    if model.coalition is not None:
        out[model.coalition.name] = COALITION_COLOUR
    return out


def _step_axis(ax: object, model: ObservedModel, label: bool = True) -> None:
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # type: ignore[attr-defined]
    ax.tick_params(labelsize=7)  # type: ignore[attr-defined]
    if label:
        ax.set_xlabel(_unit(model), fontsize=8)  # type: ignore[attr-defined]


def _steps(model: ObservedModel) -> np.ndarray:
    return np.arange(len(model.history["solidarity"]))


def offers_figure(model: ObservedModel) -> Figure:
    """Per issue: the union's demand (dashed) and each employer's offer (solid), deals as stars."""
    names = model.space.names
    cols = min(len(names), 3)
    rows = math.ceil(len(names) / cols)
    fig = Figure(figsize=(WIDTH, 1.1 + 2.0 * rows))
    _margins(fig, top=0.55, bottom=0.85, wspace=0.45, hspace=0.45)
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    colour = colours(model)
    history = model.history["positions"]
    steps = _steps(model)
    tables = list(dict.fromkeys(name for snap in history for name in snap))
    for i, issue in enumerate(names):
        ax = axes[i]
        for table in tables:
            for side, style in (("demand", "--"), ("offer", "-")):
                values = [snap.get(table, {}).get(side, {}).get(issue, np.nan) for snap in history]
                ax.plot(steps, values, style, color=colour.get(table, "grey"), lw=1.4)
        for deal in model.deals:
            who = deal.coalition or deal.parties[0]
            # a deal struck during step k is on record from index k + 1, like the settlements
            when = deal.time if deal.time is not None else deal.step + 1
            ax.plot([when], [deal.terms[issue]], "*", ms=11, color=colour.get(who, "grey"),
                    markeredgecolor="black", markeredgewidth=0.5)
        lo, hi = float(model.space.lo[i]), float(model.space.hi[i])
        pad = 0.04 * (hi - lo)
        ax.set_ylim(lo - pad, hi + pad)
        ax.set_xlim(0, max(5, len(steps)))
        ax.set_title(issue, fontsize=9)
        _step_axis(ax, model, label=False)
        unit = model.spec.issues[issue].unit
        ax.set_ylabel(unit if len(unit) <= 24 else unit[:22] + "…", fontsize=7)
    for ax in axes[len(names):]:
        ax.axis("off")
    handles = [Patch(color=colour.get(t, "grey"), label=t) for t in tables]
    handles += [
        axes[0].plot([], [], "k--", lw=1.2, label="union demand")[0],
        axes[0].plot([], [], "k-", lw=1.2, label="employer offer")[0],
        axes[0].plot([], [], "k*", ms=9, label="deal")[0],
    ]
    fig.legend(handles=handles, loc="lower center", ncols=min(6, len(handles)),
               fontsize=7, frameon=False)
    fig.suptitle(f"Offers against demands, by {_unit(model)}", fontsize=10)
    return fig


def solidarity_figure(model: ObservedModel) -> Figure:
    """Members' solidarity and the share of writers back at work."""
    fig = Figure(figsize=(WIDTH, 3.2))
    _margins(fig, top=0.35, bottom=0.5)
    ax = fig.subplots()
    steps = _steps(model)
    ax.plot(steps, model.history["solidarity"], color=SOLIDARITY_COLOUR, lw=2, label="solidarity")
    ax.plot(steps, model.history["writers_back"], color=WRITERS_BACK_COLOUR, lw=2,
            label="writers back at work")
    threshold = getattr(model.union.spec, "solidarity_threshold", None)
    if threshold is not None:
        ax.axhline(threshold, color=SOLIDARITY_COLOUR, ls=":", lw=1, label="solidarity threshold")
    ax.set_ylim(-0.03, 1.03)
    ax.set_xlim(0, max(5, len(steps)))
    _step_axis(ax, model)
    ax.set_ylabel("share of members", fontsize=8)
    ax.legend(fontsize=7, loc="lower left")
    ax.set_title("Solidarity: members who would vote no on the offer", fontsize=10)
    return fig


def losses_figure(model: ObservedModel) -> Figure:
    """Each company's cumulative strike losses and the writers' lost earnings, $M."""
    fig = Figure(figsize=(WIDTH, 3.2))
    _margins(fig, top=0.35, bottom=0.5, left=0.75)
    ax = fig.subplots()
    steps = _steps(model)
    colour = colours(model)
    history = model.history["losses"]
    for name in model.companies:
        ax.plot(steps, [snap[name] for snap in history], color=colour[name], lw=1.5, label=name)
    ax.plot(steps, model.history["writers_lost"], "k--", lw=1.5, label="writers' lost pay")
    ax.set_xlim(0, max(5, len(steps)))
    ax.set_ylim(bottom=0)
    _step_axis(ax, model)
    ax.set_ylabel("$M, cumulative", fontsize=8)
    ax.legend(fontsize=7, ncols=3, loc="upper left")
    ax.set_title("Losses", fontsize=10)
    return fig


ALONE, AT_COALITION, SETTLED = 0, 1, 2  # then the other statuses at work, in registry order


def back_at_work() -> list[str]:
    """The statuses with writers back, in their matrix order: settled first, then the rest."""
    names = [s.name for s in STATUSES.mapping.values() if s.working and s.name != "settled"]
    return ["settled", *names]


def status_matrix(model: ObservedModel) -> np.ndarray:
    """Companies x steps: bargaining alone or in the coalition, or its status once back at work.

    A company back at work (settled, on an interim agreement, ...) has the code
    `SETTLED + i` of its status's place `i` in `back_at_work()`.
    """
    coalition = model.coalition.name if model.coalition is not None else None
    names = list(model.companies)
    statuses = model.history["status"]
    table_of = model.history["table_of"]
    code = {name: SETTLED + i for i, name in enumerate(back_at_work())}
    out = np.zeros((len(names), len(statuses)), dtype=int)
    for j, (now, at) in enumerate(zip(statuses, table_of, strict=True)):
        for i, name in enumerate(names):
            if now[name] in code:
                out[i, j] = code[now[name]]
            elif coalition is not None and at.get(name) == coalition:
                out[i, j] = AT_COALITION
            else:
                out[i, j] = ALONE
    return out


def settled_figure(model: ObservedModel) -> Figure:
    """Which companies bargain alone or in the alliance, and which are back at work, by step."""
    names = list(model.companies)
    fig = Figure(figsize=(WIDTH, 1.2 + 0.28 * len(names)))
    _margins(fig, top=0.35, bottom=0.75, left=0.9)
    ax = fig.subplots()
    matrix = status_matrix(model)
    working = back_at_work()
    colours = [*STRIKING_COLOURS, *(status_colour(n, i) for i, n in enumerate(working))]
    ax.imshow(matrix, aspect="auto", cmap=ListedColormap(colours), vmin=0,
              vmax=len(colours) - 1, interpolation="nearest",
              extent=(-0.5, matrix.shape[1] - 0.5, len(names) - 0.5, -0.5))
    ax.set_yticks(range(len(names)), names, fontsize=7)
    ax.set_xlim(-0.5, max(5, matrix.shape[1]) - 0.5)
    _step_axis(ax, model)
    done = int((matrix[:, -1] == SETTLED).sum())
    ax.set_title(f"Settled: {done} of {len(names)} companies", fontsize=10)
    labels = ["bargaining alone", "in the coalition",
              *(STATUSES.get(n).description for n in working)]
    shown = [k for k in range(len(colours))  # the states this run shows (settled: always)
             if k <= SETTLED or (matrix == k).any()]
    handles = [Patch(color=colours[k], label=labels[k]) for k in shown]
    fig.legend(handles=handles, fontsize=7, loc="lower center", ncols=len(handles),
               frameon=False)
    return fig
