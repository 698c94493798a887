"""Held-out validation: fit without a strike, predict its length, and see if history falls inside.

`predict` simulates the held-out strike from its own scenario with the posterior's
particles (particle k drawn by weight from a generator seeded by (seed, k), run with seed
k): the posterior predictive distribution of its length in weeks (the alliance's deal
week; a run with no deal by the horizon counts at the horizon, so an upper quantile at the
horizon means "at least"). `validate_history` does it for every strike in turn
(leave-one-out), one calibration folder per strike under `DIR`, each resumable, and the
finished strikes' predictions kept in `DIR/validation.json`: a second call runs only what
is missing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from bargainsim.evidence.calibration import calibrate
from bargainsim.evidence.calibration_file import Setup
from bargainsim.evidence.strikes_model import run_statistics, strike_runs

RESULTS = "validation.json"
DRAWS = 200


def predict(setup: Setup, strike: str, values: list[dict[str, float]], weights: list[float],
            draws: int = DRAWS, seed: int = 0) -> dict[str, Any]:
    """The posterior predictive length of one strike: median, 80% and 95% intervals, actual."""
    st = setup.strikes[strike]
    p = np.asarray(weights, dtype=float) / float(np.sum(weights))
    lengths = []
    for k in range(draws):
        index = int(np.random.default_rng([seed, k]).choice(len(values), p=p))
        rec = strike_runs(st, values[index], setup.scaled, [k])[0]
        lengths.append(run_statistics(rec, st)["length"])
    x = np.asarray(lengths)
    q = {name: float(np.quantile(x, level, method="inverted_cdf")) for name, level in
         (("q025", 0.025), ("q10", 0.10), ("median", 0.5), ("q90", 0.90), ("q975", 0.975))}
    actual = st.observed.get("length")
    out: dict[str, Any] = {"strike": strike, "actual": actual, "draws": draws,
                           "censored": int(np.sum(x >= st.horizon)), **q}
    if actual is not None:
        out["in80"] = bool(q["q10"] <= actual <= q["q90"])
        out["in95"] = bool(q["q025"] <= actual <= q["q975"])
    return out


def hold_out(setup: Setup, strike: str, out: str | Path, draws: int = DRAWS,
             **options: Any) -> dict[str, Any]:
    """Calibrate without `strike` (into `out`, resumable) and predict its length."""
    fit = calibrate(setup, out, hold_out=strike, **options)
    result = predict(setup, strike, fit.values, fit.weights, draws, setup.calibration.abc.seed)
    result.update(generations=fit.generations, particles=len(fit.values),
                  epsilon=fit.epsilons[-1] if fit.epsilons else None)
    return result


def validate_history(setup: Setup, out: str | Path, draws: int = DRAWS,
                     report: Callable[[dict[str, Any]], None] | None = None,
                     **options: Any) -> list[dict[str, Any]]:
    """Leave-one-out over every strike with a known length; resumable strike by strike."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    file = out / RESULTS
    stored = json.loads(file.read_text()) if file.exists() else {}
    if stored.get("hash") != setup.digest():
        stored = {"hash": setup.digest(), "source": setup.source, "draws": draws,
                  "strikes": {}}
    results = []
    for strike in setup.strikes:
        if setup.strikes[strike].observed.get("length") is None:
            continue
        done = stored["strikes"].get(strike)
        if done is None or done.get("draws") != draws:
            resume = (out / strike / "calibration.db").exists()
            done = hold_out(setup, strike, out / strike, draws,
                            **{**options, "resume": resume})
            stored["strikes"][strike] = done
            tmp = file.with_name(RESULTS + ".tmp")
            tmp.write_text(json.dumps(stored, indent=2) + "\n")
            tmp.replace(file)
        results.append(done)
        if report is not None:
            report(done)
    return results


def coverage(results: list[dict[str, Any]]) -> dict[str, float]:
    """The share of strikes whose actual length lies inside the 80% and the 95% interval."""
    known = [r for r in results if "in80" in r]
    n = max(1, len(known))
    return {"in80": sum(r["in80"] for r in known) / n, "in95": sum(r["in95"] for r in known) / n,
            "strikes": len(known)}


def format_table(results: list[dict[str, Any]]) -> str:
    """Per strike: actual length, predicted median, 80% and 95% intervals; then coverage."""
    lines = ["strike          actual  median  80% interval   95% interval   in 80%  in 95%  "
             "censored"]
    for r in results:
        lines.append(
            f"{r['strike']:<15} {r['actual']:6.1f}  {r['median']:6.1f}  "
            f"{f'{r['q10']:.0f}-{r['q90']:.0f}':<13}  {f'{r['q025']:.0f}-{r['q975']:.0f}':<13}  "
            f"{'yes' if r['in80'] else 'MISS':>6}  {'yes' if r['in95'] else 'MISS':>6}  "
            f"{r['censored']:>4}/{r['draws']}")
    c = coverage(results)
    lines.append(f"coverage over {c['strikes']} strikes: {c['in80']:.0%} inside the 80% "
                 f"interval, {c['in95']:.0%} inside the 95% interval")
    return "\n".join(lines)
