"""`bargainsim calibrate`: ABC-SMC (pyabc) of the shared parameters against the strikes' history.

pyabc runs the SMC: uniform priors, a multivariate normal perturbation, each generation's
threshold the median distance of the one before (the first accepts every draw from the
prior), a fixed distance (`strikes_model.Distance`) so that nothing adapts to the order
evaluations finish in. Evaluations go through `SeededSampler`, so the same file and seed
give the same posterior with one process, a process pool or a Dask cluster. pyabc's SQLite
history database (`DIR/calibration.db`) holds every finished generation: a run killed
outright loses only the generation in progress, and `--resume` continues from the last
one (pyabc's `load`) to the same posterior. The last generation is written to
`DIR/posterior.yaml` (`evidence.posterior`).
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bargainsim.errors import InputError, Problem
from bargainsim.evidence.calibration_file import Setup
from bargainsim.evidence.posterior import write_posterior
from bargainsim.evidence.strikes_model import Distance, StrikesModel, observed_statistics

logger = logging.getLogger(__name__)

DB = "calibration.db"
POSTERIOR = "posterior.yaml"
STATE = "calibration.json"


@dataclass
class Fit:
    """A finished calibration: the last generation's particles and where they are."""

    names: list[str]
    values: list[dict[str, float]]
    weights: list[float]
    epsilons: list[float]
    generations: int
    evaluations: int
    seconds: float
    resumed_from: int  # generations already done when this session started
    posterior: Path


def _quiet_pyabc() -> None:
    for name in ("ABC", "pyabc", "History", "Epsilon", "Distance", "Acceptor", "Sampler",
                 "Transition", "ABC.History", "ABC.Sampler", "ABC.Epsilon",
                 "ABC.Distance", "ABC.Acceptor", "ABC.Transition", "ABC.Predictor",
                 "ABC.Population"):
        logging.getLogger(name).setLevel(logging.WARNING)


def _epsilon() -> Any:
    """The median of the last generation's distances, also when a run was loaded from disk.

    pyabc's QuantileEpsilon with a number to start from forgets, in a new process, that
    the database already has generations, and would start again from that number.
    """
    import pyabc

    class Resumable(pyabc.QuantileEpsilon):  # type: ignore[misc]
        def initialize(self, t: int, get_weighted_distances: Callable[[], Any],
                       *args: Any, **kwargs: Any) -> None:
            if t > 0:
                self._update(t, get_weighted_distances())

    return Resumable(initial_epsilon=1e12, alpha=0.5)


def fitted_strikes(setup: Setup, hold_out: str | None) -> list[str]:
    """The strikes fitted: every one of the file's, less the held-out one."""
    if hold_out is not None and hold_out not in setup.strikes:
        raise InputError("--hold-out", [Problem(hold_out, (
            f"not a strike of {setup.source} ({', '.join(setup.strikes)})"))])
    names = [s for s in setup.strikes if s != hold_out]
    if not names:
        raise InputError("--hold-out", [Problem(str(hold_out), "leaves no strike to fit")])
    return names


def _open_state(out: Path, setup: Setup, hold_out: str | None, resume: bool) -> bool:
    """Create or check the folder's state; True when a run is to be continued."""
    state = out / STATE
    digest = setup.digest(hold_out)
    if (out / DB).exists():
        if not resume:
            raise InputError(str(out), [Problem(DB, (
                "a calibration is already there; continue it with --resume, or choose "
                "another --out"))])
        stored = json.loads(state.read_text()) if state.exists() else {}
        if stored.get("hash") != digest:
            raise InputError(str(out), [Problem(STATE, (
                f"holds another calibration (not {setup.source}"
                f"{' without ' + hold_out if hold_out else ''}); choose another --out"))])
        return True
    out.mkdir(parents=True, exist_ok=True)
    state.write_text(json.dumps({"hash": digest, "source": setup.source,
                                 "hold_out": hold_out}, indent=2) + "\n")
    return False


def _progress(total: int, initial: int) -> Any:
    """A progress bar (particles accepted) with an ETA on a terminal; nothing otherwise."""
    from tqdm import tqdm

    tqdm.monitor_interval = 0
    return tqdm(total=total, initial=initial, unit="particle", dynamic_ncols=True,
                disable=not sys.stderr.isatty(), file=sys.stderr)


