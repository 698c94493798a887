"""Calibration files: which strikes, which shared parameters with which priors, what budget.

A calibration file is validated like an experiment (unknown keys, types, bounds; file, key
path, line; exit 2). Every parameter is then checked against every strike's scenario: its
path must name a place each scenario has (`evidence.overrides`), and its prior's bounds,
applied, must leave each scenario valid (a probability above 1, a negative deadline: an
impossible prior is refused before any run).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, ValidationError, model_validator

from bargainsim import history as hist
from bargainsim._strict import Strict
from bargainsim.errors import InputError, Problem
from bargainsim.evidence import overrides
from bargainsim.experiments.design import _problems
from bargainsim.scenario import dump, load_scenario, scenario_from_dict
from bargainsim.yamlio import YamlDocument, read_yaml_file

STATISTICS = ("length", "interim", "ratification", "breaks")


class Prior(Strict):
    """A uniform prior on [min, max]; `scale: true` multiplies each scenario's own value."""

    min: Annotated[float, Field(ge=-1e12, le=1e12)]
    max: Annotated[float, Field(ge=-1e12, le=1e12)]
    scale: bool = False

    @model_validator(mode="after")
    def _bounds(self) -> Prior:
        if not self.min < self.max:
            raise ValueError(f"min ({self.min:g}) must be below max ({self.max:g})")
        if self.scale and self.min <= 0:
            raise ValueError(f"a scale must be positive (min is {self.min:g})")
        return self


class Statistics(Strict):
    """The summary statistics compared with history, each with its scale (null drops it).

    length: the alliance's deal week against the strike's length in weeks; interim: the
    first interim agreement's week against history's first; ratification: the share voting
    yes; breaks: the share of the alliance's members signing apart (history: none of the
    large members did during a strike). A distance is the mean of |simulated - actual| /
    scale over every strike's known values.
    """

    length: Annotated[float, Field(gt=0)] | None = 4.0
    interim: Annotated[float, Field(gt=0)] | None = 4.0
    ratification: Annotated[float, Field(gt=0)] | None = 0.1
    breaks: Annotated[float, Field(gt=0)] | None = 0.25

    def scales(self) -> dict[str, float]:
        """The kept statistics and their scales."""
        return {k: v for k in STATISTICS if (v := getattr(self, k)) is not None}


class Abc(Strict):
    """ABC-SMC's budget: particles per generation, generations, the run's seed."""

    population: Annotated[int, Field(ge=4, le=100_000)] = 40
    generations: Annotated[int, Field(ge=1, le=100)] = 4
    seed: Annotated[int, Field(ge=0, le=2**32 - 1)] = 0
    min_epsilon: Annotated[float, Field(ge=0)] = 0.0
    batch: Annotated[int, Field(ge=1, le=1000)] = 8


class Calibration(Strict):
    """A whole calibration file."""

    name: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")]
    description: str = ""
    scenarios: Annotated[str, Field(min_length=1)] = "../scenarios"
    strikes: Annotated[list[str], Field(min_length=1)] | None = None
    parameters: Annotated[dict[str, Prior], Field(min_length=1, max_length=50)]
    statistics: Statistics = Statistics()
    seeds: Annotated[int, Field(ge=1, le=1000)] = 2
    abc: Abc = Abc()

    @model_validator(mode="after")
    def _distinct(self) -> Calibration:
        if self.strikes is not None and len(set(self.strikes)) != len(self.strikes):
            raise ValueError("strikes: each strike may be named once")
        if not self.statistics.scales():
            raise ValueError("statistics: keep at least one")
        return self


@dataclass(frozen=True)
class Strike:
    """One strike to simulate: its scenario document and history's values for it."""

    name: str
    doc: dict[str, Any]
    observed: dict[str, float]  # statistic -> history's value (only the known ones)
    members: tuple[str, ...]  # the alliance's members in the scenario
    horizon: float


