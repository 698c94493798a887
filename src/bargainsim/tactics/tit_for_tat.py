"""Faratin, Sierra and Jennings' (1998) behaviour-dependent tactics: tit for tat, per issue.

A party playing tit for tat reproduces, issue by issue, what the other side did δ of its
offers ago (2δ moves back at the table, whatever the clock): the relative version in
proportion (the other side's offer at t_{n-2δ} over its offer at t_{n-2δ+2}, times this
party's last offer), the absolute version in units (this party's last offer plus the
other side's move between those two offers, plus an optional random extra concession
of up to `noise` units). Each result is kept between the party's opening and its limit
package on that issue. Until the other side has made δ + 1 offers, and this party one,
it repeats its last offer (its opening at first), as the paper's "initial value".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, ClassVar, Literal

import numpy as np
from pydantic import Field

from bargainsim.tactics.base import Tactic

if TYPE_CHECKING:
    from bargainsim.agents.base import Party
    from bargainsim.table import Table


class TitForTat(Tactic):
    """What both tit-for-tat tactics share: the window, the history, the bounds."""

    delta: Annotated[int, Field(ge=1, le=10_000)] = 1

    uses_history: ClassVar[bool] = True

    def propose(self, party: Party, table: Table, t: float) -> np.ndarray:
        """Reciprocate, per issue, the other side's move δ offers back."""
        side = table.side_of(party)
        mine = [offer for who, offer in table.history if who == side]
        theirs = [offer for who, offer in table.history if who != side]
        opening = party.opening_for(table)
        if not mine:
            package = opening.copy()
        elif len(theirs) < self.delta + 1:
            package = mine[-1].copy()
        else:
            space = party.model.space
            lo, span = space.lo, space.hi - space.lo
            last = lo + mine[-1] * span
            before = lo + theirs[-1 - self.delta] * span  # at t_{n-2δ}
            after = lo + theirs[-self.delta] * span  # at t_{n-2δ+2}
            package = (self.reciprocate(party, last, before, after) - lo) / span
        return party.bounded(package, table)

    def reciprocate(
        self, party: Party, last: np.ndarray, before: np.ndarray, after: np.ndarray
    ) -> np.ndarray:
        """This party's next offer in issue units, from its last and the other's two."""
        raise NotImplementedError


class RelativeTitForTat(TitForTat):
    """Faratin et al.'s relative tit for tat: reciprocate the other side's moves in proportion.

    x_next[j] = x_theirs(t_{n-2δ})[j] / x_theirs(t_{n-2δ+2})[j] * x_mine(t_{n-1})[j].
    An issue the other side offered at 0 in its later offer gives no ratio: this party
    keeps its last value there.
    """

    kind: Literal["relative_tit_for_tat"]

    def reciprocate(
        self, party: Party, last: np.ndarray, before: np.ndarray, after: np.ndarray
    ) -> np.ndarray:
        """The other side's change in proportion, applied to this party's last offer."""
        ratio = np.divide(before, after, out=np.ones_like(last), where=after != 0.0)
        return ratio * last


class AbsoluteTitForTat(TitForTat):
    """Faratin et al.'s absolute tit for tat: reciprocate the other side's moves in units.

    x_next[j] = x_mine(t_{n-1})[j] + x_theirs(t_{n-2δ})[j] - x_theirs(t_{n-2δ+2})[j] ± R.
    R is uniform on [0, noise] per issue (Faratin et al.'s random absolute tit for tat),
    drawn from the run's own stream for this party and always a further concession; with
    noise 0 (the default) the tactic is deterministic.
    """

    kind: Literal["absolute_tit_for_tat"]
    noise: Annotated[float, Field(ge=0.0, le=1e9)] = 0.0

    def reciprocate(
        self, party: Party, last: np.ndarray, before: np.ndarray, after: np.ndarray
    ) -> np.ndarray:
        """The other side's change in units, added to this party's last offer."""
        out = last + (before - after)
        if self.noise > 0.0:
            extra = party.model.tactic_stream(party.name).uniform(0.0, self.noise, len(last))
            out = out - extra if party.wants_high else out + extra
        return out
