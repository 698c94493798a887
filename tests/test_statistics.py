"""Statistics of an output over runs: Kaplan-Meier figures with censoring, plain means."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
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


def _scipy_km_quantile(t: np.ndarray, e: np.ndarray, q: float, horizon: float) -> float | None:
    """scipy's Kaplan-Meier quantile: the first time survival reaches 1 - q."""
    right = np.where(np.isfinite(t[~e]), t[~e], horizon)
    sf = stats.ecdf(stats.CensoredData(uncensored=t[e], right=right)).sf
    below = np.flatnonzero(sf.probabilities <= 1 - q + 1e-12)
    return float(sf.quantiles[below[0]]) if below.size else None


# runs as (time, event): times on a coarse grid so that ties, and censorings tied with
# events, are common
RUNS = st.lists(st.tuples(st.integers(1, 30).map(lambda k: k / 2), st.booleans()),
                min_size=1, max_size=40)


@settings(max_examples=300, deadline=None)
@given(runs=RUNS, q=st.sampled_from([0.5, 0.9]))
def test_km_quantile_with_censoring_anywhere_equals_scipys_kaplan_meier(runs, q) -> None:
    t, e = s.survival(runs)
    assume(e.any())
    assert s.km_quantile(t, q, e) == _scipy_km_quantile(t, e, q, 99.0)


@settings(max_examples=200, deadline=None)
@given(runs=RUNS)
def test_censoring_after_every_event_gives_the_horizon_form_by_both_paths(runs) -> None:
    """Censored at or after the last event: the product limit equals the empirical form,
    and pairs give the figures of plain values with None for censored runs."""
    t, e = s.survival(runs)
    last = t[e].max() if e.any() else 0.0
    t = np.where(e, t, np.maximum(t, last))  # censorings moved to the last event or later
    pairs = [(float(a), bool(b)) for a, b in zip(t, e, strict=True)]
    plain = [float(a) if b else None for a, b in zip(t, e, strict=True)]
    idx = np.random.default_rng(1).integers(0, len(runs), size=(300, len(runs)))
    assert s.at_horizon(t, e) is not None
    for q in (0.5, 0.9):
        assert s._product_limit_quantile(t, e, q) == s.km_quantile(s.times(plain), q)
    assert s.km_median(pairs, idx) == s.km_median(plain, idx)
    assert s.km_p90(pairs, idx) == s.km_p90(plain, idx)
    assert s.km_median_ci(pairs, idx) == s.km_median_ci(plain, idx)
    assert s.settled_share(pairs, idx) == s.settled_share(plain, idx)
    assert s.mean_settled(pairs, idx) == s.mean_settled(plain, idx)


@settings(max_examples=100, deadline=None)
@given(runs=RUNS, seed=st.integers(0, 1000))
def test_bootstrap_medians_are_each_resamples_kaplan_meier_median(runs, seed) -> None:
    t, e = s.survival(runs)
    idx = np.random.default_rng(seed).integers(0, len(runs), size=(40, len(runs)))
    got = s.boot_medians(t, idx, e)
    want = [s.km_quantile(t[row], 0.5, e[row]) for row in idx]
    np.testing.assert_array_equal(got, [np.nan if w is None else w for w in want])


def test_a_run_censored_before_others_events_leaves_the_risk_set_there() -> None:
    """Censored at week 2 (a lower bound): it does not count as beyond week 10."""
    runs = [(1, True), (2, False), (3, True), (4, True), (10, True)]
    idx = np.zeros((1, 5), dtype=int)
    # product limit: 1 - 1/5 = 0.8 after week 1; at risk 3 at week 3: 0.8 * 2/3 = 0.533;
    # week 4: 0.533 * 1/2 = 0.267 <= 0.5, so the median is 4 (treating the run as
    # censored beyond every event would give 4 too, but the 90th percentile differs)
    assert s.km_median(runs, idx) == 4.0
    assert s.km_p90(runs, idx) == 10.0  # survival 0 after week 10
    assert s.km_p90([1, 3, 4, 10, None], idx) is None  # censored beyond: among the censored
    assert s.settled_share(runs, idx) == 0.8
    assert s.mean_settled(runs, idx) == 4.5


def test_survival_reads_numbers_none_and_pairs() -> None:
    t, e = s.survival([3, None, (5.5, True), (7, False), (None, False)])
    np.testing.assert_array_equal(t, [3, np.inf, 5.5, 7, np.inf])
    np.testing.assert_array_equal(e, [True, False, True, False, False])
