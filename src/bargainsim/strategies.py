"""Concession tactics: small pure functions from time to how far a party has conceded.

A tactic answers one question: at time t, what utility does this party aim for?
Time-dependent tactics (Faratin et al. 1998), the Ashenfelter-Johnson resistance curve,
cost-driven concession (aim at the current limit) and the Rubinstein subgame-perfect
strategy are used in offer protocols; the war of attrition draws a concession time.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

import numpy as np
from pydantic import Field

from bargainsim._strict import Strict


class TimeDependent(Strict):
    """Polynomial time-dependent tactic: a(t) = kappa + (1-kappa)(t/t_max)^(1/beta)."""

    kind: Literal["time_dependent"]
    beta: Annotated[float, Field(gt=0.0, le=1000.0)] = 1.0
    kappa: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.0
    t_max: Annotated[float, Field(gt=0.0, le=100_000.0)] = 20.0


class Resistance(Strict):
    """Ashenfelter-Johnson resistance curve: a(t) = 1 - exp(-tau t)."""

    kind: Literal["resistance"]
    tau: Annotated[float, Field(gt=0.0, le=100.0)] = 0.1


class CostDriven(Strict):
    """Concede exactly as far as current costs justify: always aim at the current limit."""

    kind: Literal["cost_driven"]


class Rubinstein(Strict):
    """Subgame-perfect strategy of alternating offers over one divisible issue."""

    kind: Literal["rubinstein"]
    rounds: Annotated[int, Field(ge=1, le=100_000)] | None = None


class Attrition(Strict):
    """War of attrition: pay `cost` per unit time; the holder-out wins `prize`."""

    kind: Literal["attrition"]
    cost: Annotated[float, Field(gt=0.0, le=1e9)]
    prize: Annotated[float, Field(gt=0.0, le=1e9)]


TacticSpec = Annotated[
    TimeDependent | Resistance | CostDriven | Rubinstein | Attrition, Field(discriminator="kind")
]
TacticKind = Literal["time_dependent", "resistance", "cost_driven", "rubinstein", "attrition"]


def concession(spec: TimeDependent | Resistance | CostDriven, t: float) -> float:
    """Share of the way from opening to limit conceded at time t, in [0, 1]."""
    if isinstance(spec, TimeDependent):
        frac = min(max(t, 0.0), spec.t_max) / spec.t_max
        return spec.kappa + (1.0 - spec.kappa) * frac ** (1.0 / spec.beta)
    if isinstance(spec, Resistance):
        return 1.0 - math.exp(-spec.tau * max(t, 0.0))
    return 1.0


def concession_curve(spec: TimeDependent | Resistance | CostDriven, ts: np.ndarray) -> np.ndarray:
    """`concession(spec, t)` for every t in `ts`, bit for bit.

    Powers and exponentials are taken with Python's floats: numpy's vectorised ones may
    differ from them in the last bit, and a run must not depend on which form it used.
    """
    if isinstance(spec, TimeDependent):
        kappa, rest, power = spec.kappa, 1.0 - spec.kappa, 1.0 / spec.beta
        fracs = (np.minimum(np.maximum(ts, 0.0), spec.t_max) / spec.t_max).tolist()
        return np.array([kappa + rest * f**power for f in fracs])
    if isinstance(spec, Resistance):
        return np.array([1.0 - math.exp(-spec.tau * max(t, 0.0)) for t in ts.tolist()])
    return np.ones(len(ts))


def rubinstein_keep(d_self: float, d_opp: float, rounds_left: int | None) -> float:
    """Share of the pie a proposer keeps in subgame-perfect play.

    With `rounds_left` offers left (this one included) it solves the game backwards: the
    last proposer keeps everything, and each earlier proposer leaves the responder exactly
    what the responder would keep, discounted, by proposing next. With no limit it uses
    the stationary solution of keep = 1 - d_opp * (1 - d_self * keep).
    """
    if rounds_left is None:
        return (1.0 - d_opp) / (1.0 - d_self * d_opp)
    if rounds_left <= 0:
        return 0.0
    keep = 1.0  # the proposer of the last round takes everything
    for k in range(2, rounds_left + 1):
        # k rounds from the end the responder is this party when (rounds_left - k) is odd
        resp_d = d_self if (rounds_left - k) % 2 == 1 else d_opp
        keep = 1.0 - resp_d * keep
    return keep


def aspiration(
    spec: TimeDependent | Resistance | CostDriven | Rubinstein,
    t: float,
    u_open: float,
    u_limit: float,
    *,
    d_self: float = 1.0,
    d_opp: float = 1.0,
    rounds_left: int | None = None,
) -> float:
    """Utility a party aims for at time t between its opening and its current limit."""
    if isinstance(spec, Rubinstein):
        return rubinstein_keep(d_self, d_opp, rounds_left)
    u_limit = min(u_limit, u_open)
    return u_open - concession(spec, t) * (u_open - u_limit)


def aspirations(
    spec: TimeDependent | Resistance | CostDriven | Rubinstein,
    ts: np.ndarray,
    u_open: float,
    u_limit: float,
    *,
    d_self: float = 1.0,
    d_opp: float = 1.0,
) -> np.ndarray:
    """`aspiration` at every t in `ts` (an infinite game for Rubinstein), bit for bit."""
    if isinstance(spec, Rubinstein):
        return np.full(len(ts), rubinstein_keep(d_self, d_opp, None))
    u_limit = min(u_limit, u_open)
    return u_open - concession_curve(spec, ts) * (u_open - u_limit)
