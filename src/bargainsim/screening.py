"""The uninformed union's demands: screening a company whose type it does not know.

The union believes the employer across the table is one of a few hundred types
(`information.Beliefs`), each with a value `v` (the most, in the union's utility, that
type would sign now) and a cost of waiting one round `c` (its strike loss over the round,
in the same units). It makes the demand; the employer accepts or not. A type accepts a
demand when signing now leaves it at least as well off as waiting for the next demand:

    v - Y >= d * (v - Y_next) - c     and     Y <= v

so the types that accept are the ones above a cut-off, and a rejection tells the union
the type is below it. `solve` finds, by backward induction over the rounds the union plans
for, the cut-off to aim at in each round from each belief (the top types already ruled
out): the demand that makes the cut-off type indifferent, and the union's expected payoff.
With a uniform prior, linear payoffs and no waiting cost this is Sobel and Takahashi's
(1983) equilibrium; `theory.sobel_takahashi` computes that one independently, in closed
form, and the tests compare the two.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Policy:
    """The union's plan over `rounds` rounds for one belief (types sorted by value).

    `demand[r, k]` is the demand in round r when the types left are the first k (the
    k lowest values; k = 0 .. n; with none left, off the equilibrium path, the lowest
    type's value; round 0 is planned from the whole belief, k = n, alone); `cut[r, k]`
    the cut-off index: types cut..k-1 accept, the rest reject, leaving the first `cut`
    types. `payoff[r, k]` is the union's
    expected payoff from round r on, times the mass of the first k types.
    """

    values: np.ndarray
    masses: np.ndarray
    demand: np.ndarray
    cut: np.ndarray
    payoff: np.ndarray

    @property
    def rounds(self) -> int:
        """How many rounds the plan covers."""
        return int(self.demand.shape[0])

    def expected(self, r: int, k: int) -> float:
        """The union's expected payoff from round r with the first k types left (0: none)."""
        mass = float(self.masses[:k].sum())
        return float(self.payoff[r, k]) / mass if mass > 0 else 0.0


def solve(
    values: np.ndarray,
    masses: np.ndarray,
    rounds: int,
    union_discount: float,
    employer_discount: float,
    waiting_cost: np.ndarray | None = None,
    floor: float = 0.0,
    after: float = 0.0,
) -> Policy:
    """The union's screening plan: demands and cut-offs for every round and belief.

    `values` must be sorted ascending with `masses` (and `waiting_cost`, each type's cost
    of waiting a round, non-decreasing with value) alongside. The union never demands
    below `floor` (what its members would ratify); types worth less never settle within
    the plan. `after` is what the union expects per unit of mass still unsettled when the
    plan ends (0: nothing, the game ends; else, say, its floor later on), discounted once.
    """
    v = np.asarray(values, dtype=float)
    m = np.asarray(masses, dtype=float)
    n = v.size
    c = np.zeros(n) if waiting_cost is None else np.asarray(waiting_cost, dtype=float)
    du, dc = float(union_discount), float(employer_discount)
    cum = np.empty(n + 1)  # mass of the first k types
    cum[0] = 0.0
    np.cumsum(m, out=cum[1:])
    first = int(np.searchsorted(v, floor - 1e-12, side="left"))  # lowest type worth the floor
    demand = np.full((rounds, n + 1), float(floor))
    cut = np.empty((rounds, n + 1), dtype=int)
    cut[:] = np.arange(n + 1)
    payoff = np.zeros((rounds + 1, n + 1))
    payoff[rounds] = du * after * np.maximum(cum - cum[min(first, n)], 0.0)
    # only the types worth the floor can be cut-offs, and only the states holding one of
    # them need a choice: the rest wait
    ks = np.arange(first, n + 1)
    js = np.arange(first, n)
    allowed = js[None, :] < ks[:, None]
    settled_mass = np.maximum(cum[ks][:, None] - cum[js][None, :], 0.0)  # types j..k-1
    next_demand = v.copy()  # a type j's next demand if it rejects: none after the last round
    for r in range(rounds - 1, -1, -1):
        if r == rounds - 1:
            offer = v  # the last round: the cut-off type's value
        else:
            offer = np.minimum(v, (1.0 - dc) * v + dc * next_demand + c)
        wait = du * payoff[r + 1]  # nobody the union would sign with is left: it waits
        payoff[r] = wait
        if r == 0 and js.size:  # round 0: from the whole belief alone, one row
            _first_round(payoff, cut, demand, settled_mass[-1] * offer[js]
                         + du * payoff[1, js], js, offer[js], n)
        elif js.size:
            states = ks
            gain = settled_mass * offer[js][None, :] + du * payoff[r + 1, js][None, :]
            gain = np.where(allowed, gain, -np.inf)
            best = np.argmax(gain, axis=1)
            value = gain[np.arange(best.size), best]
            feasible = np.isfinite(value)
            chosen, value = _refined(gain, best, value, offer[js], feasible)
            payoff[r, states] = np.where(feasible, value, wait[states])
            cut[r, states] = np.where(feasible, js[best], states)
            demand[r, states] = np.where(feasible, chosen, floor)
        if n:  # no type left (off the path): the union would demand the lowest value
            demand[r, 0] = max(float(v[0]), float(floor))
        # a type j that rejects leaves the first j types (j = 0..n-1)
        next_demand = demand[r, :n].copy()
    return Policy(v, m, demand, cut, payoff[:rounds])


def _first_round(payoff: np.ndarray, cut: np.ndarray, demand: np.ndarray, gain: np.ndarray,
                 js: np.ndarray, offer: np.ndarray, n: int) -> None:
    """Round 0's choice from the whole belief: `_refined` for its one row, in floats.

    The same arithmetic, element by element, as the vector form (every cut-off is allowed
    from the whole belief), at a fraction of the cost of numpy calls on one row.
    """
    best = int(np.argmax(gain))
    value = float(gain[best])
    last = gain.size - 1
    chosen, peak = float(offer[best]), value
    if 0 < best < last:
        g0, g2 = float(gain[best - 1]), float(gain[best + 1])
        curve = g0 - 2.0 * value + g2
        step = 0.5 * (g0 - g2) / curve if curve < 0.0 else 0.0
        step = min(max(step, -0.5), 0.5)
        peak = value - 0.25 * (g0 - g2) * step
        at = best + step
        low = math.floor(at)
        frac = at - low
        high = min(low + 1, offer.size - 1)
        chosen = float(offer[min(max(low, 0), offer.size - 1)]) * (1.0 - frac) + (
            float(offer[high]) * frac)
    payoff[0, n] = peak
    cut[0, n] = js[best]
    demand[0, n] = chosen


def _refined(gain: np.ndarray, best: np.ndarray, value: np.ndarray, offer: np.ndarray,
             feasible: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The demand and payoff at the best cut-off between types, by a parabola.

    The parabola goes through the best cut-off type's payoff and its neighbours'.

    The payoff is flat at its best cut-off, so the best type on a grid of n moves the demand
    by about 1/sqrt(n), and the next round's demands carry that error into this one's; the
    parabola's peak (at most half a type away) moves it by about 1/n.
    """
    rows = np.arange(gain.shape[0])
    left = np.maximum(best - 1, 0)
    right = np.minimum(best + 1, gain.shape[1] - 1)
    g0, g2 = gain[rows, left], gain[rows, right]
    inside = feasible & (best > 0) & (right > best) & np.isfinite(g0) & np.isfinite(g2)
    safe = np.where(feasible, value, 0.0)
    value = safe
    g0, g2 = np.where(inside, g0, safe), np.where(inside, g2, safe)
    curve = np.where(inside, g0 - 2.0 * value + g2, 0.0)
    step = np.where(inside & (curve < 0.0), 0.5 * (g0 - g2) / np.where(curve < 0.0, curve, -1.0),
                    0.0)
    step = np.minimum(np.maximum(step, -0.5), 0.5)  # (np.clip costs four times as much)
    peak = value - 0.25 * (g0 - g2) * step
    at = best + step
    low = np.floor(at).astype(int)
    frac = at - low
    high = np.minimum(low + 1, offer.size - 1)
    chosen = offer[np.minimum(np.maximum(low, 0), offer.size - 1)] * (1.0 - frac) + (
        offer[high] * frac)
    return chosen, np.where(inside, peak, value)
