"""Benchmarks: print figures, never pass or fail (`make bench` or `python -m benchmarks`)."""
