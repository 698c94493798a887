"""Figures of a sweep: where each mode settles sooner, over one or two varied parameters.

They take the summary of a results folder (`experiments.summary.summarize`), whose
per-point comparisons use the same paired bootstrap and Holm-adjusted log-rank test as
`compare`, and return a `matplotlib.figure.Figure` built without pyplot. Each figure has
a panel per measure, side by side: the last deal (industry back) and the share-weighted
week (writers back), or one of them (`measure`). Over two parameters: the median
difference in that week between two modes, on one diverging colour map centred on zero
for both panels, cells where the difference is not significant hatched (a heat map when
the points form a grid, else a scatter). Over one: each mode's median week with its 95%
bootstrap CI.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from bargainsim.errors import InputError, Problem
from bargainsim.experiments.compare import TESTED, Tested
from bargainsim.plots.palette import mode_colour

DIVERGING = "PuOr"  # ColorBrewer, readable under the common colour-vision deficiencies
HATCH = "///"
MARKERS = ("o", "s", "^", "D", "v", "P")
STYLES = ("-", "--", "-.", ":")  # modes with equal medians stay visible one over another

Summary = Mapping[str, Any]
MEASURES = {"both": TESTED, "last-deal": TESTED[:1], "weighted": TESTED[1:]}  # --measure


def measures(summary: Summary, measure: str = "both") -> list[Tested]:
    """The measures to draw: `both`, `last-deal` or `weighted`, among those compared.

    Raises:
        InputError: naming --measure when it is unknown or the sweep's rows lack it.
    """
    if measure not in MEASURES:
        raise InputError("--measure", [Problem(measure, f"choose from {', '.join(MEASURES)}")])
    available = summary.get("measures", [TESTED[0].name])
    chosen = [t for t in MEASURES[measure] if t.name in available]
    if not chosen:
        raise InputError("--measure", [Problem(measure, "this sweep's rows have no "
                                                        f"{MEASURES[measure][0].output}; rerun "
                                                        "the sweep with this version")])
    return chosen


def _matches(value: Any, wanted: str) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value) == wanted
    try:
        return math.isclose(float(value), float(wanted), rel_tol=1e-9, abs_tol=1e-12)
    except ValueError:
        return False


def select_points(
    summary: Summary, x: str, y: str | None = None, at: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """The points to draw: those matching every `--at PARAM=VALUE`, one per (x, y).

    Raises:
        InputError: naming the option when a parameter is not one the sweep varied, an
            `--at` matches no point, or several points share an (x, y) because another
            varied parameter is neither plotted nor fixed with `--at`.
    """
    params: list[str] = list(summary["parameters"])
    for option, name in (("--x", x), ("--y", y)):
        if name is not None and name not in params:
            raise InputError(option, [Problem(name, "not a parameter of this sweep; choose "
                                                    f"from {', '.join(params)}")])
    if y == x:
        raise InputError("--y", [Problem(y, "is also --x; choose another parameter")])
    points = list(summary["points"])
    fixed = []
    for item in at:
        name, sep, wanted = item.partition("=")
        if not sep or name not in params:
            raise InputError("--at", [Problem(item, "expected PARAM=VALUE with PARAM one of "
                                                    f"{', '.join(params)}")])
        if name in (x, y):
            raise InputError("--at", [Problem(item, f"{name} is plotted (--x/--y); fix only "
                                                    "the parameters not plotted")])
        if name in fixed:
            raise InputError("--at", [Problem(item, f"{name} is fixed twice; give it once")])
        points = [p for p in points if _matches(p["values"][name], wanted)]
        if not points:
            raise InputError("--at", [Problem(item, "no point of the sweep has this value")])
        fixed.append(name)
    others = [n for n in params if n not in (x, y, *fixed)
              and len({repr(p["values"][n]) for p in points}) > 1]
    keys = [(repr(p["values"][x]), repr(p["values"][y]) if y else None) for p in points]
    if others and len(set(keys)) < len(keys):
        hint = f"fix it with --at {others[0]}=VALUE" + ("" if y else " or plot it as --y")
        raise InputError("--x", [Problem(x, f"several points share each value; they differ in "
                                            f"{', '.join(others)}: {hint}")])
    return points


def _axis_values(points: Sequence[Mapping[str, Any]], name: str) -> list[Any]:
    values = []
    for p in points:
        if p["values"][name] not in values:
            values.append(p["values"][name])
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        values.sort()
    return values


def _difference(point: Mapping[str, Any], a: str, b: str,
                tested: Tested = TESTED[0]) -> tuple[float | None, bool]:
    """Median week of `a` minus that of `b` at a point by a measure, and whether significant."""
    for c in point.get(f"comparisons{tested.suffix}", []):
        if {c["a"], c["b"]} == {a, b}:
            d = c["median_difference"]
            if d is not None and c["a"] != a:
                d = -d
            return d, c["sooner"] is not None
    return None, False


def _modes(summary: Summary, modes: Sequence[str] | None, need: int | None) -> list[str]:
    known = list(summary["modes"])
    chosen = list(modes) if modes else known[: need or len(known)]
    bad = [m for m in chosen if m not in known]
    if bad:
        raise InputError("--modes", [Problem(",".join(bad), "not run in this sweep; choose "
                                                           f"from {', '.join(known)}")])
    if need is not None and len(chosen) != need:
        raise InputError("--modes", [Problem(",".join(chosen), f"name exactly {need} modes "
                                                               "for a map (A,B: A minus B)")])
    return chosen


def difference_map(
    summary: Summary, x: str, y: str, modes: Sequence[str] | None = None,
    at: Sequence[str] = (), measure: str = "both",
) -> Figure:
    """Median week of mode A minus mode B over two parameters, a panel per measure.

    Negative (orange) where A settles sooner, positive (purple) where B does; hatched where
    the difference is not significant, grey with `n/a` where a median is undefined (half
    or more of the runs censored). A heat map when the points form a grid, else a scatter.
    The panels (last deal, share-weighted week) share one colour scale.
    """
    a, b = _modes(summary, modes, 2)
    shown = measures(summary, measure)
    points = select_points(summary, x, y, at)
    xs, ys = _axis_values(points, x), _axis_values(points, y)
    diffs = {t.name: [_difference(p, a, b, t) for p in points] for t in shown}
    finite = [abs(d) for ds in diffs.values() for d, _ in ds if d is not None]
    top = max(finite + [1.0])
    norm = TwoSlopeNorm(vcenter=0.0, vmin=-top, vmax=top)
    fig = Figure(figsize=(1.0 + 7.0 * len(shown), 6.4), layout="constrained")
    axes = fig.subplots(1, len(shown), squeeze=False)[0]
    cmap = _colormap()
    grid = len(points) == len(xs) * len(ys)
    for ax, t in zip(axes, shown, strict=True):
        if grid:
            cells = np.full((len(ys), len(xs)), np.nan)
            for p, (d, sig) in zip(points, diffs[t.name], strict=True):
                i, j = ys.index(p["values"][y]), xs.index(p["values"][x])
                cells[i, j] = np.nan if d is None else d
                _annotate_cell(ax, j, i, d, sig, cmap, norm, t)
            mesh = ax.pcolormesh(np.arange(len(xs) + 1) - 0.5, np.arange(len(ys) + 1) - 0.5,
                                 np.ma.masked_invalid(cells), cmap=cmap, norm=norm)
            ax.set_xticks(range(len(xs)), [_short(v) for v in xs])
            ax.set_yticks(range(len(ys)), [_short(v) for v in ys])
            ax.set_xlim(-0.5, len(xs) - 0.5)
            ax.set_ylim(-0.5, len(ys) - 0.5)
        else:
            mesh = _scatter(ax, points, diffs[t.name], x, y, cmap, norm)
        ax.set_title(f"{t.title()}: {a} minus {b}", fontsize=10, loc="left",
                     fontweight="bold")
        ax.set_xlabel(x)
        ax.set_ylabel(y)
    bar = fig.colorbar(mesh, ax=list(axes), shrink=0.9)
    bar.set_label(f"median week, {a} minus {b} (weeks)\n"
                  f"< 0: {a} sooner · > 0: {b} sooner")
    handles = [Patch(facecolor="white", edgecolor="#444444", hatch=HATCH,
                     label="not significant (95% CI includes 0 or adjusted p ≥ 0.05)"),
               Patch(facecolor="#BBBBBB", edgecolor="#444444",
                     label="n/a: a median undefined (half or more censored)")]
    fig.legend(handles=handles, loc="outside lower center", ncols=2, fontsize=8.5,
               frameon=False)
    fixed = f" at {', '.join(at)}" if at else ""
    names = " and ".join(t.title() for t in shown)
    fig.suptitle(_title(f"{summary['experiment']}: {a} vs {b}, median {names}{fixed}"
                        f"{_unfixed(summary, (x, y), at)}", summary, 60 + 40 * len(shown)),
                 fontsize=11)
    return fig


def _unfixed(summary: Summary, plotted: Sequence[str], at: Sequence[str]) -> str:
    """A note naming varied parameters that are neither plotted nor fixed (a projection)."""
    fixed = {item.partition("=")[0] for item in at}
    others = [p for p in summary["parameters"] if p not in plotted and p not in fixed]
    return f"; not fixed, varying across points: {', '.join(others)}" if others else ""


def _title(head: str, summary: Summary, width: int = 80) -> str:
    """A title wrapped to the figure's width, with the number of seeds."""
    return textwrap.fill(head, width) + f"\n({summary['seeds']} seeds per mode and point)"


