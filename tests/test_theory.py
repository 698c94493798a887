"""Tests for bargainsim.theory: hand-worked examples of docs/theory.md plus property tests."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bargainsim import theory
from bargainsim.theory import sobel_takahashi

FAST = settings(max_examples=60, deadline=None)

discounts = st.floats(min_value=0.01, max_value=1.0, allow_nan=False)
impatient = st.floats(min_value=0.01, max_value=0.95, allow_nan=False)
rates = st.floats(min_value=0.01, max_value=10.0, allow_nan=False)


# --------------------------------------------------------------------------- #
# Worked examples (values worked by hand, not by calling other theory functions)
# --------------------------------------------------------------------------- #


def test_rubinstein_worked_example() -> None:
    """d1 = 0.9, d2 = 0.8 gives 0.2 / 0.28 to player 1, the rest to player 2."""
    assert theory.rubinstein_share(0.9, 0.8) == pytest.approx(0.2 / 0.28, abs=1e-12)
    assert theory.rubinstein_share(0.9, 0.8) == pytest.approx(0.714286, abs=1e-6)
    assert theory.rubinstein_responder_share(0.9, 0.8) == pytest.approx(0.08 / 0.28, abs=1e-12)


def test_rubinstein_one_patient_player_takes_all() -> None:
    """A perfectly patient first proposer (d1 = 1) facing d2 < 1 keeps the whole pie."""
    assert theory.rubinstein_share(1.0, 0.5) == pytest.approx(1.0)
    assert theory.rubinstein_share(0.5, 1.0) == pytest.approx(0.0)


def test_rubinstein_finite_small_horizons_by_hand() -> None:
    """T = 1: 1; T = 2: 1 - d2; T = 3: 1 - d2 (1 - d1); T = 4: 1 - d2 + d1 d2 (1 - d2)."""
    d1, d2 = 0.9, 0.8
    assert theory.rubinstein_finite_share(d1, d2, 1) == pytest.approx(1.0)
    assert theory.rubinstein_finite_share(d1, d2, 2) == pytest.approx(0.2)
    assert theory.rubinstein_finite_share(d1, d2, 3) == pytest.approx(1 - 0.8 * 0.1)
    assert theory.rubinstein_finite_share(d1, d2, 4) == pytest.approx(1 - 0.8 + 0.72 * 0.2)


def test_rubinstein_finite_common_by_hand() -> None:
    """Common d = 0.5: T = 3 gives (1 + 0.125) / 1.5 = 0.75; the limit is 1 / 1.5."""
    assert theory.rubinstein_finite_share_common(0.5, 3) == pytest.approx(0.75)
    assert theory.rubinstein_finite_share_common(0.5, 2) == pytest.approx(0.5)
    assert theory.rubinstein_finite_share_common(0.5, 60) == pytest.approx(2 / 3, abs=1e-12)


def test_rounds_left_uses_swapped_roles() -> None:
    """Two rounds left: proposer keeps 1 - d_responder; three: 1 - d_r (1 - d_p)."""
    f = theory.rubinstein_proposer_share_with_rounds_left
    assert f(0.9, 0.6, 1) == pytest.approx(1.0)
    assert f(0.9, 0.6, 2) == pytest.approx(0.4)
    assert f(0.9, 0.6, 3) == pytest.approx(1 - 0.6 * 0.1)
    assert f(0.9, 0.6, None) == pytest.approx(0.4 / (1 - 0.54))


def test_continuous_share_example() -> None:
    """r1 = 1, r2 = 3 gives 3/4 to player 1."""
    assert theory.rubinstein_continuous_share(1.0, 3.0) == pytest.approx(0.75)


def test_nash_worked_example() -> None:
    """Pie 100, v1 = 20, v2 = 10 splits 55 / 45; power 0.8 gives 20 + 0.8 * 70 = 76."""
    assert theory.nash_bargaining(100, 20, 10) == pytest.approx((55.0, 45.0))
    assert theory.nash_bargaining(100, 20, 10, power=0.8) == pytest.approx((76.0, 24.0))
    assert theory.nash_bargaining(30, 20, 10) == pytest.approx((20.0, 10.0))


def test_faratin_curves_by_hand() -> None:
    """Union 10 - 6 (t/20)^2 and studio 6 sqrt(t/20) at t = 17, 18; a = 1 after t_max."""
    assert theory.faratin_offer(18, 0.5, 0.0, 20, 4, 10, True) == pytest.approx(5.14)
    assert theory.faratin_offer(17, 2.0, 0.0, 20, 0, 6, False) == pytest.approx(6 * math.sqrt(0.85))
    assert theory.faratin_concession(5, 0.5, 0.2, 10) == pytest.approx(0.2 + 0.8 * 0.25)
    assert theory.faratin_concession(35, 0.5, 0.0, 20) == pytest.approx(1.0)
    assert theory.faratin_concession(0, 3.0, 0.3, 20) == pytest.approx(0.3)


def _union() -> theory.FaratinSide:
    return theory.FaratinSide(beta=0.5, kappa=0.0, t_max=20, lo=4, hi=10)


def _studio() -> theory.FaratinSide:
    return theory.FaratinSide(beta=2.0, kappa=0.0, t_max=20, lo=0, hi=6)


def test_faratin_agreement_worked_example() -> None:
    """Union accepts the studio's t = 17 offer at t = 18: wage 6 sqrt(17/20) = 5.5317."""
    result = theory.faratin_agreement(_union(), _studio())
    assert result is not None
    step, value = result
    assert step == 18
    assert value == pytest.approx(6 * math.sqrt(17 / 20), abs=1e-12)
    assert value == pytest.approx(5.5317, abs=1e-4)


