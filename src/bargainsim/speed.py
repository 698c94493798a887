"""The speed layer: many moves of a two-party game computed at once, behind one door.

Everything here is an optimisation with no effect on outputs. With the move clock,
stretches of moves in which nothing but offers change ("quiet" moves) are foreseen and
made in one go: both sides' proposals for the coming moves are computed as arrays (the
vector twins below of `Party.proposal`, `ConcessionPath.package` and `IssueSpace.snap`,
and the tactics' own `aims`), then the acceptance and trimming tests for every move; a
test that rounding could decide is made again one at a time, exactly. The model uses it
when asked (`BargainingModel(..., look_ahead=True)`, the default) and when every party
at a table declares itself `foreseeable`; otherwise, or with `look_ahead=False`, it moves
one at a time (`BargainingModel.run`'s readable path). tests/test_look_ahead.py holds the
two paths to the same bytes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from bargainsim.packages import TIE, ConcessionPath, IssueSpace, clip_towards

if TYPE_CHECKING:
    from bargainsim.agents.base import Party
    from bargainsim.model import BargainingModel
    from bargainsim.table import Table

Side = Literal["union", "employer"]
LOOK_FIRST = 128  # moves a look covers at first; twice as many after a look all quiet
LOOK_WORTH = 4  # a look that makes fewer moves than this costs more than it saves


# --------------------------------------------------------------- vector twins of formulas
def packages(path: ConcessionPath, targets: np.ndarray) -> np.ndarray:
    """`path.package(target)` for every target (rows), bit for bit: the same arithmetic."""
    need = path.u_open - targets
    out = np.empty((len(targets), len(path.partial)))
    if not len(targets):
        return out
    if len(path.moves) < len(path.partial):  # issues that do not move stay as they are
        out[:] = path.partial
    if path.moves:
        lam: float | np.ndarray = 0.0
        # the scalar loop stops at the first step whose lam * rho_i <= 1, else the last
        for k, (slope, saturated, rho_i) in enumerate(reversed(path.steps)):
            lam_k = (need - saturated) / slope
            lam = lam_k if k == 0 else np.where(lam_k * rho_i <= 1.0, lam_k, lam)
        for i, opening_i, rho_i, span_i in path.moves:
            f = lam * rho_i
            # Python's min(1.0, f), NaN included (np.minimum would keep a NaN)
            out[:, i] = opening_i + np.where(f < 1.0, f, 1.0) * span_i
        if need.max() >= path.full_need:
            out[need >= path.full_need] = path.full
    if need.min() <= 0.0:
        out[need <= 0.0] = path.opening
    return out


def snap_rows(
    space: IssueSpace, rows: np.ndarray, upward: bool, opening: np.ndarray, far: np.ndarray
) -> np.ndarray:
    """`space.snap` of every row of a matrix of packages, bit for bit (in place)."""
    if space.levels is None:
        return rows
    for i, n in enumerate(space.levels.tolist()):
        if n > 0:
            scaled = rows[:, i] * n
            steps = np.ceil(scaled - 1e-9) if upward else np.floor(scaled + 1e-9)
            a, b = float(opening[i]), float(far[i])
            rows[:, i] = np.minimum(np.maximum(steps / n, min(a, b)), max(a, b))
    return rows


def proposals(party: Party, ts: np.ndarray, table: Table) -> np.ndarray:
    """`party.proposal(t, table)` for every t in `ts` (rows), bit for bit, for a foreseeable party.

    Valid while nothing but time changes (a stretch of moves with no vote and no week).
    `adjust_aim` is one formula for an aim and for an array of aims (given min/max or
    np.minimum/np.maximum), so the parties' pressure is not written twice.
    """
    other = table.other(party)
    opening = party.opening_for(table)
    far = other.opening_for(table)
    limit = party.effective_limit(table)
    base = party.tactic.aims(party, table, ts, party.worth(opening), limit)
    aims = party.adjust_aim(base, limit, table, np.minimum, np.maximum)
    rows = packages(party.road(table, opening, far, other), aims)
    ceiling = party.ceiling_for(table)
    if ceiling is not None:
        rows = clip_towards(rows, opening, ceiling)
    return snap_rows(party.model.space, rows, party.wants_high, opening, far)


def margins(party: Party, offers: np.ndarray, own: np.ndarray, discount: float) -> np.ndarray:
    """By how much each offer (row) beats the discounted worth of `own` (its row).

    `Party.prefers` accepts when u(offer) + TIE - discount * u(own) >= 0; this is that
    margin for every row at once, up to rounding in the last bits (one matrix product).
    """
    if party.wants_high:  # u(x) = w.x
        return TIE + (offers - discount * own) @ party.weights
    # u(x) = 1 - w.x
    return (1.0 - discount) + TIE + (discount * own - offers) @ party.weights


# --------------------------------------------------------------- the look-ahead
def _first(mask: np.ndarray) -> int | None:
    """Index of the first True in a boolean vector, None if there is none."""
    i = int(mask.argmax())
    return i if mask[i] else None


@dataclass
class Lookahead:
    """The next `quiet` moves at a table, foreseen (see `foresee`)."""

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


def foresee(table: Table, ts: np.ndarray, dt: float) -> Lookahead | None:
    """How many of the moves at times `ts` at `table` would pass quietly, computed at once.

    A quiet move ends in an offer, not an acceptance, and the offer needs no trimming;
    such moves change nothing but the offers on the table. None when a side is not
    `foreseeable` (a seated player, a tactic that may not be foreseen, conditions on
    accepting) or its arithmetic is not finite.
    """
    first: Side = table.next_mover
    second: Side = "employer" if first == "union" else "union"
    rows: dict[Side, np.ndarray] = {}
    for side, start in ((first, 0), (second, 1)):
        party = table.party(side)
        if not party.foreseeable:
            return None
        times = ts[start::2]
        proposed = proposals(party, times, table) if len(times) else np.empty((0, 0))
        if not math.isfinite(proposed.sum()):  # sum: NaN and inf stay
            return None  # (one at a time, such a party's arithmetic raises or says NaN)
        rows[side] = proposed
    quiet = len(ts)
    for side, start in ((first, 0), (second, 1)):
        party, own = table.party(side), rows[side]
        if not len(own):
            continue
        theirs = rows[second if side == first else first]
        # the other side's offer each move faces: the one made the move before
        if start == 1:
            facing, skip = theirs[: len(own)], 0
        else:
            latest = table.employer_offer if side == "union" else table.union_offer
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
                   and (table.standing is None or table.standing[0] == side))
        end = len(own)  # rows from here on do not matter: the side accepts at `end`
        if len(own) > drop:
            judged, offered = own[drop:], facing[drop:]
            margin = margins(party, offered, judged, party.discount**dt)
            # the first move that accepts: a margin of 1e-12 or more accepts, one of
            # -1e-12 or less refuses, and a test in between is made again exactly
            maybe = margin > -1e-12
            hit = _first(maybe)
            while hit is not None and margin[hit] < 1e-12:
                t = float(ts[start + 2 * (hit + drop + skip)])
                if party.prefers(offered[hit], t, dt, table, judged[hit]):
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
            trimmed = clip_towards(mine, party.opening_for(table), facing[:end]) != mine
            if np.count_nonzero(trimmed):  # cheaper than .any() on small arrays
                m = _first(trimmed.any(axis=1))
                quiet = min(quiet, start + 2 * (m + skip))
    return Lookahead(quiet, first, second, rows, ts)


def skip_quiet_moves(model: BargainingModel, window: int) -> int:
    """Make at once the quiet moves ahead at every open table; how many were made.

    Every open table foresees its next `window` moves (never past the horizon); the moves
    before the first acceptance or trimmed offer at any table are made in one go,
    leaving the tables, the record and the clock exactly as moving one at a time would.
    """
    count = min(math.ceil(model.horizon - model.t), window)
    if count < 2:
        return 0
    ts = np.arange(model.t, model.t + count, dtype=float)
    plans = []
    for table in model.open_tables():
        plan = foresee(table, ts, 1.0)
        if plan is None:
            return 0
        plans.append((table, plan))
    k = min((plan.quiet for _, plan in plans), default=0)
    if k == 0:
        return 0
    for table, plan in plans:
        plan.apply(table, k)
    model.writers_back.extend([model.writers_back_now()] * k)
    model.t += k
    model.steps += k
    if model.t >= model.horizon:
        model.running = False
    return k


def run_moves(model: BargainingModel) -> None:
    """Run a move-clock game to its end, making quiet stretches at once.

    A look costs about as much as a few moves one at a time, so after a look that made
    fewer than `LOOK_WORTH` moves the next waits 1, 2, 4, ... (at most 64) moves; a look
    in which every move was quiet doubles the window of the next.
    """
    window, backoff, wait = LOOK_FIRST, 1, 0
    while model.running:
        if wait == 0:
            made = skip_quiet_moves(model, window)
            if made == window:
                window *= 2
            if made >= LOOK_WORTH:
                backoff = 1
            else:
                wait = backoff
                backoff = min(2 * backoff, 64)
            if not model.running:
                break
        else:
            wait -= 1
        model.advance()
