"""Scenario discovery: the boxes of parameter space where one mode settles sooner (PRIM, CART).

From a sweep's results folder (a Latin hypercube, usually): at each design point, whether
mode B settles sooner than mode A, and the reverse, by each measure (the last deal, the
share-weighted week), with exactly `summarize`'s test (compare's paired bootstrap CI and
Holm-adjusted log-rank test over the point's common seeds). Each of those yes/no outcomes
is searched with PRIM (EMA Workbench's `prim.Prim`, lenient objective, peeling and
pasting): its peeling trajectory (coverage, density, mass, restricted parameters and the
box's limits at every step) and one box chosen by a stated rule: the box of most coverage
among those of density at least `density` (default 0.8; the smallest such box would be
the end of the trajectory, where peeling stops at the minimum mass whatever the region).
A decision tree (scikit-learn's CART, depth 3) gives a second view: its leaves that
predict the outcome, as boxes with coverage and density.

`discover(frame)` does the same for any pandas DataFrame with boolean outcome columns.
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bargainsim.errors import InputError, Problem

DENSITY = 0.8
RULE = ("the box of most coverage among those on the peeling trajectory with density at "
        "least {density:g} (ties: the denser); none when no box reaches it")


def _prim() -> Any:
    """EMA Workbench's PRIM module, imported quietly (it warns about optional parts)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from ema_workbench.analysis import prim
    except ImportError:
        raise InputError("discover", [Problem("", (
            "needs EMA Workbench: pip install 'bargainsim[evidence]'"))]) from None
    logging.getLogger("EMA").setLevel(logging.WARNING)
    return prim


# ------------------------------------------------------------------ a results folder


def points_frame(folder: str | Path, modes: Sequence[str] | None = None
                 ) -> tuple[pd.DataFrame, dict[str, Any]]:
    """One row per design point of a sweep: its values and, per measure, who was sooner.

    Columns: the varied parameters, then `{B}_sooner_{measure}` and `{A}_sooner_{measure}`
    (True where `summarize`'s test finds that mode clearly sooner at that point) for
    measures `last_deal` and `weighted`. Also returns what the folder is (experiment,
    modes, bounds, labels).

    Raises:
        InputError: no such folder, not a results folder, or not two modes to compare.
    """
    from bargainsim.experiments.compare import TESTED
    from bargainsim.experiments.storage import ResultStore
    from bargainsim.experiments.summary import summarize

    path = Path(folder)
    if path.exists() and not path.is_dir():
        raise InputError(str(folder), [Problem("", (
            "is a file; give a sweep's results folder (bargainsim sweep --out)"))])
    if not path.is_dir():
        raise InputError(str(folder), [Problem("", (
            "no such folder; give a sweep's results folder (bargainsim sweep EXPERIMENT "
            "writes results/EXPERIMENT)"))])
    store = ResultStore(path)
    manifest = store.manifest()
    ran = list(manifest["modes"])
    a, b = _pair(ran, modes, str(folder))
    stored = store.experiment()
    summary = summarize(path)
    if not summary["points"]:
        raise InputError(str(folder), [Problem("shards", (
            "no runs on disk yet; run the sweep (with --resume to finish it)"))])
    params = list(manifest["parameters"])
    records = []
    not_compared = 0
    for point in summary["points"]:
        row: dict[str, Any] = {"point": point["point"], **point["values"]}
        if not point["seeds_compared"]:
            not_compared += 1
        for tested, key in zip(TESTED, ("last_deal", "weighted"), strict=True):
            pair = [c for c in point[f"comparisons{tested.suffix}"] if {c["a"], c["b"]} == {a, b}]
            sooner = pair[0]["sooner"] if pair else None
            row[f"{b}_sooner_{key}"] = sooner == b
            row[f"{a}_sooner_{key}"] = sooner == a
        records.append(row)
    frame = pd.DataFrame.from_records(records).set_index("point")
    exp = stored["experiment"]
    bounds = {p: [exp["parameters"][p]["min"], exp["parameters"][p]["max"]] for p in params
              if exp["parameters"][p].get("min") is not None}
    labels = {}
    for tested, key in zip(TESTED, ("last_deal", "weighted"), strict=True):
        labels[f"{b}_sooner_{key}"] = f"{b} settles sooner than {a} ({tested.name})"
        labels[f"{a}_sooner_{key}"] = f"{a} settles sooner than {b} ({tested.name})"
    meta = {"experiment": manifest["experiment"], "folder": str(folder), "design":
            manifest.get("design"), "modes": [a, b], "seeds": manifest["seeds"]["count"],
            "parameters": params, "bounds": bounds, "labels": labels,
            "complete": summary["complete"], "points_not_compared": not_compared,
            "test": "as compare and summarize: paired bootstrap 95% CI of the median "
                    "difference excludes 0 and Holm-adjusted log-rank p < 0.05"}
    return frame, meta


