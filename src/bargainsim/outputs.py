"""Every output of a run, declared once: the record, sweep columns and compared figures.

One table of `Output` entries, in the order of a run's record. Each says how it is read
from a finished model (its value in the record), whether a sweep keeps it as a column
(always, or when the experiment's `outputs:` names it) with its type and how the value
is read from the record (a family such as `terms.ISSUE` has a column per issue or
company), and which figures `compare` and `summarize` report of it. A survival time names
its event indicator (`event`): a run where the event did not happen is censored at the
time's value, and its figures are Kaplan-Meier statistics. The record
(`runner.record`), the experiment format, the Parquet schema, sweep rows, compare and
summarize all read this table, so a new output is one entry; `register` adds one from
outside the package.

Orders, fixed so that files stay byte for byte the same: the record follows the table;
a sweep row has its single columns, then its families, each in table order (the default
`outputs:` too); compare reports figures by what they measure (time, cost, terms,
other), each group in table order.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from bargainsim.experiments import statistics as stats
from bargainsim.experiments.statistics import Statistic
from bargainsim.registry import Registry, RegistryError

if TYPE_CHECKING:
    from bargainsim.agents import Company
    from bargainsim.model import BargainingModel

Kept = Literal["always", "optional"]
Per = Literal["issue", "company"]
Measure = Literal["time", "cost", "terms", "other"]
MEASURES: tuple[Measure, ...] = ("time", "cost", "terms", "other")
TYPES: tuple[type, ...] = (bool, int, float, str)  # column types (Arrow: bool, int64, ...)
SWEEP_KEYS = ("point", "mode", "seed", "status", "error")  # a sweep row's own columns
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Figure:
    """One figure compare reports per mode from an output's values over the runs.

    `statistic` takes the values (None where a run has none) and the shared bootstrap
    resamples (see `bargainsim.experiments.statistics`). `label`, `width` and `fmt` place it
    in compare's text table (a pair of values, a CI, is shown as `lo-hi`).
    """

    key: str  # its key in compare's per-mode result
    statistic: Statistic
    label: str = ""  # column header in compare's text table (default: the key)
    width: int = 0  # column width (default: the label's length plus one)
    fmt: str = ".4g"  # format spec of the value
    summarize: bool = False  # also among summarize's per-point figures

    def header(self) -> str:
        """The figure's column header, right-aligned to its width."""
        label = self.label or self.key
        return f"{label:>{self.width or len(label) + 1}}"

    def cell(self, value: Any) -> str:
        """The value as shown in compare's text table ('-' when undefined)."""
        if value is None:
            text = "-"
        elif isinstance(value, list):
            text = "-".join(format(v, self.fmt) for v in value)
        else:
            text = format(value, self.fmt)
        label = self.label or self.key
        width = self.width or len(label) + 1
        # a value wider than its column is still set apart from the one before it
        return f"{text:>{width}}" if len(text) < width else " " + text


@dataclass(frozen=True)
class Output:
    """One output: in the record, as sweep columns, in compare's figures (any of them)."""

    name: str  # the record's key; the name an experiment's `outputs:` uses
    description: str  # one line for the docs
    read: Callable[[BargainingModel], Any] | None = None  # the record's value; None: not in it
    when: Callable[[BargainingModel], bool] | None = None  # in the record only when true
    kept: Kept | None = None  # sweep columns: always, or when named; None: no column
    dtype: type = float  # the column's type (bool, int, float or str)
    per: Per | None = None  # a family: a column `PREFIX.KEY` per issue or company
    prefix: str = ""  # a family's column prefix (default: the name)
    column: Callable[[dict[str, Any]], Any] | None = None  # from the record: the column's
    # value (a family: a dict key -> value); default the record's own value of `name`
    measures: Measure = "other"  # what it measures: orders compare's figures
    figures: tuple[Figure, ...] = ()
    event: str = ""  # a survival time: the bool output saying its event happened (a run
    # where it did not is censored at this output's value; a null value: at the horizon)

    def value(self, record: dict[str, Any]) -> Any:
        """The column's value for a run's record (a family: a dict key -> value)."""
        return self.column(record) if self.column is not None else record.get(self.name)

    def column_names(self, issues: Iterable[str], companies: Iterable[str]) -> list[str]:
        """The sweep columns this output adds for a scenario's issues and companies."""
        if self.per is None:
            return [self.name]
        keys = issues if self.per == "issue" else companies
        return [f"{self.prefix or self.name}.{k}" for k in keys]


