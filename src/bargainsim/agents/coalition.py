"""The employers' alliance: one offer for all its members, made by a rule.

Each member reports its limit package (how far it would go now, conceding what is cheap
for it first); the rule turns them into the coalition's limit: `hardest_line` takes each
issue at the level of its least willing member, `unanimity` goes as far along the line
to the most generous member's package as every member accepts, `share_weighted` takes
the market-share-weighted mean and scales it back until a quorum of share consents.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from bargainsim.agents.base import Bound, Party
from bargainsim.agents.company import Company
from bargainsim.packages import TIE, concede, frozen
from bargainsim.tactics import Tactic

if TYPE_CHECKING:
    from bargainsim.table import Table

_GRID = np.linspace(0.0, 1.0, 33)


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
        super().reset(name, self._pooled_weights(), opening, 1.0, tactic)
        self.discount = self._pooled_discount()
        for m in self.members:
            m.in_coalition = True

    def _pooled_weights(self) -> np.ndarray:
        costs = sum(m.cost_scale * m.weights for m in self.members)
        total = float(np.sum(costs))
        return frozen(costs / total if total > 0 else np.full(len(costs), 1.0 / len(costs)))

    def _pooled_discount(self) -> float:
        if self._fixed_discount is not None:
            return self._fixed_discount
        shares = np.array([m.share for m in self.members])
        d = np.array([m.discount for m in self.members])
        return float((shares @ d) / shares.sum()) if shares.sum() > 0 else float(d.mean())

    def remove_member(self, company: Company) -> None:
        """A member leaves (break-away): the alliance re-pools what remains."""
        self.members.remove(company)
        company.in_coalition = False
        if self.members:
            self.weights = self._pooled_weights()
            self.discount = self._pooled_discount()
        self._memo_revision = -1  # its weights changed: what it remembered no longer holds

    def member_limits(self, table: Table) -> tuple[np.ndarray, np.ndarray]:
        """Each member's limit package (rows) and limit utility, kept for the revision."""
        def limits() -> tuple[np.ndarray, np.ndarray]:
            utils = [m.limit_utility() for m in self.members]
            far = table.union.opening_for(table)
            packages = np.array([
                concede(u, m.weights, False, m.opening, far, table.union.weights,
                        focus=self.model.focus)
                for m, u in zip(self.members, utils, strict=True)
            ])
            return packages, np.array(utils)

        return self._at(table, "member_limits", limits)

    def _member_utils(self, vectors: np.ndarray) -> np.ndarray:
        """Members' utilities (rows) of packages (columns)."""
        w = np.array([m.weights for m in self.members])
        return 1.0 - w @ np.atleast_2d(vectors).T

    def _consent_share(self, vectors: np.ndarray, limits: np.ndarray) -> np.ndarray:
        shares = np.array([m.share for m in self.members])
        ok = self._member_utils(vectors) + TIE >= limits[:, None]
        return (shares @ ok) / shares.sum()

    def _scale_back(self, target: np.ndarray, limits: np.ndarray, need: float) -> np.ndarray:
        """Furthest point on the line opening -> target whose consent reaches `need`."""
        lo, hi = 0.0, 1.0
        for _ in range(2):
            grid = lo + (hi - lo) * _GRID
            pts = self.opening[None, :] + grid[:, None] * (target - self.opening)[None, :]
            ok = self._consent_share(pts, limits) + 1e-12 >= need
            if ok.all():
                return pts[-1]
            first_bad = int(np.argmin(ok))
            if first_bad == 0:
                return self.opening.copy()
            lo, hi = grid[first_bad - 1], grid[first_bad]
        return self.opening + lo * (target - self.opening)

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
        packages, limits = self.member_limits(table)
        if self.rule == "hardest_line":
            return packages.min(axis=0)
        if self.rule == "unanimity":
            return self._scale_back(packages.max(axis=0), limits, 1.0)
        shares = np.array([m.share for m in self.members])
        mean = (shares @ packages) / shares.sum()
        return self._scale_back(mean, limits, self.quorum)

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
        shares = np.array([m.share for m in self.members])

        def reached(votes: np.ndarray) -> bool:
            return bool((shares @ votes) / shares.sum() + 1e-12 >= need)

        seated = np.array([m.player is not None for m in self.members])
        if not seated.any():
            # ask members in turn; stop once the refusals so far already sink the offer
            votes = np.ones(len(self.members), dtype=bool)
            for i, member in enumerate(self.members):
                if not member.accepts(vector, t, dt, table):
                    votes[i] = False
                    if not reached(votes):
                        return False
            return reached(votes)
        ok = np.array([m.player is None and m.accepts(vector, t, dt, table) for m in self.members])
        if reached(ok) or not reached(ok | seated) or not self.prefers(vector, t, dt, table):
            return reached(ok)
        asked = [m.player is not None and m.decide_accept(vector, t, dt, table)
                 for m in self.members]
        return reached(ok | np.array(asked))

    def publishes(self, week: int) -> bool:
        """Whether the coalition publishes its offer to the union's members this week."""
        return self.publish_from is not None and week >= self.publish_from
