"""What bargaining theory predicts for a two-party classroom game, where a closed form applies.

Two cases have one (bargainsim.theory computes both from the textbook formulas):

- both sides play the Rubinstein strategy over one issue whose bounds are the whole pie
  (the union opens at the maximum, the company at the minimum): the first proposer's
  subgame-perfect share, with an infinite horizon or a common number of rounds;
- both sides play Faratin time-dependent tactics over one issue with static limits and
  no discounting: the step and value at which the alternating offers first cross.

Anything else (the industry scenarios, with members, losses and chance) has none.
"""

from __future__ import annotations

from dataclasses import dataclass

from bargainsim import theory
from bargainsim.agents import Company, Union
from bargainsim.model import BargainingModel
from bargainsim.tactics import Rubinstein, TimeDependent


@dataclass(frozen=True)
class Prediction:
    """A closed-form outcome: the step of the accepting move and the agreed terms.

    Attributes:
        source: The result and its formula, in words.
        step: Step at which the deal is accepted; None when theory predicts no deal.
        terms: Agreed terms in the issue's unit (empty when there is no deal).
    """

    source: str
    step: int | None
    terms: dict[str, float]


def predict(model: BargainingModel) -> Prediction | None:
    """The closed-form outcome of a fresh model's game, or None when none applies."""
    if model.clock != "move" or len(model.companies) != 1 or model.space.size != 1:
        return None
    union = model.union
    company = next(iter(model.companies.values()))
    if union.members is not None:
        return None
    if isinstance(union.tactic, Rubinstein) and isinstance(company.tactic, Rubinstein):
        return _rubinstein(model, union, company)
    if isinstance(union.tactic, TimeDependent) and isinstance(company.tactic, TimeDependent):
        return _faratin(model, union, company)
    return None


def _rubinstein(model: BargainingModel, union: Union, company: Company) -> Prediction | None:
    assert isinstance(union.tactic, Rubinstein) and isinstance(company.tactic, Rubinstein)
    if float(union.opening[0]) != 1.0 or float(company.opening[0]) != 0.0:
        return None  # the pie is not the whole range
    rounds = union.tactic.rounds
    if rounds != company.tactic.rounds:
        return None
    du, ds = union.discount, company.discount
    if rounds is None and du == 1.0 and ds == 1.0:
        return None  # no unique equilibrium without impatience
    union_first = model.spec.protocol.first_mover == "union"
    first, second = (du, ds) if union_first else (ds, du)
    if rounds is None:
        keep = theory.rubinstein_share(first, second)
        formula = f"(1 - {second:g}) / (1 - {first:g} x {second:g})"
        source = f"Rubinstein (1982), infinite horizon: first proposer keeps {formula}"
    else:
        keep = theory.rubinstein_finite_share(first, second, rounds)
        source = (f"Rubinstein (1982), {rounds} round(s): first proposer's share by "
                  "backward induction")
    share = keep if union_first else 1.0 - keep
    name = model.space.names[0]
    lo, hi = float(model.space.lo[0]), float(model.space.hi[0])
    return Prediction(source, 1, {name: lo + share * (hi - lo)})


def _faratin(model: BargainingModel, union: Union, company: Company) -> Prediction | None:
    ut, ct = union.tactic, company.tactic
    assert isinstance(ut, TimeDependent) and isinstance(ct, TimeDependent)
    if union.static_limit is None or company.static_limit is None:
        return None
    if union.discount != 1.0 or company.discount != 1.0:
        return None
    units = model.space.to_units
    name = model.space.names[0]
    u_hi, u_lo = units(union.opening)[name], units(union.static_limit)[name]
    c_lo, c_hi = units(company.opening)[name], units(company.static_limit)[name]
    if not (c_lo <= u_lo and c_hi <= u_hi and u_lo <= u_hi and c_lo <= c_hi):
        return None  # the engine clips a limit at the other side's opening
    high = theory.FaratinSide(ut.beta, ut.kappa, ut.t_max, u_lo, u_hi)
    low = theory.FaratinSide(ct.beta, ct.kappa, ct.t_max, c_lo, c_hi)
    first = "high" if model.spec.protocol.first_mover == "union" else "low"
    last = max(1, int(model.horizon) - 1)  # the last step a move is made
    outcome = theory.faratin_agreement(high, low, first=first, horizon=last)
    source = (
        f"Faratin, Sierra & Jennings (1998): union beta {ut.beta:g}, "
        f"company beta {ct.beta:g}; first step at which an offer is accepted"
    )
    if outcome is None:
        return Prediction(source, None, {})
    step, value = outcome
    return Prediction(source, step, {name: value})