# ------------------------------------------------------------------ reading a run


def weighted_mean(values: list[float], weights: list[float]) -> float:
    """`np.average(values, weights=weights)`, bit for bit, without its overhead.

    numpy adds fewer than 8 numbers one after another from 0.0, as this loop does; for
    more it sums pairwise, so longer lists go to numpy's sums, those `np.average` makes
    (of the products, over the weights' sum) without its checks and wrappers.
    """
    if len(values) >= 8:
        w = np.array(weights, dtype=float)
        scale = np.add.reduce(w)
        if scale == 0.0:
            raise ZeroDivisionError("Weights sum to zero, can't be normalized")
        return float(np.add.reduce(np.array(values, dtype=float) * w) / scale)
    total = weight = 0.0
    for v, w in zip(values, weights, strict=True):
        total += v * w
        weight += w
    return total / weight


def _settled(model: BargainingModel) -> bool:
    return all(c.settled for c in model.companies.values())


def _steps(model: BargainingModel) -> list[float]:
    return [c.settled_step for c in model.companies.values() if c.settled_step is not None]


def _settlement_step(model: BargainingModel) -> float | None:
    steps = _steps(model)
    return max(steps) if _settled(model) and steps else None


def _first_deal_step(model: BargainingModel) -> float | None:
    steps = _steps(model)
    return min(steps) if steps else None


def _writers_back(model: BargainingModel) -> bool:
    """Every company's writers went back (by a deal or an interim agreement) by the horizon."""
    return all(c.back_step is not None for c in model.companies.values())


def _weighted_settlement_step(model: BargainingModel) -> float:
    """The companies' back weeks weighted by starting market share (normalised to 1).

    A company never back counts at the horizon, so the value of a run whose writers are
    not all back (`writers_back` false) is a lower bound: censored there.
    """
    companies = model.companies.values()
    weeks = [float(c.back_step) if c.back_step is not None else float(model.horizon)
             for c in companies]
    return weighted_mean(weeks, [c.share0 for c in companies])


def _deals(model: BargainingModel) -> list[dict[str, Any]]:
    return [
        {
            "parties": d.parties,
            "step": d.step,
            "terms": d.terms,
            **({"time": d.time, "conceded_by": d.conceded_by} if d.time is not None else {}),
            **({"coalition": d.coalition} if d.coalition else {}),
            "yes_share": d.yes_share,
        }
        for d in sorted(model.deals, key=lambda d: (d.step, d.parties))
    ]


def _continuous(model: BargainingModel) -> bool:
    return model.clock == "continuous"


def _left_coalition(model: BargainingModel, company: Company) -> bool:
    """Whether a company broke ranks (in a mode that lets members leave)."""
    return model.rules.members_leave and not company.in_coalition


def _companies(model: BargainingModel) -> dict[str, dict[str, Any]]:
    units: dict[bytes, dict[str, float]] = {}  # terms in units, by their values

    def in_units(terms: np.ndarray) -> dict[str, float]:
        """`to_units` of a company's terms: once for terms alike, a dict for each company.

        (One deal covers several companies: their terms are copies of one package.)
        """
        key = terms.tobytes()
        made = units.get(key)
        if made is None:
            made = units[key] = model.space.to_units(terms)
        return dict(made)

    return {
        name: {
            "settlement_step": c.settled_step,
            "terms": in_units(c.terms) if c.terms is not None else None,
            "losses": c.cum_loss,
            "deal_cost": c.deal_cost(),
            "market_share": c.share,
            "preset": c.business.get("preset"),
            "left_coalition": _left_coalition(model, c),
            "status": c.status.name,
            "back_step": c.back_step,
        }
        for name, c in model.companies.items()
    }


