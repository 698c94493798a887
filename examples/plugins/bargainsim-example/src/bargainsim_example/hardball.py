"""The hardball tactic: hold the opening, then concede linearly to the limit by a deadline."""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
from pydantic import Field, model_validator

from bargainsim.tactics import Concession


class Hardball(Concession):
    """Hold the opening until `hold`, then concede linearly to the limit by `t_max`."""

    kind: Literal["hardball"]
    hold: Annotated[float, Field(ge=0.0, le=100_000.0)] = 10.0
    t_max: Annotated[float, Field(gt=0.0, le=100_000.0)] = 20.0

    @model_validator(mode="after")
    def _order(self) -> Hardball:
        if not self.hold < self.t_max:
            raise ValueError(f"hold ({self.hold}) must come before t_max ({self.t_max})")
        return self

    def concession(self, t: float) -> float:
        """0 until `hold`, then (t - hold) / (t_max - hold), at most 1."""
        if t <= self.hold:
            return 0.0
        return min(1.0, (t - self.hold) / (self.t_max - self.hold))

    def concessions(self, ts: np.ndarray) -> np.ndarray:
        """`concession` at every time in `ts`, bit for bit (the same IEEE operations)."""
        ramp = np.minimum(1.0, (ts - self.hold) / (self.t_max - self.hold))
        return np.where(ts <= self.hold, 0.0, ramp)
