"""What every bargaining mode is: the hooks the model calls, in one class.

A mode decides who sits at which table and what follows from a deal. The model calls its
hooks at fixed points of a run: `build` once, when the run starts (open the tables, form
the alliance); `week_begins` each week after losses are booked and before members'
savings and the talks (where members may leave an alliance); `after_deal` when a deal is
ratified at a table (a pattern offered to the others); `finished` after every step (has
the run ended?). Modes hold no state of their own between runs: what a run changes lives
on the model and its parties.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

from bargainsim.registry import RegistryError, named

if TYPE_CHECKING:
    from bargainsim.model import BargainingModel
    from bargainsim.table import Table


class Mode:
    """Base of every mode. Subclasses set `name` and `description` and override `build`."""

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    colour: ClassVar[str | None] = None  # its colour in plots and the app (None: from a palette)
    one_deal: ClassVar[bool] = False  # one deal covers every company (the game says so)
    members_leave: ClassVar[bool] = False  # alliance members may break away

    def build(self, model: BargainingModel) -> None:
        """Open the run's tables (`model.open_table`), forming an alliance if the mode has one."""
        raise NotImplementedError

    def week_begins(self, model: BargainingModel, week: int) -> None:
        """Each week, after losses are booked, before members' savings and the talks."""

    def after_deal(
        self, model: BargainingModel, table: Table, package: np.ndarray, step: int
    ) -> None:
        """A deal was ratified at `table` (its companies are settled)."""

    def finished(self, model: BargainingModel) -> bool:
        """Whether the run is over before the horizon: every company's bargaining is done."""
        return all(c.status.final for c in model.companies.values())


def check(cls: object) -> str:
    """Check a mode class before it is registered; return its name."""
    if not (isinstance(cls, type) and issubclass(cls, Mode)) or cls is Mode:
        raise RegistryError("is not a subclass of bargainsim.modes.Mode")
    named(cls.name, cls.description, "the CLI, the game, the app")
    if cls.build is Mode.build:
        raise RegistryError("does not build its tables (override build)")
    return cls.name
