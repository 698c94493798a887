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
from functools import lru_cache
from math import isfinite

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
        if k == 0:  # no types left (a plan to wait): the sum of none, 0
            return 0.0
        mass = float(np.add.reduce(self.masses[:k]))  # .sum()'s sum, without its wrapper
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

    `values` must be sorted ascending with `masses` (not negative) and `waiting_cost`
    (each type's cost of waiting a round, non-decreasing with value) alongside. The union
    never demands below `floor` (what its members would ratify); types worth less never
    settle within the plan. `after` is what the union expects per unit of mass still
    unsettled when the plan ends (0: nothing, the game ends; else, say, its floor later on),
    discounted once.

    The plan is called a few times per run on beliefs of some 64 types, so the work is laid
    out for numpy's per-call cost: the choices are one (states x cut-offs) matrix per
    round after the first, filled in place, refined state by state in floats (`_refined`);
    round 0 is one row (`_first_round`).
    """
    v = np.asarray(values, dtype=float)
    m = np.asarray(masses, dtype=float)
    n = v.size
    c = np.zeros(n) if waiting_cost is None else np.asarray(waiting_cost, dtype=float)
    du, dc = float(union_discount), float(employer_discount)
    cum = np.empty(n + 1)  # mass of the first k types
    cum[0] = 0.0
    np.add.accumulate(m, out=cum[1:])  # (np.cumsum's sums, without its Python wrapper)
    first = int(v.searchsorted(floor - 1e-12, side="left"))  # lowest type worth the floor
    demand = np.empty((rounds, n + 1))
    demand.fill(float(floor))
    cut = np.empty((rounds, n + 1), dtype=int)
    cut[:] = np.arange(n + 1)
    payoff = np.zeros((rounds + 1, n + 1))
    # the mass still unsettled when the plan ends (of the types first.., the others' stays 0;
    # cum never falls: masses are not negative), then its worth
    end = payoff[rounds, first:]
    np.subtract(cum[first:], cum[first], out=end)
    np.multiply(end, du * after, out=end)
    if n:  # no type left (off the path): the union would demand the lowest value
        demand[:, 0] = max(float(v[0]), float(floor))
    # only the types worth the floor (j = first..n-1) can be cut-offs, and only the states
    # holding one of them above the lowest (k = first+1..n) have a choice: the rest wait,
    # which is what `payoff`, `cut` and `demand` hold until a round's choice is written
    size = n - first
    if size > 0:
        # settled[i, j]: the mass of types first+j..k-1 that accept from state k = first+1+i
        if rounds > 1:
            # (negative above the diagonal, j >= k: those cut-offs are ruled out below)
            settled = np.subtract(cum[first + 1 :, None], cum[first:n])
            whole = settled[-1]
            above, around = _layout(size)
            # gain[i, j]: the payoff of cut-off first+j from state first+1+i, the cut-offs at
            # or above the state (j > i) ruled out (-inf); it lies in `flat` between two
            # -inf guards, so that the neighbours of every allowed cut-off are one step
            # along `flat` and are -inf when they are not allowed cut-offs
            flat = np.empty(size * size + 2)
            flat.fill(-np.inf)
            gain = flat[1:-1].reshape(size, size)
        else:
            whole = np.maximum(cum[n] - cum[first:n], 0.0)
    next_demand = v  # a type j's next demand if it rejects: none after the last round
    for r in range(rounds - 1, -1, -1):
        if r == rounds - 1:
            offer = v  # the last round: the cut-off type's value
        else:
            offer = np.minimum(v, (1.0 - dc) * v + dc * next_demand + c)
        wait = payoff[r]  # nobody the union would sign with is left: it waits
        np.multiply(payoff[r + 1], du, out=wait)
        if size > 0 and r == 0:  # round 0: from the whole belief alone, one row
            _first_round(payoff, cut, demand, whole * offer[first:] + wait[first:n],
                         first, offer[first:], n)
        elif size > 0:
            np.multiply(settled, offer[first:], out=gain)
            np.add(gain, wait[first:n], out=gain)
            np.copyto(gain, -np.inf, where=above)
            best = gain.argmax(axis=1)
            states = slice(first + 1, n + 1)
            np.add(best, first, out=cut[r, states])
            # each state's best payoff and its neighbours' (before, at and after best)
            chosen, value, missing = _refined(*flat[best + around].tolist(), best.tolist(),
                                              offer[first:].tolist())
            payoff[r, states] = value
            demand[r, states] = chosen
            for i in missing:  # no cut-off from this state (never with finite inputs): it waits
                k = first + 1 + i
                payoff[r, k], cut[r, k], demand[r, k] = payoff[r + 1, k] * du, k, floor
        # a type j that rejects leaves the first j types (j = 0..n-1)
        next_demand = demand[r, :n]
    return Policy(v, m, demand, cut, payoff[:rounds])


@lru_cache(maxsize=64)
def _layout(size: int) -> tuple[np.ndarray, np.ndarray]:
    """For `size` cut-offs: the mask of the cut-offs a state rules out, and where to look.

    The mask is the strict upper triangle (cut-off j from state i when j > i). In `solve`'s
    `flat` (a guard, then the gain matrix), `flat[around[:, i] + j]` are row i's cut-offs
    j - 1, j and j + 1 (for an allowed j, a -inf in place of one that is not allowed).
    """
    above = np.triu(np.ones((size, size), dtype=bool), 1)
    around = np.arange(1, size * size + 1, size) + np.array([[-1], [0], [1]])
    above.flags.writeable = False
    around.flags.writeable = False
    return above, around


def _first_round(payoff: np.ndarray, cut: np.ndarray, demand: np.ndarray, gain: np.ndarray,
                 first: int, offer: np.ndarray, n: int) -> None:
    """Round 0's choice from the whole belief, one row: `_refined` on its best cut-off."""
    best = int(gain.argmax())
    before = float(gain[best - 1]) if best > 0 else -math.inf
    after = float(gain[best + 1]) if best < gain.size - 1 else -math.inf
    chosen, value, _ = _refined([before], [float(gain[best])], [after], [best], offer.tolist())
    payoff[0, n] = value[0]
    cut[0, n] = first + best
    demand[0, n] = chosen[0]


def _refined(before: list[float], at: list[float], after: list[float], best: list[int],
             offer: list[float]) -> tuple[list[float], list[float], list[int]]:
    """The demand and payoff at each state's best cut-off between types, by a parabola.

    The parabola goes through the best cut-off type's payoff and its neighbours'.

    The payoff is flat at its best cut-off, so the best type on a grid of n moves the demand
    by about 1/sqrt(n), and the next round's demands carry that error into this one's; the
    parabola's peak (at most half a type away) moves it by about 1/n.

    Per state (a row of the gain matrix): the payoff of the cut-off before the best one
    (`best` its column), the best's and the next one's; a neighbour that is not an allowed
    cut-off is -inf, so a finite pair of neighbours is what makes a parabola. In floats, state
    by state: on rows of some 20 states numpy's calls cost more than the arithmetic. Also
    returned, the states whose best payoff is not finite, which have no cut-off (never so
    with finite inputs); their demand and payoff are not to be used.
    """
    chosen: list[float] = []
    peaks: list[float] = []
    missing: list[int] = []
    last = len(offer) - 1
    for i, (g0, value, g2, b) in enumerate(zip(before, at, after, best, strict=True)):
        if isfinite(value) and isfinite(g0) and isfinite(g2):
            diff = g0 - g2
            curve = g0 - 2.0 * value + g2
            step = 0.5 * diff / curve if curve < 0.0 else 0.0
            # np.clip(step, -0.5, 0.5) in comparisons (the same value: step is finite)
            step = -0.5 if step < -0.5 else 0.5 if step > 0.5 else step
            value -= 0.25 * diff * step
            place = b + step
            low = int(place)  # the floor: place >= 0.5 (a neighbour below: b >= 1)
            frac = place - low
            high = low + 1 if low < last else last
            chosen.append(offer[low] * (1.0 - frac) + offer[high] * frac)
            peaks.append(value)
            continue
        if not isfinite(value):
            missing.append(i)
        chosen.append(offer[b])  # no parabola (an end of the cut-offs allowed): the best's own
        peaks.append(value)
    return chosen, peaks, missing
