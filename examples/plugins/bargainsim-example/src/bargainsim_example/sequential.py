"""The sequential mode: the union bargains with one company at a time, costliest first."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from bargainsim.modes import Mode

if TYPE_CHECKING:
    import numpy as np

    from bargainsim.agents import Company
    from bargainsim.model import BargainingModel
    from bargainsim.table import Table


class Sequential(Mode):
    """One table at a time: the company losing most a week first, the next after each deal."""

    name: ClassVar[str] = "sequential"
    description: ClassVar[str] = ("one company at a time, the one losing most a week first; "
                                  "the next after each deal")
    colour: ClassVar[str | None] = "#E69F00"

    def build(self, model: BargainingModel) -> None:
        """The first table: the company that loses most a week once its backlog is gone."""
        self._next(model)

    def after_deal(
        self, model: BargainingModel, table: Table, package: np.ndarray, step: int
    ) -> None:
        """A deal: the next company in line gets its table (the union moves first)."""
        self._next(model)

    @staticmethod
    def _next(model: BargainingModel) -> None:
        seated = {id(c) for t in model.tables for c in t.covers}
        waiting: list[Company] = [c for c in model.companies.values()
                                  if not c.status.final and id(c) not in seated]
        if waiting:
            company = max(waiting, key=lambda c: c.full_weekly_loss())
            model.open_table(company, [company])
