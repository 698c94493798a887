"""What every bargaining party shares: preferences, patience, a tactic, offers, acceptance.

A party's decisions (accept an offer or make one, and for a company whether to leave
its coalition or sign an interim agreement) go through its `decide_*` methods: they ask
the party's `player` when one is seated (a student in `bargainsim play`), and the party's
own strategy otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

import mesa
import numpy as np

from bargainsim.packages import TIE, ConcessionPath, clip_towards, concession_path, utility
from bargainsim.tactics import Tactic

if TYPE_CHECKING:
    from bargainsim.table import Table


Bound = Callable[[Any, Any], Any]  # min or max, for one value or element-wise
_MEMO_KEEP = 64  # entries a party's memo holds before it starts again


class Player(Protocol):
    """Someone who takes a party's decisions in place of its strategy."""

    def accept(self, party: Party, vector: np.ndarray, t: float, dt: float, table: Table) -> bool:
        """Whether `party` accepts the normalised package `vector` standing at `table`."""
        ...

    def propose(self, party: Party, t: float, table: Table) -> np.ndarray:
        """The normalised package `party` proposes at `table` at time t."""
        ...

    def leave(self, party: Party) -> bool:
        """Whether `party`, a coalition member, breaks away this week."""
        ...

    def sign(self, party: Party, terms: np.ndarray, table: Table) -> bool:
        """Whether `party`, a company, signs the interim agreement on `terms` offered this week."""
        ...


