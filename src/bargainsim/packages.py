"""Packages of issue values, linear-additive utilities, and concession through package space.

Inside the model a package is a numpy vector of issue values normalised to [0, 1] over
each issue's bounds. The union's utility rises with every issue, an employer's falls
(its cost rises). A party conceding to a target utility gives ground most on the issues
that are cheap for it and dear to the other side: in proportion to a power (`focus`) of
that ratio; a large focus gives the fractional knapsack (one issue after another).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

TIE = 1e-9  # offers within this much utility of the benchmark count as acceptable


@dataclass(frozen=True)
class IssueSpace:
    """Names and bounds of a scenario's issues; converts between units and [0, 1]."""

    names: tuple[str, ...]
    lo: np.ndarray
    hi: np.ndarray
    levels: np.ndarray | None = None  # steps from min to max of a discrete issue, 0: continuous

    @classmethod
    def from_bounds(
        cls,
        bounds: Mapping[str, tuple[float, float]],
        steps: Mapping[str, float | None] | None = None,
    ) -> IssueSpace:
        """Build from a mapping of issue name to (min, max) and, for discrete issues, step."""
        names = tuple(bounds)
        lo = np.array([bounds[n][0] for n in names], dtype=float)
        hi = np.array([bounds[n][1] for n in names], dtype=float)
        levels = None
        if steps and any(steps.get(n) for n in names):
            levels = np.array(
                [round((hi[i] - lo[i]) / s) if (s := steps.get(n)) else 0
                 for i, n in enumerate(names)],
                dtype=float,
            )
        return cls(names, lo, hi, levels)

    def snap(
        self, vector: np.ndarray, upward: bool, opening: np.ndarray, far: np.ndarray
    ) -> np.ndarray:
        """An offer with each discrete issue at an allowed value, in the offerer's favour.

        Rounds up for a party whose utility rises with the issue (the union), down for one
        whose cost does; never beyond either side's opening (an opening moved by a pattern
        anchor may lie between allowed values). Continuous issues are unchanged.
        """
        if self.levels is None:
            return vector
        out = vector.copy()
        for i, n in enumerate(self.levels.tolist()):
            if n > 0:
                scaled = float(vector[i]) * n
                value = (math.ceil(scaled - 1e-9) if upward else math.floor(scaled + 1e-9)) / n
                a, b = float(opening[i]), float(far[i])
                out[i] = min(max(value, min(a, b)), max(a, b))
        return out

    @property
    def size(self) -> int:
        """Number of issues."""
        return len(self.names)

    def normalise(self, package: Mapping[str, float], default: np.ndarray) -> np.ndarray:
        """Normalised vector of a (possibly partial) package; missing issues take `default`."""
        out = np.array(default, dtype=float, copy=True)
        for i, name in enumerate(self.names):
            if name in package:
                out[i] = (package[name] - self.lo[i]) / (self.hi[i] - self.lo[i])
        return out

    def to_units(self, vector: np.ndarray) -> dict[str, float]:
        """Issue name to value in the issue's own unit (a value outside [0, 1] is clipped).

        Python's float arithmetic, as numpy's element-wise, in a fraction of the time for
        a handful of issues.
        """
        return {  # 0.0 for -0.0, NaN kept: as np.minimum(np.maximum(v, 0.0), 1.0)
            name: lo + (0.0 if v <= 0.0 else 1.0 if v >= 1.0 else v) * (hi - lo)
            for name, lo, hi, v in zip(
                self.names, self.lo.tolist(), self.hi.tolist(), vector.tolist(), strict=True
            )
        }

    def weights(self, mapping: Mapping[str, float] | None) -> np.ndarray:
        """Weights over the issues, normalised to sum to 1 (equal when none are given)."""
        if not mapping:
            return np.full(self.size, 1.0 / self.size)
        w = np.array([float(mapping.get(n, 0.0)) for n in self.names])
        total = w.sum()
        return w / total if total > 0 else np.full(self.size, 1.0 / self.size)


def utility(weights: np.ndarray, vector: np.ndarray, wants_high: bool) -> float:
    """Linear-additive utility in [0, 1] of a normalised package."""
    v = float(weights.dot(vector))  # the same BLAS dot as `@`, a third of its call's cost
    return v if wants_high else 1.0 - v


