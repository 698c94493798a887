"""Print speed figures; run with `make bench` or `python -m benchmarks [pair|industry|all]`."""

from __future__ import annotations

from benchmarks.cli import main

if __name__ == "__main__":
    main()
