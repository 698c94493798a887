"""The union: leadership negotiates, a population of members (numpy arrays) decides.

Members drain savings while on strike; once savings run out, hardship rises over a grace
period and each member's reservation (the least they would vote for, as a fraction of
what the opening demand is worth to them) falls towards a floor. A strike fund pays the
weekly need of the neediest. Solidarity is the share of striking members who would still
vote no on the best offer they see; leadership concedes faster when it falls. Every
tentative deal goes to a ratification vote.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from bargainsim.agents.base import Bound, Party
from bargainsim.packages import TIE, IssueSpace, frozen
from bargainsim.schema import Members as MembersSpec
from bargainsim.schema import UnionParty
from bargainsim.tactics import Tactic

if TYPE_CHECKING:
    from bargainsim.table import Table


class Striking(NamedTuple):
    """Who strikes, for one pattern of companies back at work (`MemberPopulation.striking`)."""

    mask: np.ndarray  # read-only: member i strikes
    count: int  # how many strike
    everyone: bool  # every member strikes (and there is one)
    pay: float  # their weekly pay, summed


@dataclass(frozen=True)
class _Tiers:
    """What a membership's scenario alone sets, member by member (read-only arrays)."""

    names: tuple[str, ...]
    tier: np.ndarray  # each member's tier (an index into names)
    pay: np.ndarray
    mean_runway: np.ndarray
    sd: np.ndarray
    half_var: np.ndarray  # 0.5 * sd**2
    base_w: np.ndarray  # (members, issues): the tier's weights
    res: np.ndarray
    floor: np.ndarray
    rep: float  # writers a member stands for
    need_cost: np.ndarray  # $M a week, each

    @classmethod
    def of(cls, spec: MembersSpec, space: IssueSpace) -> _Tiers:
        """Members spread over the tiers by share (largest remainders), tier by tier."""
        n = spec.count
        names = list(spec.tiers)
        shares = np.array([spec.tiers[t].share for t in names])
        counts = np.floor(shares / shares.sum() * n).astype(int)
        remainder = n - counts.sum()
        if remainder:
            frac = shares / shares.sum() * n - counts
            counts[np.argsort(-frac, kind="stable")[:remainder]] += 1
        tier = np.repeat(np.arange(len(names)), counts)
        tiers = [spec.tiers[t] for t in names]

        def per_member(values: list[float]) -> np.ndarray:
            """A per-tier value spread over the members (tier by tier)."""
            return np.array(values, dtype=float)[tier]

        pay = per_member([t.weekly_pay for t in tiers])
        sd = per_member([t.savings_sd for t in tiers])
        rep = spec.writers / n
        arrays = (tier, pay, per_member([t.savings_weeks for t in tiers]), sd, 0.5 * sd**2,
                  np.array([space.weights(t.weights) for t in tiers])[tier],
                  per_member([t.reservation for t in tiers]), per_member([t.floor for t in tiers]))
        need_cost = spec.need_fraction * pay * rep / 1e6
        return cls(tuple(names), *(frozen(a) for a in arrays), rep, frozen(need_cost))


_TIERS: dict[int, tuple[MembersSpec, IssueSpace, _Tiers]] = {}


def _tiers(spec: MembersSpec, space: IssueSpace) -> _Tiers:
    """`_Tiers.of(spec, space)`, remembered for the last few memberships.

    Scenarios and issue spaces are immutable, so the result depends on the objects alone
    (the entry holds them, so their ids are not reused while it stands).
    """
    hit = _TIERS.get(id(spec))
    if hit is not None and hit[0] is spec and hit[1] is space:
        return hit[2]
    made = _Tiers.of(spec, space)
    if len(_TIERS) >= 8:
        _TIERS.clear()
    _TIERS[id(spec)] = (spec, space, made)
    return made