def _union_utility(model: BargainingModel) -> float | None:
    """The union's utility of the settled companies' terms, weighted by initial share."""
    utilities = []
    weights = []
    for c in model.companies.values():
        if c.terms is not None:
            utilities.append(model.union.utility(c.terms))
            weights.append(c.share0)
    return weighted_mean(utilities, weights) if utilities else None


def _deadweight_loss(model: BargainingModel) -> float:
    return sum(c.cum_loss for c in model.companies.values()) + model.writers_lost_earnings


# ---------------------------------------------------------- reading a record (columns)


def _terms(record: dict[str, Any]) -> dict[str, float]:
    """Per issue, the settled companies' terms weighted by market share."""
    settled = [c for c in record.get("companies", {}).values() if c["terms"] is not None]
    weight = sum(c["market_share"] for c in settled)
    issues = settled[0]["terms"] if settled else {}
    return {
        issue: sum(c["terms"][issue] * c["market_share"] for c in settled) / weight
        for issue in issues
    }


def _company_settlement(record: dict[str, Any]) -> dict[str, float | None]:
    return {n: c["settlement_step"] for n, c in record.get("companies", {}).items()}


def _company_back(record: dict[str, Any]) -> dict[str, float | None]:
    return {n: c["back_step"] for n, c in record.get("companies", {}).items()}


def _company_status(record: dict[str, Any]) -> dict[str, str]:
    return {n: c["status"] for n, c in record.get("companies", {}).items()}


def _rejected_votes(record: dict[str, Any]) -> int:
    return sum(1 for v in record.get("ratification_votes", []) if not v["passed"])


# ------------------------------------------------------------------ the table

