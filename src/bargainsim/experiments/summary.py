"""Summaries of a sweep: per design point, the modes compared with the same test as `compare`.

At each point every mode ran over the same seeds, so the paired bootstrap and the
log-rank test of `compare` apply unchanged, by both of its measures: the last deal
(industry back; `comparisons`, `verdict`, `wins`) and the share-weighted week (writers
back; the same keys with `_weighted`). A seed whose run failed in any mode is left out of
that point's comparison (its rows stay on disk) and counted. Rows of a sweep made before
a measure existed lack its column: that measure is then not compared (`measures` lists
those that are).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from bargainsim.experiments.compare import TESTED, Tested, compare_rows
from bargainsim.experiments.storage import ResultStore
from bargainsim.outputs import figures


def _reported() -> list[str]:
    """The per-mode figures a summary keeps: the runs and those the outputs table marks."""
    return ["runs"] + [f.key for _, f in figures() if f.summarize]


def summarize(folder: str | Path, bootstrap: int = 2000) -> dict[str, Any]:
    """Per point: its values, each mode's median settlement (with CI) and the comparisons."""
    store = ResultStore(folder)
    manifest = store.manifest()
    stored = store.experiment()
    params: list[str] = manifest["parameters"]
    modes: list[str] = manifest["modes"]
    table = store.table()
    rows = table.to_pylist()
    tested = [t for t in TESTED if not rows or t.output in table.schema.names]
    by_point: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_point[row["point"]].append(row)
    reported = _reported()
    points = []
    for point in sorted(by_point):
        prow = by_point[point]
        bad = {r["seed"] for r in prow if r["status"] != "ok"}
        seeds = sorted({r["seed"] for r in prow} - bad)
        present = {(r["mode"], r["seed"]) for r in prow}
        seeds = [s for s in seeds if all((m, s) in present for m in modes)]
        entry: dict[str, Any] = {
            "point": point,
            "values": stored["points"][point],
            "runs": len(prow),
            "failed": sum(1 for r in prow if r["status"] != "ok"),
            "seeds_compared": len(seeds),
        }
        if not seeds:
            entry.update(modes={})
            for t in TESTED:
                entry[f"comparisons{t.suffix}"] = []
                entry[f"verdict{t.suffix}"] = "no seed ran in every mode"
            points.append(entry)
            continue
        index = {(r["mode"], r["seed"]): r for r in prow}
        by_mode = {m: [index[(m, s)] for s in seeds] for m in modes}
        result = compare_rows(by_mode, float(manifest["horizon"]), manifest["experiment"],
                              bootstrap=bootstrap)
        entry["modes"] = {m: {k: s[k] for k in reported} for m, s in result["modes"].items()}
        for t in TESTED:
            entry[f"comparisons{t.suffix}"] = [
                {k: c[k] for k in ("a", "b", "median_difference", "ci95", "p_value", "sooner")}
                for c in result[f"comparisons{t.suffix}"]
            ]
            entry[f"verdict{t.suffix}"] = result[f"verdict{t.suffix}"]
        points.append(entry)
    done = len(rows)
    return {
        "experiment": manifest["experiment"],
        "folder": str(folder),
        "parameters": params,
        "modes": modes,
        "seeds": manifest["seeds"]["count"],
        "runs": done,
        "total_runs": manifest["total_runs"],
        "complete": done == manifest["total_runs"],
        "failed": sum(p["failed"] for p in points),
        "points": points,
        "wins": _wins(points, modes),
        "measures": [t.name for t in tested],
        **{f"wins{t.suffix}": _wins(points, modes, t) for t in TESTED[1:]},
    }


def _wins(points: list[dict[str, Any]], modes: list[str],
          tested: Tested = TESTED[0]) -> dict[str, dict[str, int]]:
    """For each pair of modes, at how many points each was sooner by a measure, or neither."""
    wins: dict[str, dict[str, int]] = {}
    for p in points:
        for c in p[f"comparisons{tested.suffix}"]:
            key = f"{c['a']} vs {c['b']}"
            tally = wins.setdefault(key, {c["a"]: 0, c["b"]: 0, "neither": 0})
            tally[c["sooner"] or "neither"] += 1
    return wins


def _short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def short_labels(paths: list[str]) -> list[str]:
    """The last key of each dotted path, or more of it where that is ambiguous."""
    depth = 1
    while True:
        labels = [".".join(p.split(".")[-depth:]) for p in paths]
        if len(set(labels)) == len(labels) or depth > max(p.count(".") for p in paths):
            return labels
        depth += 1


def _points(n: int) -> str:
    return f"{n} point" if n == 1 else f"{n} points"


def _median(point: dict[str, Any], mode: str, tested: Tested) -> str:
    value = point["modes"].get(mode, {}).get(tested.median)
    return "-" if value is None else _short(value)


def format_summary(summary: dict[str, Any]) -> str:
    """The summary as plain text: per measure a row per point, then the tallies of wins.

    Every line names its measure: the last deal (industry back) or the share-weighted
    week (writers back).
    """
    params, modes = summary["parameters"], summary["modes"]
    labels = short_labels(params)
    widths = [
        max([len(label), 7] + [len(_short(p["values"][k])) for p in summary["points"]])
        for label, k in zip(labels, params, strict=True)
    ]
    head = "".join(f"{label:>{w + 1}}" for label, w in zip(labels, widths, strict=True))
    head += "".join(f"{m[:10]:>11}" for m in modes)
    measures = [t for t in TESTED if t.name in summary.get("measures", [TESTED[0].name])]
    lines = [
        f"experiment {summary['experiment']}: {len(summary['points'])} points, "
        f"{summary['seeds']} seeds per mode; median week per mode by "
        f"{' and by '.join(t.name for t in measures)} (Kaplan-Meier; - when half or more "
        "censored)",
        "sooner 'a<b': a settles sooner than b by that measure (bootstrap CI excludes 0 and "
        "Holm-adjusted log-rank p < 0.05, as in compare)",
    ]
    for t in measures:
        lines += ["", t.title(long=True), f"{'point':>5}{head}  sooner"]
        for p in summary["points"]:
            vals = "".join(f"{_short(p['values'][k]):>{w + 1}}" for k, w in
                           zip(params, widths, strict=True))
            meds = "".join(f"{_median(p, m, t):>11}" for m in modes)
            sooner = [f"{c['sooner']}<{c['b'] if c['sooner'] == c['a'] else c['a']}"
                      for c in p[f"comparisons{t.suffix}"] if c["sooner"]]
            note = ", ".join(sooner) or "no clear difference"
            if p["failed"]:
                note += f"  [{p['failed']} failed runs]"
            lines.append(f"{p['point']:>5}{vals}{meds}  {note}")
    lines.append("")
    for t in measures:
        for pair, tally in summary[f"wins{t.suffix}"].items():
            a, b = pair.split(" vs ")
            lines.append(f"{t.name}: {pair}: {a} sooner at {_points(tally[a])}, {b} sooner "
                         f"at {tally[b]}, no clear difference at {tally['neither']}")
    missing = [t.name for t in TESTED if t not in measures]
    if missing:
        lines.append(f"not compared: {', '.join(missing)} (the sweep's rows lack its column; "
                     "rerun the sweep with this version)")
    if not summary["complete"]:
        lines.append(f"incomplete: {summary['runs']} of {summary['total_runs']} runs on disk "
                     "(finish with sweep --resume)")
    if summary["failed"]:
        lines.append(f"{summary['failed']} runs failed (rows with status 'failed')")
    return "\n".join(lines)
