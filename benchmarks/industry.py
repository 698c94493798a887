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

from bargainsim.runner import run, run_seeds
from bargainsim.scenario import MODES, load_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "wga_2023.yaml"


def main(repeats: int = 7, runs: int = 50, overrides: list[str] | None = None) -> None:
    """Print ms per run and runs per second for every mode."""
    spec = load_scenario(SCENARIO, overrides)
    for mode in MODES:  # warm-up: caches, first-call costs
        for seed in range(5):
            run(spec, mode=mode, seed=seed)
    per_run: dict[str, list[float]] = {m: [] for m in MODES}
    cpu: dict[str, list[float]] = {m: [] for m in MODES}
    for rep in range(repeats):
        for mode in MODES:
            start, start_cpu = time.perf_counter(), time.process_time()
            run_seeds(spec, mode, range(rep * runs, (rep + 1) * runs))
            per_run[mode].append((time.perf_counter() - start) / runs * 1000)
            cpu[mode].append((time.process_time() - start_cpu) / runs * 1000)
    given = " ".join(f"--set {o}" for o in overrides or [])
    print(f"industry: scenarios/wga_2023.yaml {given}".rstrip()
          + f", {repeats} interleaved batches of {runs} seeds")
    print(f"  {'mode':<10} {'ms/run median':>13} {'best':>6} {'runs/s median':>14} {'best':>6}"
          f" {'CPU ms/run median':>18}")
    for mode in MODES:
        med, best = statistics.median(per_run[mode]), min(per_run[mode])
        print(f"  {mode:<10} {med:13.2f} {best:6.2f} {1000 / med:14.0f} {1000 / best:6.0f}"
              f" {statistics.median(cpu[mode]):18.2f}")
