"""The packages an alliance can offer: the best for the union that its members accept.

A coalition's limit package x (issues normalised to [0, 1]) must be acceptable to the
members whose consent its rule needs: member m accepts x when its utility 1 - w_m.x is at
least its limit utility l_m, that is when w_m.x <= 1 - l_m. Among those packages, lying in
the box between the alliance's opening and the union's, the union's best is the linear
program

    maximise w_u.x  subject to  A x <= b,  lo <= x <= hi

(rows of A: the members' weights; b: one minus their limit utilities). Only b changes
from week to week; the weights and the box stand for a run (until a pattern deal moves the
openings, or a member leaves). `Frontier` solves it by
the dual simplex method with bounded variables: the basis optimal last week stays *dual*
feasible whatever b becomes (dual feasibility does not involve b), so this week's solution
is last week's basis applied to the new b (one matrix-vector product with the basis
inverse, kept per basis) unless a basic variable left its bounds, and then a few dual
simplex pivots from there restore it. A cold start (every slack basic, every issue at the
bound the union prefers) is dual feasible too, because every issue is boxed.

`Road` and `furthest_on_road` give the other kind of frontier point a rule may want: how
far a member's own concession road (`packages.ConcessionPath`, piecewise linear) can go
before some member objects; `complete` then raises what can still be raised, so that no
acceptable package gives the union more on one issue without giving less on another.
`Roads` holds an alliance's members' roads for the hardest-line rule (docs/model.md 4.4).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from operator import le

import numpy as np

from bargainsim.packages import ConcessionPath, concession_path, frozen

TOL = 1e-10  # a bound or constraint violated by less than this holds (values are in [0, 1])
_PIVOT = 1e-12  # tableau entries smaller than this cannot pivot
_KEEP = 256  # bases whose factors a problem keeps


@dataclass(frozen=True)
class Basis:
    """A basis: the variable basic in each row, and which nonbasic variables sit at upper.

    Variables are the issues (0..n-1) and one slack per constraint (n..n+k-1), the slack
    of row i being `b_i - A_i.x >= 0` (no upper bound).
    """

    rows: tuple[int, ...]
    at_upper: tuple[bool, ...]


@dataclass
class _Factor:
    """What a basis implies, computed from the basis alone and kept: its inverse and more."""

    inverse: np.ndarray  # B^-1 (k x k)
    tableau: np.ndarray  # B^-1 [A I] (k x (n + k))
    reduced: np.ndarray  # c - c_B B^-1 [A I]: <= 0 at lower and >= 0 at upper when optimal
    shift: np.ndarray  # B^-1 N z_N: basic values are B^-1 b - shift
    low: np.ndarray  # bounds of the basic variables, by row, widened by TOL
    high: np.ndarray
    x: np.ndarray  # the issues' values but the basic ones (nonbasic at their bound)
    rows: np.ndarray  # rows whose basic variable is an issue
    issues: np.ndarray  # and that issue


@dataclass
class Frontier:
    """max c.x s.t. A x <= b, lo <= x <= hi, for many b: a warm-started dual simplex.

    The problem's fixed parts (c, A, the box) are given once; `solve(b, start)` returns
    the optimum for one right-hand side and the optimal basis, to pass as `start` next
    time. Factors of the bases met are kept (each computed from its basis alone, so a
    result never depends on which runs came before); the caller keeps its own warm basis.
    """

    c: np.ndarray
    A: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    _factors: dict[Basis, _Factor] = field(default_factory=dict, repr=False)
    _pivoted: dict[tuple[Basis, bytes], Basis | None] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        k, n = self.A.shape
        self.n, self.k = n, k
        self.full = np.hstack([self.A, np.eye(k)])
        self.lower = np.concatenate([self.lo, np.zeros(k)])
        self.upper = np.concatenate([self.hi, np.full(k, np.inf)])
        self.cost = np.concatenate([self.c, np.zeros(k)])
        # a variable whose bounds meet cannot move: it never enters the basis
        self.movable = self.upper - self.lower > TOL

    def cold(self) -> Basis:
        """Every slack basic, every issue at the bound the objective prefers."""
        return Basis(tuple(range(self.n, self.n + self.k)),
                     tuple(bool(cj > 0) for cj in self.c.tolist()) + (False,) * self.k)

    def factor(self, basis: Basis) -> _Factor:
        """The inverse, tableau, reduced costs and shift of a basis (kept per basis)."""
        hit = self._factors.get(basis)
        if hit is not None:
            return hit
        rows = list(basis.rows)
        inverse = np.linalg.inv(self.full[:, rows])
        tableau = inverse @ self.full
        reduced = self.cost - self.cost[rows] @ tableau
        base = np.where(np.array(basis.at_upper), self.upper, self.lower)
        base[rows] = 0.0
        shift = tableau @ base
        issue_rows = [r for r, j in enumerate(rows) if j < self.n]
        fac = _Factor(inverse, tableau, reduced, shift, self.lower[rows] - TOL,
                      self.upper[rows] + TOL, base[: self.n].copy(), np.array(issue_rows, int),
                      np.array([rows[r] for r in issue_rows], int))
        if len(self._factors) >= _KEEP:
            self._factors.clear()
        self._factors[basis] = fac
        return fac

    def solve(self, b: np.ndarray, start: Basis | None = None) -> tuple[np.ndarray | None, Basis]:
        """The optimal x for right-hand side b (None: no x meets every row), and its basis.

        The warm path: last week's basis, still within its bounds under the new b, is
        still optimal (x: one product with its inverse). Otherwise `_pivot` runs the dual
        simplex from it; the optimum is then read from its basis's own factor, so the
        result depends on the start and b alone. Values are within TOL of the box.
        """
        basis = start if start is not None else self.cold()
        for _ in range(3):  # a basis the pivots call optimal is checked with its own factor
            fac = self.factor(basis)
            values = fac.inverse @ b - fac.shift
            if (values >= fac.low).all() and (values <= fac.high).all():
                x = fac.x.copy()
                x[fac.issues] = values[fac.rows]
                return x, basis
            # where the pivots from this basis lead for this b: a pure function, kept (runs
            # meet the same start and b, e.g. every week before losses begin)
            key = (basis, b.tobytes())
            if key in self._pivoted:
                found = self._pivoted[key]
            else:
                found = self._pivot(fac, basis, values)
                if len(self._pivoted) >= _KEEP:
                    self._pivoted.clear()
                self._pivoted[key] = found
            if found is None:
                return None, basis
            basis = found
        raise RuntimeError("frontier: the dual simplex did not settle")

    def _pivot(self, fac: _Factor, basis: Basis, values: np.ndarray) -> Basis | None:
        """Dual simplex pivots from `basis` until every basic variable is within bounds.

        The basic variable furthest outside its bounds leaves at the bound it broke; the
        entering variable is the nonbasic one whose reduced cost reaches zero first (the
        dual ratio test), which keeps the basis dual feasible, so the first basis within
        bounds is optimal. None when no variable can enter: the leaving row then proves
        that no x meets every row. After too many pivots (cycling on degenerate steps) it
        gives the cold basis to start again from. A handful of variables: Python floats,
        the tableau updated in place (rank one per pivot), cost less than numpy's calls.
        """
        n, k = self.n, self.k
        lower, upper = self.lower.tolist(), self.upper.tolist()
        movable = self.movable.tolist()
        tableau = fac.tableau.tolist()
        reduced = fac.reduced.tolist()
        vals = values.tolist()
        rows, at_upper = list(basis.rows), list(basis.at_upper)
        low, high = fac.low.tolist(), fac.high.tolist()
        nonbasic = [True] * (n + k)
        for j in rows:
            nonbasic[j] = False
        columns = range(n + k)
        for _ in range(50 * (n + k)):
            r, gap, up = -1, 0.0, False
            for i in range(k):
                if low[i] - vals[i] > gap:
                    r, gap, up = i, low[i] - vals[i], True
                elif vals[i] - high[i] > gap:
                    r, gap, up = i, vals[i] - high[i], False
            if r < 0:
                return Basis(tuple(rows), tuple(at_upper))
            alpha = tableau[r]
            # basic_r = beta_r - alpha.z_N: raising it means raising z_j where alpha_j < 0
            # (j at lower) or lowering z_j where alpha_j > 0 (j at upper); lowering it,
            # the other way round. The first of equal ratios (lowest index) enters.
            q, best = -1, np.inf
            for j in columns:
                if not (nonbasic[j] and movable[j]):
                    continue
                a = alpha[j]
                push = -a if up else a
                if (push < -_PIVOT) if at_upper[j] else (push > _PIVOT):
                    ratio = abs(reduced[j] / a)
                    if ratio < best:
                        q, best = j, ratio
            if q < 0:
                return None
            p = rows[r]
            a_q = alpha[q]
            step = (vals[r] - (lower[p] if up else upper[p])) / a_q  # z_q moves by this
            entering = upper[q] if at_upper[q] else lower[q]
            pivot_row = [a / a_q for a in alpha]
            for i in range(k):
                if i != r:
                    row = tableau[i]
                    f = row[q]
                    if f != 0.0:
                        vals[i] -= f * step
                        tableau[i] = [x - f * y for x, y in zip(row, pivot_row, strict=True)]
            vals[r] = entering + step
            tableau[r] = pivot_row
            d_q = reduced[q]
            reduced = [d - d_q * y for d, y in zip(reduced, pivot_row, strict=True)]
            rows[r] = q
            at_upper[p] = not up
            at_upper[q] = False
            nonbasic[p], nonbasic[q] = True, False
            low[r], high[r] = lower[q] - TOL, upper[q] + TOL
        if basis == self.cold():  # cycling (degenerate pivots) even from cold
            raise RuntimeError("frontier: the dual simplex cycled")
        return self.cold()  # cycling: once more from cold

    def value(self, x: np.ndarray | None) -> float:
        """The objective at x; minus infinity for no x."""
        return -np.inf if x is None else float(self.c @ x)


_PROBLEMS: dict[tuple[bytes, ...], Frontier] = {}
_PROBLEMS_KEEP = 64


def frontier(c: np.ndarray, A: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> Frontier:
    """The `Frontier` of these arrays, remembered by their values (with its bases' factors)."""
    key = (c.tobytes(), A.tobytes(), lo.tobytes(), hi.tobytes(), bytes(A.shape))
    hit = _PROBLEMS.get(key)
    if hit is None:
        if len(_PROBLEMS) >= _PROBLEMS_KEEP:
            _PROBLEMS.clear()
        hit = _PROBLEMS[key] = Frontier(c.copy(), A.copy(), lo.copy(), hi.copy())
    return hit


@dataclass(frozen=True)
class Road:
    """A concession road as its vertices: the package is linear between consecutive ones.

    `needs[i]` is how much utility the party has given up at vertex i: the opening (0),
    the opening with issues worthless to it given away (0), then each point where one
    more issue reaches the far end.
    """

    vertices: np.ndarray  # (V, n)
    needs: tuple[float, ...]  # non-decreasing
    # the vertices as Python floats, for `_furthest`'s interpolation
    points: tuple[tuple[float, ...], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "points", tuple(map(tuple, self.vertices.tolist())))

    @classmethod
    def of(cls, path: ConcessionPath) -> Road:
        """The vertices of a `ConcessionPath`."""
        needs = [0.0, 0.0]
        points = [path.opening, path.partial]
        for slope, saturated, rho in path.steps:
            need = saturated + slope / rho
            needs.append(need)
            points.append(path.package(path.u_open - need))
        return cls(np.array(points), tuple(needs))


_ROADS: dict[int, tuple[ConcessionPath, Road]] = {}


def road(path: ConcessionPath) -> Road:
    """`Road.of(path)`, remembered by the path's identity (paths are remembered themselves)."""
    hit = _ROADS.get(id(path))
    if hit is not None and hit[0] is path:
        return hit[1]
    if len(_ROADS) >= 4096:
        _ROADS.clear()
    made = Road.of(path)
    _ROADS[id(path)] = (path, made)
    return made


def furthest_on_road(way: Road, A: np.ndarray, b: np.ndarray,
                     costs: np.ndarray | None = None) -> np.ndarray | None:
    """The furthest package along the road with A x <= b (None: not even its start).

    Every row's cost A_i.x rises along a road (each issue moves one way), so the packages
    that meet every row are a first stretch of it: past the last vertex that does, the
    first row to break does so at a point found by linear interpolation. `costs` is
    A @ vertices.T when the caller keeps it.
    """
    if costs is None:
        costs = A @ way.vertices.T  # row i, vertex v
    return _furthest(way, costs.T.tolist(), b.tolist())


def _furthest(way: Road, columns: list[list[float]], b: list[float]) -> np.ndarray | None:
    """`furthest_on_road` with each vertex's costs (`columns`) and b as Python floats.

    A handful of rows and vertices: Python's comparisons, divisions and interpolation, the
    same IEEE operations as numpy's element-wise ones, cost less than numpy's calls on tiny
    arrays; the least ratio is NaN when any is (as numpy's min), and no broken row is
    numpy's error for an empty min.
    """
    top = [x + TOL for x in b]
    for j, column in enumerate(columns):
        if all(map(le, column, top)):  # every row holds at vertex j
            continue
        if j == 0:
            return None
        tau = math.inf
        broken = False
        for bi, t, c0, c1 in zip(b, top, columns[j - 1], column, strict=True):
            if c1 > t:  # this row breaks between vertices j - 1 and j
                broken = True
                ratio = (bi - c0) / (c1 - c0)
                if ratio != ratio or tau != tau:
                    tau = math.nan
                elif ratio < tau:
                    tau = ratio
        if not broken:
            raise ValueError("zero-size array to reduction operation minimum which has no "
                             "identity")
        f = max(0.0, min(1.0, tau))
        return np.array([a + f * (c - a) for a, c in zip(way.points[j - 1], way.points[j],
                                                          strict=True)])
    return way.vertices[-1].copy()


def complete(x: np.ndarray, A: np.ndarray, b: np.ndarray, hi: np.ndarray,
             order: list[int]) -> np.ndarray:
    """Raise each issue in `order` as far as every row and the box allow.

    Afterwards no package meeting every row is at least x on every issue and above it on
    one (for the issues in `order`): each is at the top of the box or held by a row with
    no slack that weighs it (raising later issues only uses up slack: one pass is enough).
    """
    slack = (b - A @ x).tolist()
    out = x.copy()
    top = hi.tolist()
    for i in order:
        room = top[i] - float(out[i])
        if room <= TOL:
            continue
        for row, s in zip(A[:, i].tolist(), slack, strict=True):
            if row > 0.0:
                room = min(room, max(s, 0.0) / row)
        if room > 0.0:
            out[i] += room
            slack = [s - row * room for s, row in zip(slack, A[:, i].tolist(), strict=True)]
    return out


@dataclass
class Roads:
    """Members' own roads from one opening towards the union's, as the hardest line reads them.

    Kept by an alliance while the openings and weights stand (a run, or until a pattern
    deal moves the openings). A member's road (its vertices, every member's cost at each,
    the order in which it concedes the issues) is built the first time it is asked for.
    """

    A: np.ndarray  # members' weights (rows)
    opening: np.ndarray
    far: np.ndarray
    union_weights: np.ndarray
    focus: float
    # per member, as Python floats (read a handful at a time, where numpy's calls cost more)
    opens: list[float] = field(init=False)  # each member's utility of the opening
    span: list[float] = field(init=False)  # ... less its utility of the union's opening
    firm: list[bool] = field(init=False)  # members who weigh every issue
    hi: np.ndarray = field(init=False)
    _built: dict[int, tuple[Road, np.ndarray, list[int]]] = field(init=False, default_factory=dict)
    _columns: dict[int, list[list[float]]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        opens = 1.0 - self.A @ self.opening
        self.opens = opens.tolist()
        self.span = (opens - (1.0 - self.A @ self.far)).tolist()
        self.firm = (self.A > 0.0).all(axis=1).tolist()
        self.hi = np.maximum(self.opening, self.far)

    def least_willing(self, limits: np.ndarray) -> int:
        """The member that has given up the smallest part of what it could give.

        Member m's part is (u_m(opening) - limit_m) / (u_m(opening) - u_m(union's
        opening)), in [0, 1]; a member to whom the two openings are worth the same has
        nothing to give and counts as fully willing. The first of equal parts (the first
        NaN, if any: numpy's argmin). Python floats: the same IEEE operations as numpy's
        element-wise ones, cheaper for a handful of members.
        """
        if not self.opens:
            raise ValueError("attempt to get argmin of an empty sequence")
        least, part = 0, math.inf
        for i, (opens, span, limit) in enumerate(zip(self.opens, self.span, limits.tolist(),
                                                      strict=True)):
            given = (opens - limit) / span if span > TOL else 1.0
            if given != given:
                return i
            given = 0.0 if given < 0.0 else 1.0 if given > 1.0 else given  # clipped to [0, 1]
            if i == 0 or given < part:
                least, part = i, given
        return least

    def member_road(self, i: int) -> tuple[Road, np.ndarray, list[int]]:
        """Member i's road, every member's cost at its vertices, and its order of issues."""
        hit = self._built.get(i)
        if hit is None:
            path = concession_path(self.A[i], False, self.opening, self.far,
                                   self.union_weights, self.focus)
            way = road(path)
            ranked = [j for j, _, _, _ in sorted(path.moves, key=lambda mv: -mv[2])]
            valued = [j for j in range(len(self.hi)) if self.union_weights[j] > 0.0]
            hit = self._built[i] = (way, self.A @ way.vertices.T,
                                    ranked + [j for j in valued if j not in ranked])
        return hit

    def furthest(self, i: int, b: np.ndarray) -> np.ndarray | None:
        """How far member i's road goes with A x <= b, then raised where every row allows."""
        way, costs, order = self.member_road(i)
        columns = self._columns.get(i)
        if columns is None:  # each vertex's costs, as Python floats (`_furthest`)
            columns = self._columns[i] = costs.T.tolist()
        x = _furthest(way, columns, b.tolist())
        if x is None:
            return None
        slack = (b - self.A @ x).tolist()
        if any(s <= TOL for s, firm in zip(slack, self.firm, strict=True) if firm):
            return x  # a member that weighs every issue holds them all
        return complete(x, self.A, b, self.hi, order)


_ROADS_OF: dict[tuple[bytes, ...], Roads] = {}


def roads(A: np.ndarray, opening: np.ndarray, far: np.ndarray, union_weights: np.ndarray,
          focus: float) -> Roads:
    """The members' `Roads` for these values, remembered by them (with the roads built).

    A pure function of its inputs: every run of a scenario meets the same openings and
    weights, so the members' roads are built once, not once a run.
    """
    key = (A.tobytes(), bytes(A.shape), opening.tobytes(), far.tobytes(),
           union_weights.tobytes(), str(focus).encode())
    hit = _ROADS_OF.get(key)
    if hit is None:
        if len(_ROADS_OF) >= 64:
            _ROADS_OF.clear()
        hit = _ROADS_OF[key] = Roads(frozen(A.copy()), frozen(opening.copy()),
                                     frozen(far.copy()), frozen(union_weights.copy()), focus)
    return hit
