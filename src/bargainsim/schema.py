"""The scenario format: a pydantic schema, strict, with the cross-field rules of a scenario.

A scenario file is validated into a `Scenario` here (types, bounds, unknown keys refused,
references between sections checked). Reading files and `--set` overrides live in
`bargainsim.scenario`; what a scenario decides for every run (presets resolved, packages
normalised) in `bargainsim.prepare`. Modes and tactics come from their registries, so a
plugin's mode or tactic is part of the format once it is installed.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator
from pydantic.fields import FieldInfo

from bargainsim._strict import Strict
from bargainsim.modes import MODES
from bargainsim.tactics import TACTICS, Tactic, spec_type
from bargainsim.talks import PRIORITIES

TacticSpec = spec_type()  # rebuilt when a tactic is registered (see `_refresh_tactics`)


def _known_mode(name: str) -> str:
    """A mode's name, if a registered mode has it (`bargainsim.modes`)."""
    if name not in MODES:
        raise ValueError(f"unknown mode {name!r}; choose from {', '.join(MODES)}")
    return name


Mode = Annotated[str, AfterValidator(_known_mode)]  # a registered mode's name
Rule = Literal["hardest_line", "unanimity", "share_weighted"]
Clock = Literal["move", "week", "continuous"]
Information = Literal["complete", "private"]

Unit = Annotated[float, Field(ge=0.0, le=1.0)]
Discount = Annotated[float, Field(gt=0.0, le=1.0)]
NonNeg = Annotated[float, Field(ge=0.0, le=1e12)]
Pos = Annotated[float, Field(gt=0.0, le=1e12)]
Name = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z_][A-Za-z0-9_\-]*$")]
Package = dict[Name, Annotated[float, Field(ge=-1e9, le=1e9)]]


class Issue(Strict):
    """One bargaining issue: a bounded quantity with a unit."""

    unit: str = ""
    min: float = Field(ge=-1e9, le=1e9)
    max: float = Field(ge=-1e9, le=1e9)
    step: Annotated[float, Field(gt=0.0, le=1e9)] | None = Field(
        default=None, description="discrete issue: allowed values are min + k * step"
    )
    description: str = ""

    @model_validator(mode="after")
    def _bounds(self) -> Issue:
        if not self.min < self.max:
            raise ValueError(f"min ({self.min}) must be below max ({self.max})")
        if self.step is not None:
            k = (self.max - self.min) / self.step
            if abs(k - round(k)) > 1e-9 * max(1.0, k) or not 1 <= round(k) <= 1_000_000:
                raise ValueError(
                    f"step ({self.step}) must divide max - min ({self.max - self.min}) "
                    "into 1 to 1,000,000 equal steps"
                )
        return self

    def allows(self, value: float) -> bool:
        """Whether `value` is one of a discrete issue's allowed values (any for continuous)."""
        if self.step is None:
            return True
        k = (value - self.min) / self.step
        return abs(k - round(k)) <= 1e-9 * max(1.0, abs(k))


class Tier(Strict):
    """A tier of union members (showrunners, mid-level, entry-level)."""

    share: Pos = Field(description="relative share of members in this tier")
    weekly_pay: NonNeg = Field(description="weekly earnings while working, $")
    savings_weeks: NonNeg = Field(description="mean weeks of strike a member can last on savings")
    savings_sd: Annotated[float, Field(ge=0.0, le=5.0)] = 0.5
    weights: dict[Name, NonNeg] = Field(default_factory=dict)
    reservation: Annotated[float, Field(gt=0.0, le=1.0)] = 0.8
    floor: Annotated[float, Field(gt=0.0, le=1.0)] = 0.4


class Members(Strict):
    """The membership: a few hundred representative members standing for thousands of writers."""

    count: Annotated[int, Field(ge=1, le=20_000)] = 300
    writers: Annotated[int, Field(ge=1, le=10_000_000)] = 11_500
    tiers: dict[Name, Tier]
    need_fraction: Unit = 0.6
    grace_weeks: Annotated[float, Field(gt=0.0, le=1000.0)] = 8.0
    weight_noise: Annotated[float, Field(ge=0.0, le=10.0)] = 0.3
    reservation_noise: Annotated[float, Field(ge=0.0, le=1.0)] = 0.05
    refill_weeks_per_week: NonNeg = 0.5

    @model_validator(mode="after")
    def _tiers(self) -> Members:
        if not self.tiers:
            raise ValueError("at least one tier is needed")
        for name, tier in self.tiers.items():
            if tier.floor > tier.reservation:
                raise ValueError(f"tier {name}: floor must not exceed reservation")
        return self


