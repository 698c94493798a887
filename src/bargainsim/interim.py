"""Interim agreements: a company signs the union's standing terms and goes back to work.

An option of every mode (the scenario's `interim:` section). From `offered_from` on, and
until the master deal (`bargainsim.master`), the union offers each company of
`offered_to` still on strike its standing terms: its latest offer at the table the company
bargains at (`terms: current`; the union's opening there before any offer) or its opening
demand (`terms: opening`). Each week, in the scenario's order, a company offered one
weighs it (`bargainsim.options.interim_weighing`; a seated player decides instead) and,
when it signs:

- its status becomes `interim` (at work, not final) and `back_step` the week: its writers
  stop striking, it stops booking strike losses, it takes share from rivals still struck;
- it leaves the alliance if it was a member (which re-pools; its table closes when no
  member is left) and its own table closes; it pays the alliance's sanctions (booked as a
  loss that week);
- when the master deal is ratified it is settled on the master's terms if they are better
  for the union (me-too), else on its interim terms, in the master's week.

When every company is back at work and no table is left to make a master deal, the
interim terms become final.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from bargainsim import options
from bargainsim.packages import TIE
from bargainsim.schema import Interim
from bargainsim.status import INTERIM

if TYPE_CHECKING:
    from bargainsim.agents import Company
    from bargainsim.model import BargainingModel
    from bargainsim.table import Table


@dataclass(frozen=True)
class Agreement:
    """An interim agreement signed: who, in which week, on which terms, at what sanction."""

    company: str
    step: int
    terms: dict[str, float]
    sanctions: float

    def as_record(self) -> dict[str, Any]:
        """The agreement as a plain record."""
        return {"company": self.company, "step": self.step, "terms": self.terms,
                "sanctions": self.sanctions}


class InterimAgreements:
    """The union's offers of interim agreements in one run, and what follows from them."""

    def __init__(self, spec: Interim) -> None:
        self.spec = spec

    def offered(self, model: BargainingModel, company: Company) -> bool:
        """Whether the union offers this company an interim agreement now."""
        if company.status.working or model.master_step is not None:
            return False
        if model.t < self.spec.offered_from:
            return False
        who = self.spec.offered_to
        if who == "all":
            return True
        if who == "independents":
            return not company.in_coalition
        return company.name in who

    def terms_for(self, model: BargainingModel, table: Table) -> np.ndarray:
        """The union's standing terms at `table`: its latest offer there, or its opening."""
        union = model.union
        if self.spec.terms == "current" and table.union_offer is not None:
            return table.union_offer
        return union.opening_for(table) if self.spec.terms == "current" else union.opening

    def week(self, model: BargainingModel, week: int) -> None:
        """Offer the week's interim agreements; those who gain sign and go back to work."""
        for company in model.companies.values():
            if not self.offered(model, company):
                continue
            table = table_of(model, company)
            if table is None:
                continue
            terms = self.terms_for(model, table)
            if company.decide_sign(terms, table):
                self.sign(model, company, terms.copy(), week)
        if not model.open_tables() and all(c.status.working for c in model.companies.values()):
            self.finalise(model, week)

    def sign(self, model: BargainingModel, company: Company, terms: np.ndarray,
             week: int) -> None:
        """The company signs: back at work, out of the alliance and its tables, sanctioned."""
        cost = options.sanctions(model, company, interim=True)
        if company.in_coalition:
            model.leave_alliance(company)
        for table in model.open_tables():
            if company in table.covers and table.employer is company:
                table.closed = True
        company.sign_interim(week, terms, cost)
        model.interim_agreements.append(
            Agreement(company.name, week, model.space.to_units(terms), cost))

    def master_deal(self, model: BargainingModel, package: np.ndarray, step: int) -> None:
        """Me-too: each signer takes the master's terms when they are better for the union."""
        union = model.union
        for company in model.companies.values():
            if company.status is INTERIM:
                assert company.terms is not None
                better = union.utility(package) > union.utility(company.terms) + TIE
                company.settle(step, package.copy() if better else company.terms)

    def finalise(self, model: BargainingModel, step: int) -> None:
        """No master deal can come (every company is at work): the interim terms are final."""
        for company in model.companies.values():
            if company.status is INTERIM:
                assert company.terms is not None
                company.settle(step, company.terms)


def table_of(model: BargainingModel, company: Company) -> Table | None:
    """The open table that covers the company, else the first open one, else None.

    The first open table's deal sets its terms when it has no table yet (pattern mode: the
    target's, before the follow-up tables open).
    """
    tables = model.open_tables()
    return next((t for t in tables if company in t.covers), tables[0] if tables else None)
