"""Closed-form bargaining results: the independent "unit of truth" for the simulator.

Every function here is computed straight from a textbook formula (Rubinstein 1982,
Nash 1950, Faratin, Sierra & Jennings 1998, war of attrition, Ashenfelter & Johnson
1969, Sobel & Takahashi 1983) with no dependency on Mesa or any simulation engine, so
simulator tests can compare against values that cannot share the simulator's bugs. The
derivations and worked examples are in the repository's ``docs/theory.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from scipy.optimize import brentq

__all__ = [
    "AJResult",
    "FaratinSide",
    "ashenfelter_johnson",
    "attrition_expected_length",
    "attrition_first_concession_probabilities",
    "attrition_hazards",
    "attrition_length_cdf",
    "attrition_median_length",
    "attrition_truncated_mean",
    "faratin_agreement",
    "faratin_concession",
    "faratin_crossing",
    "faratin_offer",
    "nash_bargaining",
    "resistance_curve",
    "rubinstein_continuous_share",
    "rubinstein_finite_share",
    "rubinstein_finite_share_common",
    "rubinstein_proposer_share_with_rounds_left",
    "rubinstein_responder_share",
    "rubinstein_share",
    "ScreeningEquilibrium",
    "sobel_takahashi",
]

#: Tolerance of the Faratin acceptance rule ("at least as good as my own offer").
FARATIN_ACCEPT_TOL = 1e-9


# --------------------------------------------------------------------------- #
# Argument validation
# --------------------------------------------------------------------------- #


def _finite(name: str, value: float) -> float:
    """Return ``value`` as a float, rejecting NaN, infinities and non-numbers."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    out = float(value)
    if not math.isfinite(out):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return out


def _positive(name: str, value: float) -> float:
    """Return ``value`` as a float, requiring a finite number > 0."""
    out = _finite(name, value)
    if out <= 0.0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return out


def _non_negative(name: str, value: float) -> float:
    """Return ``value`` as a float, requiring a finite number >= 0."""
    out = _finite(name, value)
    if out < 0.0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return out


def _discount(name: str, value: float) -> float:
    """Return a per-round discount factor, requiring it to lie in (0, 1]."""
    out = _finite(name, value)
    if not 0.0 < out <= 1.0:
        raise ValueError(f"{name} must be a discount factor in (0, 1], got {value!r}")
    return out


def _unit_closed(name: str, value: float) -> float:
    """Return ``value`` as a float, requiring it to lie in [0, 1]."""
    out = _finite(name, value)
    if not 0.0 <= out <= 1.0:
        raise ValueError(f"{name} must be in [0, 1], got {value!r}")
    return out


def _rounds(name: str, value: int) -> int:
    """Return a number of rounds, requiring an integer >= 1."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an int, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value!r}")
    return value


# --------------------------------------------------------------------------- #
# Rubinstein alternating offers
# --------------------------------------------------------------------------- #


def rubinstein_share(d1: float, d2: float) -> float:
    """First proposer's SPE share of a unit pie, infinite horizon: (1 - d2) / (1 - d1 d2).

    Raises ValueError for discount factors outside (0, 1] or d1 = d2 = 1 (no unique SPE).
    """
    d1 = _discount("d1", d1)
    d2 = _discount("d2", d2)
    if d1 == 1.0 and d2 == 1.0:
        raise ValueError("rubinstein_share is undefined for d1 = d2 = 1 (no impatience)")
    return (1.0 - d2) / (1.0 - d1 * d2)


def rubinstein_responder_share(d1: float, d2: float) -> float:
    """First responder's SPE share, infinite horizon: d2 (1 - d1) / (1 - d1 d2)."""
    return 1.0 - rubinstein_share(d1, d2)


def rubinstein_proposer_share_with_rounds_left(
    d_proposer: float, d_responder: float, rounds_left: int | None
) -> float:
    """Share the current proposer keeps with ``rounds_left`` offers left (None = infinite).

    Backward induction: s(1) = 1 (the last proposer takes all) and
    s(k) = 1 - d_responder * s'(k - 1), where s' is the responder's share as proposer
    in the next round (roles swapped). The simulator's agents use this to set offers.
    """
    dp = _discount("d_proposer", d_proposer)
    dr = _discount("d_responder", d_responder)
    if rounds_left is None:
        return rubinstein_share(dp, dr)
    k = _rounds("rounds_left", rounds_left)
    share = 1.0  # proposer's share in the last round; that proposer is us iff k is odd
    for j in range(2, k + 1):
        # With j rounds left the current proposer is "us" iff k - j is even.
        responder_discount = dr if (k - j) % 2 == 0 else dp
        share = 1.0 - responder_discount * share
    return share


