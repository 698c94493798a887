"""Scenario files: the pydantic schema, loading with clear errors, dotted-path overrides.

Data flows one way: a YAML file is read safely (yamlio), overridden by `--set` values,
validated here into a `Scenario`, then resolved (presets, industry knobs, normalised
market shares) into the values the model uses.
"""

from __future__ import annotations

import copy
import logging
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, ValidationError, model_validator
from pydantic.fields import FieldInfo

from bargainsim._strict import Strict
from bargainsim.modes import MODES
from bargainsim.presets import BUSINESS_FIELDS, PRESETS
from bargainsim.tactics import TACTICS, Tactic, spec_type
from bargainsim.yamlio import InputError, Problem, YamlDocument, parse_scalar, read_yaml_file

logger = logging.getLogger(__name__)

TacticSpec = spec_type()  # rebuilt when a tactic is registered (see `_refresh_tactics`)


def _known_mode(name: str) -> str:
    """A mode's name, if a registered mode has it (`bargainsim.modes`)."""
    if name not in MODES:
        raise ValueError(f"unknown mode {name!r}; choose from {', '.join(MODES)}")
    return name


Mode = Annotated[str, AfterValidator(_known_mode)]  # a registered mode's name
Rule = Literal["hardest_line", "unanimity", "share_weighted"]
Clock = Literal["move", "week", "continuous"]

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
    concession_focus: Annotated[float, Field(ge=0.0, le=50.0)] = 1.0


class Talks(Strict):
    """When sessions are held: they happen, break down and resume by chance."""

    first_week: Annotated[int, Field(ge=0, le=100_000)] = 0
    meet_probability: Annotated[float, Field(gt=0.0, le=1.0)] = 1.0
    breakdown_probability: Unit = 0.0
    resume_probability: Annotated[float, Field(gt=0.0, le=1.0)] = 1.0


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


class Pattern(Strict):
    """Pattern bargaining: which company goes first."""

    target: str = "max_weekly_loss"


class CompanionStrike(Strict):
    """Another guild's strike (SAG-AFTRA in 2023) halting more production."""

    start_week: Annotated[int, Field(ge=0, le=100_000)]
    end_week: Annotated[int, Field(ge=0, le=100_000)]
    loss_multiplier: Annotated[float, Field(ge=1.0, le=100.0)] = 1.5

    @model_validator(mode="after")
    def _order(self) -> CompanionStrike:
        if self.end_week < self.start_week:
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


class Industry(Strict):
    """Industry-wide economics and the knobs that move several parameters at once."""

    streamer_share: Annotated[float, Field(gt=0.0, lt=1.0)] | None = None
    model_spread: Unit = 1.0
    share_flow: Unit = 0.02
    share_loss_weeks: NonNeg = 10.0
    revenue_shock_sd: Annotated[float, Field(ge=0.0, le=5.0)] = 0.0
    employer_opening: Package | None = None
    employer_tactic: TacticSpec | None = None


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


# --------------------------------------------------------------------------- loading


_LEADING_PATH = re.compile(r"^([A-Za-z_][\w\-]*(?:\.[\w\-]+)*): (.*)$", re.S)
_TACTIC_KEYS = ("tactic", "employer_tactic")


def _format_loc(loc: tuple[Any, ...]) -> tuple[str | int, ...]:
    """Drop pydantic's union-member tags (`UnionParty`, `function-after[...]`) from a location."""
    out: list[str | int] = []
    for part in loc:
        if isinstance(part, str) and (
            part in ("union", "company") and out and out[-2:-1] == ["parties"]
        ):
            continue
        if isinstance(part, str) and ("[" in part or part in ("UnionParty", "CompanyParty")):
            continue
        if isinstance(part, str) and out and out[-1] in _TACTIC_KEYS and part in TACTICS:
            continue
        out.append(part)
    return tuple(out)


