"""Byte-identical regression check of simulation outputs, for performance work.

`python -m benchmarks.regression save DIR` writes, for every scenario in scenarios/ and
scenarios/classroom/ (plus a few overrides that reach other code paths), every mode and
seeds 0..29, `json.dumps(run(spec, mode, seed))`, and the trace rows of seeds 0..2.
It also runs the pipeline through the command line, as a user does: `compare --json
--out` (the printed result, comparison.json and runs.jsonl), `sweep` of every shipped
experiment (the shards' rows sorted by point, mode and seed) and `summarize --json`.
`python -m benchmarks.regression check DIR` recomputes them and reports every case whose
output differs, and the outputs the reference does not have (`--reference-only` computes
only the cases it has). An optimisation must leave every byte unchanged.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from bargainsim.model import BargainingModel
from bargainsim.runner import run, run_seeds
from bargainsim.scenario import MODES, load_scenario

ROOT = Path(__file__).resolve().parents[1]
SEEDS = range(30)
TRACE_SEEDS = range(3)
VARIANTS: dict[str, list[str]] = {
    "": [],
    "unanimity": ["coalition.rule=unanimity"],
    "share_weighted": ["coalition.rule=share_weighted"],
    "spread": ["industry.model_spread=0.4", "industry.streamer_share=0.6"],
}


def cases() -> list[tuple[str, str, list[str]]]:
    """(file, variant, overrides) of every scenario checked."""
    files = sorted((ROOT / "scenarios").glob("*.yaml")) + sorted(
        (ROOT / "scenarios" / "classroom").glob("*.yaml")
    )
    out = []
    for f in files:
        rel = str(f.relative_to(ROOT))
        variants = VARIANTS if "classroom" not in rel else {"": []}
        if "wga_2023" not in rel and "classroom" not in rel:
            variants = {"": []}
        out += [(rel, v, o) for v, o in variants.items()]
    return out


def outputs(only: set[str] | None = None) -> dict[str, str]:
    """Key -> output text of every case (of the scenario files in `only`, when given)."""
    out: dict[str, str] = {}
    for rel, variant, overrides in cases():
        if only is not None and rel not in only:
            continue
        spec = load_scenario(ROOT / rel, overrides)
        for mode in MODES:
            # even seeds each in a fresh model (`run`), odd ones in one restarted model
            # (`run_seeds`): both must give the reference's bytes
            for seed in SEEDS[::2]:
                key = f"{rel}[{variant}] {mode} {seed}"
                try:
                    out[key] = json.dumps(run(spec, mode=mode, seed=seed))
                except Exception as exc:  # noqa: BLE001 - an error is an output too
                    out[key] = f"ERROR {type(exc).__name__}: {exc}"
            try:
                for seed, rec in zip(SEEDS[1::2], run_seeds(spec, mode, SEEDS[1::2]),
                                     strict=True):
                    out[f"{rel}[{variant}] {mode} {seed}"] = json.dumps(rec)
            except Exception as exc:  # noqa: BLE001
                for seed in SEEDS[1::2]:
                    out[f"{rel}[{variant}] {mode} {seed}"] = f"ERROR {type(exc).__name__}: {exc}"
            for seed in TRACE_SEEDS:
                key = f"{rel}[{variant}] {mode} {seed} trace"
                try:
                    model = BargainingModel(spec, mode=mode, seed=seed, trace=True).run()
                    out[key] = json.dumps(model.trace_rows)
                except Exception as exc:  # noqa: BLE001
                    out[key] = f"ERROR {type(exc).__name__}: {exc}"
    return out


COMPARES: list[tuple[str, list[str]]] = [
    ("scenarios/wga_2023.yaml", ["--seeds", "30"]),
    ("scenarios/streamer_heavy.yaml", ["--seeds", "20", "--modes", "coalition,separate"]),
    ("scenarios/classroom/attrition.yaml", ["--seeds", "50"]),
    ("scenarios/classroom/faratin.yaml", ["--seeds", "3"]),
]


def _cli(*args: str) -> str:
    """Run `python -m bargainsim ARGS` and return what it printed (exit 0 required)."""
    done = subprocess.run([sys.executable, "-m", "bargainsim", *args], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return f"ERROR exit {done.returncode}: {done.stderr.strip()[-500:]}"
    return done.stdout


def pipeline_outputs(only: set[str] | None = None) -> dict[str, str]:
    """Key -> output of compare, sweep and summarize as the command line gives them.

    With `only`, the experiments whose sweep is not among those keys are skipped.
    """
    import pyarrow.parquet as pq

    out: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for i, (rel, args) in enumerate(COMPARES):
            folder = Path(tmp) / f"compare{i}"
            key = f"compare {rel} {' '.join(args)}"
            out[key + " --json"] = _cli("compare", rel, *args, "--json", "--out", str(folder))
            for name in ("comparison.json", "runs.jsonl"):
                path = folder / name
                out[f"{key} {name}"] = path.read_text() if path.exists() else "MISSING"
        for exp in sorted((ROOT / "experiments").glob("*.yaml")):
            rel = str(exp.relative_to(ROOT))
            if only is not None and f"sweep {rel}" not in only:
                continue
            folder = Path(tmp) / exp.stem
            printed = _cli("sweep", rel, "--workers", "2", "--out", str(folder))
            if printed.startswith("ERROR"):
                out[f"sweep {rel}"] = printed
                continue
            rows = pq.read_table(folder / "shards").to_pylist()
            rows.sort(key=lambda r: (r["point"], r["mode"], r["seed"]))
            out[f"sweep {rel}"] = json.dumps(rows, default=str)
            out[f"summarize {rel} --json"] = _cli("summarize", str(folder), "--json").replace(
                str(folder), "RESULTS")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.regression")
    parser.add_argument("action", choices=["save", "check"])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--no-pipeline", action="store_true",
                        help="only the run records and traces (not compare, sweep, summarize)")
    parser.add_argument("--reference-only", action="store_true",
                        help="check: compute only the cases the reference has (scenarios and "
                        "experiments added since it was saved are left out)")
    args = parser.parse_args()
    path = args.dir / "reference.json"
    only = None
    if args.action == "check" and args.reference_only:
        keys = set(json.loads(path.read_text()))
        only = {k.split("[", 1)[0] for k in keys if "[" in k} | keys
    current = outputs(only)
    if not args.no_pipeline:
        current.update(pipeline_outputs(only))
    digest = hashlib.sha256(json.dumps(current, sort_keys=True).encode()).hexdigest()
    if args.action == "save":
        args.dir.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(current, sort_keys=True))
        errors = sum(v.startswith("ERROR") for v in current.values())
        print(f"saved {len(current)} outputs ({errors} errors) to {path}, sha256 {digest}")
        return
    reference = json.loads(path.read_text())
    if args.no_pipeline:
        reference = {k: v for k, v in reference.items() if k in current}
    changed = [k for k in reference if current.get(k) != reference[k]]
    new = [k for k in current if k not in reference]
    for k in changed[:20]:
        print("DIFFERS:", k)
    if new:
        print(f"{len(new)} outputs have no reference (cases added since it was saved), e.g. "
              f"{new[0]}")
    print(f"{len(reference) - len(changed)}/{len(reference)} identical, sha256 {digest}")
    sys.exit(1 if changed or new else 0)


if __name__ == "__main__":
    main()
