"""The employers' alliance: one offer for all its members, made by a rule.

Each member m accepts a package x when its utility 1 - w_m.x is at least its limit utility.
The rule's limit package is acceptable to the members whose consent the rule needs, lies
between the alliance's opening and the union's, and is on the frontier: no package that
those members accept gives the union more on one issue without giving less on another
(`bargainsim.frontier`). The rules pick different points of it:

- `unanimity`: every member consents; of the packages they all accept, the one the union
  values most (a linear program, solved by a warm-started dual simplex);
- `share_weighted`: members holding a quorum of market share consent; starting from every
  member, the alliance drops, one at a time, the member whose consent costs the union most
  (whose removal raises the union's best package most) while the rest still hold the
  quorum, and offers the union's best package for those who remain;
- `hardest_line`: every member consents, and the least willing member sets the terms: the
  member whose own limit package gives the union least; the alliance concedes along that
  member's own road (what is cheap for it first) until some member objects, then raises
  whatever issues every member still accepts raising.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from bargainsim.agents.base import Bound, Party
from bargainsim.agents.company import Company
from bargainsim.frontier import TOL, Basis, Roads, frontier, roads
from bargainsim.packages import ConcessionPath, concession_path, frozen
from bargainsim.tactics import Tactic

if TYPE_CHECKING:
    from bargainsim.frontier import Frontier
    from bargainsim.table import Table


class Coalition(Party):
    """The alliance bargaining for its members when the mode says so."""

    wants_high = False
    plain_acceptance = False  # its members consent too (`consents`)

    def reset(
        self,
        name: str,
        members: list[Company],
        opening: np.ndarray,
        discount: float | None,
        tactic: Tactic,
        rule: str,
        quorum: float,
        publish_from: int | None,
    ) -> None:
        """Set the alliance up for a run: its members, pooled weights and patience, its rule."""
        self.members = list(members)
        self.rule = rule
        self.quorum = quorum
        self.publish_from = publish_from
        self._fixed_discount = discount
        self._rows = frozen(np.array([m.weights for m in self.members]))  # one per member
        super().reset(name, self._pooled_weights(), opening, 1.0, tactic)
        self.discount = self._pooled_discount()
        for m in self.members:
            m.in_coalition = True
        # the union-best problem met last and its optimal basis with every member (a run's
        # own warm start: each run starts cold, so a run never depends on the runs before)
        self._warm: tuple[Frontier, Basis] | None = None
        self._roads: tuple[tuple[np.ndarray, ...], Roads] | None = None  # see `_members_roads`

    def _pooled_weights(self) -> np.ndarray:
        """The members' weights (`_rows`) summed by their cost scales, normalised.

        The rows are summed in members' order by np.add.accumulate, which adds one after
        the other (np.add.reduce may pair them), so the sums of one array per member.
        """
        scales = np.array([m.cost_scale for m in self.members])
        costs = np.add.accumulate(scales[:, np.newaxis] * self._rows, axis=0)[-1]
        total = float(np.add.reduce(costs))  # np.sum's sum without its wrapper
        return frozen(costs / total if total > 0 else np.full(len(costs), 1.0 / len(costs)))

    def _pooled_discount(self) -> float:
        if self._fixed_discount is not None:
            return self._fixed_discount
        shares = np.array([m.share for m in self.members])
        d = np.array([m.discount for m in self.members])
        total = shares.sum()
        return float((shares @ d) / total) if total > 0 else float(d.mean())

    def remove_member(self, company: Company) -> None:
        """A member leaves (break-away): the alliance re-pools what remains."""
        self.members.remove(company)
        company.in_coalition = False
        self._rows = frozen(np.array([m.weights for m in self.members]))
        if self.members:
            self.weights = self._pooled_weights()
            self.discount = self._pooled_discount()
        self._warm = None  # another problem: its bases do not fit
        self._roads = None
        self._memo_revision = -1  # its weights changed: what it remembered no longer holds

    def _paths(self, table: Table) -> list[ConcessionPath]:
        """Each member's own road from the alliance's opening towards the union's."""
        far = table.union.opening_for(table)
        return [concession_path(m.weights, False, self.opening, far, table.union.weights,
                                self.model.focus) for m in self.members]

    def member_limits(self, table: Table) -> tuple[np.ndarray, np.ndarray]:
        """Each member's limit package (rows) and limit utility, kept for the revision.

        A member's limit package is the point of its own road from the alliance's opening
        where its utility has fallen to its limit utility.
        """
        def limits() -> tuple[np.ndarray, np.ndarray]:
            utils = np.array([m.limit_utility() for m in self.members])
            packages = np.array([path.package(u) for u, path in
                                 zip(utils.tolist(), self._paths(table), strict=True)])
            return packages, utils

        return self._at(table, "member_limits", limits)

    def _at(self, table: Table, name: str, compute: Callable[[], Any]) -> Any:
        """A value of the rule at `table`, computed once per revision (`remembered`).

        Members' losses, shares and openings change only between revisions, so within a
        week's talks the rule's limit and the members' urgency are computed once.
        """
        memo = self.remembered()
        key = (name, id(table))
        hit = memo.get(key)
        if hit is None or hit[0] is not table:
            hit = memo[key] = (table, compute())
        return hit[1]

    def limit_package(self, table: Table) -> np.ndarray:
        """The coalition's limit package under its rule."""
        return self._at(table, "limit_package", lambda: self._rule_limit(table))

    def _rule_limit(self, table: Table) -> np.ndarray:
        """The rule's point of the frontier for the members' limits this week."""
        far = table.union.opening_for(table)
        limits = np.array([m.limit_utility() for m in self.members])
        bounds = 1.0 - limits  # member m accepts x when w_m.x <= 1 - its limit utility
        if self.rule == "hardest_line":
            package = self._hardest_line(table, limits, bounds)
        else:
            package = self._union_best(table, far, bounds)
        return frozen(package)

    def _members_roads(self, table: Table) -> Roads:
        """The members' roads (`frontier.Roads`), kept while the openings and weights stand."""
        union = table.union
        key = (self.opening, union.opening_for(table), union.weights, self._rows)
        kept = self._roads
        if kept is None or any(a is not b for a, b in zip(kept[0], key, strict=True)):
            kept = self._roads = (key, roads(self._rows, self.opening, key[1], union.weights,
                                             self.model.focus))
        return kept[1]

    def _hardest_line(self, table: Table, limits: np.ndarray, bounds: np.ndarray) -> np.ndarray:
        """Along the least willing member's own road until a member objects, then raised.

        The least willing member is the one that has given up the smallest part of what it
        could give (`Roads.least_willing`): the alliance concedes as it would.
        """
        roads = self._members_roads(table)
        package = roads.furthest(roads.least_willing(limits), bounds)
        if package is None:  # a member refuses even the alliance's opening
            return self.opening.copy()
        return package

    def _union_best(self, table: Table, far: np.ndarray, bounds: np.ndarray) -> np.ndarray:
        """The union's best package acceptable to every member, or to a quorum of share."""
        problem = frontier(table.union.weights, self._rows, np.minimum(self.opening, far),
                           np.maximum(self.opening, far))
        start = None
        if self._warm is not None:
            before, basis = self._warm
            # a basis stays dual feasible for another box, not for other weights
            if before is problem or (np.array_equal(before.c, problem.c)
                                     and np.array_equal(before.A, problem.A)):
                start = basis
        if self.rule == "share_weighted":
            bounds = self._without_refusers(problem, bounds)
            if bounds is None:  # no quorum accepts even the opening
                return self.opening.copy()
        package, basis = problem.solve(bounds, start)
        self._warm = (problem, basis)
        if self.rule == "share_weighted":
            package = self._quorum_best(problem, bounds, package, basis)
        return self.opening.copy() if package is None else package

    def _without_refusers(self, problem: Frontier, bounds: np.ndarray) -> np.ndarray | None:
        """Bounds with the members who refuse even the lowest package of the box left out.

        Such a member accepts nothing the alliance could offer, so its consent is never
        had: the quorum must come from the others (None when they do not hold it).
        """
        refuses = self._rows @ problem.lo > bounds + TOL
        if not refuses.any():
            return bounds
        shares = np.array([m.share for m in self.members])
        if shares[~refuses].sum() < self.quorum * shares.sum() - 1e-12:
            return None
        return np.where(refuses, self._rows @ problem.hi + 1.0, bounds)

    def _quorum_best(self, problem: Frontier, bounds: np.ndarray, package: np.ndarray | None,
                     basis: Basis) -> np.ndarray | None:
        """Drop, one at a time, the member whose consent costs the union most.

        A member may be dropped while the others hold the quorum of market share; its
        cost is how much the union's best package gains without its consent. A member
        whose slack is basic in the optimal basis costs nothing (without its constraint
        the same basis stays optimal), nor does any once the union has all it asks. The
        first of equal costs goes; none goes for no gain. Members who refuse the whole box
        are already out (`_without_refusers`).
        """
        never = self._rows @ problem.hi + 1.0  # a bound no package in the box reaches
        shares = [m.share for m in self.members]
        kept = [bool(x) for x in (bounds < never).tolist()]
        need = self.quorum * sum(shares) - 1e-12
        held = sum(s for s, k in zip(shares, kept, strict=True) if k)
        value = problem.value(package)
        ceiling = problem.value(problem.hi) - TOL
        while value < ceiling:
            best: tuple[float, int, np.ndarray | None, Basis, np.ndarray] | None = None
            for i, share in enumerate(shares):
                if not kept[i] or held - share < need:
                    continue
                if package is not None and problem.n + i in basis.rows:
                    continue  # its slack is basic: its consent costs the union nothing
                trial = bounds.copy()
                trial[i] = never[i]
                found, found_basis = problem.solve(trial, basis)
                gain = problem.value(found)
                if gain > value + TOL and (best is None or gain > best[0] + TOL):
                    best = (gain, i, found, found_basis, trial)
            if best is None:
                return package
            value, i, package, basis, bounds = best
            kept[i] = False
            held -= shares[i]
        return package

    def limit_utility(self, table: Table) -> float:
        """Pooled utility of the limit package."""
        return self._at(table, "limit_utility",
                        lambda: self.utility(self.limit_package(table)))

    def urgency(self, table: Table | None = None) -> float:
        """Members' investor pressure, weighted by market share."""
        def pooled() -> float:
            shares = np.array([m.share for m in self.members])
            urgency = np.array([m.urgency() for m in self.members])
            return float(shares @ urgency / shares.sum())

        return pooled() if table is None else self._at(table, "urgency", pooled)

    def adjust_aim(
        self, base: Any, limit: float, table: Table, lower: Bound = min, upper: Bound = max
    ) -> Any:
        """The coalition's tactic, hurried towards its limit by its members' pressure."""
        u_lim = lower(limit, base)
        return base - self.urgency(table) * (base - u_lim)

    def ceiling_for(self, table: Table) -> np.ndarray | None:
        """Offers never go past the rule's limit package on any issue."""
        return self.limit_package(table)

    def consents(self, vector: np.ndarray, table: Table, t: float = 0.0, dt: float = 1.0) -> bool:
        """Whether members accept an incoming offer: all of them, or a quorum of share.

        A member consents when it would accept the offer bargaining alone: when the
        offer is worth at least the discounted value of the offer it would make itself.
        Under `hardest_line` and `unanimity` every member must consent (any can veto);
        under `share_weighted`, members holding a quorum of market share. A member with a
        seated player is asked only when its answer decides: when the other members'
        consent falls short of the need without it but reaches it with it, and the
        alliance itself would take the offer.
        """
        need = self.quorum if self.rule == "share_weighted" else 1.0
        members = self.members
        shares = tuple([m.share for m in members])
        made: list[np.ndarray] = []  # the shares as an array, made when first needed

        def reached(votes: np.ndarray) -> bool:
            if not made:
                made.append(np.array(shares))
            return _reached(made[0], votes, need)

        if all(m.player is None for m in members):
            # ask members in turn; stop once the refusals so far already sink the offer.
            # Whether every member, or all but the first to refuse, reach the need depends
            # on their shares alone (`_reached_all_but`, remembered by their values)
            votes = None
            for i, member in enumerate(members):
                if member.accepts(vector, t, dt, table):
                    continue
                if votes is None:
                    if not _reached_all_but(shares, i, need):
                        return False
                    votes = _all_but(len(members), i)
                    continue
                votes[i] = False
                if not reached(votes):
                    return False
            if votes is None:
                return _reached_all_but(shares, None, need)
            return reached(votes)
        seated = np.array([m.player is not None for m in members])
        ok = np.array([m.player is None and m.accepts(vector, t, dt, table) for m in self.members])
        if reached(ok) or not reached(ok | seated) or not self.prefers(vector, t, dt, table):
            return reached(ok)
        asked = [m.player is not None and m.decide_accept(vector, t, dt, table)
                 for m in self.members]
        return reached(ok | np.array(asked))

    def waiting_cost(self) -> float:
        """What a week more of strike costs its members, in its utility (share-weighted)."""
        shares = np.array([m.share for m in self.members])
        costs = np.array([m.waiting_cost() for m in self.members])
        return float(shares @ costs / shares.sum()) if shares.sum() > 0 else 0.0

    def publishes(self, week: int) -> bool:
        """Whether the coalition publishes its offer to the union's members this week."""
        return self.publish_from is not None and week >= self.publish_from


def _reached(shares: np.ndarray, votes: np.ndarray, need: float) -> bool:
    """Whether the members voting for an offer hold `need` of the members' market share."""
    return bool((shares @ votes) / shares.sum() + 1e-12 >= need)


def _all_but(members: int, refusing: int | None) -> np.ndarray:
    """Every member's vote for an offer but the refusing one's (None: every member's)."""
    votes = np.ones(members, dtype=bool)
    if refusing is not None:
        votes[refusing] = False
    return votes


_REACHED: dict[tuple[tuple[float, ...], int | None, float], bool] = {}
_REACHED_KEEP = 256


def _reached_all_but(shares: tuple[float, ...], refusing: int | None, need: float) -> bool:
    """`_reached` with every member but the refusing one, remembered by the shares' values.

    A pure function of its inputs: members' shares move only when one loses share, so
    nearly every offer of a run (and the runs after it) meets shares met before.
    """
    key = (shares, refusing, need)
    hit = _REACHED.get(key)
    if hit is None:
        if len(_REACHED) >= _REACHED_KEEP:
            _REACHED.clear()
        hit = _REACHED[key] = _reached(np.array(shares), _all_but(len(shares), refusing), need)
    return hit