def utilities(weights: np.ndarray, rows: np.ndarray, wants_high: bool) -> list[float]:
    """`utility` of each row of a matrix of packages, bit for bit, in one call.

    `np.vecdot` takes the same BLAS dot per row as `utility`; a matrix product (`@`) may
    sum in another order and round differently.
    """
    vs: list[float] = np.vecdot(rows, weights).tolist()
    return vs if wants_high else [1.0 - v for v in vs]


def concede(
    target: float,
    own_weights: np.ndarray,
    wants_high: bool,
    opening: np.ndarray,
    far: np.ndarray,
    opp_weights: np.ndarray,
    focus: float = 1.0,
) -> np.ndarray:
    """A package worth `target` to this party that concedes most where it gives most.

    Each issue may move from this party's `opening` towards `far` (the other side's
    opening). Issue i is conceded in proportion to (r_i / max r)^focus, where r_i is the other
    side's weight per unit of own weight (cheap to give, dear to receive first), until
    the package is worth `target`; an issue conceded fully stays at its end. `focus`
    0 concedes every issue alike (Faratin's per-issue tactics), a large focus concedes
    one issue after another (a fractional knapsack). With one issue every focus gives
    the same offer.
    """
    return concession_path(own_weights, wants_high, opening, far, opp_weights, focus).package(
        target
    )


class ConcessionPath(NamedTuple):
    """The road from an opening towards the other side's, for any target utility.

    Everything but the target is fixed while the openings and weights are, and a party
    asks for many targets along the same road, so this is computed once per road. A
    named tuple: as immutable as a frozen dataclass, made in a third of its time.
    """

    opening: np.ndarray
    u_open: float  # own utility of the opening
    partial: np.ndarray  # the opening with issues worthless to this party given away
    full_need: float  # conceding at least this much gives every paid issue fully
    full: np.ndarray  # the package with every paid issue at the far end
    steps: tuple[tuple[float, float, float], ...]  # (slope, saturated, rho_i) by speed
    moves: tuple[tuple[int, float, float, float], ...]  # (i, opening_i, rho_i, span_i), paid

    @classmethod
    def build(
        cls,
        own_weights: np.ndarray,
        wants_high: bool,
        opening: np.ndarray,
        far: np.ndarray,
        opp_weights: np.ndarray,
        focus: float,
    ) -> ConcessionPath:
        """Compute the road (see `concede`).

        Issue by issue in Python floats (a handful of issues: numpy's calls on tiny arrays
        cost more than the arithmetic), the same IEEE operations as array arithmetic; the
        speeds' power and the paid issues' sum stay numpy's, whose fast paths and
        summation order may round differently from Python's. Focus 1 (the default) needs
        no power: numpy's `x ** 1.0` is x, so the speeds are divided in Python floats.
        """
        u_open = utility(own_weights, opening, wants_high)
        own, start, end, opp = (own_weights.tolist(), opening.tolist(), far.tolist(),
                                opp_weights.tolist())
        partial, full = start[:], start[:]
        paid: list[int] = []
        cap: list[float] = []  # own utility lost by conceding the whole span, paid issues
        ratio: list[float] = []
        for i, (w, a, b, v) in enumerate(zip(own, start, end, opp, strict=True)):
            span = b - a
            if span == 0.0 or not v > 0.0:
                continue
            lost = w * abs(span)
            if lost <= 0.0:  # worthless to this party, worth something to the other
                partial[i] = full[i] = b
            elif lost > 0.0:
                paid.append(i)
                cap.append(lost)
                ratio.append(v / w)
                full[i] = b
        full_need = math.inf
        steps: list[tuple[float, float, float]] = []
        moves: tuple[tuple[int, float, float, float], ...] = ()
        if paid:
            top = max(ratio)  # no NaN among the speeds: the same as numpy's maximum
            if focus == 1.0 and top > 0.0:  # (0 / 0 is numpy's NaN, Python's error)
                rho = [r / top for r in ratio]
            else:
                rho = ((np.array(ratio) / top) ** focus).tolist()
            full_need = float(np.add.reduce(cap)) - 1e-15  # .sum()'s result, no wrapper
            # conceded fraction f_i = min(1, lam * rho_i); own loss sum(cap_i f_i) is
            # piecewise linear and increasing in lam: its breakpoints 1 / rho_i in order.
            # fastest first, ties in issue order: a stable sort of the paid issues (listed in
            # issue order) by speed, reversed (the reverse of a stable sort keeps ties' order)
            order = sorted([k for k in range(len(paid)) if rho[k] > 0.0], key=rho.__getitem__,
                           reverse=True)
            saturated = 0.0
            for n, k in enumerate(order):
                # recomputed, not decremented: rho spans many orders of magnitude at high focus
                slope = 0.0  # added in order (builtin sum compensates Python floats)
                for j in order[n:]:
                    slope += cap[j] * rho[j]
                steps.append((slope, saturated, rho[k]))
                saturated += cap[k]
            moves = tuple([(i, start[i], r, end[i] - start[i]) for i, r in zip(paid, rho,
                                                                                strict=True)])
        return cls(opening, u_open, np.array(partial), full_need, np.array(full), tuple(steps),
                   moves)

    def package(self, target: float) -> np.ndarray:
        """The package on this road worth `target` to the party (its opening if no less)."""
        need = self.u_open - target
        if need <= 0.0:
            return self.opening.copy()
        if not self.moves:
            return self.partial.copy()
        if need >= self.full_need:
            return self.full.copy()
        lam = 0.0
        for slope, saturated, rho_i in self.steps:
            lam = (need - saturated) / slope
            if lam * rho_i <= 1.0:
                break
        out = self.partial.copy()
        for i, opening_i, rho_i, span_i in self.moves:  # scalars: faster than tiny arrays
            f = lam * rho_i
            out[i] = opening_i + (f if f < 1.0 else 1.0) * span_i  # min(1.0, f), no call
        return out