BUILT_IN: tuple[Output, ...] = (
    Output("scenario", "the scenario's name", read=lambda m: m.spec.name),
    Output("mode", "the bargaining mode", read=lambda m: m.mode),
    Output("seed", "the seed", read=lambda m: m.seed),
    Output("clock", "how time passes: `move`, `week` or `continuous`", read=lambda m: m.clock),
    Output("horizon", "the last step (or time) a run may reach", read=lambda m: m.horizon),
    Output("settled", "every company has a ratified deal by the horizon (or an interim "
           "agreement made final: every company at work, no master deal to come)",
           read=_settled, kept="always", dtype=bool, measures="time"),
    Output("settlement_step", "the last deal (industry back): week of the last deal (or of "
           "interim agreements made final); null unless settled (censored at the horizon)",
           read=_settlement_step, kept="always",
           measures="time", event="settled", figures=(
               Figure("settled_share", stats.settled_share, "settled", 8, ".0%", True),
               Figure("median_settlement_step", stats.km_median, "median", 7, ".0f", True),
               Figure("median_ci95", stats.km_median_ci, "95% CI", 9, "g", True),
               Figure("mean_settlement_step_settled", stats.mean_settled, "mean", 6, ".1f"),
               Figure("p90_settlement_step", stats.km_p90, "p90", 5, ".0f", True),
           )),
    Output("first_deal_step", "week of the first deal; null when there is none",
           read=_first_deal_step, kept="always", measures="time",
           figures=(Figure("median_first_deal_step", stats.km_median, "first", 6, ".0f",
                           True),)),
    Output("writers_back", "every company's writers went back to work (by a deal or an "
           "interim agreement) by the horizon", read=_writers_back, kept="always", dtype=bool,
           measures="time"),
    Output("weighted_settlement_step", "the share-weighted week (writers back): companies' "
           "`back_step` weighted by starting market share (normalised to 1); a company never "
           "back counts at the horizon and the run is censored there (`writers_back` false)",
           read=_weighted_settlement_step, kept="always", measures="time",
           event="writers_back", figures=(
               Figure("back_share", stats.settled_share, "back", 8, ".0%", True),
               Figure("median_weighted_settlement_step", stats.km_median, "median", 7, ".1f",
                      True),
               Figure("weighted_median_ci95", stats.km_median_ci, "95% CI", 11, ".1f", True),
               Figure("mean_weighted_settlement_step_back", stats.mean_settled, "mean", 6,
                      ".1f"),
               Figure("p90_weighted_settlement_step", stats.km_p90, "p90", 6, ".1f", True),
           )),
    Output("deals", "every deal: `parties`, `step`, `terms`, `yes_share`, and `coalition` "
           "for a coalition deal (`time`, `conceded_by` in continuous time)", read=_deals),
    Output("interim_agreements", "with an `interim:` section only: every interim agreement "
           "signed: `company`, `step`, `terms` (the interim terms), `sanctions` ($M)",
           read=lambda m: [a.as_record() for a in m.interim_agreements],
           when=lambda m: m.interim is not None),
    Output("settlement_time", "continuous time only: when the deal was made (null: none)",
           read=lambda m: m.deals[0].time if m.deals else None, when=_continuous),
    Output("conceded_by", "continuous time only: the side that conceded (null: none)",
           read=lambda m: m.deals[0].conceded_by if m.deals else None, when=_continuous),
    Output("companies", "per company: `settlement_step` (null when censored), `terms`, "
           "`losses`, `deal_cost`, `market_share`, `preset`, `left_coalition`, `status` (its "
           "final status: `striking`, `settled`, ...) and `back_step` (the week its writers "
           "went back, by a deal or an interim agreement; null if never)", read=_companies),
    Output("terms", "the settled companies' terms per issue, weighted by market share",
           kept="optional", per="issue", column=_terms, measures="terms"),
    Output("company_settlement", "each company's settlement week (null when censored)",
           kept="optional", per="company", prefix="settlement", column=_company_settlement,
           measures="time"),
    Output("company_back", "each company's `back_step`: the week its writers went back "
           "(null if never)", kept="optional", per="company", prefix="back",
           column=_company_back, measures="time"),
    Output("company_status", "each company's final status (`striking`, `settled`, ...)",
           kept="optional", dtype=str, per="company", prefix="status", column=_company_status,
           measures="other"),
    Output("union_utility", "the union's utility of the terms (0-1, undiscounted), "
           "settled companies weighted by initial market share; null when none settled",
           read=_union_utility, kept="optional", measures="terms",
           figures=(Figure("mean_union_utility", stats.mean, "union u", 8, ".3f", True),)),
    Output("company_losses", "each company's strike losses ($M)",
           read=lambda m: {name: c.cum_loss for name, c in m.companies.items()},
           kept="optional", per="company", prefix="losses",
           column=lambda r: r.get("company_losses", {}), measures="cost"),
    Output("writers_back_share", "share of writers back at work, per week",
           read=lambda m: m.writers_back),
    Output("writer_weeks_lost", "writer-weeks on strike", read=lambda m: m.writer_weeks_lost,
           kept="optional", measures="cost",
           figures=(Figure("mean_writer_weeks_lost", stats.mean, "writer-wks", 11, ",.0f"),)),
    Output("writers_lost_earnings", "writers' lost earnings ($M)",
           read=lambda m: m.writers_lost_earnings, kept="optional", measures="cost"),
    Output("deadweight_loss", "companies' strike losses plus writers' lost earnings ($M)",
           read=_deadweight_loss, kept="optional", measures="cost",
           figures=(Figure("mean_deadweight_loss", stats.mean, "deadwt $M", 10, ",.0f"),)),
    Output("ratification_votes", "every ratification vote: `step`, `table`, `yes_share`, "
           "`passed`", read=lambda m: m.votes),
    Output("strike_fund_left", "the union's strike fund at the end ($M)",
           read=lambda m: m.union.fund, kept="optional", measures="cost"),
    Output("rejected_votes", "ratification votes the members rejected", kept="optional",
           dtype=int, column=_rejected_votes),
)


# ------------------------------------------------------------------ the registry

def _check(output: Any) -> str:
    """The registry's check of an entry: its name, or RegistryError saying what is wrong."""
    if not isinstance(output, Output):
        raise RegistryError(f"is a {type(output).__name__}, not an Output")
    problem = _problem(output)
    if problem:
        raise RegistryError(problem)
    return output.name


