"""The classroom app's live plots, drawn from an ObservedModel's history with matplotlib.

Each function returns a new `matplotlib.figure.Figure` (no pyplot state, safe in the
server's threads): offers against demands for one issue (one panel per table, theory's
prediction in a two-party game), solidarity, losses, and which companies have settled.
`svg` turns a figure into inline SVG whose text stays text, so the page scales it to its
column and the browser draws (and a test measures) the labels at their real size.

The x axis is the step the text and the CLI name: the week or move during which a
record's change happened (a deal struck at step 18 is drawn at 18). The record taken
before the first step shows nothing that happened, so it is not drawn.
"""

from __future__ import annotations

import io
import math
import re
import textwrap
import threading
from typing import TYPE_CHECKING, Any

import matplotlib
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from bargainsim.plots.palette import (
    EMPLOYER_COLOUR,
    SOLIDARITY_COLOUR,
    STRIKING_COLOURS,
    UNION_COLOUR,
    WRITERS_BACK_COLOUR,
    status_colour,
    table_colour,
)
from bargainsim.status import STATUSES

if TYPE_CHECKING:
    from bargainsim.viz.observed import ObservedModel

# Figures are WIDTH inches wide and the page scales them to their column (at most about
# 1.2 times, at least about 0.95 times on a 390 px phone), so text sizes here, in points
# (= the SVG's px), are about what the reader sees: ticks at 14 stay above 12 px.
WIDTH = 5.0
TICK, LABEL, TITLE = 14, 14, 16
DEAL_COLOUR, THEORY_COLOUR = "#000000", "#777777"
_SAVE = threading.Lock()  # rc_context changes matplotlib's global settings while saving


def svg(fig: Figure) -> str:
    """The figure as an inline <svg> element (text as text, sized by its container)."""
    buffer = io.StringIO()
    with _SAVE, matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "bargainsim"}):
        fig.savefig(buffer, format="svg")
    text = buffer.getvalue()
    text = text[text.index("<svg"):]
    # the page sets the size: drop the fixed one, keep the viewBox (the aspect ratio)
    return re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r'<svg\1', text, count=1)


def _margins(fig: Figure, top: float, bottom: float, left: float = 0.85, **space: float) -> None:
    """Fixed margins in inches (fast to draw, unlike a layout engine)."""
    width, height = fig.get_size_inches()
    fig.subplots_adjust(left=left / width, right=1 - 0.2 / width, top=1 - top / height,
                        bottom=bottom / height, **space)


def _unit(model: ObservedModel) -> str:
    return {"move": "move", "week": "week", "continuous": "time"}[model.clock]


def colours(model: ObservedModel) -> dict[str, str]:
    """One colour per company, in scenario order."""
    return {name: table_colour(i) for i, name in enumerate(model.companies)}


def steps(model: ObservedModel) -> list[float]:
    """The x of each record after the first: the step (week, move or time) it closes."""
    return [float(s) for s in model.history["step"][1:]]


def _records(model: ObservedModel, name: str) -> list[Any]:
    return list(model.history[name][1:])


def _step_axis(ax: Any, model: ObservedModel, label: bool = True) -> None:
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5))
    ax.tick_params(labelsize=TICK)
    last = max([*steps(model), *(deal_x(model, d) for d in model.deals)], default=0.0)
    ax.set_xlim(0, min(float(model.horizon), max(10.0, last + 2.0)) + 0.5)
    if label:
        ax.set_xlabel(_unit(model), fontsize=LABEL)


def deal_x(model: ObservedModel, deal: Any) -> float:
    """Where a deal is drawn: the step it was struck (the CLI's), or its time."""
    return float(deal.time) if deal.time is not None else float(deal.step)