def _colormap() -> Any:
    from matplotlib import colormaps

    return colormaps[DIVERGING].with_extremes(bad="#BBBBBB")


def _points(n: int) -> str:
    return f"{n} point" if n == 1 else f"{n} points"


def _short(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _annotate_cell(ax: Any, j: int, i: int, d: float | None, sig: bool, cmap: Any,
                   norm: Any, tested: Tested = TESTED[0]) -> None:
    if d is None:
        ax.text(j, i, "n/a", ha="center", va="center", fontsize=8.5, color="#000000")
        return
    r, g, bl, _ = cmap(norm(d))
    dark = 0.299 * r + 0.587 * g + 0.114 * bl < 0.5
    ax.text(j, i, f"{tested.weeks(d):+g}", ha="center", va="center", fontsize=8.5,
            color="#FFFFFF" if dark else "#000000",
            fontweight="bold" if sig else "normal")
    if not sig:
        ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, hatch=HATCH,
                               edgecolor="#555555", linewidth=0, zorder=2))


def _scatter(ax: Any, points: Sequence[Mapping[str, Any]], diffs: Sequence[tuple[Any, bool]],
             x: str, y: str, cmap: Any, norm: Any) -> Any:
    xv = np.array([float(p["values"][x]) for p in points])
    yv = np.array([float(p["values"][y]) for p in points])
    d = np.array([np.nan if v is None else v for v, _ in diffs], dtype=float)
    sig = np.array([s for _, s in diffs], dtype=bool)
    mesh = ax.scatter(xv[sig], yv[sig], c=d[sig], cmap=cmap, norm=norm, s=70,
                      edgecolors="#000000", linewidths=0.6)
    ax.scatter(xv[~sig], yv[~sig], c=np.ma.masked_invalid(d[~sig]), cmap=cmap, norm=norm,
               s=70, edgecolors="#555555", linewidths=0.6, hatch=HATCH, plotnonfinite=True)
    ax.grid(alpha=0.3)
    return mesh


