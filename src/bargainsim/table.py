"""A bargaining table: the union and one employer side alternating offers.

Talks at a table are held in sessions that happen, break down and resume by chance
(the table's own random stream). Within a session sides alternate: the side to move
accepts the standing offer when it is worth at least the discounted value of the
offer it would make instead, or makes that offer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np

from bargainsim.agents.base import Party
from bargainsim.packages import clip_towards

if TYPE_CHECKING:
    from bargainsim.agents.coalition import Coalition
    from bargainsim.agents.company import Company
    from bargainsim.agents.union import Union

Side = Literal["union", "employer"]
_BLOCK = 64  # uniform draws made at once
# sides whose accepting is `prefers` alone can be foreseen; a coalition's members consent too
_PLAIN = (Party.consents, Party.accepts, Party.prefers)


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
    # the next mover's proposal, left by a look-ahead: (time, side, package)
    foreseen: tuple[float, Side, np.ndarray] | None = field(default=None, repr=False)
    # offers made at this table in order (side, package), kept when a tactic reads them
    history: list[tuple[Side, np.ndarray]] = field(init=False, default_factory=list, repr=False)
    _drawn: list[float] = field(init=False, default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self.next_mover = self.first
        self.keeps_history = self.union.tactic.uses_history or self.employer.tactic.uses_history

    @property
    def name(self) -> str:
        """The employer side's name."""
        return self.employer.name

    def party(self, side: Side) -> Party:
        """The party on a side."""
        return self.union if side == "union" else self.employer

    def side_of(self, party: Party) -> Side:
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

    def other(self, party: Party) -> Party:
        """The party across the table."""
        return self.employer if party is self.union else self.union

    def move(self, t: float, dt: float) -> np.ndarray | None:
        """One move at time t; returns the agreed package when the mover accepts."""
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
        offer = mover.trimmed(own, self) if own is not None else mover.decide_offer(t, self)
        self.put(side, offer)
        self.next_mover = "employer" if side == "union" else "union"
        return None

    def look_ahead(self, ts: np.ndarray, dt: float) -> Lookahead | None:
        """How many of the moves at times `ts` would pass quietly, computed at once.

        A quiet move ends in an offer, not an acceptance, and the offer needs no
        trimming; such moves change nothing but the offers on the table. Both sides'
        proposals for all the moves are computed at once (`Party.proposals`, equal bit
        for bit to `proposal`), as are the acceptance tests (`prefers`). Each test is
        made again one at a time, exactly, when rounding in the vectorised arithmetic
        could decide it. None when a side's moves cannot be computed ahead: a seated player,
        a finite Rubinstein game, a side with conditions on accepting (a coalition).
        """
        first: Side = self.next_mover
        second: Side = "employer" if first == "union" else "union"
        rows: dict[Side, np.ndarray] = {}
        for side, start in ((first, 0), (second, 1)):
            party = self.party(side)
            kind = type(party)
            if (kind.consents, kind.accepts, kind.prefers) != _PLAIN:
                return None
            times = ts[start::2]
            proposed = party.proposals(times, self) if len(times) else np.empty((0, 0))
            if proposed is None or not math.isfinite(proposed.sum()):  # sum: NaN and inf stay
                return None  # (one at a time, such a party's arithmetic raises or says NaN)
            rows[side] = proposed
        quiet = len(ts)
        for side, start in ((first, 0), (second, 1)):
            party, own = self.party(side), rows[side]
            if not len(own):
                continue
            theirs = rows[second if side == first else first]
            # the other side's offer each move faces: the one made the move before
            if start == 1:
                facing, skip = theirs[: len(own)], 0
            else:
                latest = self.employer_offer if side == "union" else self.union_offer
                before = theirs[: len(own) - 1]
                if latest is None:  # the first move of the talks faces nothing
                    facing, skip = before, 1
                else:
                    facing, skip = np.concatenate([latest[None, :], before]), 0
            own = own[skip:]  # row m is now the side's move start + 2 (m + skip)
            if not len(own):
                continue
            # after a vote rejected a deal the last offer stays but no longer stands
            drop = int(start == 0 and skip == 0
                       and (self.standing is None or self.standing[0] == side))
            end = len(own)  # rows from here on do not matter: the side accepts at `end`
            if len(own) > drop:
                judged, offered = own[drop:], facing[drop:]
                margin = party.margins(offered, judged, party.discount**dt)
                # the first move that accepts: a margin of 1e-12 or more accepts, one of
                # -1e-12 or less refuses, and a test in between is made again exactly
                maybe = margin > -1e-12
                hit = _first(maybe)
                while hit is not None and margin[hit] < 1e-12:
                    t = float(ts[start + 2 * (hit + drop + skip)])
                    if party.prefers(offered[hit], t, dt, self, judged[hit]):
                        break
                    rest = maybe[hit + 1:]  # empty after the last move: no accepting move
                    later = _first(rest) if len(rest) else None
                    hit = None if later is None else hit + 1 + later
                if hit is not None:
                    end = hit + drop
                    quiet = min(quiet, start + 2 * (end + skip))
            # an offer beyond what the other side asks would be trimmed: not quiet
            if end:
                mine = own[:end]
                trimmed = clip_towards(mine, party.opening_for(self), facing[:end]) != mine
                if np.count_nonzero(trimmed):  # cheaper than .any() on small arrays
                    m = _first(trimmed.any(axis=1))
                    quiet = min(quiet, start + 2 * (m + skip))
        return Lookahead(quiet, first, second, rows, ts)

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


def _first(mask: np.ndarray) -> int | None:
    """Index of the first True in a boolean vector, None if there is none."""
    i = int(mask.argmax())
    return i if mask[i] else None


@dataclass
class Lookahead:
    """The next `quiet` moves at a table, foreseen (see `Table.look_ahead`)."""

    quiet: int
    first: Side
    second: Side
    rows: dict[Side, np.ndarray]
    ts: np.ndarray

    def apply(self, table: Table, k: int) -> None:
        """Make the first k (<= quiet) moves: the table as the moves one by one leave it."""
        if k <= 0:
            return
        for side, start in ((self.first, 0), (self.second, 1)):
            made = (k - start + 1) // 2  # moves start, start + 2, ... below k
            if made > 0:
                offer = self.rows[side][made - 1].copy()
                if side == "union":
                    table.union_offer = offer
                else:
                    table.employer_offer = offer
        last: Side = self.first if (k - 1) % 2 == 0 else self.second
        offer = table.union_offer if last == "union" else table.employer_offer
        assert offer is not None
        table.standing = (last, offer)
        table.next_mover = nxt = self.first if k % 2 == 0 else self.second
        if k < len(self.ts):  # the next move's proposal is known too
            table.foreseen = (float(self.ts[k]), nxt, self.rows[nxt][k // 2])