def calibrate(setup: Setup, out: str | Path, workers: int = 1, kind: str = "process",
              address: str | None = None, resume: bool = False, hold_out: str | None = None,
              progress: Callable[[int, int], None] | None = None) -> Fit:
    """Run (or continue) ABC-SMC into `out`; write and return the posterior.

    Args:
        setup: the validated calibration file (`load_calibration`).
        out: the folder of the SQLite database and the posterior.
        workers: evaluation workers (1 evaluates in this process with `process`).
        kind: `process` (a local pool) or `dask` (a LocalCluster, or the cluster at `address`).
        address: a Dask scheduler's address.
        resume: continue the database's run from its last finished generation.
        hold_out: a strike left out of the fit (`--hold-out`).
        progress: called with (accepted, population) during each generation (tests).
    """
    try:
        import pyabc
    except ImportError:
        raise InputError("calibrate", [Problem("pyabc", (
            "needs pyabc: pip install 'bargainsim[evidence]'"))]) from None

    from bargainsim.evidence.abc_sampler import SeededSampler
    from bargainsim.experiments.sweep import executor

    _quiet_pyabc()
    out = Path(out)
    cal = setup.calibration
    strikes = fitted_strikes(setup, hold_out)
    continuing = _open_state(out, setup, hold_out, resume)
    db = f"sqlite:///{(out / DB).resolve()}"
    names = list(cal.parameters)
    prior = pyabc.Distribution(**{
        f"p{i}": pyabc.RV("uniform", cal.parameters[n].min,
                          cal.parameters[n].max - cal.parameters[n].min)
        for i, n in enumerate(names)})
    model = StrikesModel(setup, strikes)
    clock = time.perf_counter()
    with executor(kind, workers, address) as pool:  # type: ignore[arg-type]
        bar = _progress(cal.abc.generations * cal.abc.population, 0)
        done_before = 0

        def report(accepted: int, n: int) -> None:
            bar.n = generation_base + accepted
            bar.refresh()
            if progress is not None:
                progress(accepted, n)

        generation_base = 0
        sampler = SeededSampler(cal.abc.seed, pool, workers, cal.abc.batch, report)

        def smc() -> Any:
            return pyabc.ABCSMC(model, prior, Distance(setup),
                                population_size=cal.abc.population, sampler=sampler,
                                eps=_epsilon(), transitions=pyabc.MultivariateNormalTransition())

        if continuing:
            done_before = pyabc.History(db, _id=1).max_t + 1
            if done_before == 0:  # killed before the first generation: start afresh
                (out / DB).unlink()
        evaluations = 0
        try:
            # a fresh ABCSMC loaded from the database for every generation: an uninterrupted
            # run takes the same path as one resumed after a kill, so both give one posterior
            for t in range(done_before, cal.abc.generations):
                generation_base = t * cal.abc.population
                bar.set_description_str(f"generation {t + 1}/{cal.abc.generations}")
                abc = smc()
                if t == 0:
                    abc.new(db, observed_statistics(setup, strikes))
                else:
                    abc.load(db, 1)
                history = abc.run(minimum_epsilon=cal.abc.min_epsilon, max_nr_populations=1)
                evaluations += sampler.nr_evaluations_
                if history.max_t < t:  # stopped by the minimum epsilon
                    break
        finally:
            bar.close()
    history = pyabc.History(db, _id=1)
    frame, w = history.get_distribution(m=0, t=history.max_t)
    values = [{n: float(row[f"p{i}"]) for i, n in enumerate(names)}
              for _, row in frame.iterrows()]
    pops = history.get_all_populations()
    epsilons = [float(e) for e in pops[pops.t >= 0].epsilon]
    meta = {"posterior": cal.name, "description": cal.description, "hold_out": hold_out,
            "seed": cal.abc.seed, "generations": history.max_t + 1,
            "epsilon": epsilons[-1] if epsilons else None, "strikes": strikes}
    path = out / POSTERIOR
    write_posterior(path, meta, cal.parameters, values, [float(x) for x in w])
    return Fit(names, values, [float(x) for x in w], epsilons, history.max_t + 1, evaluations,
               time.perf_counter() - clock, done_before, path)


def summary_table(fit: Fit, setup: Setup) -> str:
    """Each parameter's posterior mean, median and 95% interval (weighted), and its prior."""
    w = np.asarray(fit.weights)
    lines = [f"{len(fit.values)} particles after {fit.generations} generations "
             f"(thresholds: {', '.join(_eps(e) for e in fit.epsilons)})",
             f"{'parameter':<44} {'prior':>15} {'mean':>8} {'median':>8} {'95% interval':>19}"]
    for name in fit.names:
        x = np.asarray([v[name] for v in fit.values])
        q = weighted_quantiles(x, w, [0.025, 0.5, 0.975])
        p = setup.calibration.parameters[name]
        shown = f"{name} (x)" if p.scale else name
        lines.append(f"{shown:<44} {f'[{p.min:g}, {p.max:g}]':>15} {np.average(x, weights=w):8.3f}"
                     f" {q[1]:8.3f} {f'[{q[0]:.3f}, {q[2]:.3f}]':>19}")
    return "\n".join(lines)


def _eps(value: float) -> str:
    """A generation's threshold (the first, from the prior, accepts everything)."""
    return "any" if value >= 1e11 else f"{value:.3g}"


def weighted_quantiles(x: np.ndarray, w: np.ndarray, qs: list[float]) -> list[float]:
    """Quantiles of a weighted sample (the inverse of its weighted distribution function)."""
    order = np.argsort(x, kind="stable")
    xs, ws = x[order], w[order] / w.sum()
    cdf = np.cumsum(ws)
    return [float(xs[min(len(xs) - 1, int(np.searchsorted(cdf, q)))]) for q in qs]
