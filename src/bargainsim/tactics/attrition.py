"""The war of attrition: each side pays a cost per unit time; the one who holds out wins."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

import numpy as np
from pydantic import Field

from bargainsim.tactics.base import Tactic


class Attrition(Tactic):
    """Pay `cost` per unit time; the holder-out wins `prize`. Gives in at a random time."""

    kind: Literal["attrition"]
    cost: Annotated[float, Field(gt=0.0, le=1e9)]
    prize: Annotated[float, Field(gt=0.0, le=1e9)]

    clocks: ClassVar[tuple[str, ...]] = ("continuous",)

    def give_in_time(self, opponent: Tactic, rng: np.random.Generator) -> float:
        """The symmetric equilibrium's time: exponential at the opponent's cost / prize.

        Each side concedes at the hazard that leaves the other indifferent between
        conceding now and waiting: the other's cost of a moment over its prize.
        """
        assert isinstance(opponent, Attrition)
        hazard = opponent.cost / opponent.prize
        return float(rng.exponential(1.0 / hazard))
