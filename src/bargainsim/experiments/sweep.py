"""Parameter sweeps: every (point, mode, seed) of an experiment, streamed to Parquet shards.

The coordinator hands workers plain data (a point's scenario document, a mode, a few seeds)
and gets plain rows back; no model crosses a process boundary. At most a few tasks per
worker are in flight and rows go to disk every few seconds, so memory stays flat however
many runs there are. A run that raises becomes a row with status `failed` and its error;
the sweep goes on.
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import gc
import logging
import multiprocessing
import platform
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any, Literal

from bargainsim.errors import InputError, Problem
from bargainsim.experiments.design import NOT_ROWS, Plan
from bargainsim.experiments.storage import ResultStore, schema
from bargainsim.outputs import row as output_row
from bargainsim.runner import each_run
from bargainsim.scenario import scenario_from_dict

logger = logging.getLogger(__name__)

Executor = Literal["process", "dask"]
CHUNK = 8  # seeds per task: large enough to amortise hand-over, small enough to balance
IN_FLIGHT = 4  # tasks queued per worker
FLUSH_ROWS = 5000


@dataclass(frozen=True)
class Task:
    """A unit of work: one point's scenario document, a mode and a few seeds (plain data)."""

    point: int
    values: dict[str, Any]
    doc: dict[str, Any]
    mode: str
    seeds: tuple[int, ...]
    outputs: tuple[str, ...]


@dataclass
class Outcome:
    """What a finished sweep reports."""

    total: int
    written: int
    failed: int
    skipped: int  # already on disk before this session (resume)


def _row(task: Task, seed: int, rec: dict[str, Any] | None, error: str | None) -> dict[str, Any]:
    """A sweep row: key, varied values, status and the kept outputs (none if the run failed)."""
    row: dict[str, Any] = {"point": task.point, "mode": task.mode, "seed": seed, **task.values}
    if rec is None:
        row.update(status="failed", error=error)
        return row
    row.update(status="ok", error=None)
    row.update(output_row(rec, task.outputs))
    return row


def run_task(task: Task, runner: Callable[..., dict[str, Any]] | None = None) -> list[dict]:
    """Worker: run every seed of a task; a run that raises becomes a failed row.

    The seeds run in one model, restarted for each (`runner.each_run`).
    """
    try:
        spec = scenario_from_dict(task.doc)
    except Exception as exc:  # noqa: BLE001 - recorded, never lost
        return [_row(task, s, None, f"{type(exc).__name__}: {exc}") for s in task.seeds]
    if runner is None:
        runs = each_run(spec, task.mode, task.seeds)  # type: ignore[arg-type]
    else:
        runs = _each_with(runner, spec, task.mode, task.seeds)
    rows = []
    for seed, rec, error in runs:
        if error is not None:  # a failed run is a row, the sweep goes on
            logger.debug("point %s %s seed %s failed", task.point, task.mode, seed,
                         exc_info=error)
            rows.append(_row(task, seed, None, f"{type(error).__name__}: {error}"))
        else:
            rows.append(_row(task, seed, rec, None))
    return rows


def _each_with(
    runner: Callable[..., dict[str, Any]], spec: Any, mode: str, seeds: tuple[int, ...]
) -> Iterator[tuple[int, dict[str, Any] | None, Exception | None]]:
    """`each_run` through another run function (tests inject failing ones)."""
    for seed in seeds:
        try:
            yield seed, runner(spec, mode=mode, seed=seed), None
        except Exception as exc:  # noqa: BLE001
            yield seed, None, exc


def tasks(plan: Plan, done: set[tuple[int, str, int]]) -> Iterator[Task]:
    """Every missing (point, mode, seeds) task, lazily, in key order."""
    outputs = tuple(plan.experiment.outputs)
    for point in range(len(plan.points)):
        doc: dict[str, Any] | None = None
        for mode in plan.experiment.modes:
            missing = [s for s in plan.seeds if (point, mode, s) not in done]
            if plan.posterior is not None:  # seeds grouped by the particle they draw
                for _, group in plan.posterior.groups(missing).items():
                    doc = doc if doc is not None else plan.document(point)
                    seeded = plan.seed_document(point, group[0], doc)
                    for i in range(0, len(group), CHUNK):
                        yield Task(point, plan.points[point], seeded, mode,
                                   tuple(group[i : i + CHUNK]), outputs)
                continue
            for i in range(0, len(missing), CHUNK):
                doc = doc if doc is not None else plan.document(point)
                yield Task(point, plan.points[point], doc, mode, tuple(missing[i : i + CHUNK]),
                           outputs)


