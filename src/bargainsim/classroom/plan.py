"""A class file: the rounds of a lesson, each a scenario and how students are seated.

Validated like a scenario (unknown keys, types, bounds; every problem named by file, key
path and line; exit 2), and every round's scenario is loaded with its overrides before the
server starts, so a bad value is reported at once. The class file, never the browser,
names the scenarios: a shipped name (`classroom/faratin`) or a file relative to the class
file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationError

from bargainsim import shipped
from bargainsim._strict import Strict
from bargainsim.errors import InputError, Problem
from bargainsim.model import BargainingModel
from bargainsim.scenario import _problems_from_validation, load_scenario
from bargainsim.schema import Mode, Scenario
from bargainsim.yamlio import read_yaml_file

Seating = Literal["pairs", "agents", "coalition"]
DEFAULT_CLASS = "lesson"
Value = bool | int | float | str


class Round(Strict):
    """One round: a scenario, its overrides, mode and seed, and how students sit."""

    name: Annotated[str, Field(min_length=1, max_length=80)]
    scenario: Annotated[str, Field(min_length=1, max_length=200)]
    set: dict[str, Value] = Field(default_factory=dict)
    mode: Mode | None = None
    seed: Annotated[int, Field(ge=0, le=2**32 - 1)] = 0
    seating: Seating = Field(description=(
        "pairs: students against each other (union against the company); agents: each "
        "student alone against the agents; coalition: a group as the coalition's members "
        "against a union team"))
    side: str = Field(default="union", description="agents seating: the side students play")
    union_team: Annotated[int, Field(ge=1, le=10)] = 2
    compare_modes: list[Mode] | None = Field(default=None, description=(
        "modes of the agents' histograms (default: the round's mode)"))
    note: Annotated[str, Field(max_length=500)] = ""


class ClassFile(Strict):
    """The class file's format."""

    name: Annotated[str, Field(min_length=1, max_length=80)] = "class"
    title: Annotated[str, Field(max_length=200)] = ""
    max_students: Annotated[int, Field(ge=1, le=500)] = 60
    requests_per_second: Annotated[float, Field(gt=0.0, le=100.0)] = 5.0
    agent_seeds: Annotated[int, Field(ge=1, le=1000)] = 50
    rounds: Annotated[list[Round], Field(min_length=1, max_length=50)]


@dataclass(frozen=True)
class PlannedRound:
    """A round with its scenario loaded and its seats known."""

    index: int
    spec: Round
    scenario: Scenario
    union: str
    companies: list[str]
    coalition: str | None

    @property
    def mode(self) -> Mode:
        """The round's mode (the scenario's unless the round names one)."""
        return self.spec.mode or self.scenario.mode

    @property
    def overrides(self) -> list[str]:
        """The round's `set` as `--set` strings."""
        return [f"{k}={_text(v)}" for k, v in self.spec.set.items()]


@dataclass(frozen=True)
class ClassPlan:
    """A validated class file."""

    source: str
    spec: ClassFile
    rounds: list[PlannedRound]


def _text(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def default_class_path() -> Path:
    """The shipped lesson plan's class file."""
    return shipped.data_dir() / "classes" / f"{DEFAULT_CLASS}.yaml"


def load_class(path: str | Path | None = None) -> ClassPlan:
    """Read and validate a class file (default: the shipped lesson) and every round's scenario.

    Raises:
        InputError: anything wrong, named by file, key path and line.
    """
    path = Path(path) if path is not None else default_class_path()
    source = str(path)
    doc = read_yaml_file(path)
    try:
        spec = ClassFile.model_validate(doc.data)
    except ValidationError as exc:
        problems = _problems_from_validation(exc, doc)
        raise InputError(source, [Problem(p.location, p.message.replace(
            "not part of the scenario format", "not part of the class file format"), p.line)
            for p in problems]) from None
    rounds = []
    for i, rnd in enumerate(spec.rounds):
        rounds.append(_plan_round(i, rnd, path, source, doc.line_of))
    return ClassPlan(source, spec, rounds)


def scenario_file(name: str, class_path: Path) -> Path | None:
    """A round's scenario: a file beside the class file, else a shipped scenario by name."""
    beside = (class_path.parent / name)
    if beside.suffix in (".yaml", ".yml") and beside.is_file():
        return beside
    return shipped.find(name)


def _plan_round(i: int, rnd: Round, path: Path, source: str, line_of: object) -> PlannedRound:
    def problem(key: str, message: str) -> InputError:
        where = ("rounds", i, key)
        line = line_of(where) if callable(line_of) else None
        return InputError(source, [Problem(".".join(map(str, where)), message, line)])

    file = scenario_file(rnd.scenario, path)
    if file is None:
        raise problem("scenario", f"no scenario {rnd.scenario!r} beside the class file or "
                      "shipped (bargainsim scenarios lists them)")
    overrides = [f"{k}={_text(v)}" for k, v in rnd.set.items()]
    try:
        scenario = load_scenario(file, overrides)
    except InputError as exc:
        first = exc.problems[0]
        key = "set" if overrides and "[from --set" in first.message else "scenario"
        what = f"{rnd.scenario}: {first.location or '(top level)'}: {first.message}"
        raise problem(key, what) from None
    if scenario.protocol.clock == "continuous":
        raise problem("scenario", f"{rnd.scenario} runs in continuous time: no moves to play")
    model = BargainingModel(scenario, mode=rnd.mode)
    union, companies = model.union.name, list(model.companies)
    coalition = model.coalition.name if model.coalition is not None else None
    if rnd.seating == "coalition" and coalition is None:
        raise problem("seating", f"{rnd.scenario} in mode {model.mode} has no coalition; "
                      "use mode coalition or another seating")
    if rnd.seating == "agents":
        sides = [union, "union", *companies] + ([coalition, "coalition"] if coalition else [])
        if rnd.side not in sides:
            raise problem("side", f"{rnd.scenario} has no side {rnd.side!r}; choose union, "
                          f"{', '.join(companies)}" + (f" or {coalition}" if coalition else ""))
    if rnd.seating == "pairs" and len(companies) != 1:
        raise problem("seating", f"pairs seat the union against one company; {rnd.scenario} "
                      f"has {len(companies)}: use agents or coalition seating")
    return PlannedRound(i, rnd, scenario, union, companies, coalition)
