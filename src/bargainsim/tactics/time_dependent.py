"""Tactics that concede a share of the way from opening to limit as time passes.

`Concession` turns a concession curve c(t) in [0, 1] into an aim: u(t) = u_open -
c(t) (u_open - u_limit). Each tactic below gives its curve twice, for one time
(`concession`) and for many (`concessions`), side by side and equal bit for bit: powers
and exponentials are taken with Python's floats, as numpy's vectorised ones may differ
in the last bit, and a run must not depend on which form computed it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Annotated, ClassVar, Literal

import numpy as np
from pydantic import Field

from bargainsim.tactics.base import Tactic, hook

if TYPE_CHECKING:
    from bargainsim.agents.base import Party
    from bargainsim.table import Table


class Concession(Tactic):
    """A tactic given by a concession curve: how far from opening to limit at time t."""

    foreseeable: ClassVar[bool] = True

    @hook
    def concession(self, t: float) -> float:
        """Share of the way from opening to limit conceded at time t, in [0, 1]."""
        raise NotImplementedError

    @hook
    def concessions(self, ts: np.ndarray) -> np.ndarray:
        """`concession(t)` for every t in `ts`, bit for bit."""
        raise NotImplementedError

    def aim(self, party: Party, table: Table, t: float, u_open: float, u_limit: float) -> float:
        """The opening's utility less the conceded share of the way to the limit."""
        u_limit = min(u_limit, u_open)
        return u_open - self.concession(t) * (u_open - u_limit)

    def aims(
        self, party: Party, table: Table, ts: np.ndarray, u_open: float, u_limit: float
    ) -> np.ndarray:
        """`aim` at every time in `ts`, bit for bit."""
        u_limit = min(u_limit, u_open)
        return u_open - self.concessions(ts) * (u_open - u_limit)


class TimeDependent(Concession):
    """Faratin et al.'s polynomial tactic: c(t) = kappa + (1 - kappa)(t / t_max)^(1/beta).

    beta < 1 is Boulware (holds out, concedes near the deadline), 1 linear, > 1 conceder.
    """

    kind: Literal["time_dependent"]
    beta: Annotated[float, Field(gt=0.0, le=1000.0)] = 1.0
    kappa: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.0
    t_max: Annotated[float, Field(gt=0.0, le=100_000.0)] = 20.0

    def concession(self, t: float) -> float:
        """Kappa + (1 - kappa)(t / t_max)^(1/beta), time clipped to [0, t_max]."""
        frac = min(max(t, 0.0), self.t_max) / self.t_max
        return self.kappa + (1.0 - self.kappa) * frac ** (1.0 / self.beta)

    def concessions(self, ts: np.ndarray) -> np.ndarray:
        """`concession` at every time in `ts`, bit for bit."""
        kappa, rest, power = self.kappa, 1.0 - self.kappa, 1.0 / self.beta
        fracs = (np.minimum(np.maximum(ts, 0.0), self.t_max) / self.t_max).tolist()
        return np.array([kappa + rest * f**power for f in fracs])


class Resistance(Concession):
    """Ashenfelter and Johnson's resistance curve: c(t) = 1 - exp(-tau t)."""

    kind: Literal["resistance"]
    tau: Annotated[float, Field(gt=0.0, le=100.0)] = 0.1

    def concession(self, t: float) -> float:
        """1 - exp(-tau t) for t >= 0."""
        return 1.0 - math.exp(-self.tau * max(t, 0.0))

    def concessions(self, ts: np.ndarray) -> np.ndarray:
        """`concession` at every time in `ts`, bit for bit."""
        return np.array([1.0 - math.exp(-self.tau * max(t, 0.0)) for t in ts.tolist()])


class CostDriven(Concession):
    """Concede exactly as far as current costs justify: always aim at the current limit."""

    kind: Literal["cost_driven"]

    def concession(self, t: float) -> float:
        """All the way to the limit, at every time."""
        return 1.0

    def concessions(self, ts: np.ndarray) -> np.ndarray:
        """All the way to the limit, at every time."""
        return np.ones(len(ts))