def settlement_by_parameter(
    summary: Summary, x: str, modes: Sequence[str] | None = None, at: Sequence[str] = (),
    measure: str = "both",
) -> Figure:
    """Each mode's median week (Kaplan-Meier) with its 95% CI over one parameter.

    A panel per measure (last deal, share-weighted week), on one week axis. A median is
    undefined where half or more of the runs were censored; such points are left out of
    the line and counted in the legend.
    """
    chosen = _modes(summary, modes, None)
    shown = measures(summary, measure)
    points = select_points(summary, x, None, at)
    xs = _axis_values(points, x)
    numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in xs)
    pos = {repr(v): (float(v) if numeric else float(k)) for k, v in enumerate(xs)}
    order = sorted(points, key=lambda p: pos[repr(p["values"][x])])
    fig = Figure(figsize=(2.6 + 6.0 * len(shown), 5.4), layout="constrained")
    axes = fig.subplots(1, len(shown), squeeze=False, sharey=True)[0]
    at_x = np.array([pos[repr(p["values"][x])] for p in order])
    missing: dict[str, list[str]] = {m: [] for m in chosen}  # per mode, undefined medians
    for ax, t in zip(axes, shown, strict=True):
        for i, mode in enumerate(chosen):
            stats = [p["modes"].get(mode, {}) for p in order]
            med = np.array([np.nan if s.get(t.median) is None else s[t.median]
                            for s in stats], dtype=float)
            ci = [s.get(t.ci) or [np.nan, np.nan] for s in stats]
            low, high = np.array([c[0] for c in ci], float), np.array([c[1] for c in ci], float)
            colour = mode_colour(mode, i)
            undefined = int(np.isnan(med).sum())
            if undefined:
                missing[mode].append(f"{_points(undefined)} of the {t.name}")
            ax.fill_between(at_x, low, high, color=colour, alpha=0.18, linewidth=0)
            ax.plot(at_x, med, color=colour, marker=MARKERS[i % len(MARKERS)], markersize=5,
                    linewidth=1.8, linestyle=STYLES[i % len(STYLES)], label=mode)
        if not numeric:
            ax.set_xticks(range(len(xs)), [_short(v) for v in xs])
        ax.set_title(t.title(), fontsize=10, loc="left", fontweight="bold")
        ax.set_xlabel(x)
        ax.grid(alpha=0.3)
    for line, mode in zip(axes[0].get_lines(), chosen, strict=True):
        if missing[mode]:
            line.set_label(f"{mode} (median undefined at {', '.join(missing[mode])})")
    fig.legend(handles=axes[0].get_lines() + [
        Line2D([], [], color="#999999", linewidth=6, alpha=0.4, label="95% CI")],
        title="mode", fontsize=9, loc="outside right upper")
    axes[0].set_ylabel("median week (Kaplan-Meier; band: 95% bootstrap CI)")
    fixed = f" at {', '.join(at)}" if at else ""
    names = " and ".join(t.title() for t in shown)
    fig.suptitle(_title(f"{summary['experiment']}: {names} by {x}{fixed}"
                        f"{_unfixed(summary, (x,), at)}", summary, 50 + 45 * len(shown)),
                 fontsize=11)
    return fig


def sweep_figure(
    summary: Summary, x: str, y: str | None = None, modes: Sequence[str] | None = None,
    at: Sequence[str] = (), measure: str = "both",
) -> Figure:
    """A difference map over `x` and `y`, or the settlement curve over `x` alone."""
    if y is None:
        return settlement_by_parameter(summary, x, modes, at, measure)
    return difference_map(summary, x, y, modes, at, measure)
