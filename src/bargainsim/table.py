"""A bargaining table: the union and one employer side alternating offers.

Talks at a table are held in sessions that happen, break down and resume by chance
(the table's own random stream). Within a session sides alternate: the side to move
accepts the standing offer when it is worth at least the discounted value of the
offer it would make instead, or makes that offer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import numpy as np

from bargainsim.talks import Draw, blend, scores

Side = Literal["union", "employer"]
_BLOCK = 64  # uniform draws made at once


class Seat(Protocol):
    """What a table needs from a party sitting at it (`agents.Party` is one).

    The table knows parties only through this, so tables and agents do not import each
    other: agents read tables, the model seats agents at them.
    """

    name: str
    tactic: Any  # its `uses_history` says whether the table keeps the history of offers
    player: Any  # a seated player (`bargainsim play`), or None
    discount: float

    def proposal(self, t: float, table: Table) -> np.ndarray:
        """What it would propose now: its counter-offer before trimming, its yardstick."""
        ...

    def trimmed(self, package: np.ndarray, table: Table) -> np.ndarray:
        """A proposal trimmed to what the other side asks."""
        ...

    def decide_accept(self, vector: np.ndarray, t: float, dt: float, table: Table,
                      own: np.ndarray | None = None) -> bool:
        """Whether it accepts the standing offer (its player's answer, else its strategy's)."""
        ...

    def decide_offer(self, t: float, table: Table) -> np.ndarray:
        """The offer it makes (its player's, else its strategy's)."""
        ...


@dataclass
class Table:
    """One negotiation between the union and a company or the coalition."""

    union: Any  # Seat; the union (typed Any so the model can reach its members)
    employer: Any  # Seat; a company or the coalition
    covers: list[Any]  # the companies a deal here covers
    rng: np.random.Generator | None = None
    first: Side = "union"
    talks_on: bool = True
    closed: bool = False
    standing: tuple[Side, np.ndarray] | None = None
    employer_offer: np.ndarray | None = None
    union_offer: np.ndarray | None = None
    serial: int = 0  # the order in which the model opened it (the rotating rule's order)
    proposer: Literal["alternating", "union"] = "alternating"  # who makes offers
    # told of every offer put and every demand rejected (`information.PrivateInformation`)
    observer: Any = None
    next_mover: Side = field(init=False)
    # the next mover's proposal, left by a look-ahead: (time, side, package)
    foreseen: tuple[float, Side, np.ndarray] | None = field(default=None, repr=False)
    # offers made at this table in order (side, package), kept when a tactic reads them
    history: list[tuple[Side, np.ndarray]] = field(init=False, default_factory=list, repr=False)
    sessions: list[int] = field(init=False, default_factory=list, repr=False)  # weeks it met
    _drawn: list[float] = field(init=False, default_factory=list, repr=False)
    _scored: list[Draw] = field(init=False, default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self.next_mover = self.first
        self.keeps_history = self.union.tactic.uses_history or self.employer.tactic.uses_history

    @property
    def name(self) -> str:
        """The employer side's name."""
        return self.employer.name

    def party(self, side: Side) -> Seat:
        """The party on a side."""
        return self.union if side == "union" else self.employer

    def side_of(self, party: Seat) -> Side:
        """The side a party sits on."""
        return "union" if party is self.union else "employer"

    def put(self, side: Side, offer: np.ndarray) -> None:
        """An offer made: it stands, and is the side's latest (and history, when kept)."""
        self.standing = (side, offer)
        if side == "union":
            self.union_offer = offer
        else:
            self.employer_offer = offer
        if self.keeps_history:
            self.history.append((side, offer))

    def other(self, party: Seat) -> Any:
        """The party across the table."""
        return self.employer if party is self.union else self.union

    def move(self, t: float, dt: float) -> np.ndarray | None:
        """One move at time t; returns the agreed package when the mover accepts."""
        if self.proposer == "union":
            return self._demand(t, dt)
        side = self.next_mover
        mover = self.party(side)
        # the strategy's proposal: its yardstick for accepting and, trimmed to what the other
        # side asks, its counter-offer (a seated player decides both itself)
        own = None
        if mover.player is None:
            foreseen, self.foreseen = self.foreseen, None
            if foreseen is not None and foreseen[0] == t and foreseen[1] == side:
                own = foreseen[2]  # computed by the look-ahead that led to this move
            else:
                own = mover.proposal(t, self)
        if self.standing is not None and self.standing[0] != side:
            if mover.decide_accept(self.standing[1], t, dt, self, own):
                return self.standing[1]
            if self.observer is not None and side == "employer":
                self.observer.rejected(self)
        offer = mover.trimmed(own, self) if own is not None else mover.decide_offer(t, self)
        self.put(side, offer)
        if self.observer is not None:
            self.observer.offered(self, side, offer, t)
        self.next_mover = "employer" if side == "union" else "union"
        return None

    def _demand(self, t: float, dt: float) -> np.ndarray | None:
        """A move when the union alone makes offers: it demands, the employer answers."""
        offer = self.union.decide_offer(t, self)
        self.put("union", offer)
        if self.observer is not None:
            self.observer.offered(self, "union", offer, t)
        if self.employer.decide_accept(offer, t, dt, self):
            return offer
        if self.observer is not None:
            self.observer.rejected(self)
        return None

    def schedule(self, week: int, first_week: int, meet: float, resume: float,
                 shared: tuple[Draw, Draw, Draw] | None = None,
                 correlation: float = 0.0) -> bool:
        """Whether talks would hold a session this week; draws the same numbers every week.

        `shared` is the week's calendar draws, blended with the table's own by
        `correlation` (`talks.blend`); None: the table's own draws alone.
        """
        if shared is None:
            u_meet, u_resume = self._uniform(), self._uniform()
        else:
            own_meet, own_resume = self._draw(), self._draw()
            u_meet = blend(own_meet, shared[0], correlation)
            u_resume = blend(own_resume, shared[1], correlation)
        if week < first_week:
            return False
        if not self.talks_on and u_resume < resume:
            self.talks_on = True
        return self.talks_on and u_meet < meet

    def after_session(self, breakdown: float, shared: tuple[Draw, Draw, Draw] | None = None,
                      correlation: float = 0.0) -> None:
        """A session without a deal may break the talks down."""
        u = self._uniform() if shared is None else blend(self._draw(), shared[2], correlation)
        if u < breakdown:
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

    def _draw(self) -> Draw:
        """The table's next uniform draw with its normal score (for a shared calendar).

        The same uniforms as `_uniform` (one stream, one order); a table draws one way or
        the other for the whole run.
        """
        if not self._scored:
            assert self.rng is not None
            self._scored = scores(self.rng.random(_BLOCK))
            self._scored.reverse()
        return self._scored.pop()

    def reset_after_rejection(self) -> None:
        """Members voted a tentative deal down: the offer is off the table."""
        self.standing = None