def rubinstein_finite_share(d1: float, d2: float, rounds: int) -> float:
    """Player 1's SPE share when at most ``rounds`` offers can be made (1 proposes first).

    Player 1 proposes in rounds 1, 3, 5, ...; the last proposer takes all and
    disagreement gives 0. Computed by backward induction for general d1, d2.
    """
    return rubinstein_proposer_share_with_rounds_left(d1, d2, _rounds("rounds", rounds))


def rubinstein_finite_share_common(d: float, rounds: int) -> float:
    """Closed form of the finite-horizon share for a common discount: (1 - (-d)^T) / (1 + d)."""
    d = _discount("d", d)
    rounds = _rounds("rounds", rounds)
    return (1.0 - (-d) ** rounds) / (1.0 + d)


def rubinstein_continuous_share(r1: float, r2: float) -> float:
    """Continuous-time limit of player 1's share with discount rates r1, r2: r2 / (r1 + r2)."""
    r1 = _positive("r1", r1)
    r2 = _positive("r2", r2)
    return r2 / (r1 + r2)


# --------------------------------------------------------------------------- #
# Nash bargaining
# --------------------------------------------------------------------------- #


def nash_bargaining(pie: float, v1: float, v2: float, power: float = 0.5) -> tuple[float, float]:
    """(Asymmetric) Nash bargaining solution: u1 = v1 + power (pie - v1 - v2), u2 = pie - u1.

    It maximises (u1 - v1)^power (u2 - v2)^(1 - power) over splits of ``pie``;
    raises ValueError when the disagreement payoffs exceed the pie (v1 + v2 > pie).
    """
    pie = _finite("pie", pie)
    v1 = _finite("v1", v1)
    v2 = _finite("v2", v2)
    power = _unit_closed("power", power)
    surplus = pie - v1 - v2
    if surplus < 0.0:
        raise ValueError(f"no gains from trade: v1 + v2 = {v1 + v2!r} exceeds pie = {pie!r}")
    u1 = v1 + power * surplus
    return u1, pie - u1


# --------------------------------------------------------------------------- #
# Faratin time-dependent tactics
# --------------------------------------------------------------------------- #


def faratin_concession(t: float, beta: float, kappa: float, t_max: float) -> float:
    """Polynomial concession a(t) = kappa + (1 - kappa) (min(t, t_max) / t_max)^(1 / beta).

    beta < 1 is Boulware (concedes late), beta > 1 Conceder; after t_max a = 1 holds.
    """
    t = _non_negative("t", t)
    beta = _positive("beta", beta)
    kappa = _unit_closed("kappa", kappa)
    t_max = _positive("t_max", t_max)
    return kappa + (1.0 - kappa) * (min(t, t_max) / t_max) ** (1.0 / beta)


def faratin_offer(
    t: float,
    beta: float,
    kappa: float,
    t_max: float,
    lo: float,
    hi: float,
    wants_high: bool,
) -> float:
    """Offer at time t: hi - a(t)(hi - lo) when wanting a high value, else lo + a(t)(hi - lo)."""
    lo = _finite("lo", lo)
    hi = _finite("hi", hi)
    if lo > hi:
        raise ValueError(f"lo must be <= hi, got lo={lo!r}, hi={hi!r}")
    a = faratin_concession(t, beta, kappa, t_max)
    return hi - a * (hi - lo) if wants_high else lo + a * (hi - lo)


@dataclass(frozen=True)
class FaratinSide:
    """One side's polynomial tactic: concession shape (beta, kappa, t_max) and range [lo, hi]."""

    beta: float
    kappa: float
    t_max: float
    lo: float
    hi: float

    def __post_init__(self) -> None:
        """Validate the parameters once, so bad sides fail at construction."""
        _positive("beta", self.beta)
        _unit_closed("kappa", self.kappa)
        _positive("t_max", self.t_max)
        lo = _finite("lo", self.lo)
        hi = _finite("hi", self.hi)
        if lo > hi:
            raise ValueError(f"lo must be <= hi, got lo={lo!r}, hi={hi!r}")

    def offer(self, t: float, wants_high: bool) -> float:
        """This side's offer at time t (see :func:`faratin_offer`)."""
        return faratin_offer(t, self.beta, self.kappa, self.t_max, self.lo, self.hi, wants_high)


