"""Calibration benchmark: a Dask LocalCluster with 2 workers against 1, and the process pool.

Run by `python -m benchmarks calibrate`: `bargainsim calibrate calibrate_history` at its
shipped budget with `--executor dask --workers 1` and `--workers 2`, and with the process
pool's 1 and 2 workers, each as a command (the wall time includes starting the cluster);
the posteriors of all must be equal.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUDGET: list[str] = []  # the shipped budget


def _run(out: Path, *options: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "bargainsim", "calibrate", "calibrate_history",
                    *BUDGET, "--out", str(out), *options], check=True, capture_output=True)
    return time.perf_counter() - start


def speed(repeats: int = 1) -> None:
    """Print wall times of 1 and 2 Dask workers (and processes), and the speed-ups."""
    times: dict[str, list[float]] = {"dask 1": [], "dask 2": [], "process 1": [],
                                     "process 2": []}
    with tempfile.TemporaryDirectory() as tmp:
        posteriors = set()
        for r in range(repeats):
            for label in times:
                kind, workers = label.split()
                out = Path(tmp) / f"{kind}-{workers}-{r}"
                times[label].append(_run(out, "--executor", kind, "--workers", workers))
                posteriors.add((out / "posterior.yaml").read_text())
    one = statistics.median(times["dask 1"])
    print(f"calibrate calibrate_history {' '.join(BUDGET) or '(shipped budget)'} "
          f"(median of {repeats}):")
    for label, values in times.items():
        median = statistics.median(values)
        print(f"  {label:<10} {median:6.1f} s  speed-up over dask 1: {one / median:.2f}x "
              f"({', '.join(f'{v:.1f}' for v in values)})")
    print(f"  posteriors equal: {len(posteriors) == 1}")
