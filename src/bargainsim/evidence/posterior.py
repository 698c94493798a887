"""Posterior files: a calibration's weighted particles, drawn from by seed in run, compare, sweep.

`bargainsim calibrate` writes `posterior.yaml`: the calibration's name, its parameters with
their priors (`scale: true` multiplies a scenario's own value, `*` stands for every company
or key: `evidence.overrides`) and the last generation's particles, one a line, each with
its weight. `--posterior FILE` makes seed i of any run draw particle `draw_index(i)`
(weighted, from a generator seeded by i alone), so seed i has the same parameter set in
every mode and every command, and results carry the parameters' uncertainty as well as
the seeds' noise. A value that `--set` fixes or a sweep varies is left as it is.

A posterior is checked against the scenario it is applied to: a path the scenario lacks
(a posterior from another scenario) or a value outside its prior's bounds is refused with
the file, the key and the line (exit 2), as is a draw that leaves the scenario invalid.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import numpy as np
from pydantic import Field

from bargainsim._strict import Strict
from bargainsim.errors import InputError, Problem
from bargainsim.evidence import overrides
from bargainsim.evidence.calibration_file import Prior, read_validated
from bargainsim.scenario import scenario_from_dict
from bargainsim.yamlio import YamlDocument

SALT = 0x5E57  # draws are independent of the seeds' own streams
TOLERANCE = 1e-9


class PosteriorFile(Strict):
    """The file's format (what `calibrate` writes)."""

    posterior: Annotated[str, Field(min_length=1)]
    description: str = ""
    hold_out: str | None = None
    seed: int = 0
    generations: int = 0
    epsilon: float | None = None
    strikes: list[str] = Field(default_factory=list)
    parameters: Annotated[dict[str, Prior], Field(min_length=1)]
    draws: Annotated[list[dict[str, float]], Field(min_length=1, max_length=1_000_000)]


@dataclass(frozen=True)
class Posterior:
    """A validated posterior: parameters, particles (values by path) and their weights."""

    source: str
    file: PosteriorFile
    values: list[dict[str, float]]
    weights: np.ndarray
    doc: YamlDocument | None = None

    @property
    def scaled(self) -> set[str]:
        """The parameters that scale a scenario's own value."""
        return {k for k, p in self.file.parameters.items() if p.scale}

    def draw_index(self, seed: int) -> int:
        """The particle seed `seed` draws: the same in every mode and command."""
        rng = np.random.default_rng([SALT, int(seed)])
        return int(rng.choice(len(self.values), p=self.weights))

    def groups(self, seeds: Iterable[int]) -> dict[int, list[int]]:
        """Seeds by the particle they draw (particles in first-seen order)."""
        out: dict[int, list[int]] = {}
        for seed in seeds:
            out.setdefault(self.draw_index(seed), []).append(seed)
        return out

    def line(self, *loc: Any) -> int | None:
        """The line of a key of the file."""
        return self.doc.line_of(tuple(loc)) if self.doc else None

    def check(self, doc: dict[str, Any], scenario: str) -> None:
        """Refuse a posterior whose paths this scenario lacks (file, key, line)."""
        for key in self.file.parameters:
            try:
                overrides.concrete(doc, key)
            except LookupError as exc:
                raise InputError(self.source, [Problem(f"parameters.{key}", (
                    f"{exc} ({scenario}): is this posterior from another scenario? it was "
                    f"fitted to {', '.join(self.file.strikes) or self.file.posterior}"),
                    self.line("parameters", key))]) from None

    def document(self, doc: dict[str, Any], index: int, fixed: Collection[str] = (),
                 scenario: str = "<scenario>") -> dict[str, Any]:
        """A copy of the document with particle `index` applied (fixed paths kept), validated.

        Raises:
            InputError: the particle leaves the scenario invalid (file, draw, line).
        """
        out = overrides.apply(json.loads(json.dumps(doc)), self.values[index], self.scaled,
                              _concrete_fixed(doc, fixed))
        try:
            scenario_from_dict(out, scenario)
        except InputError as exc:
            first = exc.problems[0]
            raise InputError(self.source, [Problem(f"draws.{index}", (
                f"makes {scenario} invalid: {first.location}: {first.message}"),
                self.line("draws", index))]) from None
        return out

    def digest(self) -> str:
        """A hash of the parameters and particles (what a sweep's rows depend on)."""
        blob = json.dumps({"parameters": self.file.model_dump(mode="json")["parameters"],
                           "draws": self.values, "weights": self.weights.tolist()},
                          sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()


def _concrete_fixed(doc: dict[str, Any], fixed: Collection[str]) -> set[str]:
    """Fixed paths as concrete ones (a fixed path may itself be a wildcard)."""
    out: set[str] = set()
    for path in fixed:
        try:
            out.update(overrides.concrete(doc, path))
        except LookupError:
            out.add(path)
    return out


def load_posterior(path: str | Path) -> Posterior:
    """Read and validate a posterior file (its own consistency, not yet a scenario's).

    Raises:
        InputError: file, key path and line of what is wrong.
    """
    source = str(path)
    file, doc = read_validated(path, PosteriorFile)
    values, weights, problems = [], [], []
    for i, draw in enumerate(file.draws):
        weight = draw.get("weight", 1.0)
        if not weight >= 0:
            problems.append(Problem(f"draws.{i}.weight", "a weight must be 0 or more",
                                    doc.line_of(("draws", i, "weight"))))
        weights.append(weight)
        row = {}
        for key, prior in file.parameters.items():
            if key not in draw:
                problems.append(Problem(f"draws.{i}", f"no value of {key}",
                                        doc.line_of(("draws", i))))
                continue
            value = draw[key]
            if not prior.min - TOLERANCE <= value <= prior.max + TOLERANCE:
                problems.append(Problem(f"draws.{i}.{key}", (
                    f"{value:g} is outside the prior's bounds [{prior.min:g}, "
                    f"{prior.max:g}]"), doc.line_of(("draws", i, key))))
            row[key] = value
        for key in draw:
            if key != "weight" and key not in file.parameters:
                problems.append(Problem(f"draws.{i}.{key}", "not one of the parameters",
                                        doc.line_of(("draws", i, key))))
        values.append(row)
    total = float(sum(weights))
    if not problems and not total > 0:
        problems.append(Problem("draws", "the weights add up to 0", doc.line_of(("draws",))))
    if problems:
        raise InputError(source, problems)
    return Posterior(source, file, values, np.asarray(weights) / total, doc)


def write_posterior(path: str | Path, meta: dict[str, Any], parameters: dict[str, Prior],
                    draws: list[dict[str, float]], weights: list[float]) -> None:
    """Write a posterior file: a header, the priors, one particle a line (atomically)."""
    lines = ["# a posterior written by bargainsim calibrate: run, compare and sweep take it",
             "# with --posterior FILE (seed i draws one particle by weight, in every mode)"]
    for key, value in meta.items():
        lines.append(f"{key}: {json.dumps(value)}")
    lines.append("parameters:")
    for key, prior in parameters.items():
        extra = ", scale: true" if prior.scale else ""
        lines.append(f"  {json.dumps(key)}: {{min: {prior.min!r}, max: {prior.max!r}{extra}}}")
    lines.append("draws:")
    for draw, weight in zip(draws, weights, strict=True):
        items = [f"weight: {weight!r}"] + [f"{json.dumps(k)}: {v!r}" for k, v in draw.items()]
        lines.append(f"  - {{{', '.join(items)}}}")
    target = Path(path)
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tmp.replace(target)