def test_faratin_agreement_no_overlap_and_short_horizon() -> None:
    """Disjoint ranges never agree; a horizon before step 18 yields None too."""
    greedy = theory.FaratinSide(beta=1.0, kappa=0.0, t_max=10, lo=7, hi=10)
    assert theory.faratin_agreement(greedy, _studio(), horizon=200) is None
    assert theory.faratin_agreement(_union(), _studio(), horizon=17) is None
    assert theory.faratin_agreement(_union(), _studio(), horizon=18) is not None


def test_faratin_crossing_worked_example() -> None:
    """Continuous curves cross where 10 - 6 x^2 = 6 sqrt(x): x = 0.8599, wage 5.5637."""
    t, value = theory.faratin_crossing(_union(), _studio())
    x = t / 20
    assert 10 - 6 * x**2 == pytest.approx(6 * math.sqrt(x), abs=1e-9)
    assert x == pytest.approx(0.8599, abs=1e-4)
    assert value == pytest.approx(5.5637, abs=1e-4)
    # The discrete protocol lands later than the crossing.
    step, _ = theory.faratin_agreement(_union(), _studio())  # type: ignore[misc]
    assert step > t


def test_attrition_worked_example() -> None:
    """c1 = 1, c2 = 2, V = 10: h = (0.2, 0.1), mean 10/3, median 10 ln 2 / 3, P2 first = 1/3."""
    args = (1.0, 10.0, 2.0, 10.0)
    assert theory.attrition_hazards(*args) == pytest.approx((0.2, 0.1))
    assert theory.attrition_expected_length(*args) == pytest.approx(10 / 3)
    assert theory.attrition_median_length(*args) == pytest.approx(2.310, abs=1e-3)
    assert theory.attrition_median_length(*args) == pytest.approx(10 * math.log(2) / 3)
    assert theory.attrition_first_concession_probabilities(*args) == pytest.approx((2 / 3, 1 / 3))
    assert theory.attrition_length_cdf(10 * math.log(2) / 3, *args) == pytest.approx(0.5)
    assert theory.attrition_length_cdf(-1.0, *args) == 0.0
    assert theory.attrition_truncated_mean(*args, horizon=5.0) == pytest.approx(
        (1 - math.exp(-1.5)) * 10 / 3
    )
    assert theory.attrition_truncated_mean(*args, horizon=math.inf) == pytest.approx(10 / 3)


def test_resistance_curve_by_hand() -> None:
    """y(0) = y0, y(10) = 0.04 + 0.06 / e with tau = 0.1."""
    assert theory.resistance_curve(0, 0.10, 0.04, 0.1) == pytest.approx(0.10)
    assert theory.resistance_curve(10, 0.10, 0.04, 0.1) == pytest.approx(0.04 + 0.06 / math.e)


