"""The historical strikes as one model: shared parameter values in, summary statistics out.

Each strike is simulated from its own scenario document with the values applied in memory
(`evidence.overrides`), in its scenario's mode, for a few seeds; the statistics are the
means over those runs:

- `length.STRIKE`: the alliance's deal week (the last deal when the alliance dissolved,
  the horizon when nothing settled: censored runs count at the horizon, a lower bound);
- `interim.STRIKE`: the first interim agreement's week (the horizon when none);
- `ratification.STRIKE`: the share voting yes in the last vote that passed;
- `breaks.STRIKE`: the share of the alliance's members that signed apart.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from bargainsim.evidence import overrides
from bargainsim.evidence.calibration_file import Setup, Strike
from bargainsim.scenario import scenario_from_dict


def run_statistics(rec: Mapping[str, Any], strike: Strike) -> dict[str, float]:
    """The statistics of one run of a strike."""
    deals = rec.get("deals") or []
    alliance = [d["step"] for d in deals if d.get("coalition")]
    if alliance:
        length = float(alliance[0])
    elif rec.get("settlement_step") is not None:
        length = float(rec["settlement_step"])
    else:
        length = strike.horizon
    interim = rec.get("interim_agreements") or []
    passed = [v["yes_share"] for v in rec.get("ratification_votes") or [] if v["passed"]]
    signers = {a["company"] for a in interim} & set(strike.members)
    return {
        "length": length,
        "interim": float(interim[0]["step"]) if interim else strike.horizon,
        "ratification": float(passed[-1]) if passed else float("nan"),
        "breaks": len(signers) / max(1, len(strike.members)),
    }


def strike_runs(strike: Strike, values: Mapping[str, float], scaled: Iterable[str],
                seeds: Iterable[int]) -> list[dict[str, Any]]:
    """The records of a strike's runs with these parameter values."""
    from bargainsim.runner import each_run  # Mesa: imported where runs are made

    doc = overrides.apply(json.loads(json.dumps(strike.doc)), values, set(scaled))
    spec = scenario_from_dict(doc, strike.name)
    out = []
    for _, rec, error in each_run(spec, None, seeds):
        if error is not None:
            raise error
        assert rec is not None
        out.append(rec)
    return out


class StrikesModel:
    """pyabc's model: a parameter (named p0, p1, ...) in, every strike's statistics out.

    The runs' seeds are drawn from NumPy's global generator, which the sampler seeds for
    each evaluation, so an evaluation is a function of its number alone.
    """

    def __init__(self, setup: Setup, strikes: Iterable[str]):
        self.names = list(setup.calibration.parameters)
        self.scaled = setup.scaled
        self.strikes = [setup.strikes[s] for s in strikes]
        self.seeds = setup.calibration.seeds
        self.kept = list(setup.calibration.statistics.scales())

    def values(self, par: Mapping[str, float]) -> dict[str, float]:
        """The parameter's values by dotted path."""
        return {name: float(par[f"p{i}"]) for i, name in enumerate(self.names)}

    def __call__(self, par: Mapping[str, float]) -> dict[str, float]:
        """Every kept statistic of every strike, averaged over this evaluation's seeds."""
        first = int(np.random.randint(0, 2**31 - 1))
        values = self.values(par)
        out: dict[str, float] = {}
        for strike in self.strikes:
            runs = strike_runs(strike, values, self.scaled, range(first, first + self.seeds))
            stats = [run_statistics(r, strike) for r in runs]
            for key in self.kept:
                column = [s[key] for s in stats if not np.isnan(s[key])]
                out[f"{key}.{strike.name}"] = float(np.mean(column)) if column else 0.0
        return out


def observed_statistics(setup: Setup, strikes: Iterable[str]) -> dict[str, float]:
    """History's statistics, keyed as the model's (only the known ones)."""
    kept = setup.calibration.statistics.scales()
    return {f"{k}.{s}": v for s in strikes for k, v in setup.strikes[s].observed.items()
            if k in kept}


class Distance:
    """The mean of |simulated - actual| / scale over history's known statistics."""

    def __init__(self, setup: Setup):
        self.scales = setup.calibration.statistics.scales()

    def __call__(self, x: Mapping[str, float], x0: Mapping[str, float]) -> float:
        """The distance between a simulation's statistics and history's."""
        terms = [abs(x[k] - v) / self.scales[k.split(".")[0]] for k, v in x0.items()]
        return float(np.mean(terms))