OUTPUTS: Registry[Output] = Registry("output", "bargainsim.outputs", _check)
_TABLE = OUTPUTS.mapping  # name -> output, read where the table is walked often
_RECORD: tuple[tuple[str, Callable[[Any], Any], Callable[[Any], bool] | None], ...] = ()


def _problem(output: Output) -> str | None:
    """What is wrong with an entry, against the table it would join (None: nothing)."""
    if not _NAME.match(output.name):
        return "a name is lower-case letters, digits and underscores, starting with a letter"
    if output.name in _TABLE:
        return "an output of that name is already registered"
    if not output.description.strip():
        return "give a description (it is shown in the docs)"
    if output.read is None and output.kept is None:
        return "neither in the record (read) nor a sweep column (kept)"
    if output.when is not None and output.read is None:
        return "`when` needs `read`: it says when the record holds the value"
    if output.kept not in (None, "always", "optional"):
        return "kept is 'always', 'optional' or None"
    if output.kept is not None and output.per is None and output.name in SWEEP_KEYS:
        return "a sweep row has a column of that name already"
    if output.kept is not None and output.dtype not in TYPES:
        return "a column's dtype is bool, int, float or str"
    if output.kept is not None and output.read is None and output.column is None:
        return "a column not in the record needs `column` to read it from the record"
    if output.measures not in MEASURES:
        return f"measures is one of {', '.join(MEASURES)}"
    if output.per is not None:
        if output.per not in ("issue", "company"):
            return "per is 'issue' or 'company'"
        if output.kept is None or output.column is None:
            return "a family (per) is a kept column read by `column` as a dict key -> value"
        if output.figures:
            return "a family (per) has no figures: compare aggregates single columns"
        prefix = output.prefix or output.name
        if not _NAME.match(prefix):
            return "a prefix is lower-case letters, digits and underscores"
        if any(o.per and (o.prefix or o.name) == prefix for o in _TABLE.values()):
            return f"the column prefix {prefix!r} is already used"
    elif output.prefix:
        return "only a family (per) has a prefix"
    if output.figures and output.kept is None:
        return "figures need a column: summarize reads them from a sweep's rows"
    if output.event:
        event = _TABLE.get(output.event)
        if event is None or event.per is not None or event.kept != "always" or (
                event.dtype is not bool):
            return (f"event {output.event!r} is not a registered bool output kept as a column "
                    "always (register it first)")
        if output.per is not None or output.kept is None:
            return "a survival time (event) is a single column"
    keys = ["runs"] + [f.key for o in _TABLE.values() for f in o.figures]
    for f in output.figures:
        if f.key in keys:
            return f"the figure {f.key!r} is already reported"
        keys.append(f.key)
        if not callable(f.statistic):
            return f"figure {f.key!r}: the statistic must be a function (values, idx)"
    return None


def register(output: Output, origin: str = "bargainsim") -> Output:
    """Add an output to the table (at its end); refuse an invalid entry or a taken name.

    Register when a module is imported that every process imports (a plugin's entry
    point, group `bargainsim.outputs`), so that sweep and compare workers hold the same
    table as the coordinator.

    Raises:
        RegistryError (a ValueError): the entry is invalid or its name (or column prefix,
            or figure) taken.
    """
    return OUTPUTS.register(output, origin)


def unregister(name: str) -> Output:
    """Remove an output from the table (a plugin's, or a test's); return it."""
    if name not in _TABLE:
        raise ValueError(f"no output named {name!r} is registered")
    output = _TABLE[name]
    OUTPUTS.unregister(name)
    return output


def _refresh() -> None:
    """Recompute what `record` walks (a record is made for every run: no lookups there)."""
    global _RECORD
    _RECORD = tuple((o.name, o.read, o.when) for o in _TABLE.values() if o.read is not None)


def _loaded() -> Mapping[str, Output]:
    """The table with installed plugins' outputs registered (on first use)."""
    OUTPUTS.load_plugins()
    return _TABLE


