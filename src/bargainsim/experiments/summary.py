"""Summaries of a sweep: per design point, the modes compared with the same test as `compare`.

At each point every mode ran over the same seeds, so the paired bootstrap and the
log-rank test of `compare` apply unchanged. A seed whose run failed in any mode is left
out of that point's comparison (its rows stay on disk) and counted.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from bargainsim.experiments.compare import compare_rows
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
    rows = store.table().to_pylist()
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
            entry.update(modes={}, comparisons=[], verdict="no seed ran in every mode")
            points.append(entry)
            continue
        index = {(r["mode"], r["seed"]): r for r in prow}
        by_mode = {m: [index[(m, s)] for s in seeds] for m in modes}
        result = compare_rows(by_mode, float(manifest["horizon"]), manifest["experiment"],
                              bootstrap=bootstrap)
        entry["modes"] = {m: {k: s[k] for k in reported} for m, s in result["modes"].items()}
        entry["comparisons"] = [
            {k: c[k] for k in ("a", "b", "median_difference", "ci95", "p_value", "sooner")}
            for c in result["comparisons"]
        ]
        entry["verdict"] = result["verdict"]
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
    }


def _wins(points: list[dict[str, Any]], modes: list[str]) -> dict[str, dict[str, int]]:
    """For each pair of modes, at how many points each was sooner, or neither."""
    wins: dict[str, dict[str, int]] = {}
    for p in points:
        for c in p["comparisons"]:
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


def _median(point: dict[str, Any], mode: str) -> str:
    value = point["modes"].get(mode, {}).get("median_settlement_step")
    return "-" if value is None else _short(value)


def format_summary(summary: dict[str, Any]) -> str:
    """The summary as a plain-text table: a row per point, then the tally of wins."""
    params, modes = summary["parameters"], summary["modes"]
    labels = short_labels(params)
    widths = [
        max([len(label), 7] + [len(_short(p["values"][k])) for p in summary["points"]])
        for label, k in zip(labels, params, strict=True)
    ]
    head = "".join(f"{label:>{w + 1}}" for label, w in zip(labels, widths, strict=True))
    head += "".join(f"{m[:10]:>11}" for m in modes)
    lines = [
        f"experiment {summary['experiment']}: {len(summary['points'])} points, "
        f"{summary['seeds']} seeds per mode; median industry settlement week per mode "
        "(Kaplan-Meier; - when half or more censored)",
        "sooner 'a<b': a settles sooner than b (bootstrap CI excludes 0 and Holm-adjusted "
        "log-rank p < 0.05, as in compare)",
        f"{'point':>5}{head}  sooner",
    ]
    for p in summary["points"]:
        vals = "".join(f"{_short(p['values'][k]):>{w + 1}}" for k, w in
                       zip(params, widths, strict=True))
        meds = "".join(f"{_median(p, m):>11}" for m in modes)
        sooner = [f"{c['sooner']}<{c['b'] if c['sooner'] == c['a'] else c['a']}"
                  for c in p["comparisons"] if c["sooner"]]
        note = ", ".join(sooner) or "no clear difference"
        if p["failed"]:
            note += f"  [{p['failed']} failed runs]"
        lines.append(f"{p['point']:>5}{vals}{meds}  {note}")
    lines.append("")
    for pair, tally in summary["wins"].items():
        a, b = pair.split(" vs ")
        lines.append(f"{pair}: {a} sooner at {_points(tally[a])}, {b} sooner at "
                     f"{tally[b]}, no clear difference at {tally['neither']}")
    if not summary["complete"]:
        lines.append(f"incomplete: {summary['runs']} of {summary['total_runs']} runs on disk "
                     "(finish with sweep --resume)")
    if summary["failed"]:
        lines.append(f"{summary['failed']} runs failed (rows with status 'failed')")
    return "\n".join(lines)