def faratin_agreement(
    high: FaratinSide,
    low: FaratinSide,
    first: Literal["high", "low"] = "high",
    horizon: int = 1000,
) -> tuple[int, float] | None:
    """Discrete alternating-offer outcome of two Faratin tactics, without discounting.

    Side ``first`` offers at t = 0, the other at t = 1, alternating. At step t the side
    due to offer accepts the offer made at t - 1 if it is at least as good for it as its
    own offer at t (tolerance 1e-9). Returns (accepting step, accepted value), or None
    if no agreement happens at any step t <= ``horizon``.
    """
    if not isinstance(high, FaratinSide) or not isinstance(low, FaratinSide):
        raise ValueError("high and low must be FaratinSide instances")
    if first not in ("high", "low"):
        raise ValueError(f"first must be 'high' or 'low', got {first!r}")
    horizon = _rounds("horizon", horizon)
    high_parity = 0 if first == "high" else 1  # high offers at steps t with t % 2 == parity
    for t in range(1, horizon + 1):
        if t % 2 == high_parity:  # high responds to low's offer from t - 1
            incoming = low.offer(t - 1, wants_high=False)
            if incoming >= high.offer(t, wants_high=True) - FARATIN_ACCEPT_TOL:
                return t, incoming
        else:  # low responds to high's offer from t - 1
            incoming = high.offer(t - 1, wants_high=True)
            if incoming <= low.offer(t, wants_high=False) + FARATIN_ACCEPT_TOL:
                return t, incoming
    return None


def faratin_crossing(high: FaratinSide, low: FaratinSide) -> tuple[float, float]:
    """Time and value where the continuous offer curves cross (found with brentq).

    The high side's curve falls and the low side's rises, so they cross at most once in
    [0, max(t_max)]; raises ValueError if they do not cross there.
    """
    if not isinstance(high, FaratinSide) or not isinstance(low, FaratinSide):
        raise ValueError("high and low must be FaratinSide instances")

    def gap(t: float) -> float:
        return high.offer(t, wants_high=True) - low.offer(t, wants_high=False)

    t_end = max(high.t_max, low.t_max)
    g0, g_end = gap(0.0), gap(t_end)
    if g0 < 0.0:
        raise ValueError("offer curves already overlap at t = 0; there is no crossing")
    if g_end > 0.0:
        raise ValueError("offer curves never cross: high side's floor exceeds low side's cap")
    t_star = float(brentq(gap, 0.0, t_end, xtol=1e-300, maxiter=1000))
    value = 0.5 * (high.offer(t_star, wants_high=True) + low.offer(t_star, wants_high=False))
    return t_star, value


# --------------------------------------------------------------------------- #
# War of attrition
# --------------------------------------------------------------------------- #


def attrition_hazards(c1: float, v1: float, c2: float, v2: float) -> tuple[float, float]:
    """Stationary concession hazards (h1, h2): each side concedes at its opponent's c/V.

    h1 = c2 / v2 and h2 = c1 / v1, which keeps the opponent indifferent between
    conceding now and holding out.
    """
    c1 = _positive("c1", c1)
    v1 = _positive("v1", v1)
    c2 = _positive("c2", c2)
    v2 = _positive("v2", v2)
    return c2 / v2, c1 / v1


def _attrition_rate(c1: float, v1: float, c2: float, v2: float) -> float:
    """Total rate h1 + h2 at which the dispute ends."""
    h1, h2 = attrition_hazards(c1, v1, c2, v2)
    return h1 + h2


def attrition_expected_length(c1: float, v1: float, c2: float, v2: float) -> float:
    """Expected dispute length 1 / (h1 + h2) (the length is exponential)."""
    return 1.0 / _attrition_rate(c1, v1, c2, v2)


def attrition_median_length(c1: float, v1: float, c2: float, v2: float) -> float:
    """Median dispute length ln 2 / (h1 + h2)."""
    return math.log(2.0) / _attrition_rate(c1, v1, c2, v2)


def attrition_first_concession_probabilities(
    c1: float, v1: float, c2: float, v2: float
) -> tuple[float, float]:
    """Probabilities (h1 / (h1 + h2), h2 / (h1 + h2)) that side 1 or side 2 concedes first."""
    h1, h2 = attrition_hazards(c1, v1, c2, v2)
    return h1 / (h1 + h2), h2 / (h1 + h2)


