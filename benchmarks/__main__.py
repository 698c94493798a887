"""Print speed figures: `make bench`, or `python -m benchmarks [pair|industry|sweep|memory|all]`."""

from __future__ import annotations

from benchmarks.cli import main

if __name__ == "__main__":
    main()