class MemberPopulation:
    """Representative members as arrays; each stands for `writers / count` writers."""

    def __init__(
        self,
        spec: MembersSpec,
        space: IssueSpace,
        union_opening: np.ndarray,
        employer_shares: np.ndarray,
        rng: np.random.Generator,
    ) -> None:
        n = spec.count
        tiers = _tiers(spec, space)  # what the scenario alone sets, made once a scenario
        self.tier = tiers.tier
        self.tier_names = list(tiers.names)
        self.pay = tiers.pay
        self.runway0 = tiers.mean_runway * np.exp(tiers.sd * rng.standard_normal(n)
                                                  - tiers.half_var)
        noisy = tiers.base_w * np.exp(spec.weight_noise * rng.standard_normal((n, space.size)))
        # np.add.reduce: .sum()'s sum without its wrapper
        self.weights = noisy / np.add.reduce(noisy, axis=1, keepdims=True)
        self.floor = tiers.floor
        self.rho0 = np.clip(tiers.res + spec.reservation_noise * rng.standard_normal(n),
                            self.floor, 1.0)
        # np.add's accumulate and reduce: np.cumsum's and np.sum's sums, without wrappers
        cdf = np.add.accumulate(employer_shares) / np.add.reduce(employer_shares)
        self.employer = np.minimum(cdf.searchsorted(rng.random(n), side="right"), len(cdf) - 1)
        self.rep = tiers.rep
        self.need_fraction = spec.need_fraction
        self.need_cost = tiers.need_cost  # $M a week, each
        self.grace = spec.grace_weeks
        self.refill = spec.refill_weeks_per_week
        self.savings = self.runway0.copy()
        self.exhausted = np.zeros(n)
        self.hardship = np.zeros(n)
        self.rho_span = self.rho0 - self.floor  # how far hardship can lower a reservation
        self.rho = self._reservations()
        self.u_open = self.weights @ union_opening
        self.neediest_first = self.runway0.argsort(kind="stable")
        # while every member has struck since the start, savings fall alike (see `week`):
        # the members' needs in that order, and their running totals, are kept
        self._alike = not bool(np.isnan(self.runway0).any())
        self._need_sorted = self.need_cost[self.neediest_first]
        self._need_total = np.add.accumulate(self._need_sorted)
        self._striking: dict[tuple[bool, ...], Striking] = {}  # see `striking`

    def striking(self, working: tuple[bool, ...]) -> Striking:
        """Who strikes while the companies flagged in `working` (in order) are back at work.

        Statuses change a few times a run at most, so each pattern's mask, head count and
        pay are made once (the run's members are its own: kept on them) and the mask is
        read-only.
        """
        hit = self._striking.get(working)
        if hit is None:
            mask = frozen(~np.array(working)[self.employer])
            count = int(np.count_nonzero(mask))
            # np.add.reduce: .sum()'s sum without its wrapper
            pay = float(np.add.reduce(self.pay[mask]))
            hit = self._striking[working] = Striking(mask, count, 0 < count == mask.size, pay)
        return hit

    def week(self, striking: np.ndarray, fund: float, everyone: bool | None = None) -> float:
        """Advance one week; returns the strike fund left ($M).

        Savings are counted in weeks of need and never go below zero; a striking member
        with no savings left either gets this week's need from the strike fund (the
        neediest first) or goes a week deeper into hardship. `everyone`: whether every
        member strikes, when the caller knows (`striking`); None: found here.
        """
        if everyone is None:
            everyone = bool(striking.all())
        anyone_working = False
        if everyone:
            # nobody works: nobody refills or recovers, and who cannot pay is short; the
            # same values as the general case below, in fewer numpy calls (the common week)
            can_pay = self.savings >= 1.0
            unable = can_pay.size - int(np.count_nonzero(can_pay))
            anyone_short = unable > 0
            if not anyone_short:
                self.savings = self.savings - 1.0
                return max(fund, 0.0)
            if self._alike:
                return self._week_alike(unable, fund)
            short = ~can_pay
            self.savings = np.where(can_pay, self.savings - 1.0, 0.0)
        else:
            self._alike = False  # (for good: a company back at work never strikes again)
            working = ~striking
            anyone_working = bool(working.any())
            if anyone_working:
                self.savings[working] = np.minimum(
                    self.savings[working] + self.refill, self.runway0[working]
                )
                self.exhausted[working] = np.maximum(self.exhausted[working] - 1.0, 0.0)
            can_pay = striking & (self.savings >= 1.0)
            short = striking & ~can_pay
            anyone_short = bool(short.any())
            kept = np.where(short, 0.0, self.savings) if anyone_short else self.savings
            self.savings = np.where(can_pay, self.savings - 1.0, kept)
        if fund > 0.0 and anyone_short:
            order = self.neediest_first[short[self.neediest_first]]
            cost = self.need_cost[order]
            # np.add's accumulate and reduce: np.cumsum's and .sum()'s sums, without wrappers
            paid_mask = np.add.accumulate(cost) <= fund
            short[order[paid_mask]] = False
            fund -= float(np.add.reduce(cost[paid_mask]))
            # the fund paid every short member: nobody's `exhausted` changes
            anyone_short = int(np.count_nonzero(paid_mask)) < paid_mask.size
        if anyone_short:
            np.add(self.exhausted, 1.0, out=self.exhausted, where=short)
        if anyone_short or anyone_working:  # else `exhausted`, and all that follows, stands
            self._exhausted_changed()
        return max(fund, 0.0)

    def _week_alike(self, unable: int, fund: float) -> float:
        """`week` when every member strikes and always has, and `unable` (> 0) are short.

        Returns the strike fund left ($M). Each week took one from every savings, or left
        none, a rising function of the savings alike for all, so savings still rank as the
        starting ones do and the short are the first `unable` of `neediest_first`. Their
        needs' running totals (a prefix of the kept ones) rise, so those the fund pays are
        the first `paid` of them. The general case's values, from index ranges instead of
        masks over every member.
        """
        short = self.neediest_first[:unable]
        savings = self.savings - 1.0
        savings[short] = 0.0  # (as `np.where(can_pay, savings - 1.0, 0.0)`)
        self.savings = savings
        paid = 0
        if fund > 0.0:
            paid = min(unable, int(self._need_total.searchsorted(fund, side="right")))
            # np.add.reduce: .sum()'s sum (of the same contiguous values) without its wrapper
            fund -= float(np.add.reduce(self._need_sorted[:paid]))
        if paid < unable:  # else the fund paid every short member: nothing below changes
            self.exhausted[short[paid:]] += 1.0
            self._exhausted_changed()
        return max(fund, 0.0)

    def _exhausted_changed(self) -> None:
        """Hardship and reservations follow the weeks members went short (`exhausted`)."""
        self.hardship = np.minimum(self.exhausted / self.grace, 1.0)
        self.rho = self._reservations()

    def _reservations(self) -> np.ndarray:
        """Reservations lowered by hardship, towards each member's floor.

        Read-only: a new array whenever they change, so one read stands for its week's.
        """
        return frozen(self.floor + self.rho_span * (1.0 - self.hardship))

    def votes_yes(self, vector: np.ndarray) -> np.ndarray:
        """Which members would vote for a deal."""
        # `dot`: the same BLAS product as `@`, for less of a call (as `packages.utility`)
        return self.weights.dot(vector) + TIE >= self.rho * self.u_open