def offers_figure(model: ObservedModel, issue: str | None = None,
                  theory: tuple[float | None, float | None] | None = None) -> Figure:
    """One issue: per table, the union's demand and the employer's offer, and any deal.

    One panel per table that has bargained (two columns when there are several), so
    each panel has two lines and no colour key; `theory` (step, value) adds the closed
    form's prediction in a two-party game.
    """
    issue = issue or model.space.names[0]
    history = _records(model, "positions")
    xs = steps(model)
    tables = list(dict.fromkeys(name for snap in history for name in snap))
    tables += [d.coalition or d.parties[0] for d in model.deals
               if (d.coalition or d.parties[0]) not in tables]
    tables = tables or [model.coalition.name if model.coalition is not None
                        else next(iter(model.companies))]
    cols = 1 if len(tables) == 1 else 2
    rows = math.ceil(len(tables) / cols)
    panel = 2.9 if rows == 1 else 1.75
    top = 1.45 if len(tables) == 1 else 1.8  # the title, the key, then panels' names
    fig = Figure(figsize=(WIDTH, top + 0.45 + panel * rows))
    _margins(fig, top=top, bottom=0.65, wspace=0.12, hspace=0.55)
    axes = fig.subplots(rows, cols, squeeze=False, sharex=True, sharey=True).ravel()
    i = model.space.names.index(issue)
    lo, hi = float(model.space.lo[i]), float(model.space.hi[i])
    for ax, table in zip(axes, tables, strict=False):
        for side, style, colour in (("demand", "--", UNION_COLOUR),
                                    ("offer", "-", EMPLOYER_COLOUR)):
            values = [snap.get(table, {}).get(side, {}).get(issue, np.nan) for snap in history]
            ax.plot(xs, values, style, color=colour, lw=2)
        for deal in model.deals:
            if (deal.coalition or deal.parties[0]) == table:
                ax.plot([deal_x(model, deal)], [deal.terms[issue]], "o", ms=10,
                        color=DEAL_COLOUR)
        if theory is not None and theory[1] is not None:
            ax.axhline(theory[1], color=THEORY_COLOUR, ls=":", lw=1.5)
            if theory[0] is not None:
                ax.plot([theory[0]], [theory[1]], "D", ms=9, mfc="none", mew=2,
                        color=THEORY_COLOUR)
        pad = 0.05 * (hi - lo)
        ax.set_ylim(lo - pad, hi + pad)
        if len(tables) > 1:
            ax.set_title(table, fontsize=LABEL)
        _step_axis(ax, model, label=False)
    for ax in axes[len(tables):]:
        ax.axis("off")
    fig.supxlabel(_unit(model), fontsize=LABEL, y=0.01)
    handles = [Line2D([], [], ls="--", color=UNION_COLOUR, lw=2, label="union's demand"),
               Line2D([], [], ls="-", color=EMPLOYER_COLOUR, lw=2, label="employer's offer"),
               Line2D([], [], ls="", marker="o", ms=10, color=DEAL_COLOUR, label="deal")]
    if theory is not None and theory[1] is not None:
        handles.append(Line2D([], [], ls=":", marker="D", mfc="none", mew=2,
                              color=THEORY_COLOUR, label="theory"))
    fig.legend(handles=handles, loc="upper center", ncols=2, fontsize=LABEL, frameon=False,
               bbox_to_anchor=(0.5, 1 - 0.62 / fig.get_size_inches()[1]))
    unit = model.spec.issues[issue].unit
    title = textwrap.shorten(f"{issue}: {unit}" if unit else issue, 44, placeholder="…")
    fig.suptitle(title, fontsize=TITLE, y=1 - 0.08 / fig.get_size_inches()[1], va="top")
    return fig


def solidarity_figure(model: ObservedModel) -> Figure:
    """Members' solidarity and the share of writers back at work."""
    fig = Figure(figsize=(WIDTH, 4.2))
    _margins(fig, top=0.45, bottom=1.75)
    ax = fig.subplots()
    xs = steps(model)
    ax.plot(xs, _records(model, "solidarity"), color=SOLIDARITY_COLOUR, lw=2.5,
            label="solidarity (would vote no)")
    ax.plot(xs, _records(model, "writers_back"), color=WRITERS_BACK_COLOUR, lw=2.5,
            label="writers back at work")
    threshold = getattr(model.union.spec, "solidarity_threshold", None)
    if threshold is not None:
        ax.axhline(threshold, color=SOLIDARITY_COLOUR, ls=":", lw=1.5,
                   label="threshold: leaders concede faster")
    ax.set_ylim(-0.03, 1.03)
    _step_axis(ax, model)
    ax.set_ylabel("share of members", fontsize=LABEL)
    fig.legend(*ax.get_legend_handles_labels(), fontsize=LABEL, loc="lower left", ncols=1,
               frameon=False)
    ax.set_title("Solidarity and writers back", fontsize=TITLE)
    return fig


