"""Another guild's companion strike (SAG-AFTRA in 2023): when it binds, and what it costs.

It binds every company from `start_week` until the actors' deal, whatever the writers'
status: on a fixed week (`end_week`) or `after_writers_deal` weeks after the writers'
master deal (`bargainsim.master`; until that deal, it goes on). While it binds, a struck
company's weekly loss is multiplied by `loss_multiplier`; a company whose writers are back
still books the companion part, `loss_multiplier - 1` times the loss it would bear struck;
and no company has resumed production, so no market share moves.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bargainsim.schema import CompanionStrike


def last_week(spec: CompanionStrike, master_step: int | None) -> float:
    """The last week it binds (inclusive; infinite while it waits for the writers' deal)."""
    if spec.end_week is not None:
        return spec.end_week
    if master_step is None:
        return math.inf
    assert spec.after_writers_deal is not None
    return master_step + spec.after_writers_deal


def multiplier(spec: CompanionStrike | None, week: int, master_step: int | None) -> float:
    """The factor on a struck company's loss in `week` (1.0 when it does not bind)."""
    if spec is None or week < spec.start_week or week > last_week(spec, master_step):
        return 1.0
    return spec.loss_multiplier


def free_weeks(
    spec: CompanionStrike | None, start: float, weeks: float, master_step: int | None
) -> float:
    """How many of the `weeks` weeks from `start` it does not bind (share can move then)."""
    if weeks <= 0:
        return 0.0
    if spec is None:
        return weeks
    lo = max(start, float(spec.start_week))
    hi = min(start + weeks, last_week(spec, master_step) + 1.0)
    return weeks - max(0.0, hi - lo)
