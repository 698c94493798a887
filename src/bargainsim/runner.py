"""One run in, one plain record out: the only thing that crosses a process boundary."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from bargainsim.model import BargainingModel
from bargainsim.scenario import Mode, Scenario


def run(
    spec: Scenario, mode: Mode | None = None, seed: int = 0, trace: bool = False
) -> dict[str, Any]:
    """Simulate one scenario in one mode with one seed; return a JSON-able record."""
    model = BargainingModel(spec, mode=mode, seed=seed, trace=trace).run()
    return record(model)


def run_seeds(
    spec: Scenario, mode: Mode | None = None, seeds: Iterable[int] = (0,)
) -> list[dict[str, Any]]:
    """`run` for each seed, in one model restarted for each (see `BargainingModel.restart`).

    The records equal those of `run`, byte for byte; a batch spares Mesa's model
    construction for every run but the first. The first run that raises stops it.
    """
    out = []
    for _, rec, error in each_run(spec, mode, seeds):
        if error is not None:
            raise error
        out.append(rec)
    return out


def each_run(
    spec: Scenario, mode: Mode | None, seeds: Iterable[int]
) -> Iterator[tuple[int, dict[str, Any] | None, Exception | None]]:
    """(seed, record, None) for each seed, or (seed, None, error) for a run that raised.

    One model is restarted for seed after seed; after an error the next seed gets a fresh
    model, so a failed run leaves nothing behind.
    """
    model: BargainingModel | None = None
    for seed in seeds:
        try:
            if model is None or model.clock == "continuous":
                model = BargainingModel(spec, mode=mode, seed=seed)
            else:
                model = model.restart(seed)
            rec = record(model.run())
        except Exception as exc:  # noqa: BLE001 - handed to the caller with its seed
            model = None
            yield seed, None, exc
        else:
            yield seed, rec, None


def record(model: BargainingModel) -> dict[str, Any]:
    """The plain record of a finished model (see README: What a run reports)."""
    companies = model.companies
    settled = all(c.settled for c in companies.values())
    steps = [c.settled_step for c in companies.values() if c.settled_step is not None]
    out: dict[str, Any] = {
        "scenario": model.spec.name,
        "mode": model.mode,
        "seed": model.seed,
        "clock": model.clock,
        "horizon": model.horizon,
        "settled": settled,
        "settlement_step": max(steps) if settled and steps else None,
        "first_deal_step": min(steps) if steps else None,
        "deals": [
            {
                "parties": d.parties,
                "step": d.step,
                "terms": d.terms,
                **({"time": d.time, "conceded_by": d.conceded_by} if d.time is not None else {}),
                **({"coalition": d.coalition} if d.coalition else {}),
                "yes_share": d.yes_share,
            }
            for d in sorted(model.deals, key=lambda d: (d.step, d.parties))
        ],
    }
    if model.clock == "continuous":
        deal = model.deals[0] if model.deals else None
        out["settlement_time"] = deal.time if deal else None
        out["conceded_by"] = deal.conceded_by if deal else None
    union = model.union
    utilities = []
    weights = []
    for c in companies.values():
        if c.terms is not None:
            utilities.append(union.utility(c.terms))
            weights.append(c.share0)
    out["companies"] = {
        name: {
            "settlement_step": c.settled_step,
            "terms": model.space.to_units(c.terms) if c.terms is not None else None,
            "losses": c.cum_loss,
            "deal_cost": c.deal_cost(),
            "market_share": c.share,
            "preset": c.business.get("preset"),
            "left_coalition": model.mode == "breakaway" and not c.in_coalition,
        }
        for name, c in companies.items()
    }
    out["union_utility"] = weighted_mean(utilities, weights) if utilities else None
    out["company_losses"] = {name: c.cum_loss for name, c in companies.items()}
    out["writers_back_share"] = model.writers_back
    out["writer_weeks_lost"] = model.writer_weeks_lost
    out["writers_lost_earnings"] = model.writers_lost_earnings
    out["deadweight_loss"] = sum(c.cum_loss for c in companies.values()) + (
        model.writers_lost_earnings
    )
    out["ratification_votes"] = model.votes
    out["strike_fund_left"] = union.fund
    return out


def weighted_mean(values: list[float], weights: list[float]) -> float:
    """`np.average(values, weights=weights)`, bit for bit, without its overhead.

    numpy adds fewer than 8 numbers one after another from 0.0, as this loop does; for
    more it sums pairwise, so longer lists go to numpy itself.
    """
    if len(values) >= 8:
        return float(np.average(values, weights=weights))
    total = weight = 0.0
    for v, w in zip(values, weights, strict=True):
        total += v * w
        weight += w
    return total / weight