def _problems_from_validation(exc: ValidationError, doc: YamlDocument | None) -> list[Problem]:
    problems: list[Problem] = []
    for err in exc.errors(include_url=False):
        loc = _format_loc(tuple(err["loc"]))
        msg = err["msg"]
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        if not loc and (m := _LEADING_PATH.match(msg)):
            # cross-field rules name their key path at the start of the message
            loc = tuple(int(k) if k.isdigit() else k for k in m.group(1).split("."))
            msg = m.group(2)
        if err["type"] == "extra_forbidden":
            msg = "unknown key (not part of the scenario format)"
        elif err["type"] == "missing":
            msg = "required key is missing"
        elif err["type"] in ("union_tag_invalid", "union_tag_not_found"):
            if len(loc) == 2 and loc[0] == "parties":
                msg = "role must be 'union' or 'company'"
            elif loc and loc[-1] in _TACTIC_KEYS:
                msg = f"kind must be one of {', '.join(TACTICS)}"
        if "input" in err and err["type"] not in ("missing", "extra_forbidden"):
            shown = repr(err["input"])
            if len(shown) <= 60 and not isinstance(err["input"], dict):
                msg = f"{msg} (got {shown})"
        line = doc.line_of(loc) if doc else None
        problems.append(Problem(".".join(str(p) for p in loc), msg, line))
    return problems


def validate_document(
    data: dict[str, Any], source: str, doc: YamlDocument | None = None
) -> Scenario:
    """Validate a scenario mapping, raising InputError with every problem found."""
    TACTICS.load_plugins()  # plugins' tactics join the schema before the first validation
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise InputError(source, _problems_from_validation(exc, doc)) from None
    except RecursionError:
        raise InputError(source, [Problem("", "nesting too deep")]) from None


def apply_overrides(data: dict[str, Any], overrides: list[str] | None) -> dict[str, Any]:
    """Return a copy of `data` with each `KEY.PATH=VALUE` applied (list items by index)."""
    if not overrides:
        return data
    out = copy.deepcopy(data)
    for item in overrides:
        if "=" not in item:
            raise InputError("--set", [Problem(item, "expected KEY.PATH=VALUE")])
        path, _, raw = item.partition("=")
        try:
            value = parse_scalar(raw.strip())
        except ValueError as exc:
            raise InputError("--set", [Problem(path.strip(), str(exc))]) from None
        set_path(out, path.strip(), value, "--set")
    return out


def set_path(data: dict[str, Any], path: str, value: Any, source: str) -> None:
    """Set the value at a dotted key path in place (list items by index, mappings created).

    Raises:
        InputError: the path is empty, names a missing list item, or runs through a value;
            reported against `source` (e.g. `--set` or an experiment file).
    """
    keys = path.split(".")
    if not path or any(not k for k in keys):
        raise InputError(source, [Problem(path, "empty key in the dotted path")])
    node: Any = data
    for depth, key in enumerate(keys):
        last = depth == len(keys) - 1
        where = ".".join(keys[: depth + 1])
        if isinstance(node, list):
            try:
                idx = int(key)
                node[idx]  # noqa: B018 - bounds check
            except (ValueError, IndexError):
                raise InputError(
                    source, [Problem(where, f"no list item {key!r} (length {len(node)})")]
                ) from None
            if last:
                node[idx] = value
            else:
                node = node[idx]
        elif isinstance(node, dict):
            if last:
                node[key] = value
            else:
                if key not in node or node[key] is None:
                    node[key] = {}
                node = node[key]
        else:
            raise InputError(
                source, [Problem(where, "the path goes through a single value, not a mapping")]
            )


def check_party_path(data: dict[str, Any], path: str, source: str) -> None:
    """Refuse a dotted path into a party the scenario does not have (a typo, not a new party).

    Raises:
        InputError: naming the path and the parties there are.
    """
    keys = path.split(".")
    parties = data.get("parties") if isinstance(data, dict) else None
    if len(keys) >= 3 and keys[0] == "parties" and keys[1] and isinstance(parties, dict):
        if keys[1] not in parties:
            raise InputError(source, [Problem(path, f"no party named {keys[1]!r}; the parties "
                                                    f"are {', '.join(parties)}")])