def _pair(ran: list[str], modes: Sequence[str] | None, source: str) -> tuple[str, str]:
    """The two modes compared: those asked for, else coalition and separate, else the first two."""
    if modes is not None:
        if len(modes) != 2 or modes[0] == modes[1]:
            raise InputError("--modes", [Problem(",".join(modes), "name two different modes")])
        missing = [m for m in modes if m not in ran]
        if missing:
            raise InputError("--modes", [Problem(",".join(modes), (
                f"the sweep did not run {', '.join(missing)} (it ran {', '.join(ran)})"))])
        return modes[0], modes[1]
    if "coalition" in ran and "separate" in ran:
        return "coalition", "separate"
    if len(ran) < 2:
        raise InputError(source, [Problem("manifest.json", (
            f"the sweep ran one mode ({', '.join(ran)}); discovery compares two"))])
    return ran[0], ran[1]


# ------------------------------------------------------------------ PRIM and CART


def discover(
    data: pd.DataFrame | str | Path,
    targets: Sequence[str] | None = None,
    parameters: Sequence[str] | None = None,
    density: float = DENSITY,
    modes: Sequence[str] | None = None,
    cart: bool = True,
    mass_min: float = 0.05,
    peel_alpha: float = 0.05,
) -> dict[str, Any]:
    """PRIM boxes (and CART leaves) where each boolean outcome holds.

    Args:
        data: a sweep's results folder (see `points_frame`), or a DataFrame with one row
            per point: parameter columns and boolean outcome columns.
        targets: the outcome columns (default: every boolean column of a DataFrame; for a
            folder, both directions by both measures).
        parameters: the columns searched (default: every column not boolean).
        density: the chosen box's least density (see the module's rule).
        modes: for a folder, the two modes compared (default coalition, separate).
        cart: also fit a decision tree per outcome.
        mass_min: PRIM's least box mass (share of points).
        peel_alpha: PRIM's share of points peeled per step.

    Returns:
        Plain data: per outcome, its PRIM trajectory, the chosen box and CART's leaves;
        `plots.discovery_figure` draws it.
    """
    if not 0 < density <= 1:
        raise InputError("--density", [Problem(str(density), "must be in (0, 1]")])
    if isinstance(data, pd.DataFrame):
        frame = data
        meta: dict[str, Any] = {"labels": {}}
    else:
        frame, meta = points_frame(data, modes)
    if targets is None:
        targets = [c for c in frame.columns if pd.api.types.is_bool_dtype(frame[c])]
    if parameters is None:
        parameters = meta.get("parameters") or [
            c for c in frame.columns
            if c not in targets and not pd.api.types.is_bool_dtype(frame[c])]
    missing = [c for c in [*targets, *parameters] if c not in frame.columns]
    if missing or not targets or not parameters:
        raise InputError("discover", [Problem(", ".join(missing) or "columns", (
            "not in the data" if missing else "needs boolean outcome and parameter columns"))])
    x = frame[list(parameters)].reset_index(drop=True)
    bounds = dict(meta.get("bounds") or {})
    for p in parameters:
        if p not in bounds and pd.api.types.is_numeric_dtype(x[p]):
            bounds[p] = [float(x[p].min()), float(x[p].max())]
    searches = []
    for target in targets:
        y = frame[target].to_numpy(dtype=bool)
        entry: dict[str, Any] = {
            "target": target, "label": meta["labels"].get(target, target),
            "points": int(y.size), "cases": int(y.sum()),
            "share": float(y.mean()) if y.size else 0.0,
        }
        entry.update(prim_search(x, y, density, mass_min, peel_alpha))
        if cart:
            entry["cart"] = cart_leaves(x, y)
        searches.append(entry)
    return {**{k: v for k, v in meta.items() if k != "labels"},
            "parameters": list(parameters), "bounds": bounds, "density": density,
            "rule": RULE.format(density=density), "mass_min": mass_min,
            "peel_alpha": peel_alpha, "searches": searches}


