"""Scenario-discovery figure: PRIM's peeling trajectories and the boxes chosen.

A row per outcome searched (B sooner than A, A sooner than B; by the last deal and by the
share-weighted week). Left: the peeling trajectory, density against coverage, each step
coloured by how many parameters it restricts, the density threshold dashed and the chosen
box ringed. Right: the chosen box's limits on every parameter, as a share of the
parameter's range (restricted parameters coloured, with their limits written; a pale
colour where Bryant and Lempert's quasi-p of the restriction is 0.05 or more). Built
without pyplot.
"""

from __future__ import annotations

import textwrap
from typing import Any

from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from bargainsim.experiments.summary import short_labels
from bargainsim.plots.palette import OKABE_ITO

CHOSEN = OKABE_ITO[1]
RESTRICTED, WEAK, FREE = OKABE_ITO[0], OKABE_ITO[5], "0.88"
ALPHA = 0.05  # a restriction's quasi-p below this counts as significant


def discovery_figure(result: dict[str, Any]) -> Figure:
    """Every search of a discovery result (`evidence.discovery`): trajectory and box."""
    searches = result["searches"]
    params = result["parameters"]
    labels = short_labels(params)
    height = max(2.6, 0.3 * len(params) + 1.2)
    fig = Figure(figsize=(11, height * len(searches) + 0.5), layout="constrained")
    axes = fig.subplots(len(searches), 2, squeeze=False,
                        gridspec_kw={"width_ratios": [1, 1.25]})
    for (left, right), s in zip(axes, searches, strict=True):
        _trajectory(left, s, result["density"])
        _box(right, s, params, labels, result["bounds"])
    handles = [Patch(color=FREE, label="not restricted"),
               Patch(color=RESTRICTED, label=f"restricted, quasi-p < {ALPHA:g}"),
               Patch(color=WEAK, label=f"restricted, quasi-p >= {ALPHA:g}")]
    fig.legend(handles=handles, loc="outside lower right", ncols=3, fontsize=8, frameon=False)
    head = result.get("experiment", "data")
    fig.suptitle(f"Scenario discovery (PRIM): {head}, {searches[0]['points']} points",
                 fontsize=11)
    return fig


def _title(s: dict[str, Any]) -> str:
    return "\n".join(textwrap.wrap(
        f"{s['label']}: {s['cases']} of {s['points']} points", 52))


def _trajectory(ax: Any, s: dict[str, Any], density: float) -> None:
    """Density against coverage at every step, coloured by restricted parameters."""
    ax.set_title(_title(s), fontsize=9)
    ax.set_xlabel("coverage (share of the outcome's points inside)")
    ax.set_ylabel("density (share inside with it)")
    ax.set_xlim(-0.03, 1.03)
    ax.set_ylim(-0.03, 1.03)
    ax.axhline(density, color="0.4", ls="--", lw=0.8, label=f"density {density:g}")
    traj = s["trajectory"]
    if not traj:
        ax.text(0.5, 0.5, s.get("note", "nothing to search"), ha="center", va="center",
                transform=ax.transAxes, color="0.3", fontsize=9)
        return
    most = max(len(t["restricted"]) for t in traj)
    ax.plot([t["coverage"] for t in traj], [t["density"] for t in traj], "-", color="0.75",
            lw=0.8, zorder=1)
    dots = ax.scatter([t["coverage"] for t in traj], [t["density"] for t in traj],
                      c=[len(t["restricted"]) for t in traj], cmap="viridis", vmin=0,
                      vmax=max(most, 1), s=14, zorder=2)
    bar = ax.figure.colorbar(dots, ax=ax, pad=0.01, aspect=25)
    bar.set_label("parameters restricted", fontsize=8)
    bar.ax.tick_params(labelsize=7)
    bar.ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    chosen = s.get("chosen")
    if chosen is not None:
        ax.plot([chosen["coverage"]], [chosen["density"]], "o", ms=11, mfc="none",
                mec=CHOSEN, mew=1.8, label=f"chosen (step {chosen['step']})")
    ax.legend(fontsize=7, loc="lower left")
    ax.grid(color="0.92")


def significant(quasi_p: list[float | None] | None) -> bool:
    """Whether a restriction's quasi-p (either limit) is below ALPHA."""
    return any(v is not None and v < ALPHA for v in (quasi_p or []))


def _box(ax: Any, s: dict[str, Any], params: list[str], labels: list[str],
         bounds: dict[str, list[float]]) -> None:
    """The chosen box on every parameter, as a share of the parameter's range."""
    chosen = s.get("chosen")
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of the parameter's range")
    ys = list(range(len(params)))[::-1]
    ax.set_yticks(ys, labels)
    ax.set_ylim(-0.7, len(params) - 0.3)
    if chosen is None:
        ax.set_title("no box chosen", fontsize=9)
        ax.text(0.5, 0.5, "no box reaches the density threshold" if s["trajectory"]
                else "nothing to search", ha="center", va="center", transform=ax.transAxes,
                color="0.3", fontsize=9)
        return
    ax.set_title(f"chosen box: coverage {chosen['coverage']:.2f}, density "
                 f"{chosen['density']:.2f}, mass {chosen['mass']:.2f}", fontsize=9)
    for y, p in zip(ys, params, strict=True):
        lim = chosen["limits"].get(p)
        strong = significant(chosen.get("quasi_p", {}).get(p))
        if isinstance(lim, dict):  # a categorical parameter: the values kept
            ax.barh(y, 1, left=0, height=0.5, color=RESTRICTED if strong else WEAK)
            ax.text(0.5, y, "kept: " + ", ".join(map(str, lim["values"])), ha="center",
                    va="center", fontsize=7, color="white" if strong else "black")
            continue
        if lim is None or p not in bounds:
            ax.barh(y, 1, left=0, height=0.5, color=FREE)
            continue
        lo, hi = bounds[p]
        span = (hi - lo) or 1.0
        a, b = (lim[0] - lo) / span, (lim[1] - lo) / span
        ax.barh(y, 1, left=0, height=0.5, color=FREE)
        ax.barh(y, b - a, left=a, height=0.5, color=RESTRICTED if strong else WEAK)
        ax.text(min(max((a + b) / 2, 0.15), 0.85), y - 0.42,
                f"{lim[0]:.3g} to {lim[1]:.3g}", ha="center", va="center", fontsize=7)