def linear_quantile(values: np.ndarray, q: float) -> float:
    """`np.quantile(values, q)` (its default, linear method), bit for bit, for one q.

    The pivotal member's reservation is needed whenever reservations change; numpy's
    general quantile costs about twenty times a partial sort of two positions.
    """
    n = values.size
    virtual = (n - 1) * q
    if virtual >= n - 1:
        return float(values.max())
    if virtual < 0:
        return float(values.min())
    below = math.floor(virtual)
    part = np.partition(values, (below, below + 1))
    a, b = float(part[below]), float(part[below + 1])
    gamma = virtual - below
    diff = b - a
    return b - diff * (1 - gamma) if gamma >= 0.5 else a + diff * gamma


class Union(Party):
    """The union's leadership, its members and its strike fund."""

    wants_high = True

    def reset(
        self,
        name: str,
        spec: UnionParty,
        weights: np.ndarray | None,
        opening: np.ndarray,
        static_limit: np.ndarray | None,
        tactic: Tactic,
        members: MemberPopulation | None,
    ) -> None:
        """Leadership; `weights` None: its members' mean; `static_limit` None: theirs decides."""
        if weights is None:
            assert members is not None
            weights = frozen(members.weights.mean(axis=0))
        discount = spec.discount if spec.discount is not None else 1.0
        super().reset(name, weights, opening, discount, tactic)
        self.spec = spec
        self.members = members
        self.static_limit = static_limit
        self.reference = opening  # the members' yardstick: the original demand
        self.fund = spec.strike_fund
        self.solidarity = 1.0  # (no measurement pending: see `solidarity`)
        self.floor_utility = 0.0  # never accept less than a deal the members rejected
        self.rejections = 0
        self._ratio = 0.0  # the pivotal ratio of the reservations `_ratio_values`
        self._ratio_values = b""

    # --- limit and aim -------------------------------------------------------------
    def limit_ratio(self) -> float:
        """Share of the opening's worth the pivotal member needs for a deal to pass.

        Kept for the revision (`remembered`); across revisions the quantile is found again
        only when the reservations' values changed (often they do not: nobody's savings
        ran out yet), a pure function remembered by the value of its input.
        """
        assert self.members is not None
        memo = self.remembered()
        ratio = memo.get("ratio")
        if ratio is None:
            rho = self.members.rho
            values = rho.tobytes()
            if values != self._ratio_values:
                level = min(1.0, self.spec.ratification_threshold + self.spec.ratification_margin)
                self._ratio = linear_quantile(rho, level)
                self._ratio_values = values
            ratio = memo["ratio"] = self._ratio
        return ratio

    def limit_utility(self, table: Table) -> float:
        """The least utility leadership would sign now."""
        if self.static_limit is not None:
            return max(self.worth(self.static_limit), self.floor_utility)
        # members judge a deal against the original demand, even after a pattern anchor
        return max(self.limit_ratio() * self.worth(self.reference), self.floor_utility)

    def adjust_aim(
        self, base: Any, limit: float, table: Table, lower: Bound = min, upper: Bound = max
    ) -> Any:
        """Leadership's aim; it concedes faster when solidarity is below its threshold."""
        if not self.tactic.pressured or self.members is None:
            return upper(base, self.floor_utility)
        theta = self.spec.solidarity_threshold
        pressure = 0.0
        if theta > 0 and self.solidarity < theta:
            pressure = min(1.0, self.spec.solidarity_gain * (theta - self.solidarity) / theta)
        u_open = self.worth(self.opening)
        u_lim = min(limit, u_open)
        return upper(base - pressure * (base - u_lim), self.floor_utility)

    def proposal(self, t: float, table: Table) -> np.ndarray:
        """Its tactic's proposal; with private information, its screening demand.

        The demand (`information`) follows from its belief about the employer across the
        table; its members' pressure may still hurry it towards their limit.
        """
        info = self.model.information
        if info is None:
            return super().proposal(t, table)
        limit = self.effective_limit(table)
        return self.package_at(self.adjust_aim(info.demand(table, t), limit, table), table)

    # --- members ---------------------------------------------------------------------
    @property
    def solidarity(self) -> float:
        """Share of striking members whose reservation beats the best offer they see.

        Measured by `update_solidarity` and counted when first read: most weeks hold no
        session, and nothing reads it then.
        """
        pending = self._pending
        if pending is not None:
            self._pending = None
            rho, best = pending
            against = rho > best + TIE
            self._solidarity = int(np.count_nonzero(against)) / against.size  # == mean, faster
        return self._solidarity

    @solidarity.setter
    def solidarity(self, value: float) -> None:
        self._pending: tuple[np.ndarray, float | np.ndarray] | None = None
        self._solidarity = value

    def update_solidarity(
        self, striking: np.ndarray, relayed: list[np.ndarray], published: list[np.ndarray],
        everyone: bool | None = None,
    ) -> None:
        """Measure `solidarity` against the offers the striking members see now.

        Leadership relays employers' offers with its own weights and framing; a
        published offer is judged by each member with their own weights. `everyone`:
        whether every member strikes, when the caller knows (it spares selecting them).
        The best offer is found now; the members against it are counted when
        `solidarity` is read, from their reservations now (read-only, replaced when
        they change).
        """
        m = self.members
        if m is None or not (everyone or striking.any()):
            self.solidarity = 1.0
            return
        u_open = self.worth(self.reference)
        relayed_best = 0.0  # a relayed offer looks the same to every member
        for v in relayed:
            relayed_best = max(relayed_best, (1.0 - self.spec.framing) * self.utility(v) / u_open)
        best: float | np.ndarray = relayed_best
        for v in published:
            best = np.maximum(best, m.weights.dot(v) / m.u_open)  # (`dot`: as `@`)
        if isinstance(best, np.ndarray) and not everyone:
            best = best[striking]
        self._pending = (m.rho if everyone else m.rho[striking], best)

    def ratify(self, vector: np.ndarray) -> tuple[bool, float]:
        """Members vote on a tentative deal; returns (passed, share voting yes)."""
        if self.members is None:
            return True, 1.0
        yes = self.members.votes_yes(vector)
        share = int(np.count_nonzero(yes)) / yes.size
        passed = share + 1e-12 >= self.spec.ratification_threshold
        if not passed:
            self.rejections += 1
            self.floor_utility = max(self.floor_utility, self.utility(vector) + 1e-6)
        return passed, share
