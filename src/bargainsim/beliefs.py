"""The union's belief about the companies' private types, and how it narrows.

Each company's type has a prior (a marginal); the types are tied by one common factor
(a Gaussian copula with correlation `common`). Everything an employer does at its own
table bounds its type: a rejected demand from above, an offer or a deal from below (the
values of a company's types rise with its type; `information`). So the belief is the
prior cut to a box, one interval per company, held as index ranges on a grid of each
marginal's quantiles; the posterior of the common factor, on a grid of its own, carries
what one company's interval says about the others. With `common` 0 the companies are
learned about one by one; near 1, one settlement says much about every other company.

An alliance bargains for several companies at once; what it does bounds a function of
all its members' types, not a box. The belief about an alliance is a fixed set of joint
type profiles (each inside the companies' boxes), equally likely, ruled out one by one.

An observation the belief cannot explain (the union's model of an employer is not exact)
replaces the old bound on that side instead of emptying the belief, and is counted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.special import ndtri

_FACTOR_NODES = 64  # points of the common factor's grid
_MAX_COMMON = 0.99  # a correlation of 1 is one type for every company: held just below


class Beliefs:
    """The prior cut to a box per company, the common factor's posterior, alliance profiles."""

    def __init__(self, grid: np.ndarray, common: float, profiles: np.ndarray,
                 profile_u: np.ndarray) -> None:
        """`grid` holds each company's types at its prior's quantiles (companies x n).

        `profiles` are joint type profiles (count x companies) for alliances and
        `profile_u` their probabilities under each marginal (to place them in the boxes).
        """
        self.grid = grid
        m, n = grid.shape
        self.n = n
        self.lo = np.zeros(m, dtype=int)
        self.hi = np.full(m, n, dtype=int)
        self.profiles = profiles
        shared = _shared(profiles, profile_u, n)
        self._cell = shared.cell  # each profile's grid cell
        self._by_u = shared.by_u  # per company: the profiles' cells and types, sorted by u
        self.possible = np.ones(profiles.shape[0], dtype=bool)  # profiles not ruled out
        self.contradictions = 0
        self.version = 0  # counts changes: what is computed from the belief is kept per version
        self.boxes = 0  # counts changes of the boxes alone (not of the alliance profiles ruled out)
        self._extremes = shared.extremes  # a pure function of the profiles: shared by runs
        # per company (key (-1 - i,)) or alliance (its members): (version, types, weights)
        self._alliances: dict[tuple[int, ...], tuple[int, np.ndarray, np.ndarray]] = {}
        self._inside_key: tuple[tuple[int, ...], int] = ((), -1)
        self._inside_mask = np.ones(profiles.shape[0], dtype=bool)
        self.loading = _loading(n, min(common, _MAX_COMMON))  # (nodes, n + 1), cumulative

    # ------------------------------------------------------------ what the union believes
    def company(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Company i's types still possible (grid indices, ascending) and their weights."""
        return self._kept((-1 - i,), lambda: self._company(i))

    def _company(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = int(self.lo[i]), int(self.hi[i])
        factor = self._factor(exclude=i)
        cells = np.diff(self.loading[:, lo : hi + 1], axis=1)  # (nodes, hi - lo)
        weight = factor @ cells
        return np.arange(lo, hi), weight / weight.sum()

    def _factor(self, exclude: int = -1) -> np.ndarray:
        """The common factor's posterior on its grid, given every box but one company's."""
        mass = self.loading[:, self.hi] - self.loading[:, self.lo]  # (nodes, companies)
        if exclude >= 0:
            mass = np.delete(mass, exclude, axis=1)
        post = np.prod(np.maximum(mass, 1e-300), axis=1)
        return post / post.sum()

    def alliance(self, members: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """Joint profiles still possible for an alliance of `members`, and their weights."""
        return self._kept(tuple(members), lambda: self._alliance(members))

    def _kept(self, key: tuple[int, ...], make: Callable[[], tuple[np.ndarray, np.ndarray]]
              ) -> tuple[np.ndarray, np.ndarray]:
        """A company's or an alliance's belief, made again only when the belief changed."""
        hit = self._alliances.get(key)
        if hit is not None and hit[0] == self.version:
            return hit[1], hit[2]
        made = make()
        self._alliances[key] = (self.version, *made)
        return made

    def _alliance(self, members: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """The profiles possible and in the members' boxes, alike in weight.

        When none is, the profiles ruled out come back (the boxes alone count), and the
        contradiction is counted.
        """
        inside = self._inside(members)
        alive = (self.possible & inside).nonzero()[0]
        if alive.size == 0:  # its members' boxes leave no profile: the boxes alone
            self.contradictions += 1
            self.version += 1
            self.possible = np.ones_like(self.possible)
            alive = inside.nonzero()[0] if inside.any() else np.arange(inside.size)
        return alive, np.full(alive.size, 1.0 / alive.size)

    def _inside(self, members: list[int]) -> np.ndarray:
        """Which profiles lie in the members' boxes (kept while the boxes stand)."""
        key = (tuple(members), self.boxes)
        if self._inside_key != key:
            cells = self._cell[:, members]
            self._inside_mask = ((cells >= self.lo[members])
                                 & (cells < self.hi[members])).all(axis=1)
            self._inside_key = key
        return self._inside_mask

    def profile_extreme(self, i: int, top: bool) -> float | None:
        """Company i's highest (`top`) or lowest type among the profiles in its box.

        A bound on the alliance profiles still possible (they are in every member's box);
        None when no profile is in company i's box.
        """
        key = (i, top, int(self.lo[i]), int(self.hi[i]))
        if key in self._extremes:
            return self._extremes[key]
        found = self._extreme(i, top)
        self._extremes[key] = found
        return found

    def _extreme(self, i: int, top: bool) -> float | None:
        cells, theta = self._by_u[0][:, i], self._by_u[1][:, i]  # cells rise with u
        lo = int(np.searchsorted(cells, self.lo[i], side="left"))
        hi = int(np.searchsorted(cells, self.hi[i], side="left"))
        if hi <= lo:
            return None
        return float(theta[hi - 1] if top else theta[lo])

    def mean_type(self, i: int) -> float:
        """Company i's expected type under the belief."""
        cells, weight = self.company(i)
        return float(weight @ self.grid[i, cells])

    # ------------------------------------------------------------ what it learns
    def below(self, i: int, cell: int) -> None:
        """Company i's type is below grid cell `cell` (it rejected what those would take)."""
        if cell <= self.lo[i]:
            self.contradictions += 1
            self.lo[i] = 0
        self.hi[i] = max(min(int(self.hi[i]), cell), 1)
        self.version += 1
        self.boxes += 1

    def at_least(self, i: int, cell: int) -> None:
        """Company i's type is at least grid cell `cell`'s (it offered or signed that much)."""
        if cell >= self.hi[i]:
            self.contradictions += 1
            self.hi[i] = self.n
        self.lo[i] = min(max(int(self.lo[i]), cell), self.n - 1)
        self.version += 1
        self.boxes += 1

    def rule_out(self, profiles: np.ndarray) -> None:
        """Alliance profiles ruled out by what the alliance did (indices, or a mask)."""
        kept = self.possible.copy()
        kept[profiles] = False
        if not kept.any():
            self.contradictions += 1
            return
        self.possible = kept
        self.version += 1


@dataclass
class _Shared:
    """What follows from the alliance profiles alone: made once, shared by every run."""

    profiles: np.ndarray
    profile_u: np.ndarray
    n: int
    cell: np.ndarray
    by_u: tuple[np.ndarray, np.ndarray]
    extremes: dict[tuple[int, bool, int, int], float | None]


_SHARED: dict[int, _Shared] = {}


def _shared(profiles: np.ndarray, profile_u: np.ndarray, n: int) -> _Shared:
    """The profiles' cells, their order by each company's u, and the extremes found so far.

    Kept by the profiles' identity while they are read-only (prepared once per scenario);
    other profiles get their own.
    """
    hit = _SHARED.get(id(profiles))
    if hit is not None and hit.profiles is profiles and hit.profile_u is profile_u and hit.n == n:
        return hit
    cell = np.minimum((profile_u * n).astype(int), n - 1)
    order = np.argsort(profile_u, axis=0, kind="stable")
    made = _Shared(profiles, profile_u, n, cell, (np.take_along_axis(cell, order, axis=0),
                                    np.take_along_axis(profiles, order, axis=0)), {})
    if not (profiles.flags.writeable or profile_u.flags.writeable):
        if len(_SHARED) >= 8:
            _SHARED.clear()
        _SHARED[id(profiles)] = made
    return made


@lru_cache(maxsize=16)
def _loading(n: int, common: float) -> np.ndarray:
    """Cumulative weight of each grid cell given each value of the common factor.

    A company's probability u = Phi(sqrt(c) z + sqrt(1 - c) e) with z the common factor:
    given z, cell g holds the conditional density at its midpoint. Scaled (Sinkhorn's
    iteration) so that each row is a distribution and, the factor's nodes weighted
    alike, every cell keeps its prior mass 1/n: the grid's prior is the prior. Rows: the
    factor's nodes; columns: 0 .. n cells. Read-only (shared by every run).
    """
    z = ndtri((np.arange(_FACTOR_NODES) + 0.5) / _FACTOR_NODES)[:, None]
    x = ndtri((np.arange(n) + 0.5) / n)[None, :]
    if common <= 0.0:
        dens = np.full((z.size, n), 1.0 / n)
    else:
        s = np.sqrt(1.0 - common)
        dens = np.exp(-0.5 * ((x - np.sqrt(common) * z) / s) ** 2 + 0.5 * x * x)
        for _ in range(500):
            dens /= dens.sum(axis=1, keepdims=True)
            col = dens.mean(axis=0) * n
            if np.abs(col - 1.0).max() < 1e-10:
                break
            dens /= col
        dens /= dens.sum(axis=1, keepdims=True)
    out = np.concatenate([np.zeros((z.size, 1)), np.cumsum(dens, axis=1)], axis=1)
    out.flags.writeable = False
    return out
