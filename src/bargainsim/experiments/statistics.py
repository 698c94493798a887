"""Statistics of one output over a mode's runs: the figures compare and summarize report.

Each statistic takes the output's values over the runs (None where a run has none: a
settlement week censored at the horizon, a column the sweep did not keep) and the
bootstrap resamples of the runs shared by every mode (rows of run indices), and returns
a JSON-able figure. Settlement weeks are survival times censored only at the horizon,
after every observed deal, so the Kaplan-Meier estimate equals the empirical
distribution with censored runs placed beyond the horizon; a quantile is undefined
(None) when it falls among the censored runs. Only numpy: the experiment format imports
this through the outputs table, and `validate` must start quickly.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

Statistic = Callable[[Sequence[Any], np.ndarray], Any]


def times(values: Sequence[Any]) -> np.ndarray:
    """Event times with censored runs (None) as +inf."""
    return np.array([np.inf if v is None else float(v) for v in values])


def km_quantile(times: np.ndarray, q: float = 0.5) -> float | None:
    """Kaplan-Meier quantile when censoring is at the horizon; None when undefined."""
    n = len(times)
    if n == 0:
        return None
    k = math.ceil(q * n - 1e-9)
    value = np.sort(times)[max(k, 1) - 1]
    return float(value) if np.isfinite(value) else None


def boot_medians(times: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """KM medians of bootstrap resamples (rows of idx); NaN where undefined."""
    sample = np.sort(times[idx], axis=1)
    k = math.ceil(0.5 * times.size - 1e-9)
    med = sample[:, max(k, 1) - 1]
    return np.where(np.isfinite(med), med, np.nan)


def ci95(values: np.ndarray) -> list[float] | None:
    """Percentile 95% CI; None when more than 2.5% of resamples are undefined."""
    if np.mean(np.isnan(values)) > 0.025:
        return None
    lo, hi = np.nanpercentile(values, [2.5, 97.5])
    return [float(lo), float(hi)]


# ---------------------------------------------------------------- statistics (Statistic)


def settled_share(values: Sequence[Any], idx: np.ndarray) -> float:
    """Share of runs with an event time (not censored)."""
    return float(np.isfinite(times(values)).mean())


def km_median(values: Sequence[Any], idx: np.ndarray) -> float | None:
    """Kaplan-Meier median of a survival time."""
    return km_quantile(times(values))


def km_median_ci(values: Sequence[Any], idx: np.ndarray) -> list[float] | None:
    """Bootstrap 95% CI of the Kaplan-Meier median (None when the median is undefined)."""
    t = times(values)
    return ci95(boot_medians(t, idx)) if km_quantile(t) is not None else None


def km_p90(values: Sequence[Any], idx: np.ndarray) -> float | None:
    """Kaplan-Meier 90th percentile of a survival time."""
    return km_quantile(times(values), 0.9)


def mean_settled(values: Sequence[Any], idx: np.ndarray) -> float | None:
    """Mean of a survival time over the runs that were not censored."""
    t = times(values)
    observed = t[np.isfinite(t)]
    return float(observed.mean()) if observed.size else None


def mean(values: Sequence[Any], idx: np.ndarray) -> float | None:
    """Mean over the runs that have a value (None when none has)."""
    present = [v for v in values if v is not None]
    return float(np.mean(present)) if present else None


def median(values: Sequence[Any], idx: np.ndarray) -> float | None:
    """Median over the runs that have a value (None when none has)."""
    present = [v for v in values if v is not None]
    return float(np.median(present)) if present else None