def test_ashenfelter_johnson_worked_example() -> None:
    """S* = 10 ln(33/8) = 14.17, wage 0.04 + 0.06 * 8/33 = 0.0545, V = 631.2 vs 500."""
    res = theory.ashenfelter_johnson(0.10, 0.04, 0.1, 0.01, 10, 50)
    assert res.strike_weeks == pytest.approx(10 * math.log(33 / 8), abs=1e-9)
    assert res.strike_weeks == pytest.approx(14.17, abs=5e-3)
    assert res.wage == pytest.approx(0.04 + 0.06 * 8 / 33, abs=1e-12)
    assert res.wage == pytest.approx(0.0545, abs=1e-4)
    assert res.value == pytest.approx((8 / 33) ** 0.1 * (10 - 50 * (0.04 + 0.06 * 8 / 33)) * 100)
    assert res.value == pytest.approx(631.2, abs=0.05)
    assert res.value_settle_now == pytest.approx(500.0)


def _aj_v(
    s: float, y0: float, ys: float, tau: float, r: float, a: float, b: float, f: float
) -> float:
    """Firm's value V(S), written out independently of theory.py."""
    y = ys + (y0 - ys) * math.exp(-tau * s)
    return f * (1 - math.exp(-r * s)) / r + math.exp(-r * s) * (a - b * y) / r


def test_ashenfelter_johnson_corner_cases() -> None:
    """Cheap demands settle at once (S* = 0); a strike income above A - B y* never settles."""
    settle = theory.ashenfelter_johnson(0.05, 0.04, 0.1, 0.01, 10, 50)
    assert settle.strike_weeks == 0.0
    assert settle.wage == pytest.approx(0.05)
    assert settle.value == pytest.approx(settle.value_settle_now)
    # Interior check against a numeric derivative: V'(0) <= 0 for the settle case.
    assert _aj_v(0.5, 0.05, 0.04, 0.1, 0.01, 10, 50, 0.0) <= settle.value
    forever = theory.ashenfelter_johnson(0.10, 0.04, 0.1, 0.01, 10, 50, f=9.0)
    assert forever.strike_weeks == math.inf
    assert forever.value == pytest.approx(900.0)
    assert forever.wage == pytest.approx(0.04)


# --------------------------------------------------------------------------- #
# Property tests
# --------------------------------------------------------------------------- #