def _die_with_parent() -> None:
    """Worker start-up: end with the coordinator, even when it is killed outright (Linux)."""
    if sys.platform == "linux":
        import ctypes
        import signal

        pr_set_pdeathsig = 1
        ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGKILL)


@contextmanager
def executor(kind: Executor, workers: int, address: str | None) -> Iterator[cf.Executor | None]:
    """A concurrent.futures executor (None: run in this process).

    While it is open, objects that already exist (imported modules, the plan) are left out
    of garbage collection: collecting does not walk them again and again, and forked
    workers do not copy every page they share with this process as it walks them.
    """
    gc.freeze()
    try:
        with _executor(kind, workers, address) as pool:
            yield pool
    finally:
        gc.unfreeze()


@contextmanager
def _executor(kind: Executor, workers: int, address: str | None) -> Iterator[cf.Executor | None]:
    if kind == "process":
        if workers <= 1:
            yield None
            return
        # On Linux, fork: workers start at once with everything imported (a forkserver
        # re-imports Mesa, a second or so that costs a short sweep a tenth of its speed-up).
        # The pool forks its workers at the first task, before any Parquet I/O starts
        # Arrow's threads. Elsewhere, a forkserver with this module preloaded.
        if sys.platform == "linux":
            ctx = multiprocessing.get_context("fork")
        else:
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(["bargainsim.experiments.sweep"])
        with cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx,
                                    initializer=_die_with_parent) as pool:
            yield pool
        return
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise InputError("--executor", [Problem(
            "dask", "needs Dask distributed: pip install 'bargainsim[dask]'")]) from None
    if not logger.isEnabledFor(logging.DEBUG):  # Dask reports every start at INFO
        import dask

        dask.config.set({"logging.distributed": "warning"})
        logging.getLogger("distributed").setLevel(logging.WARNING)
    cluster = None
    try:
        if address:
            try:
                client = Client(address, timeout="10s")
            except (OSError, TimeoutError, ValueError) as exc:
                raise InputError("--address", [Problem(
                    address, f"cannot reach a Dask scheduler there: {exc}")]) from None
        else:
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None)
            client = Client(cluster)
        with client:
            yield client.get_executor(pure=False)
    finally:
        if cluster is not None:
            cluster.close()


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def new_manifest(plan: Plan) -> dict[str, Any]:
    """The manifest of a sweep about to start."""
    exp = plan.experiment
    return {
        "experiment": exp.name,
        "hash": plan.digest(),
        "package_version": version("bargainsim"),
        "python": platform.python_version(),
        "source": plan.source,
        "parameters": plan.parameters,
        "design": exp.design.kind,
        "points": len(plan.points),
        "modes": list(exp.modes),
        "seeds": {"first": exp.first_seed, "count": exp.seeds},
        "horizon": plan.horizon,
        "posterior": None if plan.posterior is None else plan.posterior.digest(),
        "total_runs": plan.total_runs,
        "started": _now(),
        "ended": None,
        "status": "running",
        "rows_written": 0,
        "failed": 0,
        "sessions": [],
    }


def _differences(plan: Plan, store: ResultStore) -> str:
    """Which parts of the experiment differ from the stored one, in words."""
    stored = store.experiment()
    mine = plan.experiment.model_dump(mode="json")
    keys = sorted(k for k in set(mine) | set(stored.get("experiment", {}))
                  if k not in NOT_ROWS
                  and mine.get(k) != stored.get("experiment", {}).get(k))
    if stored.get("base") != plan.base:
        keys.append("the base scenario's values")
    mine_posterior = None if plan.posterior is None else plan.posterior.digest()
    if store.manifest().get("posterior") != mine_posterior:
        keys.append("the posterior (--posterior)")
    return ", ".join(keys) or "the package's experiment format"


def _open(plan: Plan, store: ResultStore, resume: bool) -> tuple[dict[str, Any], set]:
    if resume and store.exists():
        manifest = store.manifest()
        if manifest.get("hash") != plan.digest():
            raise InputError(str(store.root), [Problem(
                "manifest.json", "holds a different experiment "
                f"({_differences(plan, store)} differ from {plan.source}'s); finish it with "
                "its own experiment file, or choose another --out")])
        if manifest.get("package_version") != version("bargainsim"):
            logger.warning("results were started with bargainsim %s, resuming with %s",
                           manifest.get("package_version"), version("bargainsim"))
        return manifest, store.done_keys()
    manifest = new_manifest(plan)
    store.create(plan, manifest)
    return manifest, set()


