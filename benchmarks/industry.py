"""`industry`: runs per second of scenarios/wga_2023.yaml in each mode, one process.

With `--set information=private` (`overrides`), the same with private types: the union
screening and learning (`bargainsim.information`).

The scenario is loaded and validated once, as a sweep does; each batch of seeds runs as a
sweep's task does (`runner.run_seeds`: one model, restarted for each seed, runs to the end
and makes its record). After a warm-up, batches of
`runs` seeds alternate between the modes `repeats` times, so that load from other
processes hits every mode alike; the table gives the median and the best batch.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

from bargainsim.runner import run, run_seeds
from bargainsim.scenario import MODES, load_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "wga_2023.yaml"


def main(repeats: int = 7, runs: int = 50, overrides: list[str] | None = None,
         beside: bool = False, modes: list[str] | None = None) -> None:
    """Print ms per run and runs per second for every mode (or `modes`).

    `beside`: with `overrides`, each batch is also run without them, just before, so a
    shared machine's load falls on both alike; the last column is the ratio of the two
    medians (the overrides' cost, the figure a busy machine can still give).
    """
    modes = list(modes or MODES)
    spec = load_scenario(SCENARIO, overrides)
    plain = load_scenario(SCENARIO) if beside and overrides else None
    for mode in modes:  # warm-up: caches, first-call costs
        for seed in range(5):
            run(spec, mode=mode, seed=seed)
            if plain is not None:
                run(plain, mode=mode, seed=seed)
    per_run: dict[str, list[float]] = {m: [] for m in modes}
    cpu: dict[str, list[float]] = {m: [] for m in modes}
    base: dict[str, list[float]] = {m: [] for m in modes}
    for rep in range(repeats):
        for mode in modes:
            seeds = range(rep * runs, (rep + 1) * runs)
            if plain is not None and rep % 2 == 0:  # first on even batches, after on odd
                base[mode].append(_timed(plain, mode, seeds)[0])
            wall, used = _timed(spec, mode, seeds)
            per_run[mode].append(wall)
            cpu[mode].append(used)
            if plain is not None and rep % 2 == 1:
                base[mode].append(_timed(plain, mode, seeds)[0])
    given = " ".join(f"--set {o}" for o in overrides or [])
    print(f"industry: scenarios/wga_2023.yaml {given}".rstrip()
          + f", {repeats} interleaved batches of {runs} seeds"
          + (" (each beside the same seeds without the overrides)" if plain else ""))
    print(f"  {'mode':<10} {'ms/run median':>13} {'best':>6} {'runs/s median':>14} {'best':>6}"
          f" {'CPU ms/run median':>18}" + (f" {'without':>8} {'ratio':>6}" if plain else ""))
    for mode in modes:
        med, best = statistics.median(per_run[mode]), min(per_run[mode])
        line = (f"  {mode:<10} {med:13.2f} {best:6.2f} {1000 / med:14.0f} {1000 / best:6.0f}"
                f" {statistics.median(cpu[mode]):18.2f}")
        if plain is not None:
            without = statistics.median(base[mode])
            line += f" {without:8.2f} {med / without:6.2f}"
        print(line)


def _timed(spec: Any, mode: str, seeds: range) -> tuple[float, float]:
    """Wall and CPU ms per run of a batch (as a sweep's task runs it)."""
    start, start_cpu = time.perf_counter(), time.process_time()
    run_seeds(spec, mode, seeds)
    n = len(seeds)
    return (time.perf_counter() - start) / n * 1000, (time.process_time() - start_cpu) / n * 1000