_PATHS: dict[tuple[bytes, bytes, bytes, bytes, bool, float], ConcessionPath] = {}
_PATHS_KEEP = 4096


_BY_ID: dict[tuple[int, ...], tuple[tuple[np.ndarray, ...], ConcessionPath]] = {}


def frozen(array: np.ndarray) -> np.ndarray:
    """The array made read-only (and returned): its identity then stands for its value."""
    array.setflags(write=False)  # (half the cost of setting `array.flags.writeable`)
    return array


def concession_path(
    own_weights: np.ndarray,
    wants_high: bool,
    opening: np.ndarray,
    far: np.ndarray,
    opp_weights: np.ndarray,
    focus: float = 1.0,
) -> ConcessionPath:
    """The `ConcessionPath` of these float vectors, remembered by their values.

    A pure function remembered by its inputs: read-only arrays (openings, limits and
    weights are prepared or made read-only) are looked up by identity, which stands for
    their value while the entry holds them; other arrays by their bytes.
    """
    ids = (id(own_weights), id(opening), id(far), id(opp_weights), wants_high, focus)
    hit = _BY_ID.get(ids)
    if (hit is not None and hit[0][0] is own_weights and hit[0][1] is opening
            and hit[0][2] is far and hit[0][3] is opp_weights):
        return hit[1]
    key = (
        own_weights.tobytes(), opening.tobytes(), far.tobytes(), opp_weights.tobytes(),
        wants_high, focus,
    )
    path = _PATHS.get(key)
    if path is None:
        if len(_PATHS) >= _PATHS_KEEP:
            _PATHS.clear()
        path = _PATHS[key] = ConcessionPath.build(
            own_weights, wants_high, opening, far, opp_weights, focus
        )
    arrays = (own_weights, opening, far, opp_weights)
    if not any(a.flags.writeable for a in arrays):  # kept by identity only when read-only
        if len(_BY_ID) >= _PATHS_KEEP:
            _BY_ID.clear()
        _BY_ID[ids] = (arrays, path)
    return path


_BOUNDS: dict[tuple[int, int], tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}
_BOUNDS_KEEP = 64


def clip_towards(vector: np.ndarray, opening: np.ndarray, ceiling: np.ndarray) -> np.ndarray:
    """Pull back every issue that moved from `opening` past `ceiling`.

    The bounds of a read-only opening and ceiling (a party's, its limit package) are
    remembered by identity, which stands for their value while the entry holds them (see
    `frozen`): two numpy calls of the four, for the many packages one ceiling clips in a
    week. Arrays that may change are not kept.
    """
    key = (id(opening), id(ceiling))
    hit = _BOUNDS.get(key)
    if hit is not None and hit[0] is opening and hit[1] is ceiling:
        lo, hi = hit[2], hit[3]
    else:
        lo = np.minimum(opening, ceiling)
        hi = np.maximum(opening, ceiling)
        if not (opening.flags.writeable or ceiling.flags.writeable):
            if len(_BOUNDS) >= _BOUNDS_KEEP:
                _BOUNDS.clear()
            _BOUNDS[key] = (opening, ceiling, lo, hi)
    return np.minimum(np.maximum(vector, lo), hi)  # np.clip's wrapper costs more per call
