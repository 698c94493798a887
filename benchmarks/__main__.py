"""Print speed figures for one-run costs; run with `make bench`.

industry: milliseconds per run of wga_2023 in each mode, on one core (best of 3 batches).
pair: two-party negotiations per second (the classroom Faratin example).
"""

from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path

from bargainsim.runner import run
from bargainsim.scenario import MODES, load_scenario

ROOT = Path(__file__).resolve().parents[1]


def per_run_ms(spec, mode, seeds: int, repeats: int = 3) -> float:
    best = float("inf")
    for rep in range(repeats):
        start = time.perf_counter()
        for s in range(seeds):
            run(spec, mode=mode, seed=rep * seeds + s)
        best = min(best, (time.perf_counter() - start) / seeds)
    return best * 1000


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--seeds", type=int, default=50)
    args = parser.parse_args()
    print(f"python {platform.python_version()} on {platform.machine()}, one process")
    wga = load_scenario(ROOT / "scenarios" / "wga_2023.yaml")
    print("industry: wga_2023, ms per run (best of 3 batches of", args.seeds, "seeds)")
    for mode in MODES:
        ms = per_run_ms(wga, mode, args.seeds)
        print(f"  {mode:<10} {ms:7.2f} ms/run   {1000 / ms:7.1f} runs/s")
    pair = load_scenario(ROOT / "scenarios" / "classroom" / "faratin.yaml")
    ms = per_run_ms(pair, "separate", 200)
    print(f"pair: faratin.yaml (18 moves)  {ms:.3f} ms/negotiation  {1000 / ms:,.0f} per second")


if __name__ == "__main__":
    main()
