"""Shared test settings: repeatable hypothesis examples, and no test timed by the clock.

Hypothesis examples are derandomised so CI runs are repeatable; set
HYPOTHESIS_PROFILE=explore to draw fresh random examples locally. Neither profile has a
deadline or the too-slow health check: both time examples by the wall clock, which a busy
machine stretches. A guard against a blow-up is a bound on work done instead: the
`cpu_limit` fixture bounds the CPU time of a block (see also `run_cmd` in
tests/test_cli_input.py for subprocesses).
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from types import FrameType

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("repeatable", derandomize=True, print_blob=True, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("explore", derandomize=False, print_blob=True, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

CpuLimit = Callable[[float], AbstractContextManager[None]]


class _CpuSpent(BaseException):
    """Raised by the CPU timer; a BaseException so that no `except Exception` swallows it."""


@contextmanager
def _cpu_limit(seconds: float) -> Iterator[None]:
    """Fail the test when the block uses more than `seconds` of this process's CPU time.

    CPU time, unlike elapsed time, does not grow while other processes hold the cores. In
    the main thread a profiling timer (ITIMER_PROF, CPU time) interrupts a runaway block;
    elsewhere the block's CPU time is checked when it ends.
    """
    armed = threading.current_thread() is threading.main_thread()
    previous: Callable[[int, FrameType | None], object] | int | None = None
    if armed:
        def spent(signum: int, frame: FrameType | None) -> None:
            raise _CpuSpent

        previous = signal.signal(signal.SIGPROF, spent)
        signal.setitimer(signal.ITIMER_PROF, seconds)
    start = time.process_time()
    try:
        yield
    except _CpuSpent:
        pytest.fail(f"the block used more than {seconds:g} s of CPU time (a blow-up?)")
    finally:
        if armed:
            signal.setitimer(signal.ITIMER_PROF, 0)
            signal.signal(signal.SIGPROF, signal.SIG_DFL if previous is None else previous)
    used = time.process_time() - start
    assert used <= seconds, f"the block used {used:.1f} s of CPU time (limit {seconds:g} s)"


@pytest.fixture
def cpu_limit() -> CpuLimit:
    """`with cpu_limit(30): ...` fails the test if the block spends more than 30 CPU seconds."""
    return _cpu_limit
