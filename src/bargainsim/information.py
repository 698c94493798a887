"""Private information: each company's type, and the union's screening and learning.

With `information: private` each company draws a type from its prior every run (its
strike cost, or its limit in a classroom game; `schema.Types`), known to it alone. The
union's belief about the types (`beliefs.Beliefs`) narrows with what employers do, by
the rules they follow:

- a demand rejected: the types that would have accepted it are ruled out (`rejected`);
- an offer made, or a deal signed, at some utility to the union: an employer never
  offers or signs beyond its limit, so the types whose limit is worth less to the union
  are ruled out (`at_least`).

Types are correlated across companies (`types.common`), so what one table reveals moves
the union's belief about the others: in separate and pattern modes an early settlement
moves its demands elsewhere; in coalition mode it sees the alliance's moves alone.

The union's demand at a table comes from `screening.solve` on its belief about the
employer there: each type's value (the most, in the union's utility, that type would
sign now) and cost of waiting. Employers accept a demand when signing beats waiting
for the union's next demand (`employer_prefers`).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.special import ndtr, ndtri
from scipy.stats import qmc

from bargainsim.agents.company import limits_from
from bargainsim.beliefs import Beliefs
from bargainsim.packages import TIE, frozen, utilities
from bargainsim.schema import Prior, Scenario
from bargainsim.screening import Policy, solve

if TYPE_CHECKING:
    from bargainsim.agents.base import Party
    from bargainsim.agents.company import Company
    from bargainsim.model import BargainingModel
    from bargainsim.table import Table

_PLANS_KEEP = 256  # screening plans remembered by their inputs, across runs
_PLANS: OrderedDict[bytes, Policy] = OrderedDict()
_ROAD_POINTS = 9  # points of a company's road the union reads its values from
_MARGIN = 1e-9  # a bound's allowance for rounding (floats against numpy's arrays)
_NONE = np.zeros(0)
_NO_TYPES = np.zeros(0, dtype=int)
_ROADS_KEEP = 256  # roads' points remembered (by the values of their inputs)
_ROADS: dict[bytes, tuple[float, ...]] = {}  # per road: its ends, then the union's utilities
_QMC_SEED = 20231  # the fixed scramble of the belief's particles (the same every run)


def _evenly(start: float, stop: float) -> list[float]:
    """`np.linspace(start, stop, _ROAD_POINTS)` in floats, bit for bit (numpy's arithmetic).

    A road's points are read once a run per company, where numpy's call costs more than
    its nine numbers.
    """
    div = _ROAD_POINTS - 1
    delta = stop - start
    step = delta / div
    if step == 0.0:  # numpy's way with denormal steps
        points = [i / div * delta + start for i in range(div)]
    else:
        points = [i * step + start for i in range(div)]
    return [*points, stop]


def prior_of(spec: Scenario, name: str) -> Prior:
    """A company's prior: its own, else its preset's, else the scenario's."""
    types = spec.types
    if name in types.companies:
        return types.companies[name]
    preset = spec.parties[name].preset  # type: ignore[union-attr]
    return types.presets.get(preset, types.prior)


def quantile(prior: Prior, u: np.ndarray) -> np.ndarray:
    """Types at probabilities `u` under a prior (its inverse distribution function)."""
    if prior.distribution == "uniform":
        return prior.low + (prior.high - prior.low) * u
    s = prior.spread
    return np.exp(s * ndtri(u) - 0.5 * s * s)


def _uniforms(scores: np.ndarray, common: float) -> np.ndarray:
    """Probabilities of each company's type from normal scores (common factor first)."""
    z = np.sqrt(common) * scores[:, :1] + np.sqrt(1.0 - common) * scores[:, 1:]
    return np.clip(ndtr(z), 1e-12, 1.0 - 1e-12)


def grid(spec: Scenario, n: int) -> np.ndarray:
    """Each company's types at its prior's quantiles (j + 1/2) / n (companies x n)."""
    u = (np.arange(n) + 0.5) / n
    return np.array([quantile(prior_of(spec, c), u) for c in spec.company_names])


def profiles(spec: Scenario) -> tuple[np.ndarray, np.ndarray]:
    """Joint type profiles for beliefs about an alliance, and their probabilities.

    A scrambled Sobol sequence (a fixed scramble: the same profiles every run) through
    the copula: an even spread of profiles (rows; columns: companies in order).
    """
    names = spec.company_names
    points = qmc.Sobol(len(names) + 1, scramble=True, seed=_QMC_SEED).random(
        spec.types.particles)
    u = _uniforms(ndtri(np.clip(points, 1e-12, 1.0 - 1e-12)), spec.types.common)
    types = np.column_stack([quantile(prior_of(spec, c), u[:, i]) for i, c in enumerate(names)])
    return types, u


def draw_types(spec: Scenario, rng: np.random.Generator) -> dict[str, float]:
    """Each company's true type for a run, from the same priors and copula.

    The companies of one prior (often every company) get their types from one `quantile`
    call: it works element by element, so the same numbers as a call for each company.
    """
    names = spec.company_names
    scores = rng.standard_normal((1, len(names) + 1))
    u = _uniforms(scores, spec.types.common)[0]
    by_prior: dict[int, tuple[Prior, list[int]]] = {}  # by identity: each prior once
    for i, c in enumerate(names):
        prior = prior_of(spec, c)
        by_prior.setdefault(id(prior), (prior, []))[1].append(i)
    types = np.empty(len(names))
    for prior, columns in by_prior.values():
        types[columns] = quantile(prior, u[columns])
    return dict(zip(names, types.tolist(), strict=True))


def plan(values: np.ndarray, masses: np.ndarray, rounds: int, du: float, dc: float,
         cost: np.ndarray, floor: float, after: float) -> Policy:
    """`screening.solve`, remembered by its inputs (a pure function): runs repeat plans.

    With no type worth the floor the plan is to wait: no deal within it, demands at the
    floor; that plan is made here without solving.
    """
    if values.size == 0:
        return _waiting(rounds, float(floor))
    if values[-1] < floor - 1e-12:
        n = values.size
        demand = np.full((rounds, n + 1), float(floor))
        cut = np.broadcast_to(np.arange(n + 1), (rounds, n + 1))
        return Policy(values, masses, demand, cut, np.zeros((rounds, n + 1)))
    key = b"".join((values.tobytes(), masses.tobytes(), cost.tobytes(),
                    np.array([rounds, du, dc, floor, after]).tobytes()))
    hit = _PLANS.get(key)
    if hit is None:
        hit = solve(values, masses, rounds, du, dc, cost, floor, after)
        _PLANS[key] = hit
        if len(_PLANS) > _PLANS_KEEP:
            _PLANS.popitem(last=False)
    return hit


@dataclass(frozen=True)
class _Roads:
    """The road points of a table's companies as `_company_values` interpolates them.

    Per company (rows): its utility at the union's opening (`bottom`), the width of its
    road in its utility (`span`, at least 1e-12) and the slope of the union's utility
    against its own (`slope`); `flat`, every company's union utilities one after
    another, and `offsets`, where each company's start in it. Fixed for a run's roads.
    """

    bottom: np.ndarray
    span: np.ndarray
    flat: np.ndarray
    offsets: np.ndarray
    slope: np.ndarray

    @classmethod
    def of(cls, rows: list[tuple[float, ...]]) -> _Roads:
        """From the rows of `PrivateInformation._roads` (ends, then the points)."""
        table = np.array(rows)
        bottom, top, gains = table[:, :1], table[:, 1:2], table[:, 2:]
        span = np.maximum(top - bottom, 1e-12)
        return cls(bottom, span, np.ascontiguousarray(gains).ravel(),
                   np.arange(0, gains.size, _ROAD_POINTS)[:, None],
                   (gains[:, :1] - gains[:, -1:]) / span)  # union utility per company's


@dataclass
class _RoadSet:
    """A run's road points for a list of companies (`PrivateInformation._roads`).

    `arrays`: the arrays they were made from (held, so that their identities stand);
    `rows`: per company, its utility at the road's ends, then the union's utility at
    `_ROAD_POINTS` points; `interpolation`, their arrays once `_company_values` asks.
    """

    arrays: list[np.ndarray]
    rows: list[tuple[float, ...]]
    made: _Roads | None = None

    def interpolation(self) -> _Roads:
        """The rows as `_company_values` interpolates them (made once a run)."""
        if self.made is None:
            self.made = _Roads.of(self.rows)
        return self.made


@dataclass
class _Context:
    """Companies at a table as the union's what-if reads them in one revision.

    Per company: its road's points (`roads`, the run's `_RoadSet` for them). Its limit
    terms (`Company.limit_terms`) are read member by member when first asked (`term`): a
    bound often needs one member; `grid` builds the arrays for every type.
    """

    revision: int
    far: np.ndarray
    companies: list[Company]
    roads: _RoadSet
    terms: list[tuple[float, float, float, float, float, float, float] | None]

    def term(self, k: int) -> tuple[float, float, float, float, float, float, float]:
        """Company k's limit terms this revision."""
        found = self.terms[k]
        if found is None:
            found = self.terms[k] = self.companies[k].limit_terms()
        return found

    def grid(self) -> tuple[np.ndarray, np.ndarray]:
        """Every company's limit terms (7 x companies) and waiting cost per unit of type."""
        terms = np.array([self.term(k) for k in range(len(self.companies))]).T
        # (each product in floats, as numpy's: one array made in place of three)
        waiting = np.array([[c.waiting_cost() * (1.0 / c.cost_type)] for c in self.companies])
        return terms, waiting


@dataclass
class _Bounds:
    """The companies at a table, their extreme types still possible, and the values found.

    `thetas`: per company (highest, lowest) type; None when an alliance member's box
    holds no profile. `tops` and `bottoms`: what each would sign had it that type (None
    until asked); `least`, the least of the tops (key True) or bottoms (False) once
    every member's is known.
    """

    stamp: tuple[int, int]
    table: Table
    companies: list[Company]
    thetas: list[tuple[float, float]] | None
    tops: list[float | None]
    bottoms: list[float | None]
    context: _Context | None = None
    least: dict[bool, float] = field(default_factory=dict)


_WAITS: dict[tuple[int, float], Policy] = {}
_STILL: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # per rounds: a wait's cut-offs, payoffs


def _waiting(rounds: int, floor: float) -> Policy:
    """The plan with no type left that would sign: wait, demanding the floor (shared).

    Only its demands depend on the floor (a new one most weeks); its cut-offs and
    payoffs (zeros) are shared by every wait of as many rounds.
    """
    hit = _WAITS.get((rounds, floor))
    if hit is None:
        if len(_WAITS) >= _PLANS_KEEP:
            _WAITS.clear()
        still = _STILL.get(rounds)
        if still is None:
            still = _STILL[rounds] = (frozen(np.zeros((rounds, 1), int)),
                                      frozen(np.zeros((rounds, 1))))
        demand = np.empty((rounds, 1))
        demand.fill(floor)
        hit = _WAITS[(rounds, floor)] = Policy(_NONE, _NONE, frozen(demand), *still)
    return hit


class PrivateInformation:
    """The run's private types and the union's belief about them."""

    def __init__(self, model: BargainingModel, types: dict[str, float],
                 prepared: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
        self.model = model
        spec = model.spec
        self.of = spec.types.of
        self.names = spec.company_names
        self.column = {c: i for i, c in enumerate(self.names)}
        self.types = types
        cells, joint, joint_u = prepared
        self.beliefs = Beliefs(cells, spec.types.common, joint, joint_u)
        self.plan_rounds = spec.types.plan_rounds
        self._values: dict[int, tuple[int, np.ndarray, np.ndarray]] = {}
        # per table: the types that would accept the union's standing demand (grid cells
        # of a company, or alliance profiles), and its next demand if they do not
        self._pending: dict[int, tuple[np.ndarray, float | None]] = {}
        self._plans: dict[int, tuple[tuple[Any, ...], Policy, np.ndarray]] = {}
        self._bounds: dict[int, _Bounds] = {}
        self._binding: dict[int, int] = {}  # per table: the member found below a bound last
        self._contexts: dict[tuple[int, ...], _Context] = {}
        self._worth: dict[tuple[int, int], tuple[int, float, float]] = {}
        # per table: the union's package at a demand, for the revision (members weigh it)
        self._packages: dict[int, tuple[int, float, np.ndarray]] = {}
        self._step_size: float | None = None
        self._last_horizon: tuple[float, tuple[int, float]] | None = None
        self._road_sets: dict[tuple[int, ...], _RoadSet]
        # the stacked points of a list of companies, by the identities of their arrays
        # (they hold still within a run)
        self._road_sets = {}

    @property
    def contradictions(self) -> int:
        """Observations the union's belief could not explain (it then forgot a bound)."""
        return self.beliefs.contradictions

    def mean_type(self, company: str) -> float:
        """The union's expected type of `company` now."""
        return self.beliefs.mean_type(self.column[company])

    # ------------------------------------------------------------ what each type would sign
    def values(self, table: Table) -> tuple[np.ndarray, np.ndarray]:
        """Per type: what the employer at `table` would sign now, and its waiting cost.

        Both in the union's utility: the most that type would sign, and what waiting one
        demand costs it. A company's types are its grid cells; an alliance's, the joint
        profiles. Kept for the model's revision (losses and shares change only between).
        """
        key = table.serial
        hit = self._values.get(key)
        if hit is not None and hit[0] == self.model.revision:
            return hit[1], hit[2]
        employer = table.employer
        members = getattr(employer, "members", None)
        if members is None:
            theta = self.beliefs.grid[self.column[employer.name]][None, :]
            vs, cs = self._company_values([employer], table, theta)
            v, c = vs[0], cs[0]
        else:
            cols = [self.column[m.name] for m in members]
            vs, cs = self._company_values(members, table, self.beliefs.profiles[:, cols].T)
            shares = np.array([m.share for m in members])
            # (np.add.reduce: .sum()'s sum, without its Python wrapper)
            v, c = self._pooled(employer, vs.T, shares), (shares / np.add.reduce(shares)) @ cs
        self._values[key] = (self.model.revision, v, c)
        return v, c

    def _pooled(self, coalition: Any, vs: np.ndarray, shares: np.ndarray) -> np.ndarray:
        """The union's model of the alliance's limit, per profile.

        The least willing member's, or, under `share_weighted`, the most that members
        holding the quorum of market share would sign.
        """
        if coalition.rule != "share_weighted":
            return np.minimum.reduce(vs, axis=1)  # (.min's, without its Python wrapper)
        order = np.argsort(-vs, axis=1, kind="stable")  # most willing first
        held = np.cumsum(shares[order], axis=1) / shares.sum()
        pivot = np.argmax(held + 1e-12 >= coalition.quorum, axis=1)
        return np.take_along_axis(vs, order, axis=1)[np.arange(vs.shape[0]), pivot]

    def _company_values(self, companies: list[Company], table: Table,
                        theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Values and waiting costs (union's utility) of each company had it types `theta`.

        `theta` is companies x types; so are both results. A company's limit (its utility,
        `limits_from`) is read off its road to the union's opening as the union's utility.
        """
        union = self.model.union
        far = union.opening_for(table)
        if self.of == "limit":
            low = np.array([union.utility(c.opening_for(table)) for c in companies])[:, None]
            high = union.utility(far)
            return low + theta * (high - low), np.zeros_like(theta)
        ctx = self._context(companies, table, far)
        terms, waiting = ctx.grid()
        limit = limits_from(terms, theta)
        roads = ctx.roads.interpolation()
        # the road's points are evenly spaced in the company's utility: interpolate by index
        at = np.minimum(np.maximum((limit - roads.bottom) / roads.span, 0.0), 1.0) * (
            _ROAD_POINTS - 1)
        low = np.minimum(at.astype(np.intp), _ROAD_POINTS - 2)
        frac = at - low
        low += roads.offsets  # row by row, flattened
        flat = roads.flat
        g_low = flat[low]
        values = g_low + frac * (flat[low + 1] - g_low)
        cost = waiting * theta * self._step() * roads.slope
        return values, cost

    def _context(self, companies: list[Company], table: Table, far: np.ndarray) -> _Context:
        """What the union's what-if reads of `companies` at `table`, kept for the revision.

        Their limit terms and waiting costs change only between revisions (losses are
        booked then), their roads only with the openings (a new revision too).
        """
        key = (table.serial, *map(id, companies))  # the run's companies: alive, ids stand
        hit = self._contexts.get(key)
        revision = self.model.revision
        if hit is not None and hit.revision == revision and hit.far is far:
            return hit
        made = _Context(revision, far, companies, self._roads(companies, table, far),
                        [None] * len(companies))
        self._contexts[key] = made
        return made

    def _roads(self, companies: list[Company], table: Table, far: np.ndarray) -> _RoadSet:
        """Points of each company's road to the union's opening (`_ROAD_POINTS` each).

        Per company, a row of floats: its utility at the road's ends (bottom: the union's
        opening; top: its own), then the union's utility at points evenly spaced between
        (falling), kept for the run (`_RoadSet`). A road
        is fixed while the openings and weights are, so its points are kept by their
        values, across runs (an anchored opening is a new array each run, and companies
        of one preset share a road).
        """
        union = self.model.union
        arrays = [union.weights, far]
        for c in companies:
            arrays += (c.weights, c.opening_for(table))
        whole = tuple(map(id, arrays))
        seen = self._road_sets.get(whole)
        if seen is not None:  # the same arrays as before in this run: the entry holds them,
            return seen  # so no other array can have taken their identities
        shared = union.weights.tobytes() + far.tobytes()
        rows = []
        for c in companies:
            opening = c.opening_for(table)
            key = shared + c.weights.tobytes() + opening.tobytes()
            row = _ROADS.get(key)
            if row is None:
                road = c.road(table, opening, far, union)
                targets = _evenly(c.utility(far), c.worth(opening))
                points = np.array([road.package(x) for x in targets])
                row = (targets[0], targets[-1],
                       *utilities(union.weights, points, union.wants_high))
                if len(_ROADS) >= _ROADS_KEEP:
                    _ROADS.clear()
                _ROADS[key] = row
            rows.append(row)
        made = self._road_sets[whole] = _RoadSet(arrays, rows)
        return made

    def _bound(self, table: Table, top: bool) -> float:
        """The most (`top`) or the least any type still possible at `table` would sign now.

        From each company's highest (lowest) type still possible, in floats: what `values`
        gives for the types in between lies within, so when the union's floor is above
        the most, or an offer below the least, nothing is computed type by type (the
        outcome is the same). A bound that cannot be had is +inf (top) or -inf.
        """
        bounds = self._sides(table)
        if bounds.thetas is None:
            return math.inf if top else -math.inf
        found = [self._member_bound(bounds, k, top) for k in range(len(bounds.thetas))]
        employer = table.employer
        if getattr(employer, "rule", None) != "share_weighted":
            return min(found)
        return self._pivot(found, [m.share for m in bounds.companies], employer.quorum)

    def _any_above(self, table: Table, threshold: float) -> bool:
        """Whether `_bound(table, top=True)` is at least `threshold`."""
        return self._each_member(table, True, threshold)

    def _all_at_least(self, table: Table, worth: float) -> bool:
        """Whether `_bound(table, top=False) - _MARGIN + TIE >= worth`."""
        return self._each_member(table, False, worth)

    @staticmethod
    def _holds(value: float, top: bool, threshold: float) -> bool:
        """`_any_above`'s test of a bound (top) or `_all_at_least`'s."""
        return value >= threshold if top else value - _MARGIN + TIE >= threshold

    def _each_member(self, table: Table, top: bool, threshold: float) -> bool:
        """Whether `_holds` is true of `_bound(table, top)`, asked member by member.

        Under the least willing member's rule the bound is the least member's value, and
        the test never reverses an order (a comparison after adding constants), so one
        member for whom it fails is enough to say no: the one that failed last is asked
        first. Once it holds for every member, the least value is kept and tested alone
        (the same answer). The share-weighted rule's pivot needs every member.
        """
        bounds = self._sides(table)
        if bounds.thetas is None or getattr(table.employer, "rule", None) == "share_weighted":
            return self._holds(self._bound(table, top), top, threshold)
        least = bounds.least.get(top)
        if least is not None:
            return self._holds(least, top, threshold)
        n = len(bounds.thetas)
        serial = table.serial
        k = self._binding.get(serial, 0) % n
        for _ in range(n):
            if not self._holds(self._member_bound(bounds, k, top), top, threshold):
                self._binding[serial] = k
                return False
            k = k + 1 if k + 1 < n else 0
        # every member's value is found now
        bounds.least[top] = min(bounds.tops if top else bounds.bottoms)  # type: ignore[type-var]
        return True

    def _sides(self, table: Table) -> _Bounds:
        """The types at the ends of each company's box at `table`, and their values so far.

        Kept while the revision and the boxes stand; an alliance's extremes move with the
        boxes and its members alone, so a new revision keeps them.
        """
        stamp = (self.model.revision, self.beliefs.boxes)
        hit = self._bounds.get(table.serial)
        if hit is not None and hit.stamp == stamp:
            return hit
        employer = table.employer
        members = getattr(employer, "members", None)
        beliefs = self.beliefs
        thetas: list[tuple[float, float]] | None
        if members is None:
            i = self.column[employer.name]
            grid = beliefs.grid
            companies = [employer]
            thetas = [(float(grid[i, int(beliefs.hi[i]) - 1]), float(grid[i, int(beliefs.lo[i])]))]
        elif hit is not None and hit.stamp[1] == stamp[1] and hit.companies == members:
            companies, thetas = hit.companies, hit.thetas
        else:
            companies = list(members)
            thetas = self._extremes(members)
        n = len(companies)
        made = _Bounds(stamp, table, companies, thetas, [None] * n, [None] * n)
        self._bounds[table.serial] = made
        return made

    def _member_bound(self, bounds: _Bounds, k: int, top: bool) -> float:
        """What company k at the table would sign now, had it its highest (lowest) type."""
        found = bounds.tops if top else bounds.bottoms
        value = found[k]
        if value is None:
            value = found[k] = self._value_at(bounds, k, top)
        return value

    def _value_at(self, bounds: _Bounds, k: int, top: bool) -> float:
        """`_company_values` for one company and one type, in floats."""
        assert bounds.thetas is not None
        theta = bounds.thetas[k][0 if top else 1]
        company = bounds.companies[k]
        table = bounds.table
        union = self.model.union
        far = union.opening_for(table)
        if self.of == "limit":
            high = union.utility(far)
            low = union.utility(company.opening_for(table))
            return low + theta * (high - low)
        ctx = bounds.context
        if ctx is None or ctx.far is not far:  # the bounds' revision is the context's
            ctx = bounds.context = self._context(bounds.companies, table, far)
        u_open, expected, so_far, tolerance, pressure, remaining, scale = ctx.term(k)
        row = ctx.roads.rows[k]
        b, t = row[0], row[1]
        # Python's max(x, y) and min(x, y) as conditionals, argument order kept (the same
        # value, NaN included: each keeps its first argument unless the second is beyond)
        width = 1e-12 if 1e-12 > t - b else t - b
        over = so_far * theta - tolerance
        excess = (over if over > 0.0 else 0.0) / (1e-12 if 1e-12 > tolerance else tolerance)
        cost = expected * theta * remaining * (1.0 + pressure * excess)
        limit = u_open - cost / (1e-300 if 1e-300 > scale else scale)
        limit = limit if limit > 0.0 else 0.0
        at = (limit - b) / width
        at = 0.0 if 0.0 > at else at
        at = (1.0 if 1.0 < at else at) * (_ROAD_POINTS - 1)
        low = int(at)
        low = _ROAD_POINTS - 2 if _ROAD_POINTS - 2 < low else low
        g0, g1 = row[2 + low], row[3 + low]
        return g0 + (at - low) * (g1 - g0)

    def _extremes(self, members: list[Company]) -> list[tuple[float, float]] | None:
        """Each member's highest and lowest type among the alliance profiles in its box.

        None when a member's box holds no profile.
        """
        beliefs = self.beliefs
        thetas: list[tuple[float, float]] = []
        for m in members:
            column = self.column[m.name]
            high = beliefs.profile_extreme(column, True)
            low = beliefs.profile_extreme(column, False)
            if high is None or low is None:
                return None
            thetas.append((high, low))
        return thetas

    @staticmethod
    def _pivot(found: list[float], shares: list[float], quorum: float) -> float:
        """The most that members holding the quorum of market share would sign (floats)."""
        total = sum(shares)
        held = 0.0
        for value, share in sorted(zip(found, shares, strict=True), key=lambda x: -x[0]):
            held += share
            if held / total + 1e-12 >= quorum:
                return value
        return min(found)

    def _belief(self, table: Table) -> tuple[np.ndarray, np.ndarray]:
        """The employer's types still possible at `table` (indices) and their weights."""
        members = getattr(table.employer, "members", None)
        if members is None:
            return self.beliefs.company(self.column[table.employer.name])
        return self.beliefs.alliance([self.column[m.name] for m in members])

    # ------------------------------------------------------------ the union's plan
    def policy(self, table: Table, t: float) -> tuple[Policy, np.ndarray]:
        """The union's screening plan at `table` now, and the types in its order.

        Kept while the model's revision, the belief and the plan's horizon stand.
        """
        union = self.model.union
        rounds, after = self._horizon(t)
        # the union's limit changes with the revision, or within one by a vote it lost
        key = (self.model.revision, self.beliefs.version, rounds, after, union.floor_utility)
        hit = self._plans.get(table.serial)
        if hit is not None and hit[0] == key:
            return hit[1], hit[2]
        floor = union.effective_limit(table)
        if not self._any_above(table, floor - _MARGIN):  # no type could sign: it waits
            policy = plan(_NONE, _NONE, rounds, 1.0, 1.0, _NONE, floor, 0.0)
            self._plans[table.serial] = (key, policy, _NO_TYPES)
            return policy, _NO_TYPES
        v, c = self.values(table)
        alive, weight = self._belief(table)
        rank = v[alive].argsort(kind="stable")  # (np.argsort, without its wrapper)
        order = alive[rank]
        values = v[order]
        cost = np.maximum.accumulate(c[order])  # non-decreasing with value, as `solve` needs
        du = union.discount ** self._step()
        dc = table.employer.discount ** self._step()
        policy = plan(values, weight[rank], rounds, du, dc, cost, floor, after * floor)
        self._plans[table.serial] = (key, policy, order)
        return policy, order

    def _step(self) -> float:
        """Time between one demand and the next (steps under the move clock, else weeks)."""
        step = self._step_size
        if step is None:
            model = self.model
            between = 2.0 if model.spec.protocol.proposer == "alternating" else 1.0
            if model.clock == "week":
                between /= model.spec.protocol.rounds_per_session
            step = self._step_size = between
        return step

    def _horizon(self, t: float) -> tuple[int, float]:
        """Demands planned, and whether talks go on after them (1.0) or the game ends (0.0).

        Under the move clock the union plans to the end of the game; under the week
        clock over the demands of one session (a rolling plan, made again at each demand),
        expecting its limit later if none is signed; `types.plan_rounds` overrides both.
        """
        last = self._last_horizon
        if last is not None and last[0] == t:  # asked again at the same move
            return last[1]
        model = self.model
        step = self._step()
        left = max(1, math.ceil((model.horizon - t) / step - 1e-9))
        if self.plan_rounds is not None:
            rounds = self.plan_rounds
        elif model.clock == "week":
            rounds = max(1, int(round(1.0 / step)))  # the union's demands in a session
        else:
            rounds = left
        rounds = min(rounds, left)
        found = (rounds, 1.0 if rounds < left else 0.0)
        self._last_horizon = (t, found)
        return found

    def demand(self, table: Table, t: float) -> float:
        """The utility the union demands at `table` now."""
        policy, _ = self.policy(table, t)
        return float(policy.demand[0, policy.values.size])

    def made(self, table: Table, t: float) -> None:
        """The union made its demand at `table`: remember who would accept it.

        And what it would demand next if they do not: what the employer weighs
        (`employer_prefers`).
        """
        policy, order = self.policy(table, t)
        n = policy.values.size
        cut = int(policy.cut[0, n])
        if policy.rounds >= 2:
            nxt: float | None = float(policy.demand[1, cut])
        else:  # the plan's last demand: the game ends, or the union expects its limit later
            nxt = None if self._horizon(t)[1] == 0.0 else table.union.effective_limit(table)
        self._pending[table.serial] = (order[cut:n], nxt)

    def next_demand(self, table: Table) -> float | None:
        """The union's demand after the employer rejects its standing one (None: none)."""
        pending = self._pending.get(table.serial)
        return None if pending is None else pending[1]

    def worth_to(self, party: Party, demand: float, table: Table) -> float:
        """What the union's package at `demand` (its utility) at `table` is worth to `party`.

        Kept for the revision: an alliance's members weigh the same demand in turn (the
        package once for all of them).
        """
        key = (table.serial, id(party))
        hit = self._worth.get(key)
        if hit is not None and hit[0] == self.model.revision and hit[1] == demand:
            return hit[2]
        revision = self.model.revision
        made = self._packages.get(table.serial)
        if made is None or made[0] != revision or made[1] != demand:
            made = self._packages[table.serial] = (
                revision, demand, table.union.package_at(demand, table))
        worth = party.utility(made[2])
        self._worth[key] = (revision, demand, worth)
        return worth

    def continuation(self, table: Table, t: float) -> float:
        """The union's expected payoff of going on screening at `table` (its plan's)."""
        policy, _ = self.policy(table, t)
        return policy.expected(0, policy.values.size)

    def prefers(self, party: Party, vector: np.ndarray, t: float, dt: float,
                table: Table) -> bool:
        """`Party.prefers` under private information: the union's rule or an employer's."""
        if party is table.union:
            return union_prefers(party, vector, t, table)
        return employer_prefers(party, vector, t, dt, table)

    # ------------------------------------------------------------ learning
    def rejected(self, table: Table) -> None:
        """The employer rejected the union's demand: the types that would have accepted go."""
        pending = self._pending.pop(table.serial, None)
        if pending is None or pending[0].size == 0:
            return
        accepting = pending[0]
        members = getattr(table.employer, "members", None)
        if members is None:  # a company's values rise with its type: a bound on it
            self.beliefs.below(self.column[table.employer.name], int(accepting.min()))
        else:
            self.beliefs.rule_out(accepting)

    def offered(self, table: Table, side: str, offer: np.ndarray, t: float) -> None:
        """An offer put on `table`: the union's demand (see `made`) or the employer's."""
        if side == "union":
            self.made(table, t)
        else:
            self.at_least(table, table.union.utility(offer))

    def at_least(self, table: Table, worth: float) -> None:
        """The employer offered or signed a package worth `worth` to the union.

        Types whose limit is worth less are ruled out: an employer never goes beyond it.
        """
        if self._all_at_least(table, worth):  # every type still possible could offer it
            return
        v, _ = self.values(table)
        members = getattr(table.employer, "members", None)
        if members is None:
            cell = int(np.searchsorted(v, worth - TIE, side="left"))  # v rises with the type
            self.beliefs.at_least(self.column[table.employer.name], min(cell, v.size - 1))
        else:
            self.beliefs.rule_out(v + TIE < worth)


def build(model: BargainingModel, rng: np.random.Generator) -> PrivateInformation:
    """The run's types drawn from `rng` and the union's prior belief."""
    spec = model.spec
    cached = _PREPARED.get(id(spec))
    if cached is None or cached[0] is not spec:
        n = spec.types.particles
        joint, joint_u = profiles(spec)
        cached = (spec, (frozen(grid(spec, n)), frozen(joint), frozen(joint_u)))
        _PREPARED.clear()
        _PREPARED[id(spec)] = cached
    return PrivateInformation(model, draw_types(spec, rng), cached[1])


_PREPARED: dict[int, tuple[Scenario, tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}


def employer_prefers(party: Party, vector: np.ndarray, t: float, dt: float,
                     table: Table) -> bool:
    """An informed employer's answer to the union's demand: sign now, or wait?

    It signs when the demand is within its limit and its surplus now is at least the
    discounted surplus at the union's next demand less what waiting costs it.
    """
    info = party.model.information
    limit = party.limit_utility(table)
    surplus = party.utility(vector) - limit
    if surplus + TIE < 0.0:
        return False
    nxt = info.next_demand(table)
    if nxt is None:
        return True
    step = info._step()
    later = info.worth_to(party, nxt, table) - limit
    waiting = party.waiting_cost() * step
    return surplus + TIE >= (party.discount ** step) * later - waiting


def union_prefers(union: Party, vector: np.ndarray, t: float, table: Table) -> bool:
    """The union takes an employer's offer worth at least what going on screening is."""
    info = union.model.information
    worth = union.utility(vector)
    return worth + TIE >= max(union.effective_limit(table), info.continuation(table, t))




