"""A company's status in a run: striking, settled, back at work on an interim agreement.

Each status says what the model needs to know of it: whether the company's writers are
at work (no strike losses, no drain on their savings, its content back on the market,
taking share from rivals still struck) and whether its bargaining is over (the run ends
when every company's is). An interim agreement is at work but not final: the company
waits for the master deal, whose terms it takes when they are better for the union.

Statuses are a registry (`STATUSES`, entry-point group `bargainsim.statuses`), so the
app's and the game's displays list every status a run can show, a plugin's included.
"""

from __future__ import annotations

from dataclasses import dataclass

from bargainsim.registry import Registry, RegistryError, named


@dataclass(frozen=True)
class Status:
    """A company's status: its name, whether it is at work, whether its bargaining is over.

    `description` is the phrase displays use ("settled"); `colour` its colour in the app's
    plots (None: one from the shared palette).
    """

    name: str
    working: bool
    final: bool
    description: str = ""
    colour: str | None = None


STRIKING = Status("striking", working=False, final=False, description="on strike")
SETTLED = Status("settled", working=True, final=True, description="settled")
INTERIM = Status("interim", working=True, final=False,
                 description="back at work on an interim agreement")


def check(status: object) -> str:
    """Check a status before it is registered; return its name."""
    if not isinstance(status, Status):
        raise RegistryError("is not a bargainsim.status.Status")
    named(status.name, status.description, "the app and the game")
    return status.name


STATUSES: Registry[Status] = Registry("status", "bargainsim.statuses", check)
for _status in (STRIKING, SETTLED, INTERIM):
    STATUSES.register(_status)