@FAST
@given(d1=impatient, d2=impatient, rounds=st.integers(min_value=1, max_value=300))
def test_finite_rubinstein_converges_to_infinite(d1: float, d2: float, rounds: int) -> None:
    """The finite-horizon error shrinks by d1 d2 every two rounds: |x_T - x*| <= (d1 d2)^k."""
    gap = abs(theory.rubinstein_finite_share(d1, d2, rounds) - theory.rubinstein_share(d1, d2))
    assert gap <= (d1 * d2) ** ((rounds - 1) // 2) + 1e-12


@FAST
@given(d1=impatient, d2=impatient)
def test_finite_rubinstein_long_horizon_matches_infinite(d1: float, d2: float) -> None:
    """With 400 rounds the finite share equals the infinite one to 1e-9."""
    assert theory.rubinstein_finite_share(d1, d2, 400) == pytest.approx(
        theory.rubinstein_share(d1, d2), abs=1e-9
    )


@FAST
@given(d=discounts, rounds=st.integers(min_value=1, max_value=200))
def test_finite_rubinstein_matches_common_closed_form(d: float, rounds: int) -> None:
    """Backward induction with d1 = d2 = d equals (1 - (-d)^T) / (1 + d)."""
    assert theory.rubinstein_finite_share(d, d, rounds) == pytest.approx(
        theory.rubinstein_finite_share_common(d, rounds), abs=1e-12
    )


@FAST
@given(d1=discounts, d2=discounts, rounds=st.integers(min_value=1, max_value=60))
def test_shares_lie_in_unit_interval(d1: float, d2: float, rounds: int) -> None:
    """All Rubinstein shares are in [0, 1]; proposer and responder shares sum to 1."""
    shares = [
        theory.rubinstein_finite_share(d1, d2, rounds),
        theory.rubinstein_finite_share_common(d1, rounds),
        theory.rubinstein_proposer_share_with_rounds_left(d1, d2, rounds),
    ]
    if not (d1 == 1.0 and d2 == 1.0):
        x = theory.rubinstein_share(d1, d2)
        y = theory.rubinstein_responder_share(d1, d2)
        assert x + y == pytest.approx(1.0)
        shares += [x, y]
    assert all(-1e-12 <= s <= 1 + 1e-12 for s in shares)


@FAST
@given(dp=impatient, dr=impatient, rounds=st.integers(min_value=2, max_value=80))
def test_rounds_left_recursion(dp: float, dr: float, rounds: int) -> None:
    """s(k) = 1 - d_responder * s'(k - 1) with the roles swapped."""
    f = theory.rubinstein_proposer_share_with_rounds_left
    assert f(dp, dr, rounds) == pytest.approx(1 - dr * f(dr, dp, rounds - 1), abs=1e-12)


@FAST
@given(r1=rates, r2=rates)
def test_continuous_time_limit(r1: float, r2: float) -> None:
    """rubinstein_share(e^(-r1 dt), e^(-r2 dt)) -> r2 / (r1 + r2) as dt -> 0."""
    target = theory.rubinstein_continuous_share(r1, r2)
    assert target == pytest.approx(r2 / (r1 + r2))
    errors = [
        abs(theory.rubinstein_share(math.exp(-r1 * dt), math.exp(-r2 * dt)) - target)
        for dt in (1e-2, 1e-3, 1e-4, 1e-5)
    ]
    assert errors[-1] < 1e-4
    assert errors[-1] <= errors[0] + 1e-12


@FAST
@given(
    pie=st.floats(min_value=1.0, max_value=1000.0),
    f1=st.floats(min_value=0.0, max_value=0.45),
    f2=st.floats(min_value=0.0, max_value=0.45),
    power=st.floats(min_value=0.05, max_value=0.95),
)
def test_nash_maximises_nash_product(pie: float, f1: float, f2: float, power: float) -> None:
    """No split on a fine grid beats the solution's (u1 - v1)^b (u2 - v2)^(1 - b)."""
    v1, v2 = f1 * pie, f2 * pie
    u1, u2 = theory.nash_bargaining(pie, v1, v2, power)
    assert u1 + u2 == pytest.approx(pie)

    def product(x: np.ndarray | float) -> np.ndarray | float:
        return np.maximum(x - v1, 0.0) ** power * np.maximum(pie - x - v2, 0.0) ** (1 - power)

    grid = np.linspace(v1, pie - v2, 4001)
    best = float(np.max(product(grid)))
    assert float(product(u1)) >= best * (1 - 1e-9)
    assert abs(u1 - grid[np.argmax(product(grid))]) <= (pie - v1 - v2) / 4000 + 1e-9


sides = st.builds(
    theory.FaratinSide,
    beta=st.floats(min_value=0.2, max_value=5.0),
    kappa=st.floats(min_value=0.0, max_value=0.5),
    t_max=st.integers(min_value=1, max_value=40).map(float),
    lo=st.floats(min_value=0.0, max_value=5.0),
    hi=st.floats(min_value=5.0, max_value=10.0),
)


def _offer(side: theory.FaratinSide, t: int, wants_high: bool) -> float:
    """Faratin offer written out independently of theory.py."""
    a = side.kappa + (1 - side.kappa) * (min(t, side.t_max) / side.t_max) ** (1 / side.beta)
    span = side.hi - side.lo
    return side.hi - a * span if wants_high else side.lo + a * span


def _accepts(high: theory.FaratinSide, low: theory.FaratinSide, t: int, high_turn: bool) -> bool:
    """Acceptance rule at step t for the side due to offer at t."""
    if high_turn:
        return _offer(low, t - 1, False) >= _offer(high, t, True) - 1e-9
    return _offer(high, t - 1, True) <= _offer(low, t, False) + 1e-9


@FAST
@given(high=sides, low=sides, first=st.sampled_from(["high", "low"]))
def test_faratin_agreement_properties(
    high: theory.FaratinSide, low: theory.FaratinSide, first: str
) -> None:
    """The deal is the first step meeting the rule; its value is between both sides' offers."""
    horizon = 100
    result = theory.faratin_agreement(high, low, first=first, horizon=horizon)  # type: ignore[arg-type]
    parity = 0 if first == "high" else 1
    if result is None:
        assert not any(_accepts(high, low, t, t % 2 == parity) for t in range(1, horizon + 1))
        assert high.lo > low.hi  # overlapping ranges always agree once both reach a = 1
        return
    step, value = result
    assert 1 <= step <= horizon
    assert _accepts(high, low, step, step % 2 == parity)
    assert not any(_accepts(high, low, t, t % 2 == parity) for t in range(1, step))
    assert _offer(high, step, True) - 1e-9 <= value <= _offer(low, step, False) + 1e-9
    proposer_was_high = (step - 1) % 2 == parity
    assert value == pytest.approx(
        _offer(high if proposer_was_high else low, step - 1, proposer_was_high)
    )


@FAST
@given(high=sides, low=sides)
def test_faratin_crossing_is_a_crossing(high: theory.FaratinSide, low: theory.FaratinSide) -> None:
    """Where a crossing exists, both curves take the returned value at the returned time."""
    if _offer(high, 0, True) < _offer(low, 0, False) or high.lo > low.hi:
        with pytest.raises(ValueError):
            theory.faratin_crossing(high, low)
        return
    t, value = theory.faratin_crossing(high, low)
    assert 0 <= t <= max(high.t_max, low.t_max)
    for side, wants_high in ((high, True), (low, False)):
        a = side.kappa + (1 - side.kappa) * (min(t, side.t_max) / side.t_max) ** (1 / side.beta)
        own = side.hi - a * (side.hi - side.lo) if wants_high else side.lo + a * (side.hi - side.lo)
        assert own == pytest.approx(value, abs=1e-6)


@FAST
@given(
    y0=st.floats(min_value=0.05, max_value=0.2),
    drop=st.floats(min_value=0.1, max_value=0.9),
    tau=st.floats(min_value=0.01, max_value=1.0),
    r=st.floats(min_value=0.001, max_value=0.1),
    a=st.floats(min_value=1.0, max_value=50.0),
    b=st.floats(min_value=1.0, max_value=100.0),
    f=st.floats(min_value=-5.0, max_value=5.0),
)
def test_ashenfelter_johnson_optimum_beats_neighbours(
    y0: float, drop: float, tau: float, r: float, a: float, b: float, f: float
) -> None:
    """V(S*) >= V(S* +- 0.5) and V(S*) >= V(0) for a numerically evaluated V."""
    ys = y0 * (1 - drop)
    res = theory.ashenfelter_johnson(y0, ys, tau, r, a, b, f)
    assert res.value_settle_now == pytest.approx(_aj_v(0.0, y0, ys, tau, r, a, b, f))
    if res.strike_weeks == math.inf:
        assert a - b * ys - f <= 0
        for s in (0.0, 10.0, 100.0):
            assert _aj_v(s, y0, ys, tau, r, a, b, f) <= res.value + 1e-9 * abs(res.value)
        return
    s = res.strike_weeks
    v = _aj_v(s, y0, ys, tau, r, a, b, f)
    assert res.value == pytest.approx(v)
    assert res.wage == pytest.approx(ys + (y0 - ys) * math.exp(-tau * s))
    tol = 1e-9 * max(1.0, abs(v))
    for other in (s - 0.5, s + 0.5, 0.0, s + 5.0):
        if other >= 0:
            assert v >= _aj_v(other, y0, ys, tau, r, a, b, f) - tol


@FAST
@given(c1=rates, v1=rates, c2=rates, v2=rates)
def test_attrition_properties(c1: float, v1: float, c2: float, v2: float) -> None:
    """Probabilities sum to 1; the CDF at the median is 1/2; truncated mean <= mean."""
    p1, p2 = theory.attrition_first_concession_probabilities(c1, v1, c2, v2)
    assert p1 + p2 == pytest.approx(1.0)
    assert p1 == pytest.approx((c2 / v2) / (c2 / v2 + c1 / v1))
    median = theory.attrition_median_length(c1, v1, c2, v2)
    assert theory.attrition_length_cdf(median, c1, v1, c2, v2) == pytest.approx(0.5)
    mean = theory.attrition_expected_length(c1, v1, c2, v2)
    assert mean == pytest.approx(1 / (c2 / v2 + c1 / v1))
    truncated = theory.attrition_truncated_mean(c1, v1, c2, v2, horizon=median)
    assert truncated <= min(mean, median) + 1e-12
    tiny = 1e-4 * mean  # min(T, tiny) is almost always tiny itself
    assert theory.attrition_truncated_mean(c1, v1, c2, v2, horizon=tiny) == pytest.approx(
        tiny, rel=1e-4
    )
    horizon = 2 * mean
    assert theory.attrition_truncated_mean(c1, v1, c2, v2, horizon=horizon) == pytest.approx(
        mean * (1 - math.exp(-2))
    )


# --------------------------------------------------------------------------- #
# Validation
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    "call",
    [
        lambda: theory.rubinstein_share(1.0, 1.0),
        lambda: theory.rubinstein_share(0.0, 0.5),
        lambda: theory.rubinstein_share(0.5, 1.2),
        lambda: theory.rubinstein_share(float("nan"), 0.5),
        lambda: theory.rubinstein_responder_share(1.0, 1.0),
        lambda: theory.rubinstein_finite_share(0.9, 0.8, 0),
        lambda: theory.rubinstein_finite_share(0.9, -0.1, 3),
        lambda: theory.rubinstein_finite_share(0.9, 0.8, 2.5),
        lambda: theory.rubinstein_finite_share_common(1.5, 3),
        lambda: theory.rubinstein_proposer_share_with_rounds_left(0.9, 0.8, 0),
        lambda: theory.rubinstein_proposer_share_with_rounds_left(1.0, 1.0, None),
        lambda: theory.rubinstein_continuous_share(0.0, 1.0),
        lambda: theory.nash_bargaining(100, 60, 50),
        lambda: theory.nash_bargaining(100, 20, 10, power=1.5),
        lambda: theory.faratin_concession(1, 0.0, 0.0, 20),
        lambda: theory.faratin_concession(1, 1.0, 0.0, 0.0),
        lambda: theory.faratin_concession(1, 1.0, 1.5, 20),
        lambda: theory.faratin_concession(-1, 1.0, 0.0, 20),
        lambda: theory.faratin_offer(1, 1.0, 0.0, 20, 10, 4, True),
        lambda: theory.FaratinSide(beta=-1.0, kappa=0.0, t_max=20, lo=0, hi=1),
        lambda: theory.FaratinSide(beta=1.0, kappa=0.0, t_max=-5, lo=0, hi=1),
        lambda: theory.faratin_agreement(_union(), _studio(), first="middle"),  # type: ignore[arg-type]
        lambda: theory.faratin_agreement(_union(), _studio(), horizon=0),
        lambda: theory.faratin_crossing(
            theory.FaratinSide(1.0, 0.0, 10, 7, 10), theory.FaratinSide(1.0, 0.0, 10, 0, 6)
        ),
        lambda: theory.attrition_hazards(0.0, 10, 2, 10),
        lambda: theory.attrition_hazards(1.0, 10, 2, -10),
        lambda: theory.attrition_truncated_mean(1, 10, 2, 10, horizon=0.0),
        lambda: theory.resistance_curve(-1, 0.1, 0.04, 0.1),
        lambda: theory.resistance_curve(1, 0.1, 0.04, 0.0),
        lambda: theory.ashenfelter_johnson(0.10, 0.04, 0.1, 0.0, 10, 50),
        lambda: theory.ashenfelter_johnson(0.10, 0.04, -0.1, 0.01, 10, 50),
        lambda: theory.ashenfelter_johnson(0.10, 0.04, 0.1, 0.01, 10, 0.0),
        lambda: theory.ashenfelter_johnson(0.03, 0.04, 0.1, 0.01, 10, 50),
    ],
)
def test_bad_inputs_raise(call: Callable[[], object]) -> None:
    """Out-of-range arguments raise ValueError."""
    with pytest.raises(ValueError):
        call()


