"""`python -m benchmarks [pair|industry|sweep|memory|instructions|calibrate|all]`: figures only.

They never pass or fail. `instructions` counts CPU instructions per run with valgrind
(`--src DIR` for another checkout's source, `--mode`), for changes too small to see in
times on a shared machine.
"""

from __future__ import annotations

import argparse
import os
import platform
from pathlib import Path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("which", nargs="?", default="all",
                        choices=["pair", "industry", "sweep", "memory", "instructions", "calibrate",
                                 "all"],
                        help="all = pair, industry and sweep (memory, instructions and "
                             "calibrate take minutes)")
    parser.add_argument("--repeats", type=int, default=7, help="interleaved batches (default 7)")
    parser.add_argument("--runs", type=int, default=50, help="industry: runs per batch")
    parser.add_argument("--src", type=Path, help="instructions: the source tree to count")
    parser.add_argument("--mode", default="coalition", help="instructions: the mode")
    parser.add_argument("--set", action="append", default=[], dest="overrides",
                        metavar="KEY=VALUE", help="industry: a scenario override (repeatable), "
                        "e.g. information=private")
    parser.add_argument("--beside", action="store_true",
                        help="industry with --set: each batch also without the overrides, "
                        "and the ratio")
    parser.add_argument("--modes", help="industry: modes, comma-separated (default: all)")
    args = parser.parse_args(argv)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores, "
          f"one process; load average {load:.2f} at start")
    if args.which in ("pair", "all"):
        from benchmarks import pair

        pair.main(repeats=args.repeats)
    if args.which in ("industry", "all"):
        from benchmarks import industry

        industry.main(repeats=args.repeats, runs=args.runs, overrides=args.overrides,
                      beside=args.beside,
                      modes=args.modes.split(",") if args.modes else None)
    if args.which in ("sweep", "all"):
        from benchmarks import sweep_bench

        sweep_bench.speed(None)
    if args.which == "instructions":
        from benchmarks import instructions

        instructions.main(args.src, args.mode, overrides=args.overrides)
    if args.which == "calibrate":
        from benchmarks import calibrate_bench

        calibrate_bench.speed()
    if args.which == "memory":
        from benchmarks import sweep_bench

        sweep_bench.memory()
