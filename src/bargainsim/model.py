"""The Mesa model: a union, its employers, optionally their coalition, and the tables between.

Two clocks share one engine. With `clock: move` (classroom two-party games) a step is
one move, an offer or an acceptance, the first offer at step 0. With `clock: week` a
step is a week of strike: losses and hardship accrue, members may break away, then
every table with a session this week runs several alternating rounds. With
`clock: continuous` (war of attrition) concessions are events at real-valued times.

Order of events in a week (docs/model.md explains each):
  1. companies book strike losses (backlog, ramp, substitution, companion strike, shock;
     the companion strike binds companies whose writers are back too); companies still
     struck lose market share to rivals that have resumed (none while the companion
     strike binds);
  2. a pattern deal by another guild, when signed this week, anchors both sides;
  3. in breakaway mode, coalition members whose calculation favours it leave; with
     interim agreements, companies offered one whose calculation favours it sign and
     go back to work;
  4. members drain savings, the strike fund pays the neediest, hardship and
     reservations update; solidarity is measured against the offers members see;
  5. talks: each table with a session runs its rounds; tentative deals go to a vote;
  6. the week's record; members of companies that settled this week are back at work
     from the next week (they stop drawing on savings and their hardship eases).
"""

from __future__ import annotations

import itertools
import logging
import math
import zlib
from dataclasses import dataclass
from typing import Any

import mesa
import numpy as np

from bargainsim import companion, information, speed
from bargainsim.agents import Coalition, Company, Union
from bargainsim.agents.base import Party
from bargainsim.agents.union import MemberPopulation
from bargainsim.interim import Agreement, InterimAgreements
from bargainsim.master import is_master, put_to_the_rest
from bargainsim.modes import MODES
from bargainsim.packages import frozen
from bargainsim.prepare import prepared
from bargainsim.schema import Mode, Scenario, UnionParty
from bargainsim.table import Table
from bargainsim.tactics import TimeDependent
from bargainsim.talks import Calendar, Staffing

logger = logging.getLogger(__name__)

_REVISIONS = itertools.count()  # model revisions, unique in the process (see `revision`)
_PURPOSES = {"members": 1, "talks": 2, "shocks": 3, "attrition": 4, "tactics": 5,
             "calendar": 6, "types": 7}
_WORD = 2**32 - 1  # the largest uint32: a seed up to it is one word of a stream's entropy
_DEFAULT_TACTIC = TimeDependent(kind="time_dependent", beta=1.0, kappa=0.0, t_max=20.0)


def stream(seed: int, purpose: str, key: str = "") -> np.random.Generator:
    """An independent generator for one purpose (and one party), derived from the seed.

    Each purpose and party has its own stream, so a draw for one never shifts another,
    and seed i gives every mode the same streams (common random numbers).
    """
    seed = int(seed)
    entropy = [seed, _PURPOSES[purpose], zlib.crc32(key.encode())]
    # SeedSequence reads an int below 2**32 as one uint32 word: these words as an array
    # are the same entropy, without numpy converting the ints one by one
    words = np.array(entropy, dtype=np.uint32) if 0 <= seed <= _WORD else entropy
    return np.random.default_rng(np.random.SeedSequence(words))


@dataclass
class Deal:
    """A ratified agreement."""

    parties: list[str]
    step: int
    terms: dict[str, float]
    coalition: str | None = None
    yes_share: float = 1.0
    time: float | None = None
    conceded_by: str | None = None


def default_scenario() -> Scenario:
    """The classroom Faratin example, so that the model can be built with no arguments."""
    from bargainsim.scenario import scenario_from_dict

    return scenario_from_dict(
        {
            "name": "faratin",
            "horizon": 40,
            "mode": "separate",
            "issues": {"wage": {"unit": "%", "min": 0, "max": 10}},
            "parties": {
                "union": {
                    "role": "union",
                    "opening": {"wage": 10},
                    "limit": {"wage": 4},
                    "tactic": {"kind": "time_dependent", "beta": 0.5, "t_max": 20},
                },
                "studio": {
                    "role": "company",
                    "opening": {"wage": 0},
                    "limit": {"wage": 6},
                    "tactic": {"kind": "time_dependent", "beta": 2.0, "t_max": 20},
                },
            },
        }
    )