def attrition_length_cdf(t: float, c1: float, v1: float, c2: float, v2: float) -> float:
    """P(dispute length <= t) = 1 - exp(-(h1 + h2) t), and 0 for t < 0."""
    t = _finite("t", t)
    rate = _attrition_rate(c1, v1, c2, v2)
    if t <= 0.0:
        return 0.0
    return -math.expm1(-rate * t)


def attrition_truncated_mean(c1: float, v1: float, c2: float, v2: float, horizon: float) -> float:
    """Mean of min(T, horizon) for T ~ Exp(h1 + h2): (1 - exp(-rate horizon)) / rate.

    This is what a simulation censored at ``horizon`` should measure; horizon may be inf.
    """
    if isinstance(horizon, int | float) and not isinstance(horizon, bool) and horizon == math.inf:
        return attrition_expected_length(c1, v1, c2, v2)
    horizon = _positive("horizon", horizon)
    rate = _attrition_rate(c1, v1, c2, v2)
    return -math.expm1(-rate * horizon) / rate


# --------------------------------------------------------------------------- #
# Ashenfelter-Johnson union resistance curve
# --------------------------------------------------------------------------- #


def resistance_curve(strike_weeks: float, y0: float, y_star: float, tau: float) -> float:
    """Least wage increase the union accepts after S strike weeks: y* + (y0 - y*) e^(-tau S)."""
    s = _non_negative("strike_weeks", strike_weeks)
    y0 = _finite("y0", y0)
    y_star = _finite("y_star", y_star)
    tau = _positive("tau", tau)
    return y_star + (y0 - y_star) * math.exp(-tau * s)


@dataclass(frozen=True)
class AJResult:
    """Firm's optimal strike in the Ashenfelter-Johnson model.

    Attributes:
        strike_weeks: Optimal strike length S* (0 = settle now, inf = never settle).
        wage: Wage increase settled at, y(S*).
        value: Firm's present value V(S*).
        value_settle_now: V(0) = (A - B y0) / r, the benchmark of settling at once.
    """

    strike_weeks: float
    wage: float
    value: float
    value_settle_now: float


def _aj_value(
    s: float, y0: float, y_star: float, tau: float, r: float, a: float, b: float, f: float
) -> float:
    """Firm's value V(S) = F (1 - e^(-rS)) / r + e^(-rS) (A - B y(S)) / r (S may be inf)."""
    if s == math.inf:
        return f / r
    disc = math.exp(-r * s)
    y = y_star + (y0 - y_star) * math.exp(-tau * s)
    return f * (-math.expm1(-r * s)) / r + disc * (a - b * y) / r


def ashenfelter_johnson(
    y0: float,
    y_star: float,
    tau: float,
    r: float,
    a: float,
    b: float,
    f: float = 0.0,
) -> AJResult:
    """Firm's optimal strike length against the union resistance curve (closed form).

    The firm maximises V(S) = F (1 - e^(-rS)) / r + e^(-rS) (A - B y(S)) / r with
    y(S) = y* + (y0 - y*) e^(-tau S). Differentiating,

        V'(S) = e^(-rS) [F - (A - B y*) + B (y0 - y*) (r + tau) / r * e^(-tau S)],

    and setting V'(S) = 0 gives the first-order condition

        e^(-tau S*) = r (A - B y* - F) / (B (y0 - y*) (r + tau)).

    With y0 >= y* the bracket falls in S, so V rises then falls and the stationary
    point is the unique maximum. If the right-hand side is >= 1 (or y0 = y* with
    A - B y* > F) the interior optimum is not positive and S* is clamped to 0 (settle
    now). If A - B y* - F <= 0 striking pays forever: S* = inf, value F / r.

    Args:
        y0: Union's initial demand (least acceptable wage increase at S = 0).
        y_star: Asymptotic demand after a long strike; must not exceed y0.
        tau: Rate (per week) at which the union's demand decays; > 0.
        r: Firm's discount rate per week; > 0.
        a: Firm's weekly profit after settling, before the wage bill (A).
        b: Weekly cost of one unit of wage increase (B); > 0.
        f: Firm's weekly profit during the strike (F).

    Returns:
        AJResult with the optimal strike length, settled wage and values.
    """
    y0 = _finite("y0", y0)
    y_star = _finite("y_star", y_star)
    tau = _positive("tau", tau)
    r = _positive("r", r)
    a = _finite("a", a)
    b = _positive("b", b)
    f = _finite("f", f)
    if y0 < y_star:
        raise ValueError(f"y0 must be >= y_star (resistance falls), got {y0!r} < {y_star!r}")

    numerator = r * (a - b * y_star - f)
    denominator = b * (y0 - y_star) * (r + tau)
    if numerator <= 0.0 and denominator > 0.0:
        s_opt = math.inf  # V'(S) > 0 everywhere: holding out always pays
    elif numerator < 0.0:
        s_opt = math.inf  # y0 = y*: constant demand, striking beats settling
    elif denominator == 0.0 or numerator >= denominator:
        s_opt = 0.0  # V'(S) <= 0 from the start: settle at once
    else:
        s_opt = -math.log(numerator / denominator) / tau

    wage = y_star if s_opt == math.inf else resistance_curve(s_opt, y0, y_star, tau)
    return AJResult(
        strike_weeks=s_opt,
        wage=wage,
        value=_aj_value(s_opt, y0, y_star, tau, r, a, b, f),
        value_settle_now=(a - b * y0) / r,
    )


