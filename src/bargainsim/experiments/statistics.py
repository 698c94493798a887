"""Statistics of one output over a mode's runs: the figures compare and summarize report.

Each statistic takes the output's values over the runs (None where a run has none: a
settlement week censored at the horizon, a column the sweep did not keep) and the
bootstrap resamples of the runs shared by every mode (rows of run indices), and returns
a JSON-able figure. A survival time with an event indicator (`Output.event`) comes as
pairs `(time, event)`: a run whose event did not happen is censored at its time, which
may come before other runs' events (the share-weighted week of a run with a company never
back is a lower bound). Settlement weeks censored only at the horizon, after every
observed deal, make the Kaplan-Meier estimate equal the empirical distribution with
censored runs placed beyond the horizon; that exact form is used whenever censoring comes
at or after the last event, the product-limit estimate otherwise. A quantile is undefined
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


def survival(values: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
    """Times and event flags of a survival time's values.

    A number is an event at that time; None is censored beyond every event (at the
    horizon); a pair `(time, event)` is an event when `event` is true, else censored at
    `time` (None: beyond every event).
    """
    t = np.empty(len(values))
    e = np.empty(len(values), dtype=bool)
    for i, v in enumerate(values):
        if isinstance(v, tuple | list):
            v, event = v
            e[i] = bool(event) and v is not None
        else:
            e[i] = v is not None
        t[i] = np.inf if v is None else float(v)
    return t, e


def at_horizon(t: np.ndarray, e: np.ndarray) -> np.ndarray | None:
    """The times with censored runs as +inf, when no censoring comes before an event.

    Then the Kaplan-Meier estimate is the empirical distribution of these times; None
    when some run is censored before another's event (the product-limit form is needed).
    """
    censored = ~e
    if not censored.any():
        return t
    if e.any() and t[censored].min() < t[e].max():
        return None
    return np.where(censored, np.inf, t)


def km_quantile(times: np.ndarray, q: float = 0.5,
                events: np.ndarray | None = None) -> float | None:
    """Kaplan-Meier quantile (None when undefined).

    Without `events`, censored runs are +inf in `times` (censoring at the horizon);
    with them, a run is censored at its time where its event is false.
    """
    if events is not None:
        plain = at_horizon(times, events)
        if plain is None:
            return _product_limit_quantile(times, events, q)
        times = plain
    n = len(times)
    if n == 0:
        return None
    k = math.ceil(q * n - 1e-9)
    value = np.sort(times)[max(k, 1) - 1]
    return float(value) if np.isfinite(value) else None


def _product_limit(t: np.ndarray, e: np.ndarray) -> tuple[np.ndarray, ...]:
    """Times and events sorted along the last axis, and Kaplan-Meier survival after each.

    At a tie, events come before censorings (the usual convention).
    """
    order = np.lexsort((~e, t), axis=-1)
    t = np.take_along_axis(t, order, axis=-1)
    e = np.take_along_axis(e, order, axis=-1)
    at_risk = t.shape[-1] - np.arange(t.shape[-1])
    surviving = np.cumprod(np.where(e, 1.0 - 1.0 / at_risk, 1.0), axis=-1)
    return t, e, surviving


def _product_limit_quantile(t: np.ndarray, e: np.ndarray, q: float) -> float | None:
    """The first event time at which Kaplan-Meier survival reaches 1 - q."""
    t, e, surviving = _product_limit(t, e)
    hit = np.flatnonzero(e & (surviving <= 1.0 - q + 1e-9))
    return float(t[hit[0]]) if hit.size else None


def boot_medians(times: np.ndarray, idx: np.ndarray,
                 events: np.ndarray | None = None) -> np.ndarray:
    """KM medians of bootstrap resamples (rows of idx); NaN where undefined.

    `events` as in `km_quantile`.
    """
    if events is not None:
        plain = at_horizon(times, events)
        if plain is None:
            t, e, surviving = _product_limit(times[idx], events[idx])
            hit = e & (surviving <= 0.5 + 1e-9)
            first = hit.argmax(axis=1)
            med = np.take_along_axis(t, first[:, None], axis=1)[:, 0]
            return np.where(hit.any(axis=1), med, np.nan)
        times = plain
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
    """Share of runs with an event (not censored)."""
    return float(survival(values)[1].mean())


def km_median(values: Sequence[Any], idx: np.ndarray) -> float | None:
    """Kaplan-Meier median of a survival time."""
    t, e = survival(values)
    return km_quantile(t, 0.5, e)


def km_median_ci(values: Sequence[Any], idx: np.ndarray) -> list[float] | None:
    """Bootstrap 95% CI of the Kaplan-Meier median (None when the median is undefined)."""
    t, e = survival(values)
    return ci95(boot_medians(t, idx, e)) if km_quantile(t, 0.5, e) is not None else None


def km_p90(values: Sequence[Any], idx: np.ndarray) -> float | None:
    """Kaplan-Meier 90th percentile of a survival time."""
    t, e = survival(values)
    return km_quantile(t, 0.9, e)


def mean_settled(values: Sequence[Any], idx: np.ndarray) -> float | None:
    """Mean of a survival time over the runs that were not censored."""
    t, e = survival(values)
    observed = t[e]
    return float(observed.mean()) if observed.size else None


def mean(values: Sequence[Any], idx: np.ndarray) -> float | None:
    """Mean over the runs that have a value (None when none has)."""
    present = [v for v in values if v is not None]
    return float(np.mean(present)) if present else None


def median(values: Sequence[Any], idx: np.ndarray) -> float | None:
    """Median over the runs that have a value (None when none has)."""
    present = [v for v in values if v is not None]
    return float(np.median(present)) if present else None
