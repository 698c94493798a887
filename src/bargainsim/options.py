"""A company's calculation of its ways out of the strike: an interim deal, leaving its alliance.

Each way is weighed in money ($M, the company's own), against staying as it is:

- **gain**: the strike losses it avoids by being back sooner, valued as its limit values
  them (`Company.limit_cost`: its recent weekly loss times the strike length it expects,
  raised by investor pressure, for the weeks saved; while a companion strike binds, only
  the writers' part of the loss, 1 / loss_multiplier of it, ends with the writers' deal),
  plus the market share it would take
  from rivals still struck while it works (the model's share-flow form: `share_flow` of
  the struck rivals' share a week, split among the companies at work in proportion to
  their shares, each share point valued at `share_loss_weeks` weeks of revenue; none while
  a companion strike binds every company);
- **cost**: the extra contract cost of the terms it would sign over the deal it expects by
  staying (split the difference: the midpoint of the two standing offers at its table),
  plus the alliance's sanctions: `coalition.sanction_weeks` weeks of its revenue at risk
  for a member that leaves, `interim.boycott_weeks` for any company that signs an interim
  agreement (in 1988 the majors refused signers' projects).

Flows that pass through its results (losses avoided, share taken, sanctions) are weighed
as its limit weighs strike losses, raised by investor pressure (`1 + investor_pressure`);
contract costs at par, as in its limit. It takes the way when the gain exceeds the cost.
The strike length it expects is the one its limit uses (`max(expected_remaining_weeks,
duration_dependence * weeks struck)`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from bargainsim import companion
from bargainsim.master import alliance_table

if TYPE_CHECKING:
    from bargainsim.agents import Company
    from bargainsim.model import BargainingModel
    from bargainsim.table import Table


@dataclass(frozen=True)
class Weighing:
    """One decision in money ($M): what taking the way out gains, and what it costs."""

    gain: float  # losses avoided by being back sooner, plus share taken from struck rivals
    cost: float  # extra contract cost over the deal expected by staying, plus sanctions

    @property
    def favours(self) -> bool:
        """Whether the company takes the way out: it gains more than it costs."""
        return self.gain > self.cost


def expected_weeks(company: Company) -> float:
    """The further strike length the company expects (the belief its limit uses).

    max(expected remaining weeks, duration dependence x weeks struck), by a comparison: the
    same value (NaN included) without builtin max's call, for a limit asked every week.
    """
    expected = company.expected_remaining
    lasted = company.duration_dependence * company.weeks_struck
    return lasted if lasted > expected else expected


def contract_cost(company: Company, package: np.ndarray) -> float:
    """What a package costs the company over the contract ($M)."""
    return float(company.weights @ package) * company.cost_scale


def forecast(table: Table) -> np.ndarray:
    """The deal expected at a table: the midpoint of the two standing offers (else openings)."""
    union = table.union_offer if table.union_offer is not None else (
        table.union.opening_for(table))
    employer = table.employer_offer if table.employer_offer is not None else (
        table.employer.opening_for(table))
    return 0.5 * (union + employer)


def share_gain(model: BargainingModel, company: Company, weeks: float, start: float) -> float:
    """Value ($M) of the share it would take from struck rivals in `weeks` weeks from `start`."""
    flow = model.spec.industry.share_flow
    if flow <= 0.0 or weeks <= 0.0:
        return 0.0
    struck = working = 0.0
    for rival in model.companies.values():
        if rival is company:
            continue
        if rival.status.working:
            working += rival.share
        else:
            struck += rival.share
    mine = company.share
    if struck <= 0.0 or mine <= 0.0:
        return 0.0
    taken = flow * struck * mine / (working + mine)  # its part of the share struck rivals lose
    free = companion.free_weeks(model.spec.other_guilds.companion_strike, start, weeks,
                                model.master_step)
    return taken * free * company.revenue_at_risk * model.share_loss_weeks


def writers_part(model: BargainingModel, losses: float) -> float:
    """The part of struck losses that a deal with the writers ends (not the companion strike's)."""
    return losses / companion.multiplier(model.spec.other_guilds.companion_strike, model.t,
                                         model.master_step)


def sanctions(model: BargainingModel, company: Company, interim: bool) -> float:
    """What the alliance makes a company pay ($M) for leaving it, or for signing an interim deal."""
    weeks = model.spec.coalition.sanction_weeks if company.in_coalition else 0.0
    if interim and model.spec.interim is not None:
        weeks += model.spec.interim.boycott_weeks
    return weeks * company.revenue_at_risk * company.share


def interim_weighing(
    model: BargainingModel, company: Company, terms: np.ndarray, table: Table
) -> Weighing:
    """Sign the union's standing `terms` now and go back to work, or bargain on at `table`?

    Back at once, it saves every week of strike it expects and works while its rivals are
    struck for as long; it pays the standing terms (me-too only raises them) instead of the
    deal it expects at its table, and the sanctions.
    """
    weeks = expected_weeks(company)
    pressure = 1.0 + company.investor_pressure()
    gain = (writers_part(model, company.limit_cost())
            + pressure * share_gain(model, company, weeks, model.t))
    extra = contract_cost(company, terms) - contract_cost(company, forecast(table))
    return Weighing(gain, extra + pressure * sanctions(model, company, interim=True))


def breakaway_weighing(model: BargainingModel, company: Company) -> Weighing:
    """Whether a member of the alliance should leave it to bargain alone, or stay.

    The strike ends at a table when the gap between the union's limit and the employer
    side's limit package (in the union's utility) closes; taking it to close at the same
    rate alone as in the alliance, the strike alone lasts the expected length times the
    ratio of the gaps (its own limit package against the alliance's rule's). Alone it
    expects the midpoint of the union's standing offer and its own proposal, against the
    midpoint of the two standing offers at the alliance's table.
    """
    table = alliance_table(model)
    coalition = model.coalition
    if table is None or coalition is None or company not in coalition.members:
        return Weighing(0.0, 0.0)
    union = model.union
    floor = union.limit_utility(table)
    packages, _ = coalition.member_limits(table)
    own = packages[coalition.members.index(company)]
    gap_alliance = floor - union.utility(coalition.limit_package(table))
    gap_alone = max(0.0, floor - union.utility(own))
    weeks = expected_weeks(company)
    alone = weeks if gap_alliance <= 0.0 else weeks * gap_alone / gap_alliance
    sooner = weeks - alone  # negative: slower alone
    pressure = 1.0 + company.investor_pressure()
    gain = (writers_part(model, company.limit_cost()) * sooner / weeks
            + pressure * share_gain(model, company, max(sooner, 0.0), model.t + alone))
    demand = table.union_offer if table.union_offer is not None else union.opening_for(table)
    alone_terms = 0.5 * (demand + company.proposal(float(model.t), table))
    extra = contract_cost(company, alone_terms) - contract_cost(company, forecast(table))
    return Weighing(gain, extra + pressure * sanctions(model, company, interim=False))