class BargainingModel(mesa.Model):
    """Multi-party bargaining between a union and its employers in one of four modes."""

    def __init__(
        self,
        spec: Scenario | None = None,
        mode: Mode | None = None,
        seed: int = 0,
        trace: bool = False,
        look_ahead: bool = True,
    ) -> None:
        """A run of `spec` in `mode` (default: the scenario's) with `seed`.

        `trace` keeps a row per party and table each step (`trace_rows`); `look_ahead`
        lets the speed layer make quiet stretches of moves at once (same outputs).
        """
        self.look_ahead = look_ahead
        self._kept: dict[tuple[type, str], Party] = {}  # see `restart`
        super().__init__(rng=seed)
        self.spec = spec if spec is not None else default_scenario()
        spec = self.spec
        self.mode: Mode = mode or spec.mode
        self.rules = MODES.get(self.mode)()  # the mode's hooks (`bargainsim.modes`)
        self.clock = spec.protocol.clock
        self.horizon = spec.horizon
        self.share_loss_weeks = spec.industry.share_loss_weeks
        self.focus = spec.protocol.concession_focus
        self.space = prepared(spec).space
        self.interim = InterimAgreements(spec.interim) if spec.interim is not None else None
        self._begin(seed, trace)

    def _begin(self, seed: int, trace: bool) -> None:
        """Everything a run starts from: its seed, parties, tables and empty records."""
        self.seed = seed
        self.t = 0  # move index (move clock) or week (week clock)
        # a new revision whenever parties' losses, shares, openings, weights or members may
        # change (a new run; each week, before and after the week's changes): values
        # derived from them are kept per revision (`Party.remembered`); unique across runs
        self.revision = next(_REVISIONS)
        self.deals: list[Deal] = []
        self.master_step: int | None = None  # the week of the writers' master deal (`master`)
        self.interim_agreements: list[Agreement] = []
        self.votes: list[dict[str, Any]] = []
        self.writers_back: list[float] = []
        self.writer_weeks_lost = 0.0
        self.writers_lost_earnings = 0.0
        self.trace_rows: list[dict[str, Any]] | None = [] if trace else None
        self._tactic_streams: dict[str, np.random.Generator] = {}
        talks = self.spec.talks
        self.calendar = Calendar(stream(seed, "calendar")) if talks.correlation > 0 else None
        self.staffing = Staffing(talks.capacity, talks.priority)
        self.information: information.PrivateInformation | None = None
        self._build_parties()
        if self.spec.information == "private":
            self._draw_types()
        self._build_tables()
        self._built = list(self.agents)  # see `restart`
        self.running = True
        if self.clock == "continuous":
            self._schedule_attrition()

    def restart(self, seed: int, trace: bool = False) -> BargainingModel:
        """A model for another seed: this one started over, as `BargainingModel(spec, mode, seed)`.

        Several runs in one model spare Mesa's model construction, a sixth of a short
        run's time. The same parties are set up afresh by their public `reset` (keeping
        their Mesa ids and their memos) and the tables are built anew; Mesa's step counter
        and generators start again from the seed through Mesa's public API (`steps`,
        `reset_rng`, `random.seed`). If agents were added or removed since the model was
        built, a new model is returned instead. Only after `run()` (which leaves Mesa's
        event clock alone) and not with the continuous clock (its events are scheduled).
        """
        if self.clock == "continuous" or self.time != 0.0:
            raise ValueError("restart needs a model run by run(), with the move or week clock")
        if type(seed) is not int or seed < 0:
            np.random.default_rng(seed)  # a seed a new model refuses: the same error, here
        if list(self.agents) != self._built:  # someone added or removed agents
            return BargainingModel(self.spec, self.mode, seed, trace, self.look_ahead)
        # the same scenario and mode build the same parties in the same order
        self._kept = {(type(a), a.name): a for a in self._built}
        self.steps = 0
        self.reset_rng(seed)
        self.random.seed(seed)  # the object Mesa's agent sets hold
        self._begin(seed, trace)
        if self._kept:
            raise RuntimeError(f"restart: parties not rebuilt: {sorted(n for _, n in self._kept)}")
        return self

    def tactic_stream(self, party: str) -> np.random.Generator:
        """A party's tactic's own generator for this run (a random tit for tat's draws)."""
        gen = self._tactic_streams.get(party)
        if gen is None:
            gen = self._tactic_streams[party] = stream(self.seed, "tactics", party)
        return gen

    def _agent[P: Party](self, cls: type[P], name: str, *args: Any) -> P:
        """A party of this run: the one of the last run set up again (`reset`), or a new one."""
        kept = self._kept.pop((cls, name), None)
        if kept is None:
            return cls(self, name, *args)
        kept.reset(name, *args)
        return kept

    # ------------------------------------------------------------------ construction
    def _build_parties(self) -> None:
        spec, space = self.spec, self.space
        ready = prepared(spec)
        self.companies: dict[str, Company] = {}
        for name in ready.company_names:
            b = ready.business[name]
            weights, opening, static, scale = ready.companies[name]
            tactic = spec.company_tactic(name) or _DEFAULT_TACTIC
            self.companies[name] = self._agent(
                Company, name, weights, opening, float(b["discount"]), tactic, b, scale, static
            )
        uname = ready.union_name
        uspec = spec.parties[uname]
        assert isinstance(uspec, UnionParty)
        opening = ready.union_opening
        members = None
        if uspec.members is not None:
            shares = np.array([c.share0 for c in self.companies.values()])
            members = MemberPopulation(
                uspec.members, space, opening, shares, stream(self.seed, "members")
            )
        self.union = self._agent(
            Union, uname, uspec, ready.union_weights, opening, ready.union_limit,
            uspec.tactic or _DEFAULT_TACTIC, members,
        )
        weekly = self.clock == "week"  # shocks and talks' chances exist only week by week
        self.shock_streams = {n: stream(self.seed, "shocks", n) for n in self.companies} if (
            weekly) else {}
        self._shocks: dict[str, list[float]] = {n: [] for n in self.shock_streams}

    def _draw_types(self) -> None:
        """Private information: each company's type for this run, and the union's belief."""
        info = self.information = information.build(self, stream(self.seed, "types"))
        for name, theta in info.types.items():
            company = self.companies[name]
            if info.of == "strike_cost":
                company.take_type(theta)
            else:  # its limit: `theta` of the way from its opening to the union's
                far = self.union.opening
                company.static_limit = frozen(company.opening + theta * (far - company.opening))

    def open_table(self, employer: Company | Coalition, covers: list[Company], **kw: Any) -> Table:
        """A new table between the union and `employer`, for the companies it covers.

        A table opened when the run starts has talks on or broken off as the scenario says
        (`talks.on_at_start`); one opened later (a pattern offered, a member that left) opens
        because both sides want to talk: its talks are on.
        """
        kw.setdefault("first", self.spec.protocol.first_mover)
        rng = stream(self.seed, "talks", employer.name) if self.clock == "week" else None
        table = Table(self.union, employer, covers, rng=rng, serial=len(self.tables),
                      proposer=self.spec.protocol.proposer, observer=self.information, **kw)
        table.talks_on = self.spec.talks.on_at_start if self._opening_tables else True
        self.tables.append(table)
        return table

    def _build_tables(self) -> None:
        self.tables: list[Table] = []
        self.coalition: Coalition | None = None
        self.pattern_target: Company | None = None
        self._opening_tables = True  # the tables the run starts with (see `open_table`)
        self.rules.build(self)
        self._opening_tables = False

    def leave_alliance(self, company: Company) -> None:
        """A member leaves the alliance (breaks away, or signs an interim agreement).

        The alliance re-pools what remains; its table covers the rest, and closes when no
        member is left.
        """
        coalition = self.coalition
        assert coalition is not None
        coalition.remove_member(company)
        for table in self.tables:
            if table.employer is coalition:
                table.covers = list(coalition.members)
                table.closed = table.closed or not coalition.members

    def form_coalition(self) -> list[Company]:
        """The alliance of the scenario's `coalition` section (`model.coalition`); its members.

        Its opening is the industry's employer opening, else its members' share-weighted
        one; its tactic the coalition's, else the industry's, else its largest member's.
        """
        cfg = self.spec.coalition
        names = cfg.members if cfg.members is not None else list(self.companies)
        members = [self.companies[n] for n in names]
        shares = np.array([m.share for m in members])
        opening = frozen(
            self.space.normalise(self.spec.industry.employer_opening, np.zeros(self.space.size))
            if self.spec.industry.employer_opening
            else (shares @ np.array([m.opening for m in members])) / shares.sum()
        )
        largest = members[int(np.argmax(shares))]
        tactic = cfg.tactic or self.spec.industry.employer_tactic or largest.tactic
        publish = cfg.publish_offer.from_week if cfg.publish_offer else None
        self.coalition = self._agent(
            Coalition, cfg.name, members, opening, cfg.discount, tactic, cfg.rule, cfg.quorum,
            publish,
        )
        return members

    # ------------------------------------------------------------------ stepping
    def step(self) -> None:
        """Advance one clock unit: a move, or a week of strike and talks."""
        self._advance()

    def _advance(self) -> None:
        if self.clock == "move":
            self._move_step()
        elif self.clock == "week":
            self._week_step()
        self._after_step()

    def run(self) -> BargainingModel:
        """Run until every company's bargaining is over or the horizon is reached.

        A batch run does each step's work directly (`advance`), without Mesa's event
        scheduling around `step()` (about a tenth of a run's time); it counts Mesa's `steps`
        alike, while Mesa's `time` moves only with `step()` (interactive use) and events.
        With `look_ahead` and the move clock, the speed layer makes quiet stretches of
        moves at once (`bargainsim.speed`); the outputs are the same bytes.
        """
        if self.clock == "continuous":
            self.run_until(self.horizon)
            return self
        if self.look_ahead and self.clock == "move" and self.trace_rows is None:
            speed.run_moves(self)
            return self
        while self.running:
            self.advance()
        return self

    def advance(self) -> None:
        """One step's work, counted in Mesa's `steps` (what `step()` does, unscheduled)."""
        self._advance()
        self.steps += 1

    def _after_step(self) -> None:
        self.t += 1
        if self.t >= self.horizon or self.rules.finished(self):
            self.running = False

    def open_tables(self) -> list[Table]:
        """Tables still bargaining."""
        return [t for t in self.tables if not t.closed]

    def _move_step(self) -> None:
        t = float(self.t)
        for table in self.open_tables():
            agreed = table.move(t, 1.0)
            if agreed is not None:
                self._conclude(table, agreed, self.t)
        self._record_week()

    def _week_step(self) -> None:
        week = self.t
        spec = self.spec
        self.revision = next(_REVISIONS)  # the week's changes begin
        self._book_losses(week)
        pattern = spec.other_guilds.pattern_deal
        if pattern is not None and week == pattern.week:
            self._anchor(pattern.terms, pattern.anchor)
        self.rules.week_begins(self, week)
        if self.interim is not None:
            self.interim.week(self, week)
        members = self.union.members
        if members is not None:
            strike = members.striking(self._working())
            striking, everyone = strike.mask, strike.everyone
            self.union.fund = members.week(striking, self.union.fund, everyone)
            rep = members.rep
            self.writer_weeks_lost += float(strike.count) * rep
            self.writers_lost_earnings += strike.pay * rep / 1e6
        else:
            striking, everyone = self._striking(), False
        # the tables open now (nothing below, before the sessions, opens or closes one)
        tables = self.open_tables()
        relayed = [t.employer_offer for t in tables if t.employer_offer is not None]
        published = []
        if self.coalition is not None and self.coalition.publishes(week):
            published = [
                t.employer_offer for t in tables
                if t.employer is self.coalition and t.employer_offer is not None
            ]
        self.union.update_solidarity(striking, relayed, published, everyone)
        rounds = spec.protocol.rounds_per_session
        talks = spec.talks
        self.revision = next(_REVISIONS)  # the week's changes are made; talks keep them
        shared = self.calendar.week(week) if self.calendar is not None else None
        rho = talks.correlation
        meeting = [t for t in tables
                   if t.schedule(week, talks.first_week, talks.meet_probability,
                                 talks.resume_probability, shared, rho)]
        for table in self.staffing.choose(meeting):
            table.sessions.append(week)
            concluded = False
            for k in range(rounds):
                agreed = table.move(week + k / rounds, 1.0 / rounds)
                if agreed is not None:
                    concluded = self._conclude(table, agreed, week)
                    break
            if not concluded:
                table.after_session(talks.breakdown_probability, shared, rho)
        self._record_week()

    def _book_losses(self, week: int) -> None:
        mult = companion.multiplier(self.spec.other_guilds.companion_strike, week,
                                    self.master_step)
        for company in self.companies.values():
            if not company.status.working:
                company.strike_week(week, mult, self._shock(company.name, week))
            elif mult > 1.0:  # the actors strike it still, whatever its writers' status
                company.companion_week(week, mult - 1.0, self._shock(company.name, week))
        # while the companion strike binds every company, none has resumed production
        working = [c for c in self.companies.values() if c.status.working] if mult == 1.0 else []
        flow = self.spec.industry.share_flow
        if working and flow > 0:
            total = sum(c.share for c in working)
            for company in self.companies.values():
                if company.status.working:
                    continue
                moved = company.lose_share(flow)
                for rival in working:  # in proportion to share; alike when none has any
                    rival.share += (moved * rival.share / total if total > 0
                                    else moved / len(working))
        if self.spec.coalition.mutual_aid > 0:
            self._mutual_aid(self.spec.coalition.mutual_aid)

    def _mutual_aid(self, fraction: float) -> None:
        """The pact's members at work pay `fraction` of its struck members' weekly losses.

        The pact binds the companies named in `coalition.members` (all by default) in
        every mode, whether or not they bargain together; each member at work pays in
        proportion to its market share (alike when none has any). With no member at work,
        or none struck, nothing moves.
        """
        names = self.spec.coalition.members
        pact = [c for n, c in self.companies.items() if names is None or n in names]
        payers = [c for c in pact if c.status.working]
        struck = [c for c in pact if not c.status.working]
        if not payers or not struck:
            return
        pool = sum(c.receive_aid(fraction) for c in struck)
        total = sum(c.share for c in payers)
        for payer in payers:
            payer.pay_aid(pool * payer.share / total if total > 0 else pool / len(payers))

    def _shock(self, name: str, week: int) -> float:
        """Week `week`'s revenue shock factor of a company (mean 1, log-normal).

        Each company's stream gives one normal draw a week, settled or not; the draws up
        to the horizon are made at once (the same numbers as one at a time).
        """
        series = self._shocks[name]
        if week >= len(series):
            sd = self.spec.industry.revenue_shock_sd
            n = max(week + 1, math.ceil(self.horizon)) - len(series)
            z = self.shock_streams[name].standard_normal(n)
            series.extend((np.exp(sd * z - 0.5 * sd * sd) if sd > 0 else np.ones(n)).tolist())
        return series[week]

    def _anchor(self, terms: dict[str, float], weight: float) -> None:
        """Another guild's deal becomes a focal point: openings move towards it."""
        mask = np.array([n in terms for n in self.space.names])
        target = self.space.normalise(terms, np.zeros(self.space.size))
        parties: list[Any] = [self.union, *self.companies.values()]
        if self.coalition is not None:
            parties.append(self.coalition)
        for party in parties:
            party.opening = frozen(np.where(mask, (1 - weight) * party.opening
                                            + weight * target, party.opening))

    def _working(self) -> tuple[bool, ...]:
        """Whether each company (in order) is back at work."""
        return tuple([c.status.working for c in self.companies.values()])

    def _striking(self) -> np.ndarray:
        """Which members strike (read-only)."""
        members = self.union.members
        if members is None:
            return np.zeros(0, dtype=bool)
        return members.striking(self._working()).mask

    def _conclude(self, table: Table, package: np.ndarray, step: int) -> bool:
        if self.information is not None:  # the employer signed it: within its limit
            self.information.at_least(table, self.union.utility(package))
        passed, share = self.union.ratify(package)
        self.votes.append(
            {"step": step, "table": table.name, "yes_share": share, "passed": passed}
        )
        if not passed:
            table.reset_after_rejection()
            return False
        master = is_master(self, table)  # (asked while the table is still open)
        alliance = isinstance(table.employer, Coalition)
        for company in table.covers:
            company.settle(step, package.copy())
        table.closed = True
        self.deals.append(
            Deal(
                parties=[c.name for c in table.covers],
                step=step,
                terms=self.space.to_units(package),
                coalition=table.employer.name if isinstance(table.employer, Coalition) else None,
                yes_share=share,
            )
        )
        if master:
            self.master_step = step
            if self.interim is not None:
                self.interim.master_deal(self, package, step)
            if alliance:
                put_to_the_rest(self, package)
        self.rules.after_deal(self, table, package, step)
        return True

    # ------------------------------------------------------------------ continuous time
    def _schedule_attrition(self) -> None:
        """Draw each side's concession time from its equilibrium hazard and schedule it."""
        rng = stream(self.seed, "attrition")
        parties = [self.union, *self.companies.values()]
        for i, party in enumerate(parties):
            when = party.tactic.give_in_time(parties[1 - i].tactic, rng)
            if when <= self.horizon:
                self.schedule_event(party.give_in, at=when)

    def attrition_concession(self, party: Union | Company, when: float) -> None:
        """The first side to give in accepts the other's demand; later events do nothing."""
        if self.deals:
            return
        winner = self.union if party is not self.union else next(iter(self.companies.values()))
        terms = winner.opening
        company = next(iter(self.companies.values()))
        company.settle(int(np.floor(when)), terms.copy(), when)
        self.deals.append(
            Deal(
                parties=[company.name],
                step=int(np.floor(when)),
                terms=self.space.to_units(terms),
                time=when,
                conceded_by=party.name,
            )
        )
        self.running = False

    # ------------------------------------------------------------------ observation
    def writers_back_now(self) -> float:
        """Share of writers whose employer is back at work."""
        members = self.union.members
        if members is not None:
            # members not striking are back: the mean of ~mask, as a count (== mean, faster)
            strike = members.striking(self._working())
            return (strike.mask.size - strike.count) / strike.mask.size
        return sum(c.status.working for c in self.companies.values()) / len(self.companies)

    def _record_week(self) -> None:
        self.writers_back.append(self.writers_back_now())
        if self.trace_rows is not None:
            self._trace()

    def _trace(self) -> None:
        assert self.trace_rows is not None
        names = self.space.names
        t = float(self.t)
        for table in self.tables:
            for party in (self.union, table.employer):
                row: dict[str, Any] = {"step": self.t, "party": party.name,
                                       "table": table.name, "closed": table.closed}
                aim = party.offer(t, table) if not table.closed else None
                own = table.union_offer if party is self.union else table.employer_offer
                for i, n in enumerate(names):
                    lo, hi = self.space.lo[i], self.space.hi[i]
                    row[f"aspiration.{n}"] = None if aim is None else lo + aim[i] * (hi - lo)
                    row[f"offer.{n}"] = None if own is None else lo + own[i] * (hi - lo)
                if party is self.union:
                    row["solidarity"] = self.union.solidarity
                    m = self.union.members
                    row["savings_weeks"] = float(m.savings.mean()) if m is not None else None
                    row["strike_fund"] = self.union.fund
                    row["industry_losses"] = float(sum(c.cum_loss for c in self.companies.values()))
                else:
                    covers = table.covers
                    row["losses"] = float(sum(c.cum_loss for c in covers))
                    row["coalition_members"] = ";".join(c.name for c in covers) if isinstance(
                        party, Coalition) else ""
                    row["in_coalition"] = bool(getattr(party, "in_coalition", False))
                self.trace_rows.append(row)