class PartyBase(Strict):
    """What every party has: an opening package, a tactic, patience."""

    opening: Package | None = None
    limit: Package | None = None
    weights: dict[Name, NonNeg] | None = None
    discount: Discount | None = None
    tactic: TacticSpec | None = None


class UnionParty(PartyBase):
    """The union: leadership negotiates, members ratify."""

    role: Literal["union"]
    members: Members | None = None
    strike_fund: NonNeg = 0.0
    solidarity_threshold: Unit = 0.6
    solidarity_gain: Annotated[float, Field(ge=0.0, le=10.0)] = 1.0
    ratification_threshold: Annotated[float, Field(gt=0.0, le=1.0)] = 0.5
    framing: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.1
    ratification_margin: Annotated[float, Field(ge=0.0, le=1.0)] = 0.1


class CompanyParty(PartyBase):
    """A studio, streamer or tech platform; unset fields come from its preset."""

    role: Literal["company"]
    preset: Literal["legacy_studio", "streamer", "tech", "custom"] = "custom"
    market_share: NonNeg | None = None
    revenue_at_risk: NonNeg | None = None
    backlog_weeks: NonNeg | None = None
    ramp_weeks: Pos | None = None
    substitution: Unit | None = None
    issue_costs: dict[Name, NonNeg] | None = None
    investor_pressure: NonNeg | None = None
    loss_tolerance: Pos | None = None
    expected_remaining_weeks: Pos | None = None
    duration_dependence: Annotated[float, Field(ge=0.0, le=10.0)] | None = None
    exit_threshold: NonNeg | None = None


Party = Annotated[UnionParty | CompanyParty, Field(discriminator="role")]


class Protocol(Strict):
    """What a step means and who moves first."""

    clock: Clock = "move"
    first_mover: Literal["union", "employer"] = "union"
    rounds_per_session: Annotated[int, Field(ge=1, le=100)] = 4
    proposer: Literal["alternating", "union"] = Field(default="alternating", description=(
        "who makes offers: both sides in turn, or the union alone (each step it makes a "
        "demand and the employer side accepts it or not: a screening game)"))
    concession_focus: Annotated[float, Field(ge=0.0, le=50.0)] = 1.0


class Talks(Strict):
    """When sessions are held: they happen, break down and resume by chance (`talks.py`)."""

    first_week: Annotated[int, Field(ge=0, le=100_000)] = 0
    meet_probability: Annotated[float, Field(gt=0.0, le=1.0)] = 1.0
    breakdown_probability: Unit = 0.0
    resume_probability: Annotated[float, Field(gt=0.0, le=1.0)] = 1.0
    on_at_start: bool = Field(default=True, description=(
        "talks are on in week 0; false: the strike starts with talks broken off"))
    correlation: Unit = Field(default=0.0, description=(
        "how far tables share one calendar: 0 independent schedules, 1 one calendar"))
    capacity: Annotated[int, Field(ge=1, le=100_000)] | None = Field(default=None, description=(
        "sessions the union can staff in a week (null: as many as there are tables)"))
    priority: str = Field(default="largest_loss", description=(
        "which tables get the union's sessions when capacity binds: largest_loss, "
        "largest_share, rotating, or a company whose table comes first"))


class PublishOffer(Strict):
    """The coalition publishes its offer to the members to split them."""

    from_week: Annotated[int, Field(ge=0, le=100_000)] = 0


class Coalition(Strict):
    """The employers' alliance and how it turns its members' positions into one offer."""

    name: Name = "coalition"
    members: list[Name] | None = None
    rule: Rule = "hardest_line"
    quorum: Annotated[float, Field(gt=0.0, le=1.0)] = 0.66
    tactic: TacticSpec | None = None
    discount: Discount | None = None
    publish_offer: PublishOffer | None = None
    sanction_weeks: Annotated[float, Field(ge=0.0, le=1000.0)] = Field(
        default=0.0, description="what leaving costs a member (breaking away or signing an "
        "interim agreement): this many weeks of its revenue at risk")
    mutual_aid: Unit = Field(
        default=0.0,
        description="mutual-aid pact among the members, in every mode: this share of a "
        "struck member's weekly loss is paid to it by the members at work, in proportion "
        "to their market share",
    )