def test_faratin_side_is_frozen() -> None:
    """FaratinSide and AJResult are immutable value objects."""
    side = _union()
    with pytest.raises(AttributeError):
        side.beta = 3.0  # type: ignore[misc]
    res = theory.ashenfelter_johnson(0.10, 0.04, 0.1, 0.01, 10, 50)
    with pytest.raises(AttributeError):
        res.wage = 0.0  # type: ignore[misc]


# --------------------------------------------------------------------------- screening


def test_sobel_takahashi_hand_worked_values() -> None:
    """T = 1: a monopoly price of 1/2. T = 2, d = 0.9: the values worked by hand."""
    one = sobel_takahashi(1, 0.9)
    assert one.demands == (0.5,) and one.cutoffs == (0.5,) and one.no_deal == 0.5
    assert one.union_payoff == pytest.approx(0.25) and one.company_payoff == pytest.approx(0.125)
    two = sobel_takahashi(2, 0.9)
    assert two.demands == pytest.approx((0.465385, 0.423077), abs=1e-6)
    assert two.cutoffs == pytest.approx((0.846154, 0.423077), abs=1e-6)
    assert two.accept_shares == pytest.approx((1 - 0.846154, 0.846154 - 0.423077), abs=1e-6)
    assert two.no_deal == pytest.approx(0.423077, abs=1e-6)
    # union: p1 (1 - c1) + d p2 (c1 - p2)
    assert two.union_payoff == pytest.approx(0.465385 * 0.153846 + 0.9 * 0.423077 * 0.423077,
                                             abs=1e-5)


