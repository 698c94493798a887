"""The subgame-perfect strategy of Rubinstein's alternating-offers game over one issue."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, ClassVar, Literal

import numpy as np
from pydantic import Field

from bargainsim.tactics.base import Tactic

if TYPE_CHECKING:
    from bargainsim.agents.base import Party
    from bargainsim.table import Table


def rubinstein_keep(d_self: float, d_opp: float, rounds_left: int | None) -> float:
    """Share of the pie a proposer keeps in subgame-perfect play.

    With `rounds_left` offers left (this one included) it solves the game backwards: the
    last proposer keeps everything, and each earlier proposer leaves the responder exactly
    what the responder would keep, discounted, by proposing next. With no limit it uses
    the stationary solution of keep = 1 - d_opp * (1 - d_self * keep).
    """
    if rounds_left is None:
        return (1.0 - d_opp) / (1.0 - d_self * d_opp)
    if rounds_left <= 0:
        return 0.0
    keep = 1.0  # the proposer of the last round takes everything
    for k in range(2, rounds_left + 1):
        # k rounds from the end the responder is this party when (rounds_left - k) is odd
        resp_d = d_self if (rounds_left - k) % 2 == 1 else d_opp
        keep = 1.0 - resp_d * keep
    return keep


class Rubinstein(Tactic):
    """Propose the subgame-perfect share; with `rounds`, the game ends after that many offers."""

    kind: Literal["rubinstein"]
    rounds: Annotated[int, Field(ge=1, le=100_000)] | None = None

    foreseeable: ClassVar[bool] = True  # the endless game's share is the same at every move
    pressured: ClassVar[bool] = False  # an equilibrium strategy: no pressure moves it
    max_issues: ClassVar[int | None] = 1  # one divisible pie

    def aim(self, party: Party, table: Table, t: float, u_open: float, u_limit: float) -> float:
        """The share a proposer keeps, given both sides' discounts and the rounds left."""
        return rubinstein_keep(party.discount, table.other(party).discount, self.rounds_left(t))

    def aims(
        self, party: Party, table: Table, ts: np.ndarray, u_open: float, u_limit: float
    ) -> np.ndarray:
        """The endless game's share at every time in `ts`."""
        return np.full(len(ts), rubinstein_keep(party.discount, table.other(party).discount, None))

    def can_foresee(self) -> bool:
        """Only the endless game: with a last round the share changes move by move."""
        return self.rounds is None

    def rounds_left(self, t: float) -> int | None:
        """Offers left at time t (move t is the (t+1)-th offer); None in the endless game."""
        return None if self.rounds is None else self.rounds - int(round(t))

    def needs_discount(self) -> bool:
        """The endless game has an equilibrium only if a side discounts."""
        return self.rounds is None
