"""Sensitivity figure: each parameter's Morris or Sobol indices with their 95% intervals.

A panel per target (mode A minus mode B by the last deal, the share-weighted week, union
utility, deadweight loss), the parameters in the experiment's order on every panel so
panels compare at a glance. Morris: mu* (bar) with its bootstrap CI and sigma (dot).
Sobol: first order S1 and total order ST (bars) with their CIs. Built without pyplot.
"""

from __future__ import annotations

import math
import textwrap
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from bargainsim.experiments.summary import short_labels
from bargainsim.plots.palette import OKABE_ITO

BAR = {"mu_star": OKABE_ITO[0], "S1": OKABE_ITO[0], "ST": OKABE_ITO[1]}
SIGMA = OKABE_ITO[6]


def sensitivity_figure(result: dict[str, Any]) -> Figure:
    """The indices of every target of a sensitivity result (`evidence.sensitivity`)."""
    targets = result["targets"]
    names = result["parameters"]
    labels = short_labels(names)
    n = len(targets)
    cols = 1 if n == 1 else 2
    rows = math.ceil(n / cols)
    height = 0.32 * len(names) + 1.4
    fig = Figure(figsize=(6.2 * cols, height * rows + 0.6), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False)
    method = result["method"]
    y = np.arange(len(names))[::-1]
    for ax, target in zip(axes.flat, targets.values(), strict=False):
        ix = target["indices"]
        if method == "morris":
            _bars(ax, y, 0.6, 0.0, [ix[p]["mu_star"] for p in names],
                  [ix[p]["mu_star_conf"] for p in names], BAR["mu_star"], "mu* (95% CI)")
            ax.plot([_v(ix[p]["sigma"]) for p in names], y, "o", color=SIGMA, ms=4,
                    label="sigma", zorder=3)
            ax.set_xlabel("mean |elementary effect| over the whole range")
        else:
            _bars(ax, y, 0.38, 0.2, [ix[p]["S1"] for p in names],
                  [ix[p]["S1_conf"] for p in names], BAR["S1"], "S1, first order (95% CI)")
            _bars(ax, y, 0.38, -0.2, [ix[p]["ST"] for p in names],
                  [ix[p]["ST_conf"] for p in names], BAR["ST"], "ST, total order (95% CI)")
            ax.set_xlabel("share of the output's variance")
            ax.axvline(0, color="0.6", lw=0.6)
        ax.set_yticks(y, labels)
        ax.set_ylim(-0.7, len(names) - 0.3)
        ax.set_title("\n".join(textwrap.wrap(target["label"], 48)), fontsize=10)
        if target.get("constant"):
            ax.text(0.5, 0.5, "constant: no parameter moves it", transform=ax.transAxes,
                    ha="center", va="center", color="0.3")
        ax.grid(axis="x", color="0.9")
        ax.set_axisbelow(True)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    handles, names_ = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, names_, loc="outside lower center", ncols=len(handles), fontsize=9,
               frameon=False)
    what = ("Morris screening" if method == "morris" else "Sobol indices")
    seeds = result.get("seeds")
    extra = f", {seeds} seed{'s' if seeds != 1 else ''} per point" if seeds else ""
    fig.suptitle(f"{what}: {result.get('experiment', 'model')}, {result['points']:,} points"
                 f"{extra}", fontsize=11)
    return fig


def _v(value: float | None) -> float:
    return float("nan") if value is None else float(value)


def _bars(ax: Any, y: np.ndarray, height: float, shift: float, values: list[float | None],
          conf: list[float | None], colour: str, label: str) -> None:
    """Horizontal bars with their confidence half-widths as error bars."""
    ax.barh(y + shift, [_v(v) for v in values], height=height, color=colour, alpha=0.85,
            xerr=[_v(c) for c in conf], error_kw={"ecolor": "0.25", "capsize": 2, "lw": 0.8},
            label=label)