def table() -> tuple[Output, ...]:
    """Every output, in table (record) order (plugins' after the built-in ones)."""
    return tuple(e.value for e in OUTPUTS.entries())


def get(name: str) -> Output:
    """The output of that name (KeyError when none)."""
    return _TABLE[name]


OUTPUTS.on_change(_refresh)
for _output in BUILT_IN:
    register(_output)


# ------------------------------------------------------------------ what consumers read


def record(model: BargainingModel) -> dict[str, Any]:
    """The plain record of a finished model: every output it holds, in table order."""
    OUTPUTS.load_plugins()
    return {name: read(model) for name, read, when in _RECORD if when is None or when(model)}


def _column_order(outputs: Iterable[Output]) -> list[Output]:
    """Single columns first, then families, each in table order."""
    outputs = list(outputs)
    return [o for o in outputs if o.per is None] + [o for o in outputs if o.per is not None]


def optional() -> tuple[str, ...]:
    """The names an experiment's `outputs:` may give (its default: all of them)."""
    return tuple(o.name for o in _column_order(_loaded().values()) if o.kept == "optional")


def always() -> tuple[str, ...]:
    """The columns every sweep row has, whatever `outputs:` says."""
    return tuple(o.name for o in _loaded().values() if o.kept == "always")


def kept(chosen: Iterable[str]) -> list[Output]:
    """The outputs a sweep keeps as columns: the always kept and the chosen, in column order."""
    names = set(chosen)
    return _column_order(o for o in _loaded().values()
                         if o.kept == "always" or (o.kept == "optional" and o.name in names))


def columns(
    chosen: Iterable[str], issues: Iterable[str], companies: Iterable[str]
) -> list[tuple[str, type]]:
    """(column, type) of every output column a sweep keeps, in order (for its schema)."""
    issues, companies = list(issues), list(companies)
    return [(name, o.dtype) for o in kept(chosen) for name in o.column_names(issues, companies)]


def row(record: dict[str, Any], chosen: Iterable[str]) -> dict[str, Any]:
    """The output columns of a sweep row, read from a run's record."""
    out: dict[str, Any] = {}
    for o in kept(chosen):
        value = o.value(record)
        if o.per is None:
            out[o.name] = value
        else:
            prefix = o.prefix or o.name
            out.update({f"{prefix}.{key}": v for key, v in value.items()})
    return out


def figures() -> list[tuple[Output, Figure]]:
    """Every figure compare reports per mode, in its order (by what the output measures)."""
    ordered = sorted(_loaded().values(), key=lambda o: MEASURES.index(o.measures))
    return [(o, f) for o in ordered for f in o.figures]


def compared(record: dict[str, Any]) -> dict[str, Any]:
    """The values compare aggregates, by output name, read from a run's record.

    Those of outputs with figures, and of the event indicators of survival times.
    """
    table = _loaded()
    names = {o.name for o in table.values() if o.figures}
    names |= {o.event for o in table.values() if o.figures and o.event}
    return {o.name: o.value(record) for o in table.values() if o.name in names}


# ------------------------------------------------------------------ docs


def _in_record(output: Output) -> str:
    if output.read is None:
        return "-"
    return "yes" if output.when is None else "some runs"


def markdown() -> str:
    """The table as Markdown, for README (a test checks that README holds it)."""
    lines = ["| output | record | sweep column | type | compare figures | what it is |",
             "|---|---|---|---|---|---|"]
    for o in _loaded().values():
        if o.kept is None:
            column = "-"
        else:
            column = f"`{o.prefix or o.name}.{o.per.upper()}`" if o.per else f"`{o.name}`"
            column += " always" if o.kept == "always" else " optional"
        figs = ", ".join(f"`{f.key}`" + ("*" if f.summarize else "") for f in o.figures)
        lines.append(
            f"| `{o.name}` | {_in_record(o)} "
            f"| {column} | {o.dtype.__name__ if o.kept else '-'} | {figs or '-'} "
            f"| {o.description} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown())
