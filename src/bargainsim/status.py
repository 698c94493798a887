"""A company's status in a run: striking, settled, or a state a mode adds.

Each status says what the model needs to know of it: whether the company's writers are
at work (no strike losses, no drain on their savings, its content back on the market,
taking share from rivals still struck) and whether its bargaining is over (the run ends
when every company's is). A mode with interim agreements, say, adds a status that is at
work but not final.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Status:
    """A company's status: a name, whether it is at work, whether its bargaining is over."""

    name: str
    working: bool
    final: bool


STRIKING = Status("striking", working=False, final=False)
SETTLED = Status("settled", working=True, final=True)
