"""Experiment files: which scenario, which parameters to vary, how, in which modes, with what seeds.

An experiment is validated like a scenario (unknown keys, types, bounds, line numbers), and
every design point is applied to the base scenario and validated before any run starts, so
a bad value is reported at once with the experiment file and the parameter's key path.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field, PlainValidator, ValidationError, model_validator

from bargainsim._strict import Strict
from bargainsim.errors import InputError, Problem
from bargainsim.outputs import optional as optional_outputs
from bargainsim.scenario import (
    MODES,
    Mode,
    Scenario,
    check_party_path,
    dump,
    load_scenario,
    set_path,
    validate_document,
)
from bargainsim.yamlio import YamlDocument, read_yaml_file


def _output_name(value: Any) -> str:
    """An experiment's `outputs:` entry: a name of the outputs table the sweep may keep."""
    names = optional_outputs()
    if not isinstance(value, str) or value not in names:
        *rest, last = [repr(n) for n in names] or ["(none)"]
        choices = f"{', '.join(rest)} or {last}" if rest else last
        raise ValueError(f"Input should be {choices}")
    return value


OutputName = Annotated[str, PlainValidator(_output_name)]
Value = bool | int | float | str


class Parameter(Strict):
    """One varied scenario value: a list of values (grid) or bounds (grid with `num`, or LHS)."""

    values: Annotated[list[Value], Field(min_length=1, max_length=10_000)] | None = None
    min: Annotated[float, Field(ge=-1e12, le=1e12)] | None = None
    max: Annotated[float, Field(ge=-1e12, le=1e12)] | None = None
    num: Annotated[int, Field(ge=1, le=10_000)] | None = None
    integer: bool = False

    @model_validator(mode="after")
    def _shape(self) -> Parameter:
        if self.values is not None:
            if self.min is not None or self.max is not None or self.num is not None:
                raise ValueError("give either values or min/max bounds, not both")
            kinds = {type(v) for v in self.values}
            if len(kinds & {str, bool}) and len(kinds) > 1:
                raise ValueError("values must all be numbers, all words or all true/false")
            if len(set(self.values)) != len(self.values):
                raise ValueError("values must be distinct")
            return self
        if self.min is None or self.max is None:
            raise ValueError("give values, or both min and max")
        if not self.min < self.max:
            raise ValueError(f"min ({self.min:g}) must be below max ({self.max:g})")
        return self


class Design(Strict):
    """How points are chosen: every combination (grid), a Latin hypercube, or a sensitivity design.

    `morris` (Morris's elementary effects: `trajectories` one-at-a-time paths over a grid of
    `levels`) and `sobol` (Saltelli's scheme for Sobol indices: `samples` base points, a
    power of 2, giving samples x (parameters + 2) points) are SALib's samplers; they are what
    `bargainsim sensitivity` analyses.
    """

    kind: Literal["grid", "lhs", "morris", "sobol"] = "grid"
    samples: Annotated[int, Field(ge=1, le=1_000_000)] | None = None
    trajectories: Annotated[int, Field(ge=2, le=100_000)] | None = None
    levels: Annotated[int, Field(ge=2, le=1000)] | None = None
    seed: Annotated[int, Field(ge=0, le=2**63 - 1)] = 0

    @model_validator(mode="after")
    def _samples(self) -> Design:
        needs = {"lhs": "samples", "sobol": "samples", "morris": "trajectories"}
        what = {"lhs": "a Latin hypercube needs the number of samples",
                "sobol": "a Sobol design needs the number of base samples (a power of 2)",
                "morris": "a Morris design needs the number of trajectories"}
        if self.kind in needs and getattr(self, needs[self.kind]) is None:
            raise ValueError(f"{needs[self.kind]}: {what[self.kind]}")
        if self.samples is not None and self.kind not in ("lhs", "sobol"):
            raise ValueError("samples: only a Latin hypercube (kind: lhs) or a Sobol design "
                             "(kind: sobol) takes samples")
        for key in ("trajectories", "levels"):
            if getattr(self, key) is not None and self.kind != "morris":
                raise ValueError(f"{key}: only a Morris design (kind: morris) takes {key}")
        if self.kind == "sobol" and self.samples is not None and (
                self.samples < 2 or self.samples & (self.samples - 1)):
            raise ValueError(f"samples: a Sobol design needs a power of 2 of at least 2 "
                             f"(got {self.samples})")
        if self.levels is not None and self.levels % 2:
            raise ValueError(f"levels: Morris's levels must be even (got {self.levels})")
        return self

    @property
    def bounded(self) -> bool:
        """Whether every parameter is drawn within min and max bounds (all but a grid)."""
        return self.kind != "grid"