def load_scenario(path: str | Path, overrides: list[str] | None = None) -> Scenario:
    """Read, override and validate a scenario file; every problem raises InputError."""
    doc = read_yaml_file(path)
    for item in overrides or []:
        check_party_path(doc.data, item.partition("=")[0].strip(), "--set")
    data = apply_overrides(doc.data, overrides)
    try:
        return validate_document(data, str(path), doc)
    except InputError as exc:
        keys = [o.partition("=")[0].strip() for o in overrides or []]
        exc.problems = [
            Problem(p.location, f"{p.message} [from --set {k}]", p.line)
            if (
                k := next(
                    (k for k in keys if p.location.startswith(k) or k.startswith(p.location)),
                    None,
                )
            )
            else p
            for p in exc.problems
        ]
        raise


def scenario_from_dict(data: dict[str, Any], source: str = "<scenario>") -> Scenario:
    """Validate a plain mapping (e.g. a document sent to a worker)."""
    return validate_document(data, source)


# --------------------------------------------------------------------------- resolving


def resolve_companies(scn: Scenario) -> dict[str, dict[str, Any]]:
    """Each company's business-model values: preset, then overrides, then industry knobs.

    Market shares are relative weights normalised to sum to 1; `streamer_share` rescales
    streamers and tech platforms against legacy studios; `model_spread` pulls every
    business-model value towards the average over the scenario's companies.
    """
    resolved: dict[str, dict[str, Any]] = {}
    for name in scn.company_names:
        party = scn.parties[name]
        assert isinstance(party, CompanyParty)
        base = copy.deepcopy(PRESETS.get(party.preset, PRESETS["custom"]))
        for fld in BUSINESS_FIELDS:
            value = getattr(party, fld)
            if value is None:
                continue
            if fld == "issue_costs":
                base["issue_costs"] = {**base.get("issue_costs", {}), **value}
            else:
                base[fld] = value
        base["issue_costs"] = {
            i: float(base.get("issue_costs", {}).get(i, 0.0)) for i in scn.issues
        }
        base["discount"] = party.discount if party.discount is not None else base["discount"]
        base["preset"] = party.preset
        resolved[name] = base

    spread = scn.industry.model_spread
    if spread < 1.0 and len(resolved) > 1:
        n = len(resolved)
        for fld in BUSINESS_FIELDS:
            if fld in ("market_share", "exit_threshold"):
                continue
            if fld == "issue_costs":
                mean = {
                    i: sum(r["issue_costs"][i] for r in resolved.values()) / n for i in scn.issues
                }
                for r in resolved.values():
                    r["issue_costs"] = {
                        i: mean[i] + spread * (r["issue_costs"][i] - mean[i]) for i in scn.issues
                    }
            else:
                mean = sum(float(r[fld]) for r in resolved.values()) / n
                for r in resolved.values():
                    r[fld] = mean + spread * (float(r[fld]) - mean)
        mean_d = sum(r["discount"] for r in resolved.values()) / n
        for r in resolved.values():
            r["discount"] = mean_d + spread * (r["discount"] - mean_d)

    total = sum(r["market_share"] for r in resolved.values())
    if total <= 0:
        for r in resolved.values():
            r["market_share"] = 1.0 / len(resolved)
    else:
        for r in resolved.values():
            r["market_share"] = r["market_share"] / total
    target = scn.industry.streamer_share
    if target is not None:
        digital = [r for r in resolved.values() if r["preset"] in ("streamer", "tech")]
        legacy = [r for r in resolved.values() if r["preset"] not in ("streamer", "tech")]
        d_total = sum(r["market_share"] for r in digital)
        l_total = sum(r["market_share"] for r in legacy)
        if digital and legacy and d_total > 0 and l_total > 0:
            for r in digital:
                r["market_share"] *= target / d_total
            for r in legacy:
                r["market_share"] *= (1 - target) / l_total
    return resolved


def company_opening(scn: Scenario, name: str) -> dict[str, float]:
    """The company's opening package: its own, else the industry's common opening."""
    party = scn.parties[name]
    base = dict(scn.industry.employer_opening or {})
    base.update(party.opening or {})
    return base


def dump(scn: Scenario) -> dict[str, Any]:
    """A plain JSON-able document of the scenario (what workers receive)."""
    return scn.model_dump(mode="json", exclude_none=True)
