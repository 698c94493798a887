"""Statistics of an output over runs: Kaplan-Meier figures with censoring, plain means."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from bargainsim.experiments import statistics as s


@pytest.mark.parametrize("n_censored", [0, 3, 9, 10, 15])
def test_km_median_equals_scipy_kaplan_meier_with_censoring_at_the_horizon(n_censored):
    rng = np.random.default_rng(n_censored)
    events = rng.integers(1, 40, size=20 - n_censored).astype(float)
    times = np.concatenate([events, np.full(n_censored, np.inf)])
    ours = s.km_quantile(times)
    sf = stats.ecdf(stats.CensoredData(uncensored=events, right=np.full(n_censored, 52.0))).sf
    below = np.flatnonzero(sf.probabilities <= 0.5 + 1e-12)
    expected = float(sf.quantiles[below[0]]) if below.size else None
    assert ours == expected


def test_figures_of_values_with_censored_runs() -> None:
    values = [3, None, 5, 4, None]
    idx = np.random.default_rng(0).integers(0, 5, size=(400, 5))
    assert s.settled_share(values, idx) == 0.6
    assert s.km_median(values, idx) == 5.0
    assert s.km_p90(values, idx) is None  # among the censored runs
    assert s.mean_settled(values, idx) == 4.0
    assert s.mean(values, idx) == 4.0 and s.median(values, idx) == 4.0
    assert s.km_median_ci([None, None, 1], idx) is None  # the median is undefined
    lo, hi = s.km_median_ci([1, 2, 3, 4, 5], idx)
    assert 1 <= lo <= 3 <= hi <= 5
    assert s.mean([None], idx) is None and s.median([], idx) is None
    assert s.mean_settled([None], idx) is None and s.km_median([], idx) is None