@dataclass(frozen=True)
class Setup:
    """A validated calibration ready to run."""

    calibration: Calibration
    source: str
    strikes: dict[str, Strike]

    @property
    def scaled(self) -> set[str]:
        """The parameters that scale each scenario's own value."""
        return {k for k, p in self.calibration.parameters.items() if p.scale}

    def digest(self, hold_out: str | None = None) -> str:
        """A hash of everything that decides the posterior (not workers or executor)."""
        blob = json.dumps({"calibration": self.calibration.model_dump(mode="json",
                                                                       exclude={"description"}),
                           "strikes": {n: [s.doc, s.observed] for n, s in self.strikes.items()},
                           "hold_out": hold_out}, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()


def observed(strike: hist.Strike, start: Any) -> dict[str, float]:
    """History's values of the statistics for one strike (unknown ones left out)."""
    out: dict[str, float] = {}
    if strike["length_days"] is not None:
        out["length"] = strike["length_days"] / 7.0
    dates = strike["interim_agreement_dates"]
    if dates and start is not None:
        out["interim"] = (dates[0] - start).days / 7.0
    if strike["ratification_share"] is not None:
        out["ratification"] = float(strike["ratification_share"])
    if strike["large_members_signing"] is not None:
        out["breaks"] = 0.0  # no alliance member of a scenario signed apart mid-strike
    return out


def read_validated[M: Strict](path: str | Path, model: type[M]) -> tuple[M, YamlDocument]:
    """A YAML file read and validated against a schema (InputError: file, key path, line)."""
    doc = read_yaml_file(path)
    try:
        return model.model_validate(doc.data), doc
    except ValidationError as exc:
        raise InputError(str(path), _problems(exc, doc)) from None


def load_calibration(path: str | Path, history: hist.History | None = None) -> Setup:
    """Read and validate a calibration file, its strikes' scenarios and its priors' bounds.

    Raises:
        InputError: anything wrong, named by file, key path and line.
    """
    source = str(path)
    cal, doc = read_validated(path, Calibration)
    history = history or hist.load()
    names = cal.strikes or list(history.strikes)
    folder = (Path(path).parent / cal.scenarios).resolve()
    strikes: dict[str, Strike] = {}
    for i, name in enumerate(names):
        where = ("strikes", i) if cal.strikes else ("scenarios",)
        if name not in history.strikes:
            raise InputError(source, [Problem(".".join(map(str, where)), (
                f"{name!r} is not a strike of the history data set ("
                f"{', '.join(history.strikes)})"), doc.line_of(where))])
        file = folder / f"{name}.yaml"
        if not file.is_file():
            raise InputError(source, [Problem(".".join(map(str, where)), (
                f"no scenario for {name}: {file.name} is not in {cal.scenarios}"),
                doc.line_of(where))])
        spec = load_scenario(file)
        scen = dump(spec)
        members = tuple((scen.get("coalition") or {}).get("members") or spec.company_names)
        strikes[name] = Strike(name, scen, observed(history.strikes[name],
                                                    history.strikes[name]["start_date"]),
                               members, float(spec.horizon))
    setup = Setup(cal, source, strikes)
    check_priors(setup, doc)
    return setup


def check_priors(setup: Setup, doc: YamlDocument) -> None:
    """Every parameter names a place in every strike, and its bounds keep each one valid."""
    for key, prior in setup.calibration.parameters.items():
        loc = ("parameters", key)
        for strike in setup.strikes.values():
            for bound in ("min", "max"):
                trial = json.loads(json.dumps(strike.doc))
                try:
                    overrides.apply(trial, {key: getattr(prior, bound)}, setup.scaled)
                except LookupError as exc:
                    raise InputError(setup.source, [Problem(
                        ".".join(loc), f"{strike.name}: {exc}", doc.line_of(loc))]) from None
                try:
                    scenario_from_dict(trial, strike.name)
                except InputError as exc:
                    first = exc.problems[0]
                    raise InputError(setup.source, [Problem(
                        f"parameters.{key}.{bound}", f"an impossible bound: {bound} "
                        f"{getattr(prior, bound):g} makes {strike.name} invalid "
                        f"({first.location}: {first.message})",
                        doc.line_of((*loc, bound)))]) from None


def is_calibration(path: str | Path) -> bool:
    """Whether a file looks like a calibration (it has an `abc:` or `strikes:` section)."""
    try:
        data = read_yaml_file(path).data
    except InputError:
        return False
    return isinstance(data, dict) and ("abc" in data or "strikes" in data) \
        and "parties" not in data


def with_budget(setup: Setup, population: int | None = None,
                generations: int | None = None) -> Setup:
    """The same calibration with another budget (the command line's --budget, --generations)."""
    update = {k: v for k, v in (("population", population), ("generations", generations))
              if v is not None}
    if not update:
        return setup
    abc = setup.calibration.abc.model_copy(update=update)
    return Setup(setup.calibration.model_copy(update={"abc": abc}), setup.source,
                 setup.strikes)