def losses_figure(model: ObservedModel) -> Figure:
    """Each company's cumulative strike losses and the writers' lost earnings, $M."""
    n = len(model.companies) + 1
    legend_rows = math.ceil(n / 3)
    fig = Figure(figsize=(WIDTH, 3.4 + 0.3 * legend_rows))
    _margins(fig, top=0.45, bottom=1.0 + 0.3 * legend_rows, left=0.95)
    ax = fig.subplots()
    xs = steps(model)
    colour = colours(model)
    history = _records(model, "losses")
    for name in model.companies:
        ax.plot(xs, [snap[name] for snap in history], color=colour[name], lw=2, label=name)
    ax.plot(xs, _records(model, "writers_lost"), "k--", lw=2, label="writers' pay")
    ax.set_ylim(bottom=0)
    _step_axis(ax, model)
    ax.set_ylabel("$M, cumulative", fontsize=LABEL)
    fig.legend(*ax.get_legend_handles_labels(), fontsize=LABEL - 1, ncols=3,
               loc="lower center", frameon=False)
    ax.set_title("Strike losses", fontsize=TITLE)
    return fig


ALONE, AT_COALITION, SETTLED = 0, 1, 2  # then the other statuses at work, in registry order


def back_at_work() -> list[str]:
    """The statuses with writers back, in their matrix order: settled first, then the rest."""
    names = [s.name for s in STATUSES.mapping.values() if s.working and s.name != "settled"]
    return ["settled", *names]


def status_matrix(model: ObservedModel) -> np.ndarray:
    """Companies x records (from step 0's): alone, in the coalition, or back at work.

    A company back at work (settled, on an interim agreement, ...) has the code
    `SETTLED + i` of its status's place `i` in `back_at_work()`. Column j is the state at
    the end of step j (the record before the first step is left out, as in the plots).
    """
    coalition = model.coalition.name if model.coalition is not None else None
    names = list(model.companies)
    statuses = _records(model, "status")
    table_of = _records(model, "table_of")
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
    fig = Figure(figsize=(WIDTH, 2.3 + 0.36 * len(names)))
    _margins(fig, top=0.45, bottom=1.55, left=1.25)
    ax = fig.subplots()
    matrix = status_matrix(model)
    working = back_at_work()
    palette = [*STRIKING_COLOURS, *(status_colour(n, i) for i, n in enumerate(working))]
    if matrix.shape[1]:
        ax.imshow(matrix, aspect="auto", cmap=ListedColormap(palette), vmin=0,
                  vmax=len(palette) - 1, interpolation="nearest",
                  extent=(-0.5, matrix.shape[1] - 0.5, len(names) - 0.5, -0.5))
    _step_axis(ax, model)
    ax.set_ylim(len(names) - 0.5, -0.5)
    ax.set_yticks(range(len(names)), names)
    ax.set_xlim(left=-0.5)  # the first week's cells whole
    done = int((matrix[:, -1] == SETTLED).sum()) if matrix.shape[1] else 0
    ax.set_title(f"Settled: {done} of {len(names)} companies", fontsize=TITLE)
    labels = ["bargaining alone", "in the coalition",
              *(STATUSES.get(n).description for n in working)]
    shown = [k for k in range(len(palette))  # the states this run shows (settled: always)
             if k <= SETTLED or (matrix == k).any()]
    handles = [Patch(color=palette[k], label=labels[k]) for k in shown]
    fig.legend(handles=handles, fontsize=LABEL - 1, loc="lower center", ncols=2,
               frameon=False)
    return fig
