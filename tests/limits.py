"""Bounds on work done, for tests that guard against blow-ups: CPU time, never elapsed time.

Elapsed time grows when other processes hold the cores; CPU time does not, so a bound on
it holds on a busy machine and still catches a reader that goes quadratic or explodes.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from types import FrameType

import pytest

CPU_LIMIT = 30  # CPU seconds one read, validation or command may use (2 s at most idle)

CpuLimit = Callable[[float], AbstractContextManager[None]]


class _CpuSpent(BaseException):
    """Raised by the CPU timer; a BaseException so that no `except Exception` swallows it."""


@contextmanager
def cpu_limit(seconds: float) -> Iterator[None]:
    """Fail the test when the block uses more than `seconds` of this process's CPU time.

    In the main thread a profiling timer (ITIMER_PROF, which counts CPU time) interrupts a
    runaway block; elsewhere the block's CPU time is checked when it ends.
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


def child_limits(memory: int | None = None) -> Callable[[], None]:
    """A `preexec_fn` capping a child process's CPU time at CPU_LIMIT (and its memory).

    Past the CPU limit the kernel stops the child with SIGXCPU (return code -SIGXCPU).
    """

    def apply() -> None:  # pragma: no cover - runs in the child process
        import resource

        resource.setrlimit(resource.RLIMIT_CPU, (CPU_LIMIT, CPU_LIMIT + 5))
        if memory is not None:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return apply