def _progress(total: int, initial: int) -> Any:
    """A progress bar with an ETA on a terminal; nothing otherwise."""
    from tqdm import tqdm

    tqdm.monitor_interval = 0  # no monitor thread
    return tqdm(total=total, initial=initial, unit="run", dynamic_ncols=True,
                disable=not sys.stderr.isatty(), file=sys.stderr)


def run_sweep(
    plan: Plan,
    out: str | Path,
    workers: int = 1,
    kind: Executor = "process",
    address: str | None = None,
    resume: bool = False,
    flush_seconds: float = 5.0,
    runner: Callable[..., dict[str, Any]] | None = None,
) -> Outcome:
    """Run every missing (point, mode, seed) of a plan into a results folder.

    Args:
        plan: the validated experiment (see `load_experiment`).
        out: results folder; created, or (with `resume`) continued.
        workers: worker processes (1 runs in this process with the process executor).
        kind: `process` (a local pool) or `dask` (a cluster at `address`, or a LocalCluster).
        address: a Dask scheduler address.
        resume: run only what the folder lacks; refuse a folder of another experiment.
        flush_seconds: write a shard at least this often (and every 5,000 rows).
        runner: the function that runs one simulation (for tests; in-process only).

    Returns:
        Counts; failed runs are rows with status `failed`.
    """
    store = ResultStore(out)
    with store.locked(), executor(kind, workers, address) as pool:
        return _sweep(plan, store, pool, workers, kind, resume, flush_seconds, runner)


def _sweep(
    plan: Plan,
    store: ResultStore,
    pool: cf.Executor | None,
    workers: int,
    kind: Executor,
    resume: bool,
    flush_seconds: float,
    runner: Callable[..., dict[str, Any]] | None,
) -> Outcome:
    """The sweep proper, once the folder is held and the executor is up."""
    manifest, done = _open(plan, store, resume)
    table_schema = schema(plan)
    session: dict[str, Any] = {"started": _now(), "ended": None, "seconds": None,
                               "workers": workers, "executor": kind, "resumed_with": len(done)}
    clock = time.perf_counter()
    manifest["sessions"].append(session)
    manifest.update(status="running", ended=None)
    store.write_manifest(manifest)
    buffer: list[dict[str, Any]] = []
    last_flush = time.monotonic()
    written = 0

    def flush() -> None:
        nonlocal buffer, last_flush, written
        if buffer:
            store.write_shard(buffer, table_schema)
            written += len(buffer)
            buffer = []
            manifest.update(rows_written=len(done) + written)
            store.write_manifest(manifest)
        last_flush = time.monotonic()

    def take(rows: list[dict[str, Any]], bar: Any) -> None:
        buffer.extend(rows)
        bar.update(len(rows))
        if len(buffer) >= FLUSH_ROWS or time.monotonic() - last_flush >= flush_seconds:
            flush()

    bar = _progress(plan.total_runs, len(done))
    try:
        todo = tasks(plan, done)
        if pool is None:
            for task in todo:
                take(run_task(task, runner), bar)
        else:
            pending: set[cf.Future] = set()
            limit = IN_FLIGHT * max(1, workers)
            for task in todo:
                pending.add(pool.submit(run_task, task))
                while len(pending) >= limit:
                    finished, pending = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
                    for fut in finished:
                        take(fut.result(), bar)
            for fut in cf.as_completed(pending):
                take(fut.result(), bar)
    except BaseException:
        flush()
        session.update(ended=_now(), seconds=round(time.perf_counter() - clock, 3))
        manifest.update(status="interrupted", ended=_now())
        store.write_manifest(manifest)
        bar.close()
        raise
    flush()
    bar.close()
    failed_total = store.failed()
    session.update(ended=_now(), seconds=round(time.perf_counter() - clock, 3))
    manifest.update(status="complete", ended=_now(), rows_written=len(done) + written,
                    failed=failed_total)
    store.write_manifest(manifest)
    return Outcome(plan.total_runs, written, failed_total, len(done))
