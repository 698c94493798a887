"""The writers' master deal of a run: the deal that sets everyone's terms.

It is the alliance's deal when the run has an alliance with members still bargaining at
its table (coalition, breakaway), otherwise the first deal ratified (separate deals: the
first is the pattern the rest follow; pattern mode: the target's). Interim signers take
its terms when they are better for the union (me-too), and a companion strike may end a
set number of weeks after it. After the alliance's deal the union puts its terms to every
company still bargaining alone (independents, members who broke away): "once we make a
contract with them, all the other employers sign what are sometimes called Me Too
agreements" (a WGA writer, 2007).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from bargainsim.model import BargainingModel
    from bargainsim.table import Table


def alliance_table(model: BargainingModel) -> Table | None:
    """The alliance's open table, when the run has an alliance with members (else None)."""
    coalition = model.coalition
    if coalition is None or not coalition.members:
        return None
    return next((t for t in model.tables if t.employer is coalition and not t.closed), None)


def is_master(model: BargainingModel, table: Table) -> bool:
    """Whether a deal just ratified at `table` is the master deal (none was before it)."""
    if model.master_step is not None:
        return False
    alliance = alliance_table(model)
    return alliance is None or table is alliance


def put_to_the_rest(model: BargainingModel, package: np.ndarray) -> None:
    """After the alliance's deal: its terms are the union's standing offer at every open table.

    The company moves next: it accepts them when they are worth at least its own proposal,
    else both sides bargain on from there (as pattern mode's follow-up tables). Where the
    union already asks less than the alliance's terms, it does not ask more.
    """
    union = model.union
    worth = union.utility(package)
    for table in model.open_tables():
        if table.union_offer is not None and union.utility(table.union_offer) < worth:
            continue
        table.put("union", package.copy())
        table.next_mover = "employer"