Target = Literal["last_deal", "weighted", "union_utility", "deadweight_loss"]
TARGETS: tuple[str, ...] = ("last_deal", "weighted", "union_utility", "deadweight_loss")


class Sensitivity(Strict):
    """What `bargainsim sensitivity` analyses: mode A minus mode B, per design point.

    `last_deal` and `weighted` are the differences of the Kaplan-Meier medians (the last
    deal, the share-weighted week) over the point's common seeds; `union_utility` and
    `deadweight_loss` the differences of their means. None of it changes the rows, so a
    results folder can be analysed again with other settings.
    """

    modes: Annotated[list[Mode], Field(min_length=2, max_length=2)] | None = None
    targets: Annotated[list[Target], Field(min_length=1)] = Field(
        default_factory=lambda: list(TARGETS))
    resamples: Annotated[int, Field(ge=10, le=100_000)] = 1000
    seed: Annotated[int, Field(ge=0, le=2**32 - 1)] = 0


class Experiment(Strict):
    """A whole experiment file."""

    name: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")]
    description: str = ""
    scenario: Annotated[str, Field(min_length=1)]
    set: dict[str, Value] = Field(default_factory=dict)
    parameters: Annotated[dict[str, Parameter], Field(max_length=50)]
    design: Design = Design()
    modes: Annotated[list[Mode], Field(min_length=1)] = Field(default_factory=lambda: list(MODES))
    seeds: Annotated[int, Field(ge=1, le=1_000_000)] = 20
    first_seed: Annotated[int, Field(ge=0, le=2**62)] = 0
    outputs: list[OutputName] = Field(default_factory=lambda: list(optional_outputs()))
    sensitivity: Sensitivity | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Experiment:
        if not self.parameters:
            raise ValueError("parameters: name at least one scenario value to vary")
        if len(set(self.modes)) != len(self.modes):
            raise ValueError("modes: each mode may be named once")
        if len(set(self.outputs)) != len(self.outputs):
            raise ValueError("outputs: each output may be named once")
        names = {"lhs": "a Latin hypercube", "morris": "a Morris design", "sobol": "a Sobol design"}
        for path, p in self.parameters.items():
            if self.design.bounded and p.values is not None:
                raise ValueError(f"parameters.{path}: {names[self.design.kind]} needs min and "
                                 "max bounds")
            if self.design.kind == "grid" and p.values is None and p.num is None:
                raise ValueError(f"parameters.{path}: a grid needs values, or min, max and num")
            if path in self.set:
                raise ValueError(f"set.{path}: also varied under parameters")
        if self.sensitivity is not None or self.design.kind in ("morris", "sobol"):
            self._check_sensitivity(self.sensitivity or Sensitivity())
        return self

    def _check_sensitivity(self, sens: Sensitivity) -> None:
        """The sensitivity settings fit the design, the modes and the kept outputs.

        Checked under a Morris or Sobol design even without a section (its defaults).
        """
        if self.design.kind not in ("morris", "sobol"):
            raise ValueError("sensitivity: needs a Morris or Sobol design (design: {kind: "
                             "morris, trajectories: N} or {kind: sobol, samples: N})")
        pair = sens.modes or self.modes[:2]
        if len(pair) < 2:
            raise ValueError("modes: a sensitivity analysis compares two modes; name two")
        for mode in pair:
            if mode not in self.modes:
                raise ValueError(f"sensitivity: mode {mode!r} is not among the modes run "
                                 f"({', '.join(self.modes)})")
        if pair[0] == pair[1]:
            raise ValueError("sensitivity: compare two different modes")
        if len(set(sens.targets)) != len(sens.targets):
            raise ValueError("sensitivity: each target may be named once")
        for target in sens.targets:
            if target in ("union_utility", "deadweight_loss") and target not in self.outputs:
                raise ValueError(f"sensitivity: the target {target} needs {target} among "
                                 "the outputs")

    def analysis(self) -> Sensitivity:
        """The sensitivity settings: the file's, or the defaults (the first two modes)."""
        sens = self.sensitivity or Sensitivity()
        return sens.model_copy(update={"modes": list(sens.modes or self.modes[:2])})


