"""The four modes of the 2023 question: coalition, separate deals, pattern, break-away."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from bargainsim.modes.base import Mode
from bargainsim.options import sanctions

if TYPE_CHECKING:
    from bargainsim.agents import Company
    from bargainsim.model import BargainingModel
    from bargainsim.table import Table

logger = logging.getLogger(__name__)


class Coalition(Mode):
    """The union faces the alliance; one deal covers every member; the strike ends at once."""

    name: ClassVar[str] = "coalition"
    description: ClassVar[str] = "the union faces the alliance; one deal covers every member"
    colour: ClassVar[str | None] = "#0072B2"
    one_deal: ClassVar[bool] = True

    def build(self, model: BargainingModel) -> None:
        """The alliance's table, then a table for each company outside it."""
        members = model.form_coalition()
        model.open_table(model.coalition, members)
        for company in model.companies.values():
            if company not in members:
                model.open_table(company, [company])


class Separate(Mode):
    """No alliance: the union bargains with every company at once, each deal its own."""

    name: ClassVar[str] = "separate"
    description: ClassVar[str] = "no alliance; the union bargains with every company at once"
    colour: ClassVar[str | None] = "#D55E00"

    def build(self, model: BargainingModel) -> None:
        """A table for each company."""
        for company in model.companies.values():
            model.open_table(company, [company])


class Pattern(Mode):
    """One target company first; its deal is then offered to the others as the pattern."""

    name: ClassVar[str] = "pattern"
    description: ClassVar[str] = ("one target company first; its deal is the pattern offered "
                                  "to the others")
    colour: ClassVar[str | None] = "#009E73"

    def build(self, model: BargainingModel) -> None:
        """A table with the target alone (`pattern.target`: a rule or a company)."""
        target = self.target(model)
        model.pattern_target = target
        model.open_table(target, [target])

    @staticmethod
    def target(model: BargainingModel) -> Company:
        """The company named, the largest, or the one losing most a week."""
        rule = model.spec.pattern.target
        if rule in model.companies:
            return model.companies[rule]
        if rule == "largest_share":
            return max(model.companies.values(), key=lambda c: c.share0)
        return max(model.companies.values(), key=lambda c: c.full_weekly_loss())

    def week_begins(self, model: BargainingModel, week: int) -> None:
        """If the target left without a deal (an interim agreement), the rest bargain alone."""
        if model.open_tables():
            return
        for company in model.companies.values():
            if not company.status.working and not any(company in t.covers for t in model.tables):
                model.open_table(company, [company])

    def after_deal(
        self, model: BargainingModel, table: Table, package: np.ndarray, step: int
    ) -> None:
        """The target settled: every other company gets the pattern on its own table.

        Refused (or voted down), bargaining goes on from each side's own position.
        """
        if table.employer is not model.pattern_target:
            return
        for company in model.companies.values():
            if not company.status.final:
                follow = model.open_table(company, [company])
                follow.put("union", package.copy())
                follow.next_mover = "employer"


class Breakaway(Coalition):
    """Starts as the coalition; a member leaves to bargain alone when its calculation favours it.

    A member weighs leaving once its losses pass its exit threshold, and leaves when what it
    expects to gain alone (losses saved by a sooner deal, share taken from struck rivals)
    exceeds the extra cost of its terms alone and the alliance's sanctions
    (`bargainsim.options.breakaway_weighing`).
    """

    name: ClassVar[str] = "breakaway"
    description: ClassVar[str] = ("starts as the coalition; a member leaves and bargains alone "
                                  "when its calculation favours it")
    colour: ClassVar[str | None] = "#CC79A7"
    one_deal: ClassVar[bool] = False
    members_leave: ClassVar[bool] = True

    def week_begins(self, model: BargainingModel, week: int) -> None:
        """Members who decide to leave do, one table each (union first), sanctions booked."""
        coalition = model.coalition
        if coalition is None:
            return
        for company in list(coalition.members):
            if len(coalition.members) <= 1 or company.status.final:
                break
            if company.decide_leave():
                company.book_sanctions(sanctions(model, company, interim=False))
                model.leave_alliance(company)
                model.open_table(company, [company], first="union")
                logger.debug("week %s: %s breaks away", model.t, company.name)