class Pattern(Strict):
    """Pattern bargaining: which company goes first."""

    target: str = "max_weekly_loss"


class CompanionStrike(Strict):
    """Another guild's strike (SAG-AFTRA in 2023) halting more production at every company.

    It ends on a fixed week (`end_week`) or a set number of weeks after the writers' master
    deal (`after_writers_deal`): exactly one of the two.
    """

    start_week: Annotated[int, Field(ge=0, le=100_000)]
    end_week: Annotated[int, Field(ge=0, le=100_000)] | None = None
    after_writers_deal: Annotated[int, Field(ge=0, le=100_000)] | None = Field(
        default=None, description="weeks after the writers' master deal that it ends")
    loss_multiplier: Annotated[float, Field(ge=1.0, le=100.0)] = 1.5

    @model_validator(mode="after")
    def _order(self) -> CompanionStrike:
        if (self.end_week is None) == (self.after_writers_deal is None):
            raise ValueError("give exactly one of end_week (a fixed week) and "
                             "after_writers_deal (weeks after the writers' master deal)")
        if self.end_week is not None and self.end_week < self.start_week:
            raise ValueError("end_week must not be before start_week")
        return self


class PatternDeal(Strict):
    """A deal another guild signed (the DGA's in 2023) that both sides anchor on."""

    week: Annotated[int, Field(ge=0, le=100_000)] = 0
    terms: Package
    anchor: Unit = 0.3


class OtherGuilds(Strict):
    """Optional companion strike and pattern deal."""

    companion_strike: CompanionStrike | None = None
    pattern_deal: PatternDeal | None = None


class Interim(Strict):
    """Interim agreements: the union offers a company its standing terms, with a me-too clause.

    A company that signs goes back to work while the strike goes on against the rest, and
    takes the master deal's terms when it comes if they are better for the union.
    """

    offered_from: Annotated[int, Field(ge=0, le=100_000)] = Field(
        default=0, description="the week the union starts offering them")
    offered_to: Literal["all", "independents"] | list[Name] = Field(
        default="all", description="every company, those outside the alliance, or a list")
    terms: Literal["current", "opening"] = Field(
        default="current", description="the union's standing offer at the company's table, "
        "or its opening demand")
    boycott_weeks: Annotated[float, Field(ge=0.0, le=1000.0)] = Field(
        default=0.0, description="what the alliance's boycott costs any company that signs: "
        "this many weeks of its revenue at risk")


class Industry(Strict):
    """Industry-wide economics and the knobs that move several parameters at once."""

    streamer_share: Annotated[float, Field(gt=0.0, lt=1.0)] | None = None
    model_spread: Unit = 1.0
    share_flow: Unit = 0.02
    share_loss_weeks: NonNeg = 10.0
    revenue_shock_sd: Annotated[float, Field(ge=0.0, le=5.0)] = 0.0
    shock_weight: Unit = Field(
        default=0.25,
        description="weight of the latest week's revenue shock in a company's smoothed "
        "estimate (exponentially weighted mean from 1); 1: that week's shock alone, "
        "0: shocks ignored (their mean)",
    )
    employer_opening: Package | None = None
    employer_tactic: TacticSpec | None = None


class Prior(Strict):
    """A distribution of a company's private type (`information: private`).

    `lognormal`: mean 1, log-sd `spread` (a strike-cost multiplier; a wider spread with
    the same mean is a mean-preserving spread); `uniform`: between `low` and `high`.
    """

    distribution: Literal["lognormal", "uniform"] = "lognormal"
    spread: Annotated[float, Field(ge=0.0, le=3.0)] = 0.3
    low: Annotated[float, Field(ge=0.0, le=1e6)] = 0.0
    high: Annotated[float, Field(ge=0.0, le=1e6)] = 1.0

    @model_validator(mode="after")
    def _bounds(self) -> Prior:
        if self.distribution == "uniform" and not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        return self