# --------------------------------------------------------------------------- #
# Screening: Sobel and Takahashi (1983)
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class ScreeningEquilibrium:
    """The perfect Bayesian equilibrium of the finite screening game (Sobel & Takahashi).

    Round t (1-based) has the union's demand ``demands[t-1]``; a company whose value is at
    least ``cutoffs[t-1]`` (and that has not accepted before) accepts it. ``accept_shares``
    are the probabilities of a deal in each round, ``no_deal`` that of none after T rounds;
    payoffs are expected and discounted to round 1.
    """

    rounds: int
    discount: float
    demands: tuple[float, ...]
    cutoffs: tuple[float, ...]
    accept_shares: tuple[float, ...]
    no_deal: float
    union_payoff: float
    company_payoff: float


def sobel_takahashi(rounds: int, discount: float) -> ScreeningEquilibrium:
    """The union's demands and the accepting types when only the union makes offers.

    The company's value v of a deal is private, uniform on [0, 1]; a deal at price p in
    round t gives the union d^(t-1) p and the company d^(t-1) (v - p); no deal gives both
    0. Types left in round t are those below an upper bound k_t (k_1 = 1), and the
    equilibrium is linear in it: demand p_t = a_t k_t, cut-off c_t = b_t k_t, union's
    value V_t(k) = g_t k^2 (probability mass, not conditional). In the last round the
    union sells to the types above its demand: a_T = b_T = 1/2, g_T = 1/4. Before it, the
    cut-off type is indifferent between p_t now and p_(t+1) = a_(t+1) c_t next round,

        c_t - p_t = d (c_t - a_(t+1) c_t)   so   c_t = p_t / m_t,  m_t = 1 - d + d a_(t+1),

    and the union maximises (k - p/m_t) p + d g_(t+1) (p/m_t)^2, whose first-order
    condition gives a_t = m_t^2 / (2 (m_t - d g_(t+1))). With T = 2, d = 0.9: demands
    0.465385 and 0.423077; types from 0.846154 accept the first, from 0.423077 the second.
    """
    rounds = _rounds("rounds", rounds)
    d = _unit_closed("discount", discount)
    a = [0.0] * rounds
    b = [0.0] * rounds
    g = [0.0] * rounds
    a[-1] = b[-1] = 0.5
    g[-1] = 0.25
    for t in range(rounds - 2, -1, -1):
        m = 1.0 - d + d * a[t + 1]
        a[t] = m * m / (2.0 * (m - d * g[t + 1]))
        b[t] = a[t] / m
        g[t] = (1.0 - b[t]) * a[t] + d * g[t + 1] * b[t] * b[t]
    k = 1.0
    demands, cutoffs, shares = [], [], []
    union = company = 0.0
    for t in range(rounds):
        price, cut = a[t] * k, b[t] * k
        demands.append(price)
        cutoffs.append(cut)
        shares.append(k - cut)
        union += d**t * price * (k - cut)
        company += d**t * ((k * k - cut * cut) / 2.0 - price * (k - cut))
        k = cut
    return ScreeningEquilibrium(rounds, d, tuple(demands), tuple(cutoffs), tuple(shares), k,
                                union, company)