NOT_ROWS = ("description", "scenario", "sensitivity")  # keys that never change a row


@dataclass(frozen=True)
class Plan:
    """A validated experiment ready to run: the base document and every design point."""

    experiment: Experiment
    source: str
    base: dict[str, Any]  # the scenario document after `set`, before the varied values
    points: list[dict[str, Value]]
    horizon: float
    issues: list[str]
    companies: list[str]
    posterior: Any = None  # an `evidence.posterior.Posterior`: seed i draws its particle

    @property
    def parameters(self) -> list[str]:
        """Dotted paths of the varied parameters, in file order."""
        return list(self.experiment.parameters)

    @property
    def seeds(self) -> list[int]:
        """The seeds run at every point and in every mode (common random numbers)."""
        first = self.experiment.first_seed
        return list(range(first, first + self.experiment.seeds))

    @property
    def total_runs(self) -> int:
        """Points x modes x seeds."""
        return len(self.points) * len(self.experiment.modes) * self.experiment.seeds

    def document(self, point: int) -> dict[str, Any]:
        """The scenario document of one point (plain data, what a worker receives)."""
        doc = json.loads(json.dumps(self.base))
        for path, value in self.points[point].items():
            set_path(doc, path, value, self.source)
        return doc

    def seed_document(self, point: int, seed: int, doc: dict[str, Any] | None = None
                      ) -> dict[str, Any]:
        """The document a seed runs at a point: with a posterior, its particle applied.

        The varied parameters and the `set` values keep the point's values (they win over
        the draw).
        """
        doc = doc if doc is not None else self.document(point)
        if self.posterior is None:
            return doc
        fixed = [*self.experiment.set, *self.parameters]
        return self.posterior.document(doc, self.posterior.draw_index(seed), fixed,
                                       self.source)

    def digest(self) -> str:
        """A hash of everything that determines the rows (not the output folder or workers)."""
        # free text and the spelling of the scenario's path do not change any row
        exp = self.experiment.model_dump(mode="json", exclude=set(NOT_ROWS))
        for key in ("trajectories", "levels"):  # unset: as before these keys existed
            if exp["design"][key] is None:
                del exp["design"][key]
        rows: dict[str, Any] = {"experiment": exp, "base": self.base}
        if self.posterior is not None:
            rows["posterior"] = self.posterior.digest()
        blob = json.dumps(rows, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()


def _grid_values(p: Parameter) -> list[Value]:
    if p.values is not None:
        return list(p.values)
    assert p.min is not None and p.max is not None and p.num is not None
    values = np.linspace(p.min, p.max, p.num)
    if p.integer:
        return sorted({int(round(v)) for v in values})
    return [float(round(v, 12)) for v in values]


def design_points(exp: Experiment) -> list[dict[str, Value]]:
    """Every point of the design, in a fixed order (grid: the last parameter varies fastest)."""
    names = list(exp.parameters)
    if exp.design.kind == "grid":
        axes = [_grid_values(exp.parameters[n]) for n in names]
        return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*axes)]
    if exp.design.kind in ("morris", "sobol"):
        return _bounded_points(exp, _salib_sample(exp))
    assert exp.design.samples is not None
    from scipy.stats import qmc  # only Latin hypercubes need it (a slow import)

    sampler = qmc.LatinHypercube(d=len(names), seed=np.random.default_rng(exp.design.seed))
    return _bounded_points(exp, sampler.random(exp.design.samples), unit=True)