class Party(mesa.Agent):
    """A side at a bargaining table: it aims for a utility and turns it into an offer.

    Subclasses say where the party's limit is (static, driven by losses, by members'
    hardship, or by a coalition's rule) and may add conditions to accepting.
    """

    wants_high: bool = False
    # accepting is `prefers` alone (no members to consult): the speed layer may foresee it
    plain_acceptance: bool = True
    player: Player | None = None  # seated by `bargainsim play`; None: the strategy decides

    def __init__(self, model: mesa.Model, *args: Any) -> None:
        """Register with Mesa (which gives the agent its id), then set up the run (`reset`)."""
        super().__init__(model)
        self._memo: dict[Any, Any] = {}  # see `remembered`
        self._memo_revision = -1
        # utilities of read-only packages under read-only weights (see `worth`)
        self._worth: dict[tuple[int, int], tuple[np.ndarray, np.ndarray, float]] = {}
        self.reset(*args)

    def reset(
        self, name: str, weights: np.ndarray, opening: np.ndarray, discount: float,
        tactic: Tactic,
    ) -> None:
        """Set the party up for a run: the state a run starts from (its next run, too).

        `BargainingModel.restart` calls it on the parties it keeps, with the arguments a
        new party would get; subclasses extend it with their own state.
        """
        self.name = name
        self.weights = weights
        self.opening = opening
        self.discount = discount
        self.tactic = tactic
        self.player = None
        # a game with a last round (finite Rubinstein): proposals and acceptance end there
        self.finite = tactic.rounds_left(0.0) is not None

    def utility(self, vector: np.ndarray) -> float:
        """This party's utility in [0, 1] of a normalised package."""
        return utility(self.weights, vector, self.wants_high)

    def remembered(self) -> dict[Any, Any]:
        """Values derived from the model's state, kept while the model's revision stands.

        One of the two kinds of memo in bargainsim (docs/model.md, "What is remembered"):
        a company's limit, the union's pivotal ratio, a coalition's rule values are
        functions of parties' state (losses, shares, members' savings, openings), which
        changes only between revisions (`BargainingModel.revision`: a new one each run,
        and each week before and after the week's changes; a vote changes only what is
        read live, the union's floor). A new revision starts an empty memo.
        """
        if self._memo_revision != self.model.revision:
            self._memo = {}
            self._memo_revision = self.model.revision
        return self._memo

    def worth(self, fixed: np.ndarray) -> float:
        """`utility` of a standing package (an opening, a limit).

        The other kind of memo: a pure function remembered by its inputs. A read-only
        package under read-only weights (openings, limits and weights are prepared or
        made read-only) is its own value, so its utility is kept by identity (the entry
        holds both arrays, so their ids are not reused while it stands); at most 64.
        """
        weights = self.weights
        key = (id(fixed), id(weights))
        hit = self._worth.get(key)
        if hit is not None and hit[0] is fixed and hit[1] is weights:
            return hit[2]
        u = self.utility(fixed)
        if not (fixed.flags.writeable or weights.flags.writeable):  # kept only when read-only
            if len(self._worth) >= _MEMO_KEEP:  # runs that replace openings add entries
                self._worth.clear()
            self._worth[key] = (fixed, weights, u)
        return u

    def limit_utility(self, table: Table) -> float:
        """The least utility this party would settle for now."""
        raise NotImplementedError

    def effective_limit(self, table: Table) -> float:
        """Its limit, no lower than the other side's opening (conceding everything)."""
        limit = self.limit_utility(table)
        floor = self.worth(table.other(self).opening_for(table))
        return floor if floor > limit else limit  # max(limit, floor) without builtin max's call

    def opening_for(self, table: Table) -> np.ndarray:
        """Where this party starts at `table` (the union may start from a pattern deal)."""
        return self.opening

    def ceiling_for(self, table: Table) -> np.ndarray | None:
        """How far each issue may move at most (a coalition's agreed limit); None: no cap."""
        return None

    def aim(self, t: float, table: Table) -> float:
        """The utility this party aims for at time t at this table: its tactic's, adjusted."""
        limit = self.effective_limit(table)
        return self.adjust_aim(self.tactic_aim(t, table, limit), limit, table)

    def tactic_aim(self, t: float, table: Table, limit: float) -> float:
        """What the tactic alone aims for at time t, given the effective limit."""
        return self.tactic.aim(self, table, t, self.worth(self.opening_for(table)), limit)

    def over(self, t: float) -> bool:
        """Whether a game with a last round has no offer left at time t."""
        if not self.finite:
            return False
        left = self.tactic.rounds_left(t)
        return left is not None and left <= 0

    def adjust_aim(
        self, base: Any, limit: float, table: Table, lower: Bound = min, upper: Bound = max
    ) -> Any:
        """Pressure on top of the tactic (investor pressure, solidarity); none by default.

        `base` is one aim (with `lower`, `upper` = min, max) or an array of aims (with
        np.minimum, np.maximum): one formula serves both, so they agree bit for bit.
        """
        return base

    def offer(self, t: float, table: Table) -> np.ndarray:
        """The package this party proposes at time t: its proposal, trimmed to what is asked."""
        return self.trimmed(self.proposal(t, table), table)

    def proposal(self, t: float, table: Table) -> np.ndarray:
        """What its tactic proposes at time t; also its yardstick for accepting.

        The yardstick is the proposal before trimming: a trimmed offer keeps back concessions
        the other side no longer asks for, and judging offers against it would refuse
        packages worth more than the aim. After a game's last round: its opening.
        """
        if self.finite and self.over(t):
            return self.opening_for(table).copy()
        return self.tactic.propose(self, table, t)

    def package_at(self, target: float, table: Table) -> np.ndarray:
        """A package worth `target` to it, conceded where it gives most, within its ceiling."""
        other = table.other(self)
        opening = self.opening_for(table)
        far = other.opening_for(table)
        package = self.road(table, opening, far, other).package(target)
        ceiling = self.ceiling_for(table)
        if ceiling is not None:
            package = clip_towards(package, opening, ceiling)
        return self.model.space.snap(package, self.wants_high, opening, far)

    def bounded(self, package: np.ndarray, table: Table) -> np.ndarray:
        """A package a tactic built issue by issue, kept between its opening and its limit.

        The limit package is where its concession path reaches its current limit; then
        its ceiling, and discrete issues' allowed values, apply as to any proposal.
        """
        opening = self.opening_for(table)
        limit = self.package_at(self.effective_limit(table), table)
        inside = clip_towards(package, opening, limit)
        far = table.other(self).opening_for(table)
        return self.model.space.snap(inside, self.wants_high, opening, far)

    @property
    def foreseeable(self) -> bool:
        """Whether the speed layer may compute its moves ahead (`bargainsim.speed`).

        Its tactic may be foreseen, no player is seated, and accepting asks no one else.
        """
        return (self.player is None and self.plain_acceptance and self.tactic.can_foresee()
                and self.model.information is None)

    def trimmed(self, package: np.ndarray, table: Table) -> np.ndarray:
        """Never give more on an issue than the other side asks for it now."""
        theirs = table.employer_offer if self is table.union else table.union_offer
        if theirs is None:
            return package
        return clip_towards(package, self.opening_for(table), theirs)

    def road(
        self, table: Table, opening: np.ndarray, far: np.ndarray, other: Party
    ) -> ConcessionPath:
        """The concession path at this table (`packages.concession_path`, remembered there)."""
        return concession_path(self.weights, self.wants_high, opening, far, other.weights,
                               self.model.focus)

    def give_in(self) -> None:
        """War of attrition: concede now (a scheduled event at a real-valued time)."""
        self.model.attrition_concession(self, float(self.model.time))

    def consents(self, vector: np.ndarray, table: Table, t: float = 0.0, dt: float = 1.0) -> bool:
        """Extra conditions on accepting (a coalition's rule); a single party has none."""
        return True

    def accepts(
        self,
        vector: np.ndarray,
        t: float,
        dt: float,
        table: Table,
        own: np.ndarray | None = None,
    ) -> bool:
        """Accept when the offer is worth at least the discounted value of its own next offer.

        `own` is that next offer when the caller has already computed it.
        """
        if not self.consents(vector, table, t, dt):
            return False
        return self.prefers(vector, t, dt, table, own)

    def prefers(
        self, vector: np.ndarray, t: float, dt: float, table: Table, own: np.ndarray | None = None
    ) -> bool:
        """Whether the offer is worth at least the discounted value of its own next offer."""
        if self.finite and self.over(t):
            return self.utility(vector) + TIE >= 0.0
        info = self.model.information
        if info is not None:  # private types: screening's rules
            return info.prefers(self, vector, t, dt, table)
        own_next = self.utility(own if own is not None else self.proposal(t, table))
        return self.utility(vector) + TIE >= (self.discount**dt) * own_next

    def decide_accept(
        self, vector: np.ndarray, t: float, dt: float, table: Table, own: np.ndarray | None = None
    ) -> bool:
        """Accept the standing offer? The seated player decides, else the strategy.

        `own` is the strategy's counter-offer when the caller has already computed it.
        """
        if self.player is not None:
            return self.player.accept(self, vector, t, dt, table)
        return self.accepts(vector, t, dt, table, own)

    def decide_offer(self, t: float, table: Table) -> np.ndarray:
        """The offer to make: the seated player's, else the strategy's."""
        if self.player is not None:
            return self.player.propose(self, t, table)
        return self.offer(t, table)