class Types(Strict):
    """What each company knows and the union does not, and what the union believes.

    Read only with `information: private`: each company's type is drawn from its prior
    each run; the union starts from the priors and learns (`bargainsim.information`).
    """

    of: Literal["strike_cost", "limit"] = Field(default="strike_cost", description=(
        "strike_cost: the type multiplies the company's strike losses (mean 1); limit: "
        "the type is the share of the way from its opening to the union's it would "
        "concede at most (a static limit, drawn; classroom games)"))
    prior: Prior = Prior()
    presets: dict[Literal["legacy_studio", "streamer", "tech", "custom"], Prior] = Field(
        default_factory=dict, description="a prior for every company of a preset")
    companies: dict[Name, Prior] = Field(
        default_factory=dict, description="a prior for one company (before its preset's)")
    common: Unit = Field(default=0.0, description=(
        "correlation of the companies' types (a Gaussian copula): what one company's "
        "settlement tells the union about the others"))
    particles: Annotated[int, Field(ge=16, le=4096)] = Field(default=64, description=(
        "types the union's belief holds of each company (its prior's quantiles) and of an "
        "alliance (joint profiles): its resolution; planning costs grow with its square"))
    plan_rounds: Annotated[int, Field(ge=1, le=1000)] | None = Field(default=None, description=(
        "demands the union plans ahead (null: to the end of a move-clock game; the "
        "demands of one session under the week clock)"))