def _salib_sample(exp: Experiment) -> np.ndarray:
    """SALib's Morris or Saltelli (Sobol, first and total order) sample, within the bounds."""
    d = exp.design
    count = d.trajectories if d.kind == "morris" else d.samples
    assert count is not None
    try:
        return salib_sample(salib_problem(exp), d.kind, count, d.levels or 4, d.seed)
    except ImportError:
        raise InputError("design", [Problem("kind", (
            f"a {d.kind} design needs SALib (a dependency of bargainsim): pip install "
            "SALib"))]) from None


def salib_sample(problem: dict[str, Any], kind: str, count: int, levels: int = 4,
                 seed: int = 0) -> np.ndarray:
    """SALib's sample, rows within the bounds (a Morris or Sobol design's points).

    Morris: `count` trajectories over `levels`; Sobol: Saltelli's scheme with `count` base
    points, for first- and total-order indices.
    """
    from SALib.sample import morris, sobol  # only sensitivity designs need it

    if kind == "morris":
        return morris.sample(problem, count, num_levels=levels, seed=seed)
    return sobol.sample(problem, count, calc_second_order=False, scramble=True, seed=seed)


def salib_problem(exp: Experiment) -> dict[str, Any]:
    """The parameters as SALib's problem: names (dotted paths) and [min, max] bounds."""
    names = list(exp.parameters)
    bounds = [[exp.parameters[n].min, exp.parameters[n].max] for n in names]
    return {"num_vars": len(names), "names": names, "bounds": bounds}


def _bounded_points(exp: Experiment, sample: np.ndarray, unit: bool = False
                    ) -> list[dict[str, Value]]:
    """Design points from a sample (rows; in [0, 1) when `unit`, else within the bounds).

    Whole-number parameters are rounded (from the unit scale: equal strata per value).
    """
    names = list(exp.parameters)
    points = []
    for row in sample:
        point: dict[str, Value] = {}
        for name, x in zip(names, row, strict=True):
            p = exp.parameters[name]
            assert p.min is not None and p.max is not None
            u = float(x) if unit else (float(x) - p.min) / (p.max - p.min)
            if p.integer:
                lo, hi = int(np.ceil(p.min)), int(np.floor(p.max))
                value = lo + int(u * (hi - lo + 1)) if unit else round(p.min + u * (p.max - p.min))
                point[name] = int(min(hi, max(lo, value)))
            else:
                point[name] = float(round(p.min + u * (p.max - p.min), 12))
        points.append(point)
    return points


_LEAD = re.compile(r"^(parameters|set)\.(\S+): (.*)$|^([a-z_]+): (.*)$", re.S)


def _problems(exc: ValidationError, doc: YamlDocument) -> list[Problem]:
    """Pydantic errors as problems with key paths (cross-field rules lead with their key)."""
    problems = []
    for err in exc.errors(include_url=False):
        loc: tuple[Any, ...] = tuple(
            p for p in err["loc"] if not (isinstance(p, str) and "[" in p)
        )
        msg = err["msg"].removeprefix("Value error, ")
        if m := _LEAD.match(msg):
            if m.group(1):
                loc, msg = (*loc, m.group(1), m.group(2)), m.group(3)
            else:
                loc, msg = (*loc, m.group(4)), m.group(5)
        if err["type"] == "extra_forbidden":
            msg = "unknown key (not part of the experiment format)"
        elif err["type"] == "missing":
            msg = "required key is missing"
        elif "input" in err and not isinstance(err["input"], dict):
            shown = repr(err["input"])
            if len(shown) <= 60:
                msg = f"{msg} (got {shown})"
        problems.append(Problem(".".join(str(p) for p in loc), msg, doc.line_of(loc)))
    return problems


