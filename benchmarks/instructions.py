"""`instructions`: CPU instructions per run of wga_2023, counted by valgrind, not timed.

Wall-clock and CPU-time figures on a shared virtual machine swing by tens of percent
within an hour; instruction counts do not (the same code and inputs give nearly the same
count whatever else the machine does). The count of a run is that of a process making
`runs` runs after a warm-up, less that of the same process making none, so Python's
start-up and imports cancel out; with one BLAS thread (idle ones spin, and are counted).
`--src DIR` counts another checkout's source tree (for example an older commit's
`git worktree`), to compare two versions of the engine.
Needs valgrind (`apt-get install valgrind`); takes a few minutes.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_RUN = """
import sys
from bargainsim.runner import run_seeds
from bargainsim.scenario import load_scenario
spec = load_scenario(sys.argv[1], sys.argv[4:])
run_seeds(spec, sys.argv[2], range(3))
n = int(sys.argv[3])
if n:
    run_seeds(spec, sys.argv[2], range(100, 100 + n))
"""


def _count(src: Path, scenario: Path, mode: str, runs: int,
           overrides: list[str] | None = None) -> int:
    """Instructions of one process making `runs` runs after the warm-up."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        # one BLAS thread: OpenBLAS's idle threads spin, and their spinning is counted
        # (up to 1 M instructions per run between two counts of the same code)
        env = {**os.environ, "PYTHONPATH": str(src), "OPENBLAS_NUM_THREADS": "1",
               "OMP_NUM_THREADS": "1"}
        subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                        sys.executable, "-c", _RUN, str(scenario), mode, str(runs),
                        *(overrides or [])],
                       env=env, check=True, capture_output=True)
        match = re.search(r"^summary: (\d+)", out.read_text(), re.M)
        assert match, "callgrind wrote no summary"
        return int(match.group(1))


def main(src: Path | None = None, mode: str = "coalition", runs: int = 20,
         overrides: list[str] | None = None) -> None:
    """Print instructions per run of wga_2023 in `mode` (`overrides`: `--set` values)."""
    if shutil.which("valgrind") is None:
        print("instructions: valgrind is not installed (apt-get install valgrind)")
        return
    src = src or ROOT / "src"
    scenario = ROOT / "scenarios" / "wga_2023.yaml"
    per_run = (_count(src, scenario, mode, runs, overrides)
               - _count(src, scenario, mode, 0, overrides)) / runs
    sets = "".join(f" --set {o}" for o in overrides or [])
    print(f"instructions: scenarios/wga_2023.yaml{sets}, {mode}, {runs} runs after 3, "
          f"source {src}")
    print(f"  {per_run / 1e6:.2f} M instructions per run")
