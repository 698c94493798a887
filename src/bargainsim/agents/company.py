"""A studio, streamer or tech platform: strike losses drive how far it will concede."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from bargainsim import options
from bargainsim.agents.base import Bound, Party
from bargainsim.status import INTERIM, SETTLED, STRIKING, Status
from bargainsim.tactics import Tactic

if TYPE_CHECKING:
    from bargainsim.table import Table


class Company(Party):
    """An employer with a business model.

    Its limit is the most costly package it would sign now: its opening plus the strike
    losses it expects to avoid by settling (its expected weekly loss, shocks smoothed,
    times an expected remaining length), raised by investor pressure once cumulative
    losses pass its tolerance. Losses and the cost of a deal both scale with its current
    market share, so a shrinking share does not loosen its limit. A classroom company may
    instead have a static limit package.
    """

    wants_high = False

    def reset(
        self,
        name: str,
        weights: np.ndarray,
        opening: np.ndarray,
        discount: float,
        tactic: Tactic,
        business: dict[str, Any],
        cost_scale: float,
        static_limit: np.ndarray | None = None,
    ) -> None:
        """Set the company up for a run: its business values, no losses, striking."""
        super().reset(name, weights, opening, discount, tactic)
        self.business = business
        self.share0 = float(business["market_share"])
        self.share = self.share0
        # $M over the contract of conceding every issue fully, per unit of market share
        # (a company with no share keeps the fixed scale it was given)
        self.cost_per_share = cost_scale / self.share0 if self.share0 > 0 else None
        self._fixed_cost_scale = cost_scale
        self.static_limit = static_limit
        self.cum_loss = 0.0
        self.last_loss = 0.0  # this week's loss as booked (shock, share flow, aid included)
        self.expected_loss = 0.0  # this week's loss with the shock smoothed: what the limit uses
        self.shock_level = 1.0  # smoothed revenue shock (exponentially weighted mean)
        self.shock_weight = float(self.model.spec.industry.shock_weight)
        self.weeks_struck = 0
        self.status: Status = STRIKING
        self.settled_step: int | None = None
        self.back_step: int | None = None  # the week its writers went back (deal or interim)
        self.settled_time: float | None = None
        self.terms: np.ndarray | None = None
        self.deal_share: float | None = None  # its market share when its deal was signed
        self.in_coalition = False
        # business values read every move, resolved once
        self.tolerance = float(business["loss_tolerance"]) * self.share0  # $M before pressure
        self.pressure_per_excess = float(business["investor_pressure"])
        self.expected_remaining = float(business["expected_remaining_weeks"])
        self.duration_dependence = float(business["duration_dependence"])
        self.revenue_at_risk = float(business["revenue_at_risk"])
        self.cost_type = 1.0  # its private strike-cost type (`information`); 1: the nominal
        self.unsubstituted = 1.0 - float(business["substitution"])
        self.backlog_weeks = float(business["backlog_weeks"])
        self.ramp_weeks = float(business["ramp_weeks"])

    @property
    def settled(self) -> bool:
        """True once a ratified deal covers this company."""
        return self.status is SETTLED

    def settle(self, step: int, terms: np.ndarray, time: float | None = None) -> None:
        """A ratified deal covers it from `step` (at `time`, in continuous time): back at work."""
        self.status = SETTLED
        self.settled_step = step
        if self.back_step is None:
            self.back_step = step
        self.settled_time = time
        self.terms = terms
        self.deal_share = self.share

    @property
    def cost_scale(self) -> float:
        """$M over the contract of conceding every issue fully, at its current share.

        A deal's cost is pay for the writers of the content it makes, which scales with
        its market: the same share its strike losses scale with.
        """
        if self.cost_per_share is None:
            return self._fixed_cost_scale
        return self.cost_per_share * self.share

    def sign_interim(self, step: int, terms: np.ndarray, sanctions: float = 0.0) -> None:
        """It signs an interim agreement in week `step`: back at work, on provisional terms.

        The alliance's sanctions for signing ($M) are booked as a loss that week.
        """
        self.status = INTERIM
        self.back_step = step
        self.terms = terms
        self.book_sanctions(sanctions)

    def book_sanctions(self, amount: float) -> None:
        """The alliance's sanctions for leaving it or signing an interim deal: a loss ($M)."""
        self.cum_loss += amount

    def companion_week(self, week: int, part: float, shock: float) -> float:
        """Book the companion strike's part of this week's loss with its writers back ($M).

        The actors still strike it: `part` (the loss multiplier minus 1) times the loss it
        would bear struck this week.
        """
        ramp = min(1.0, max(0.0, (week + 1 - self.backlog_weeks) / self.ramp_weeks))
        loss = self.full_weekly_loss() * ramp * part * shock
        self.cum_loss += loss
        return loss

    def full_weekly_loss(self) -> float:
        """Weekly loss ($M) once the backlog is gone, at the current share, before shocks."""
        return self.revenue_at_risk * self.share * self.unsubstituted

    def strike_week(self, week: int, multiplier: float, shock: float) -> float:
        """Book this week's strike loss ($M) and return it.

        The loss it expects week by week is the same loss with the shock replaced by its
        smoothed level: `(1 - shock_weight) * level + shock_weight * shock`, from 1.
        """
        ramp = min(1.0, max(0.0, (week + 1 - self.backlog_weeks) / self.ramp_weeks))
        plain = self.full_weekly_loss() * ramp * multiplier
        loss = plain * shock
        w = self.shock_weight
        self.shock_level = (1.0 - w) * self.shock_level + w * shock
        self.expected_loss = plain * self.shock_level
        self.last_loss = loss
        self.cum_loss += loss
        self.weeks_struck = week + 1
        return loss

    def lose_share(self, fraction: float) -> float:
        """Hand `fraction` of its share to rivals that have resumed; book the lost revenue.

        The lost share is capitalised as `share_loss_weeks` weeks of its revenue. Each
        week it stays struck it expects the week's losses again, at the share it keeps.
        """
        moved = self.share * fraction
        self.share -= moved
        cost = self.revenue_at_risk * moved * self.model.share_loss_weeks
        self.last_loss += cost
        self.expected_loss = (self.expected_loss + cost) * (1.0 - fraction)
        self.cum_loss += cost
        return moved

    def receive_aid(self, fraction: float) -> float:
        """A mutual-aid pact pays `fraction` of this week's loss; it expects as much again.

        Returns the amount ($M). Its booked and expected losses fall by that fraction.
        """
        amount = fraction * self.last_loss
        self.last_loss -= amount
        self.cum_loss -= amount
        self.expected_loss *= 1.0 - fraction
        return amount

    def pay_aid(self, amount: float) -> None:
        """Its part ($M) of the aid the pact pays struck members this week: a cost to it."""
        self.cum_loss += amount

    def take_type(self, theta: float) -> None:
        """Its private strike-cost type for this run: losses `theta` times its model's.

        Every loss that scales with its revenue at risk scales with its type.
        """
        self.cost_type = theta
        self.revenue_at_risk *= theta

    def limit_terms(self) -> tuple[float, float, float, float, float, float, float]:
        """What its limit is made of, its type set apart (for the union's what-if).

        (opening's utility, expected weekly loss and losses so far per unit of type,
        tolerance, pressure per excess, expected remaining weeks, cost scale): its limit
        had its type been theta is `limits_from(terms, theta)`.
        """
        per_type = 1.0 / self.cost_type
        return (self.worth(self.opening), self.expected_loss * per_type, self.cum_loss * per_type,
                self.tolerance, self.pressure_per_excess, options.expected_weeks(self),
                self.cost_scale)

    def limits_if(self, theta: np.ndarray) -> np.ndarray:
        """`limit_utility` had its strike-cost type been each of `theta` (the union's what-if).

        Its losses so far and those it expects scale with its type; the rest (weeks struck,
        share, tolerance) is public.
        """
        return limits_from(np.array(self.limit_terms())[:, None], np.asarray(theta)[None, :])[0]

    def waiting_cost(self) -> float:
        """What a week more of strike costs it, in its utility (0 with a static limit)."""
        if self.static_limit is not None:
            return 0.0
        return self.expected_loss / max(self.cost_scale, 1e-300)

    def investor_pressure(self) -> float:
        """Investor pressure times cumulative losses beyond tolerance, relative to it.

        Asked for every member each revision: comparisons in place of builtin max's calls,
        which cost more than the arithmetic (the same values, NaN included).
        """
        tolerance = self.tolerance
        beyond = self.cum_loss - tolerance
        excess = ((beyond if beyond > 0.0 else 0.0)  # max(0.0, beyond)
                  / (1e-12 if tolerance < 1e-12 else tolerance))  # max(tolerance, 1e-12)
        return self.pressure_per_excess * excess

    def urgency(self) -> float:
        """Investor pressure in [0, 1]: how far losses beyond tolerance hurry its concessions."""
        pressure = self.investor_pressure()
        return pressure if pressure < 1.0 else 1.0  # min(1.0, pressure) without its call

    def adjust_aim(
        self, base: Any, limit: float, table: Table, lower: Bound = min, upper: Bound = max
    ) -> Any:
        """Its tactic's aim, hurried towards its limit by investor pressure."""
        if self.static_limit is not None:
            return base
        u_lim = lower(limit, base)
        return base - self.urgency() * (base - u_lim)

    def limit_cost(self) -> float:
        """Extra contract cost ($M) beyond its opening it would accept now."""
        pressure = 1.0 + self.investor_pressure()
        # the longer the strike has lasted, the longer it is expected to go on
        return self.expected_loss * options.expected_weeks(self) * pressure

    def limit_utility(self, table: Table | None = None) -> float:
        """Least utility it would settle for now: its opening's, less cost / cost scale.

        Both the expected losses and the cost scale are at its current share, so the ratio
        does not shrink with it; a company with no share left expects no loss and (its
        cost scale kept from 0 by a floor) settles for its opening.

        Asked many times a week (by each table and by its coalition's rule), it is
        computed once per revision (`remembered`).
        """
        if self.static_limit is not None:
            return self.worth(self.static_limit)
        memo = self.remembered()
        u = memo.get("limit")
        if u is None:  # max(0.0, ...) and max(scale, 1e-300) as comparisons (no calls)
            scale = self.cost_scale
            u = self.worth(self.opening) - self.limit_cost() / (1e-300 if scale < 1e-300 else scale)
            u = memo["limit"] = u if u > 0.0 else 0.0
        return u

    def deal_cost(self) -> float:
        """Contract cost ($M) of its deal at the share it had when it signed; 0 while unsettled.

        The cost it weighed when it agreed (its limit's cost scale, then), not the
        bigger or smaller bill of a share won or lost afterwards.
        """
        if self.terms is None:
            return 0.0
        # `dot`: the same BLAS product as `@`, for less of a call (as `packages.utility`)
        cost = float(self.weights.dot(self.terms))
        if self.cost_per_share is None or self.deal_share is None:
            return cost * self._fixed_cost_scale
        return cost * self.cost_per_share * self.deal_share

    def weighs_leaving(self) -> bool:
        """Whether its board weighs leaving: its losses passed its exit threshold (at its share)."""
        return self.cum_loss > float(self.business["exit_threshold"]) * self.share0

    def wants_to_leave(self) -> bool:
        """Break away? Once it weighs leaving, when its calculation favours it (`options`)."""
        return self.weighs_leaving() and options.breakaway_weighing(self.model, self).favours

    def decide_leave(self) -> bool:
        """Break away from the coalition now? The seated player decides, else its calculation."""
        if self.player is not None:
            return self.player.leave(self)
        return self.wants_to_leave()

    def wants_to_sign(self, terms: np.ndarray, table: Table) -> bool:
        """Sign an interim agreement on `terms`? When its calculation favours it (`options`)."""
        return options.interim_weighing(self.model, self, terms, table).favours

    def decide_sign(self, terms: np.ndarray, table: Table) -> bool:
        """Sign the interim agreement offered? The seated player decides, else its calculation."""
        if self.player is not None:
            return self.player.sign(self, terms, table)
        return self.wants_to_sign(terms, table)


def limits_from(terms: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Limits (companies' utility) of types `theta` from `Company.limit_terms` columns.

    `terms` is 7 x companies (a column each); `theta` companies x types.
    The formula of `Company.limit_utility`: the opening's utility less the expected cost
    of the strike (weekly loss times remaining weeks, raised by investor pressure once
    losses pass tolerance) over the cost scale.

    Each term is spread over the types first, and `theta` made C-ordered: numpy's
    arithmetic between arrays of one shape and layout skips the broadcasting machinery, which
    costs more than the copies on a few companies' few hundred types (the same numbers).
    """
    theta = np.ascontiguousarray(theta)
    u_open, expected, so_far, tolerance, pressure, remaining, scale = terms[:, :, None].repeat(
        theta.shape[1], axis=2)
    excess = np.maximum(0.0, so_far * theta - tolerance) / np.maximum(tolerance, 1e-12)
    cost = expected * theta * remaining * (1.0 + pressure * excess)
    return np.maximum(0.0, u_open - cost / np.maximum(scale, 1e-300))
