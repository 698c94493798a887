"""A bargaining table: the union and one employer side alternating offers.

Talks at a table are held in sessions that happen, break down and resume by chance
(the table's own random stream). Within a session sides alternate: the side to move
accepts the standing offer when it is worth at least the discounted value of the
offer it would make instead, or makes that offer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np

if TYPE_CHECKING:
    from bargainsim.agents.base import Party
    from bargainsim.agents.coalition import Coalition
    from bargainsim.agents.company import Company
    from bargainsim.agents.union import Union

Side = Literal["union", "employer"]
_BLOCK = 64  # uniform draws made at once


@dataclass
class Table:
    """One negotiation between the union and a company or the coalition."""

    union: Union
    employer: Company | Coalition
    covers: list[Company]
    rng: np.random.Generator | None = None
    first: Side = "union"
    talks_on: bool = True
    closed: bool = False
    standing: tuple[Side, np.ndarray] | None = None
    employer_offer: np.ndarray | None = None
    union_offer: np.ndarray | None = None
    next_mover: Side = field(init=False)
    _drawn: list[float] = field(init=False, default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self.next_mover = self.first

    @property
    def name(self) -> str:
        """The employer side's name."""
        return self.employer.name

    def party(self, side: Side) -> Party:
        """The party on a side."""
        return self.union if side == "union" else self.employer

    def other(self, party: Party) -> Party:
        """The party across the table."""
        return self.employer if party is self.union else self.union

    def move(self, t: float, dt: float) -> np.ndarray | None:
        """One move at time t; returns the agreed package when the mover accepts."""
        side = self.next_mover
        mover = self.party(side)
        # the strategy's proposal: its yardstick for accepting and, trimmed to what the other
        # side asks, its counter-offer (a seated player decides both itself)
        own = mover.proposal(t, self) if mover.player is None else None
        if self.standing is not None and self.standing[0] != side:
            if mover.decide_accept(self.standing[1], t, dt, self, own):
                return self.standing[1]
        offer = mover.trimmed(own, self) if own is not None else mover.decide_offer(t, self)
        self.standing = (side, offer)
        if side == "union":
            self.union_offer = offer
        else:
            self.employer_offer = offer
        self.next_mover = "employer" if side == "union" else "union"
        return None

    def schedule(self, week: int, first_week: int, meet: float, resume: float) -> bool:
        """Whether a session is held this week; draws the same numbers every week."""
        u_meet, u_resume = self._uniform(), self._uniform()
        if week < first_week:
            return False
        if not self.talks_on and u_resume < resume:
            self.talks_on = True
        return self.talks_on and u_meet < meet

    def after_session(self, breakdown: float) -> None:
        """A session without a deal may break the talks down."""
        if self._uniform() < breakdown:
            self.talks_on = False

    def _uniform(self) -> float:
        """The table's next uniform draw, taken from a block drawn ahead.

        `rng.random(n)` gives the same numbers as n calls of `rng.random()`, so the
        draws are those of one at a time, at a fraction of the cost.
        """
        if not self._drawn:
            assert self.rng is not None
            self._drawn = self.rng.random(_BLOCK).tolist()
            self._drawn.reverse()
        return self._drawn.pop()

    def reset_after_rejection(self) -> None:
        """Members voted a tentative deal down: the offer is off the table."""
        self.standing = None
