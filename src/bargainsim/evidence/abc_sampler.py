"""A pyabc sampler whose every evaluation is seeded from the run's seed: same posterior anywhere.

pyabc's parallel samplers reseed each worker from the operating system and accept
particles in the order they finish, so a posterior depends on the worker count and on
timing. This sampler numbers the evaluations of a generation 0, 1, 2, ..., seeds NumPy's
global generator (which pyabc's proposals, priors and the model's seed all draw from)
from (seed, generation, number) before each, hands them out in batches (a task is a batch,
so a Dask worker's hand-over is paid once per batch), and keeps the evaluations in number
order up to the one that completes the population. Evaluations past it are thrown away,
so the accepted particles, and everything pyabc computes from them, are the same with one
process, a process pool or a Dask cluster.
"""

from __future__ import annotations

import concurrent.futures as cf
from collections.abc import Callable
from typing import Any

import cloudpickle
import numpy as np
from pyabc.sampler import Sampler

BATCH = 8  # evaluations per task
IN_FLIGHT = 3  # tasks queued per worker, at most


def evaluation_seed(seed: int, t: int, index: int, prior: bool) -> np.ndarray:
    """The NumPy seed of one evaluation: a function of (run seed, generation, number) only."""
    return np.random.SeedSequence([seed, t + 1, index, int(prior)]).generate_state(4)


def evaluate_batch(blob: bytes, seed: int, t: int, first: int, count: int, prior: bool
                   ) -> list[Any]:
    """Worker: evaluations first .. first+count-1 of generation t, each seeded on its own."""
    simulate_one = cloudpickle.loads(blob)
    out = []
    for index in range(first, first + count):
        np.random.seed(evaluation_seed(seed, t, index, prior))
        out.append(simulate_one())
    return out


class SeededSampler(Sampler):
    """Evaluations numbered and seeded from the run's seed, run in batches on any executor.

    Args:
        seed: the calibration's seed.
        pool: a concurrent.futures executor (a process pool, a Dask client's executor), or
            None to evaluate in this process.
        workers: how many workers the pool has (how many batches to keep in flight).
        progress: called with the number of particles accepted so far in a generation.
    """

    def __init__(self, seed: int, pool: cf.Executor | None = None, workers: int = 1,
                 batch: int = BATCH, progress: Callable[[int, int], None] | None = None):
        super().__init__()
        self.seed = seed
        self.pool = pool
        self.workers = max(1, workers)
        self.batch = batch
        self.progress = progress

    def _short(self, results: dict[int, list[Any]], handed_out: int, n: int) -> bool:
        """Whether the evaluations handed out may not hold n accepted particles yet.

        Judged by the acceptance rate of the batches back so far (every evaluation accepted
        while none is back), so that few evaluations run past the one that completes the
        population: they would delay the next generation. Only the schedule depends on
        it, never which evaluations are kept.
        """
        back = [p for batch in results.values() for p in batch]
        accepted = sum(1 for p in back if p.accepted)
        rate = accepted / len(back) if back else 1.0
        return accepted + rate * (handed_out - len(back)) < n

    def sample_until_n_accepted(self, n: int, simulate_one: Callable[[], Any], t: int, *,
                                max_eval: float = np.inf, all_accepted: bool = False,
                                ana_vars: Any = None) -> Any:
        """The first evaluations, in number order, that hold n accepted particles."""
        blob = cloudpickle.dumps(simulate_one)
        prior = bool(all_accepted)
        results: dict[int, list[Any]] = {}
        accepted: list[int] = []  # accepted count per batch, in order, while contiguous
        next_batch, done_batches = 0, 0
        total_accepted = 0
        pending: dict[cf.Future, int] = {}

        def submit() -> None:
            nonlocal next_batch
            args = (blob, self.seed, t, next_batch * self.batch, self.batch, prior)
            if self.pool is None:
                fut: cf.Future = cf.Future()
                fut.set_result(evaluate_batch(*args))
            else:
                fut = self.pool.submit(evaluate_batch, *args)
            pending[fut] = next_batch
            next_batch += 1

        limit = 1 if self.pool is None else IN_FLIGHT * self.workers
        while total_accepted < n and done_batches * self.batch < max_eval:
            while len(pending) < limit and (
                    not pending or self._short(results, next_batch * self.batch, n)):
                submit()
            finished, _ = cf.wait(list(pending), return_when=cf.FIRST_COMPLETED)
            for fut in finished:
                results[pending.pop(fut)] = fut.result()
            while done_batches in results and total_accepted < n:
                batch = results[done_batches]
                total_accepted += sum(1 for p in batch if p.accepted)
                accepted.append(done_batches)
                done_batches += 1
                if self.progress is not None:
                    self.progress(min(total_accepted, n), n)
        for fut in pending:
            fut.cancel()
        sample = self._create_empty_sample()
        count, evaluations = 0, 0
        for b in accepted:
            for particle in results[b]:
                if count >= n or evaluations >= max_eval:
                    break
                sample.append(particle)
                evaluations += 1
                count += bool(particle.accepted)
        self.nr_evaluations_ = evaluations
        if sample.n_accepted < n:
            sample.ok = False
        return sample