def prim_search(x: pd.DataFrame, y: np.ndarray, density: float = DENSITY,
                mass_min: float = 0.05, peel_alpha: float = 0.05) -> dict[str, Any]:
    """PRIM's first box for outcome `y`: the peeling trajectory and the chosen step."""
    if not y.any():
        return {"trajectory": [], "chosen": None, "note": "no point has this outcome"}
    if y.all():
        return {"trajectory": [], "chosen": None, "note": "every point has this outcome"}
    prim = _prim()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search = prim.Prim(x, y.astype(int), peel_alpha=peel_alpha, mass_min=mass_min)
        box = search.find_box()
    trajectory = []
    init = box.box_lims[0]
    for i, row in box.peeling_trajectory.iterrows():
        lims = box.box_lims[int(i)]
        restricted = [c for c in x.columns if not _same(lims[c], init[c])]
        trajectory.append({
            "step": int(i), "coverage": float(row["coverage"]),
            "density": float(row["density"]), "mass": float(row["mass"]),
            "restricted": restricted, "points": int(row["n"]), "cases": int(row["k"]),
            "limits": {c: _limits(lims[c]) for c in restricted},
            "quasi_p": _quasi_p(box.p_values[int(i)], restricted),
        })
    chosen = choose(trajectory, density)
    out: dict[str, Any] = {"trajectory": trajectory, "chosen": chosen}
    if chosen is None:
        densest = max(trajectory, key=lambda s: (s["density"], s["coverage"]))
        out["note"] = (f"no box reaches density {density:g}; the densest is step "
                       f"{densest['step']} (density {densest['density']:.2f}, coverage "
                       f"{densest['coverage']:.2f})")
    return out


def choose(trajectory: Sequence[Mapping[str, Any]], density: float) -> dict[str, Any] | None:
    """The stated rule: most coverage among steps of density >= `density` (ties: denser)."""
    fit = [s for s in trajectory if s["density"] >= density - 1e-12]
    if not fit:
        return None
    return dict(max(fit, key=lambda s: (s["coverage"], s["density"], -s["step"])))


def _same(a: pd.Series, b: pd.Series) -> bool:
    return bool(all(u == v for u, v in zip(a.tolist(), b.tolist(), strict=True)))


def _limits(column: pd.Series) -> list[float] | dict[str, list[Any]]:
    """A box's limits on one parameter: [low, high], or the values kept of a categorical."""
    lo, hi = column.tolist()
    if isinstance(lo, set):
        return {"values": sorted(lo, key=str)}
    return [float(lo), float(hi)]


def _quasi_p(values: Mapping[str, Any], restricted: Sequence[str]) -> dict[str, list[Any]]:
    """Bryant and Lempert's quasi-p values per restricted limit (None: limit not moved)."""
    out = {}
    for c in restricted:
        pair = values.get(c)
        if pair is None:
            continue
        out[c] = [None if (v is None or v < 0 or math.isnan(v)) else float(v) for v in pair]
    return out


