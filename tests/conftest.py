"""Shared test settings: repeatable hypothesis examples, and no test timed by the clock.

Hypothesis examples are derandomised so CI runs are repeatable; set
HYPOTHESIS_PROFILE=explore to draw fresh random examples locally. Neither profile has a
deadline or the too-slow health check: both time examples by the wall clock, which a busy
machine stretches. A guard against a blow-up bounds work done instead (tests/limits.py).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from limits import CpuLimit
from limits import cpu_limit as _cpu_limit

settings.register_profile("repeatable", derandomize=True, print_blob=True, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("explore", derandomize=False, print_blob=True, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


@pytest.fixture
def cpu_limit() -> CpuLimit:
    """`with cpu_limit(30): ...` fails the test if the block spends more than 30 CPU seconds."""
    return _cpu_limit
