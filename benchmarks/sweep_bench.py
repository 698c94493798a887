"""Sweep benchmark: speed-up of 2 workers over 1, and peak memory as the number of runs grows.

Run by `python -m benchmarks sweep` and `python -m benchmarks memory`. Speed:
coalition_vs_separate (3,200 runs) with `--workers 1` and `--workers 2`, each as a
`bargainsim sweep` command; the rows of both must be equal. Memory: the same experiment
with its seeds raised to 960 and 20,000 runs, the peak resident memory (VmHWM) of the
coordinating process and of each worker sampled from /proc while it runs.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

from bargainsim.experiments.storage import ResultStore

ROOT = Path(__file__).resolve().parents[1]
EXPERIMENT = ROOT / "experiments" / "coalition_vs_separate.yaml"


def _experiment(folder: Path, seeds: int | None) -> Path:
    doc = yaml.safe_load(EXPERIMENT.read_text())
    doc["scenario"] = str((EXPERIMENT.parent / doc["scenario"]).resolve())
    if seeds is not None:
        doc["seeds"] = seeds
    path = folder / f"exp-{seeds}.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path


def _descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            kids = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except OSError:
            continue
        for k in kids:
            out.append(int(k))
            todo.append(int(k))
    return out


def _hwm(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])  # kB
    except OSError:
        return None
    return None


def sweep(exp: Path, out: Path, workers: int) -> tuple[float, dict[int, int], int]:
    """Run one sweep command; return seconds, peak kB per process, coordinator pid."""
    cmd = [sys.executable, "-m", "bargainsim", "sweep", str(exp), "--workers", str(workers),
           "--out", str(out)]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peaks: dict[int, int] = {}
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            for pid in [proc.pid, *_descendants(proc.pid)]:
                value = _hwm(pid)
                if value is not None:
                    peaks[pid] = max(peaks.get(pid, 0), value)
            time.sleep(0.2)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    _, err = proc.communicate()
    seconds = time.perf_counter() - start
    stop.set()
    thread.join()
    if proc.returncode != 0:
        raise SystemExit(f"sweep failed ({proc.returncode}): {err.decode()}")
    return seconds, peaks, proc.pid


def speed(runs_seeds: int | None, repeats: int = 3) -> None:
    """2 workers against 1 on the same experiment, with equal rows.

    Each `bargainsim sweep` command is timed whole (Python's start-up and imports, about
    a second, included) and by its sweep alone (the session's seconds in the manifest:
    from the folder being opened, workers started, to the last row written). The pairs
    of commands alternate `repeats` times; the medians are reported.
    """
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        exp = _experiment(folder, runs_seeds)
        whole: dict[int, list[float]] = {1: [], 2: []}
        inner: dict[int, list[float]] = {1: [], 2: []}
        equal = True
        for rep in range(repeats):
            for workers in (1, 2):
                out = folder / f"w{workers}-{rep}"
                seconds, _, _ = sweep(exp, out, workers)
                whole[workers].append(seconds)
                inner[workers].append(ResultStore(out).manifest()["sessions"][-1]["seconds"])
            one, two = (ResultStore(folder / f"w{w}-{rep}").table() for w in (1, 2))
            equal = equal and one.equals(two)
        n = one.num_rows
        med = {k: {w: statistics.median(v) for w, v in d.items()}
               for k, d in (("whole", whole), ("inner", inner))}
        print(f"sweep speed: {EXPERIMENT.name}, {n:,} runs on {os.cpu_count()} cores, "
              f"median of {repeats} alternating pairs")
        print(f"  {'':10} {'sweep alone':>18} {'whole command':>20}")
        for w in (1, 2):
            print(f"  {w} worker{'s' if w > 1 else ' '}: {med['inner'][w]:7.1f} s "
                  f"({n / med['inner'][w]:5.0f} runs/s) {med['whole'][w]:7.1f} s "
                  f"({n / med['whole'][w]:5.0f} runs/s)")
        ratios = [a / b for a, b in zip(inner[1], inner[2], strict=True)]
        whole_ratios = [a / b for a, b in zip(whole[1], whole[2], strict=True)]
        print(f"  speed-up : sweep {med['inner'][1] / med['inner'][2]:.2f}x "
              f"(pairs {min(ratios):.2f}-{max(ratios):.2f}); whole command "
              f"{med['whole'][1] / med['whole'][2]:.2f}x "
              f"(pairs {min(whole_ratios):.2f}-{max(whole_ratios):.2f}); rows equal: {equal}")


def memory() -> None:
    """Peak memory of the coordinator and each worker for ~1,000 and ~20,000 runs."""
    per_seed = 40 * 4  # points x modes of coalition_vs_separate
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        results = {}
        for seeds in (6, 125):
            exp = _experiment(folder, seeds)
            seconds, peaks, coordinator = sweep(exp, folder / f"m{seeds}", 2)
            workers = sorted((v for p, v in peaks.items() if p != coordinator), reverse=True)
            results[seeds] = (peaks.get(coordinator, 0), workers[:2])
            print(f"memory: {per_seed * seeds:>6,} runs in {seconds:6.1f} s: coordinator "
                  f"{peaks.get(coordinator, 0) / 1024:6.1f} MiB, largest workers "
                  + ", ".join(f"{w / 1024:.1f} MiB" for w in workers[:2]))
        (c1, w1), (c2, w2) = results[6], results[125]
        print(f"  ratio 20,000 / 960 runs: coordinator {c2 / c1:.2f}, "
              f"worker {max(w2) / max(w1):.2f}")