def cart_leaves(x: pd.DataFrame, y: np.ndarray, depth: int = 3) -> dict[str, Any]:
    """A decision tree's leaves that predict the outcome, as boxes (numeric parameters)."""
    try:
        from sklearn.tree import DecisionTreeClassifier, export_text
    except ImportError:
        raise InputError("discover", [Problem("", (
            "CART needs scikit-learn: pip install 'bargainsim[evidence]'"))]) from None

    numeric = [c for c in x.columns if pd.api.types.is_numeric_dtype(x[c])]
    if not y.any() or y.all() or not numeric:
        return {"leaves": [], "parameters": numeric, "text": ""}
    leaf_min = max(3, math.ceil(0.05 * len(y)))
    tree = DecisionTreeClassifier(max_depth=depth, min_samples_leaf=leaf_min, random_state=0)
    data = x[numeric].to_numpy(dtype=float)
    tree.fit(data, y)
    t = tree.tree_
    leaves = []

    def walk(node: int, limits: dict[str, list[float]]) -> None:
        if t.children_left[node] == -1:
            inside = np.ones(len(y), dtype=bool)
            for c, (lo, hi) in limits.items():
                col = x[c].to_numpy(dtype=float)
                inside &= (col > lo) & (col <= hi)
            n, k = int(inside.sum()), int(y[inside].sum())
            if n and k / n > 0.5:
                leaves.append({"limits": {c: [_finite(lo), _finite(hi)] for c, (lo, hi)
                                          in limits.items()},
                               "points": n, "cases": k, "density": k / n,
                               "coverage": k / int(y.sum())})
            return
        name, cut = numeric[t.feature[node]], float(t.threshold[node])
        lo, hi = limits.get(name, [-math.inf, math.inf])
        walk(t.children_left[node], {**limits, name: [lo, min(hi, cut)]})
        walk(t.children_right[node], {**limits, name: [max(lo, cut), hi]})

    walk(0, {})
    leaves.sort(key=lambda leaf: -leaf["coverage"])
    return {"leaves": leaves, "parameters": numeric, "depth": depth,
            "min_samples_leaf": leaf_min,
            "text": export_text(tree, feature_names=numeric, decimals=3)}


def _finite(value: float) -> float | None:
    return None if math.isinf(value) else value


# ------------------------------------------------------------------ text


def format_discovery(result: dict[str, Any]) -> str:
    """Per outcome: how common it is, the chosen PRIM box and CART's leaves, in words."""
    head = result.get("experiment", "data")
    lines = [f"{head}: scenario discovery over {', '.join(result['parameters'])}"]
    if result.get("test"):
        lines.append(f"a mode is sooner at a point {result['test']}")
    lines.append(f"PRIM box chosen: {result['rule']}")
    if result.get("complete") is False:
        lines.append("incomplete sweep: only the points on disk are searched "
                     "(finish with sweep --resume)")
    for s in result["searches"]:
        lines += ["", f"{s['label']}: {s['cases']} of {s['points']} points ({s['share']:.0%})"]
        chosen = s.get("chosen")
        if chosen is not None:
            lines.append(f"  PRIM box (step {chosen['step']}): coverage {chosen['coverage']:.2f}"
                         f", density {chosen['density']:.2f}, mass {chosen['mass']:.2f}")
            for c in chosen["restricted"]:
                lines.append(f"    {c}: {_range(chosen['limits'][c])}"
                             f"{_qp(chosen.get('quasi_p', {}).get(c))}")
            if not chosen["restricted"]:
                lines.append("    (no parameter restricted: the whole space)")
        if s.get("note"):
            lines.append(f"  {s['note']}")
        for leaf in s.get("cart", {}).get("leaves", [])[:3]:
            rule = " and ".join(f"{c} {_cut(lo, hi)}" for c, (lo, hi) in leaf["limits"].items())
            lines.append(f"  CART leaf: {rule or 'everywhere'} (coverage {leaf['coverage']:.2f}"
                         f", density {leaf['density']:.2f})")
    return "\n".join(lines)


def _qp(pair: list[float | None] | None) -> str:
    """A restriction's quasi-p, the smaller of its two limits' (none: not computed)."""
    values = [v for v in (pair or []) if v is not None]
    return f" (quasi-p {min(values):.2g})" if values else ""


def _range(lim: Any) -> str:
    if isinstance(lim, dict):
        return "one of " + ", ".join(str(v) for v in lim["values"])
    return f"{lim[0]:.4g} to {lim[1]:.4g}"


def _cut(lo: float | None, hi: float | None) -> str:
    if lo is None:
        return f"<= {hi:.4g}"
    if hi is None:
        return f"> {lo:.4g}"
    return f"in ({lo:.4g}, {hi:.4g}]"