def is_experiment(path: str | Path) -> bool:
    """Whether a file looks like an experiment (it names parameters to vary), not a scenario.

    Unreadable files count as scenarios, so that their problems are reported as before.
    """
    try:
        data = read_yaml_file(path).data
    except InputError:
        return False
    return isinstance(data, dict) and "parameters" in data and "parties" not in data


def load_experiment(path: str | Path) -> Plan:
    """Read and validate an experiment file, its base scenario and every design point.

    Raises:
        InputError: anything wrong, named by file, key path and line.
    """
    source = str(path)
    doc = read_yaml_file(path)
    if isinstance(doc.data, dict) and "parties" in doc.data and "parameters" not in doc.data:
        raise InputError(source, [Problem("", "this is a scenario, not an experiment; write an "
                                              "experiment file naming it (see experiments/)")])
    if isinstance(doc.data, dict) and "abc" in doc.data and "scenario" not in doc.data:
        raise InputError(source, [Problem("abc", "this is a calibration file, not an "
                                          "experiment: run it with bargainsim calibrate",
                                          doc.line_of(("abc",)))])
    try:
        exp = Experiment.model_validate(doc.data)
    except ValidationError as exc:
        raise InputError(source, _problems(exc, doc)) from None
    scenario_path = (Path(path).parent / exp.scenario).resolve()
    try:
        base_spec = load_scenario(scenario_path)
    except InputError as exc:
        line = doc.line_of(("scenario",))
        raise InputError(source, [
            Problem("scenario", f"the base scenario {exp.scenario!r} (read from "
                    f"{scenario_path}): {p.location or '(top level)'}"
                    f"{f' (line {p.line})' if p.line else ''}: {p.message}", line)
            for p in exc.problems
        ]) from None
    base = dump(base_spec)
    for where, keys in (("set", exp.set), ("parameters", exp.parameters)):
        for key in keys:
            try:
                check_party_path(base, key, source)
            except InputError as exc:
                raise InputError(source, [Problem(f"{where}.{key}", exc.problems[0].message,
                                                  doc.line_of((where, key)))]) from None
    for key, value in exp.set.items():
        set_path(base, key, value, source)
    spec = _validate_base(base, source, doc, exp.set)
    points = design_points(exp)
    if len(points) * len(exp.modes) * exp.seeds > 10_000_000:
        raise InputError(source, [Problem("design", "more than 10 million runs; split it")])
    plan = Plan(exp, source, base, points, float(spec.horizon), list(spec.issues),
                spec.company_names)
    for i, point in enumerate(points):
        try:
            validate_document(plan.document(i), source)
        except InputError as exc:
            shown = ", ".join(f"{k}={v}" for k, v in point.items())
            first = exc.problems[0]
            key = next((k for k in point if first.location.startswith(k)), None)
            loc = ("parameters", key) if key else ("parameters",)
            raise InputError(source, [Problem(
                ".".join(loc), f"point {i} ({shown}) makes the scenario invalid: "
                f"{first.location}: {first.message}", doc.line_of(loc),
            )]) from None
    return plan


def _validate_base(
    base: dict[str, Any], source: str, doc: YamlDocument, overrides: dict[str, Value]
) -> Scenario:
    """Validate the base after `set`, reporting a problem with a `set` value under its key."""
    try:
        return validate_document(base, source)
    except InputError as exc:
        raise InputError(source, [
            Problem(f"set.{p.location}" if p.location in overrides else p.location,
                    p.message, doc.line_of(("set", p.location)))
            for p in exc.problems
        ]) from None
