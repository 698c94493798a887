"""Tactics as objects: each is one class, registered by its `kind`.

Built-in tactics are registered here; a package outside bargainsim adds its own through
the entry-point group `bargainsim.tactics` (each entry point names a `Tactic` subclass).
Scenario files pick a tactic by `kind` and give its parameters; the scenario schema is
built from this registry (`spec_type`), so an unknown kind or a bad parameter is a
validation error with its key path and line.
"""

from __future__ import annotations

import functools
from typing import Annotated, Any, Union

from pydantic import Field

from bargainsim.registry import Registry
from bargainsim.tactics.attrition import Attrition
from bargainsim.tactics.base import Tactic, check
from bargainsim.tactics.rubinstein import Rubinstein, rubinstein_keep
from bargainsim.tactics.time_dependent import Concession, CostDriven, Resistance, TimeDependent
from bargainsim.tactics.tit_for_tat import AbsoluteTitForTat, RelativeTitForTat, TitForTat

TACTICS: Registry[type[Tactic]] = Registry("tactic", "bargainsim.tactics", check)
for _cls in (TimeDependent, Resistance, CostDriven, Rubinstein, Attrition,
             RelativeTitForTat, AbsoluteTitForTat):
    TACTICS.register(_cls)


def spec_type() -> Any:
    """The pydantic type of a tactic in a scenario: one of the registered classes, by kind."""
    return _spec_type(TACTICS.names())


@functools.cache
def _spec_type(names: tuple[str, ...]) -> Any:
    classes = tuple(TACTICS.get(n) for n in names)
    return Annotated[Union[classes], Field(discriminator="kind")]  # noqa: UP007 - built at run time


__all__ = [
    "TACTICS", "AbsoluteTitForTat", "Attrition", "Concession", "CostDriven", "RelativeTitForTat",
    "Resistance", "Rubinstein", "Tactic", "TimeDependent", "TitForTat", "rubinstein_keep",
    "spec_type",
]