class Scenario(Strict):
    """A whole scenario document."""

    name: Name = "scenario"
    description: str = ""
    horizon: Annotated[float, Field(gt=0, le=100_000)] = 52
    mode: Mode = "coalition"
    issues: dict[Name, Issue]
    parties: dict[Name, Party]
    protocol: Protocol = Protocol()
    talks: Talks = Talks()
    coalition: Coalition = Coalition()
    pattern: Pattern = Pattern()
    other_guilds: OtherGuilds = OtherGuilds()
    industry: Industry = Industry()
    interim: Interim | None = None
    information: Information = Field(default="complete", description=(
        "complete: every party knows every other's costs and limits; private: each "
        "company's type (`types`) is its own, and the union screens and learns"))
    types: Types = Types()

    @model_validator(mode="after")
    def _references(self) -> Scenario:
        issues = set(self.issues)
        if not issues:
            raise ValueError("issues: at least one issue is needed")
        unions = [n for n, p in self.parties.items() if isinstance(p, UnionParty)]
        companies = [n for n, p in self.parties.items() if isinstance(p, CompanyParty)]
        if len(unions) != 1:
            raise ValueError(f"parties: exactly one party needs role union, found {len(unions)}")
        if not companies:
            raise ValueError("parties: at least one party needs role company")
        if self.coalition.name in self.parties:
            raise ValueError(f"coalition.name {self.coalition.name!r} is also a party's name")

        def check_package(where: str, pkg: dict[str, float] | None) -> None:
            if pkg is None:
                return
            for key, value in pkg.items():
                if key not in issues:
                    raise ValueError(f"{where}: unknown issue {key!r} (issues: {sorted(issues)})")
                lo, hi = self.issues[key].min, self.issues[key].max
                if not lo <= value <= hi:
                    raise ValueError(f"{where}.{key}: {value} is outside the issue's [{lo}, {hi}]")
                if where.endswith("opening") and not self.issues[key].allows(value):
                    raise ValueError(
                        f"{where}.{key}: {value} is not an allowed value of the discrete issue "
                        f"(min {lo} plus a multiple of step {self.issues[key].step})"
                    )

        for name, party in self.parties.items():
            check_package(f"parties.{name}.opening", party.opening)
            check_package(f"parties.{name}.limit", party.limit)
            for block in ("weights",) + (
                ("issue_costs",) if isinstance(party, CompanyParty) else ()
            ):
                values = getattr(party, block)
                for key in values or {}:
                    if key not in issues:
                        raise ValueError(f"parties.{name}.{block}: unknown issue {key!r}")
            if isinstance(party, UnionParty) and party.members:
                for tname, tier in party.members.tiers.items():
                    for key in tier.weights:
                        if key not in issues:
                            raise ValueError(
                                f"parties.{name}.members.tiers.{tname}.weights: "
                                f"unknown issue {key!r}"
                            )
        union = self.parties[unions[0]]
        if union.opening is None:
            raise ValueError(f"parties.{unions[0]}.opening: the union needs an opening demand")
        if union.members is None and union.limit is None:
            raise ValueError(
                f"parties.{unions[0]}: a union without members needs a static limit package"
            )
        check_package("industry.employer_opening", self.industry.employer_opening)
        if self.other_guilds.pattern_deal:
            check_package("other_guilds.pattern_deal.terms", self.other_guilds.pattern_deal.terms)
        for name in companies:
            if self.parties[name].opening is None and self.industry.employer_opening is None:
                raise ValueError(
                    f"parties.{name}.opening: needed (or give industry.employer_opening)"
                )
        for member in self.coalition.members or []:
            if member not in companies:
                raise ValueError(f"coalition.members: {member!r} is not a company of this scenario")
        if self.coalition.members is not None and len(set(self.coalition.members)) != len(
            self.coalition.members
        ):
            raise ValueError("coalition.members: names must be unique")
        priority = self.talks.priority
        if priority not in PRIORITIES and priority not in companies:
            raise ValueError(
                f"talks.priority: {priority!r} is neither a rule ({', '.join(PRIORITIES)}) "
                "nor a company")
        self._check_interim(companies)
        self._check_information(companies)
        target = self.pattern.target
        if target not in ("max_weekly_loss", "largest_share") and target not in companies:
            raise ValueError(
                f"pattern.target: {target!r} is neither a rule (max_weekly_loss, largest_share) "
                "nor a company"
            )
        employer = self.industry.employer_tactic
        tactics = {f"parties.{n}.tactic": p.tactic for n, p in self.parties.items()
                   if p.tactic is not None}
        if employer is not None:
            tactics["industry.employer_tactic"] = employer
        if self.coalition.tactic is not None:
            tactics["coalition.tactic"] = self.coalition.tactic
        self._check_tactics(tactics, companies)
        if self.protocol.clock == "move" and len(companies) > 1:
            raise ValueError("protocol.clock: move is for two-party games; use week")
        return self

    def _check_interim(self, companies: list[str]) -> None:
        """Interim agreements are offered week by week, to companies of this scenario."""
        if self.interim is None:
            return
        if self.protocol.clock != "week":
            raise ValueError("interim: interim agreements need protocol.clock: week")
        named = self.interim.offered_to
        if isinstance(named, list):
            for name in named:
                if name not in companies:
                    raise ValueError(f"interim.offered_to: {name!r} is not a company of this "
                                     "scenario")
            if len(set(named)) != len(named):
                raise ValueError("interim.offered_to: names must be unique")

    def _check_information(self, companies: list[str]) -> None:
        """Private types need offers by a move or week clock and types a company can have."""
        for name in self.types.companies:
            if name not in companies:
                raise ValueError(f"types.companies: {name!r} is not a company of this scenario")
        if self.information == "complete":
            return
        if self.protocol.clock == "continuous":
            raise ValueError("information: private needs offers (clock: move or week), not "
                             "the continuous war of attrition")
        types = self.types
        priors = [types.prior, *types.presets.values(), *types.companies.values()]
        if types.of == "limit":
            for name in companies:
                if self.parties[name].limit is not None:
                    raise ValueError(
                        f"parties.{name}.limit: with types.of: limit the limit is drawn from "
                        "the prior; remove it")
            for prior in priors:
                if prior.distribution != "uniform" or prior.high > 1.0:
                    raise ValueError("types.prior: with types.of: limit a type is a share of "
                                     "the way to the union's opening: a uniform prior within "
                                     "[0, 1]")
        else:
            if self.protocol.clock != "week":
                raise ValueError("types.of: strike_cost needs protocol.clock: week (strike "
                                 "losses accrue by the week); use types.of: limit")
            for name in companies:
                if self.parties[name].limit is not None:
                    raise ValueError(f"parties.{name}.limit: a company with a static limit has "
                                     "no strike cost to be private; use types.of: limit")

    def _check_tactics(self, tactics: dict[str, Tactic], companies: list[str]) -> None:
        """Each tactic plays under this clock, over this many issues, with discounting."""
        clock = self.protocol.clock
        continuous = {w: t for w, t in tactics.items() if "continuous" in t.clocks}
        if continuous:
            kinds = ", ".join(sorted({t.name for t in continuous.values()}))
            if clock != "continuous":
                raise ValueError(f"protocol.clock: {kinds} tactics need clock: continuous")
            if len(self.parties) != 2 or len(continuous) != len(tactics):
                raise ValueError(f"{kinds} is a two-party game: both parties need it")
        elif clock == "continuous":
            raise ValueError("protocol.clock: continuous time needs tactics that play in it "
                             "(attrition)")
        for where, tactic in tactics.items():
            if clock not in tactic.clocks:
                raise ValueError(f"{where}: tactic {tactic.name} does not play under clock: "
                                 f"{clock} (it plays under {', '.join(tactic.clocks)})")
            if tactic.max_issues is not None and len(self.issues) > tactic.max_issues:
                raise ValueError(
                    f"{where}: tactic {tactic.name} bargains over at most "
                    f"{tactic.max_issues} (divisible) issue(s); this scenario has "
                    f"{len(self.issues)}")
        if any(t.needs_discount() for t in tactics.values()):
            self._check_endless_games(companies)

    def _check_endless_games(self, companies: list[str]) -> None:
        """An endless Rubinstein game at a table needs discounting on at least one side."""
        def endless(tactic: Tactic | None) -> bool:
            return tactic is not None and tactic.needs_discount()

        employer = self.industry.employer_tactic
        union_name = self.union_name
        union = self.parties[union_name]
        d_union = union.discount if union.discount is not None else 1.0
        from bargainsim.prepare import resolve_companies  # (prepare imports this module)

        business = resolve_companies(self)
        tables: list[tuple[str | None, float]] = []  # (where the employer's tactic is, discount)
        for name in companies:
            own = self.parties[name].tactic
            where = f"parties.{name}.tactic" if own is not None else "industry.employer_tactic"
            tables.append((where if endless(self.company_tactic(name)) else None,
                           business[name]["discount"]))
        members = self.coalition.members or companies
        if members:
            largest = max(members, key=lambda n: business[n]["market_share"])
            chain = [("coalition.tactic", self.coalition.tactic),
                     ("industry.employer_tactic", employer),
                     (f"parties.{largest}.tactic", self.parties[largest].tactic)]
            where, tactic = next(((w, t) for w, t in chain if t is not None), (None, None))
            shares = [business[n]["market_share"] for n in members]
            pooled = (self.coalition.discount if self.coalition.discount is not None else
                      sum(s * business[n]["discount"] for s, n in zip(shares, members,
                                                                       strict=True))
                      / sum(shares))
            tables.append((where if endless(tactic) else None, pooled))
        for where, d_employer in tables:
            if endless(union.tactic):
                where = f"parties.{union_name}.tactic"
            if where is not None and d_union * d_employer >= 1.0:
                raise ValueError(
                    f"{where}: a Rubinstein game with no round limit needs a discount below 1 "
                    "for at least one side (without one every split is an equilibrium); give "
                    "a party a discount, or the tactic rounds"
                )

    @property
    def union_name(self) -> str:
        """Name of the single union party."""
        return next(n for n, p in self.parties.items() if isinstance(p, UnionParty))

    def company_tactic(self, name: str) -> TacticSpec | None:
        """A company's tactic: its own, else the industry's employer tactic (None: neither)."""
        return self.parties[name].tactic or self.industry.employer_tactic

    @property
    def company_names(self) -> list[str]:
        """Names of the company parties, in file order."""
        return [n for n, p in self.parties.items() if isinstance(p, CompanyParty)]


def _refresh_tactics() -> None:
    """Rebuild the schema's tactic fields after a tactic is registered (a plugin's, a test's).

    Each field that holds a tactic gets the registry's current union of tactic classes;
    the models that hold it, and those that hold them, are rebuilt in order.
    """
    global TacticSpec
    TacticSpec = spec_type()
    for model, name in ((PartyBase, "tactic"), (UnionParty, "tactic"), (CompanyParty, "tactic"),
                        (Coalition, "tactic"), (Industry, "employer_tactic")):
        model.model_fields[name] = FieldInfo.from_annotated_attribute(TacticSpec | None, None)
    for model in (PartyBase, UnionParty, CompanyParty, Coalition, Industry, Scenario):
        model.model_rebuild(force=True)


TACTICS.on_change(_refresh_tactics)


