"""The talks process: which tables hold a session in a week.

Each open table's talks are on or broken off. A week with talks on holds a session with
`meet_probability`; a session without a deal breaks them off with
`breakdown_probability`; broken-off talks resume with `resume_probability` a week. Two
choices shape the process across tables (docs/model.md, "The talks process"):

- `correlation`: how far tables share one calendar. Each chance is decided by a uniform
  draw; a table's draw is built from its own stream's draw and the week's calendar draw
  by a Gaussian copula, so that their normal scores have correlation `correlation`:
  0 gives exactly each table's own draws (independent schedules), 1 the calendar's
  (every table meets, breaks down and resumes in the same weeks).
- `capacity`: the union staffs at most this many sessions a week; when more tables would
  meet, it chooses by `priority` (a rule of `PRIORITIES`, or a company whose table comes
  first). Tables not chosen hold no session that week; their talks stay on.

The calendar's draws come from a stream of their own (three a week, whatever the mode),
so every mode meets on the same calendar at correlation 1 (common random numbers).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import special

if TYPE_CHECKING:
    from bargainsim.table import Table

_BLOCK = 32  # weeks of calendar draws made at once (most runs end within 32 weeks)
_ROOT_HALF = math.sqrt(0.5)

Draw = tuple[float, float]  # a uniform draw and its normal score (`scores`)


def scores(uniforms: np.ndarray) -> list[Draw]:
    """Uniform draws with their normal scores, computed for a block at once."""
    z = special.ndtri(np.clip(uniforms, 1e-300, 1.0 - 1e-16))
    return list(zip(uniforms.tolist(), z.tolist(), strict=True))


def blend(own: Draw, shared: Draw, correlation: float) -> float:
    """A uniform draw whose normal score has correlation `correlation` with `shared`'s.

    `own` and `shared` are independent draws with their scores; 0 returns `own`'s uniform
    itself and 1 `shared`'s (bit for bit), in between the Gaussian copula of the two:
    the normal cdf of sqrt(rho) z_shared + sqrt(1 - rho) z_own.
    """
    if correlation <= 0.0:
        return own[0]
    if correlation >= 1.0:
        return shared[0]
    z = math.sqrt(correlation) * shared[1] + math.sqrt(1.0 - correlation) * own[1]
    return 0.5 * math.erfc(-z * _ROOT_HALF)


class Calendar:
    """The week's shared draws: meet, resume, break down (three draws a week)."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self._weeks: list[tuple[Draw, Draw, Draw]] = []

    def week(self, week: int) -> tuple[Draw, Draw, Draw]:
        """The calendar's (meet, resume, breakdown) draws of `week`: the same each time asked."""
        while week >= len(self._weeks):
            draws = scores(self.rng.random(_BLOCK * 3))
            self._weeks.extend(zip(draws[0::3], draws[1::3], draws[2::3], strict=True))
        return self._weeks[week]


def _loss(table: Table) -> float:
    """What a week without a deal at `table` costs its companies now ($M, last week's)."""
    return sum(c.last_loss for c in table.covers if not c.status.working)


def _share(table: Table) -> float:
    return sum(c.share for c in table.covers)


def _by(key: Callable[[Table], float]) -> Callable[[Sequence[Table], int, Any], list[Table]]:
    def choose(tables: Sequence[Table], capacity: int, state: Any) -> list[Table]:
        order = sorted(range(len(tables)), key=lambda i: (-key(tables[i]), -_share(tables[i]), i))
        return [tables[i] for i in sorted(order[:capacity])]

    return choose


def _rotating(tables: Sequence[Table], capacity: int, state: Any) -> list[Table]:
    """Tables take turns in the order they were opened, starting after the last staffed."""
    order = sorted(tables, key=lambda t: t.serial)
    start = next((k for k, t in enumerate(order) if t.serial > state.last_staffed), 0)
    chosen = (order[start:] + order[:start])[:capacity]
    state.last_staffed = chosen[-1].serial
    return sorted(chosen, key=lambda t: t.serial)


PRIORITIES: dict[str, Callable[[Sequence[Table], int, Any], list[Table]]] = {
    "largest_loss": _by(_loss),
    "largest_share": _by(_share),
    "rotating": _rotating,
}
"""How the union picks its sessions when more tables would meet than it can staff:
the tables whose companies lost most last week, those covering most market share, or
in turn. Ties go to the larger share, then the table opened first."""


class Staffing:
    """The union's choice of sessions, week by week, under `capacity` and `priority`."""

    def __init__(self, capacity: int | None, priority: str) -> None:
        self.capacity = capacity
        self.priority = priority
        self.last_staffed = -1  # the rotating rule's place

    def choose(self, tables: list[Table]) -> list[Table]:
        """The tables that hold a session, of those whose talks would meet this week."""
        if self.capacity is None or len(tables) <= self.capacity:
            return tables
        rule = PRIORITIES.get(self.priority)
        if rule is not None:
            return rule(tables, self.capacity, self)
        first = [t for t in tables if any(c.name == self.priority for c in t.covers)]
        rest = PRIORITIES["largest_loss"]([t for t in tables if t not in first],
                                          max(0, self.capacity - len(first)), self)
        chosen = set(map(id, first[: self.capacity] + rest))
        return [t for t in tables if id(t) in chosen]