def test_sobel_takahashi_two_rounds_by_brute_force() -> None:
    """The first demand maximises the union's payoff over a fine grid, with the company
    best-responding: the cut-off type is indifferent to the last round's monopoly price."""
    for d in (0.3, 0.6, 0.9, 0.99):
        p1 = np.linspace(0.0, 1.0, 200_001)
        cut = np.minimum(p1 / (1 - d / 2), 1.0)  # c - p1 = d (c - c/2)
        payoff = p1 * (1 - cut) + d * (cut / 2) * (cut - cut / 2)
        best = p1[int(np.argmax(payoff))]
        eq = sobel_takahashi(2, d)
        assert eq.demands[0] == pytest.approx(best, abs=1e-4)
        assert eq.union_payoff == pytest.approx(float(payoff.max()), abs=1e-9)


@given(st.integers(2, 12), st.floats(0.01, 1.0))
def test_sobel_takahashi_is_an_equilibrium(rounds: int, d: float) -> None:
    """Cut-off types are indifferent; each demand is the union's best against the rest."""
    eq = sobel_takahashi(rounds, d)
    c, p = eq.cutoffs, eq.demands
    for t in range(rounds - 1):
        if c[t] < 1.0:
            assert c[t] - p[t] == pytest.approx(d * (c[t] - p[t + 1]), abs=1e-12)
    # the first demand against the continuation (the same game with one round fewer, scaled)
    rest = sobel_takahashi(rounds - 1, d)
    m = 1 - d + d * rest.demands[0]

    def union(price: float) -> float:
        cut = min(price / m, 1.0)
        return (1 - cut) * price + d * rest.union_payoff * cut * cut

    assert union(p[0]) == pytest.approx(eq.union_payoff, abs=1e-12)
    for step in (1e-3, 1e-2):
        assert union(p[0]) >= max(union(p[0] - step), union(p[0] + step)) - 1e-12
    assert sum(eq.accept_shares) + eq.no_deal == pytest.approx(1.0)
    assert all(a >= b for a, b in zip(c, c[1:], strict=False))  # types accept in order


def test_sobel_takahashi_patience_and_rounds() -> None:
    """More rounds screen finer: no deal falls; with d = 1 waiting costs nothing and the
    union's first demands go unaccepted."""
    assert sobel_takahashi(5, 0.9).no_deal < sobel_takahashi(2, 0.9).no_deal
    assert sobel_takahashi(3, 1.0).accept_shares[0] == pytest.approx(0.0)
    with pytest.raises(ValueError):
        sobel_takahashi(0, 0.9)
    with pytest.raises(ValueError):
        sobel_takahashi(2, 1.5)
