"""Compare bargaining modes on one scenario over common seeds.

Every mode runs over the same seeds (seed i gives every mode the same random streams),
and the industry settlement week is summarised as a survival time: runs that did not
settle by the horizon enter as censored, never dropped (Kaplan-Meier, scipy.stats).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from scipy import stats

from bargainsim.runner import run
from bargainsim.scenario import Mode, Scenario

logger = logging.getLogger(__name__)


def run_modes(
    spec: Scenario, modes: Sequence[Mode], seeds: Iterable[int]
) -> dict[str, list[dict[str, Any]]]:
    """Records of every (mode, seed), seeds shared by all modes."""
    seeds = list(seeds)
    return {mode: [run(spec, mode=mode, seed=s) for s in seeds] for mode in modes}


def km_median(times: Sequence[float | None], horizon: float) -> float | None:
    """Kaplan-Meier median of settlement steps; None (undefined) when half or more are censored.

    A run without a settlement step is censored at the horizon.
    """
    done = [float(t) for t in times if t is not None]
    censored = [float(horizon)] * sum(1 for t in times if t is None)
    if not done:
        return None
    sf = stats.ecdf(stats.CensoredData(uncensored=done, right=censored)).sf
    below = np.flatnonzero(sf.probabilities <= 0.5 + 1e-12)
    if below.size == 0:
        return None
    return float(sf.quantiles[below[0]])


def summarize_mode(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Per-mode figures: settled share, KM median settlement, first deal, costs."""
    horizon = records[0]["horizon"]
    steps = [r["settlement_step"] for r in records]
    firsts = [r["first_deal_step"] for r in records]
    settled = [s for s in steps if s is not None]
    utilities = [r["union_utility"] for r in records if r["union_utility"] is not None]
    return {
        "runs": len(records),
        "settled_share": len(settled) / len(records),
        "median_settlement_step": km_median(steps, horizon),
        "mean_settlement_step_settled": float(np.mean(settled)) if settled else None,
        "median_first_deal_step": km_median(firsts, horizon),
        "mean_writer_weeks_lost": float(np.mean([r["writer_weeks_lost"] for r in records])),
        "mean_deadweight_loss": float(np.mean([r["deadweight_loss"] for r in records])),
        "mean_union_utility": float(np.mean(utilities)) if utilities else None,
    }


def format_table(scenario: str, summary: dict[str, dict[str, Any]]) -> str:
    """A plain-text table, one row per mode."""

    def f(v: float | None, spec: str) -> str:
        return "-" if v is None else format(v, spec)

    head = (
        f"{'mode':<11}{'runs':>5}{'settled':>9}{'median wk':>10}{'first wk':>9}"
        f"{'writer-wks':>12}{'deadweight $M':>14}{'union u':>8}"
    )
    lines = [f"scenario {scenario}: industry settlement by mode (Kaplan-Meier medians)", head]
    for mode, s in summary.items():
        lines.append(
            f"{mode:<11}{s['runs']:>5}{s['settled_share']:>9.0%}"
            f"{f(s['median_settlement_step'], '.0f'):>10}{f(s['median_first_deal_step'], '.0f'):>9}"
            f"{s['mean_writer_weeks_lost']:>12,.0f}{s['mean_deadweight_loss']:>14,.0f}"
            f"{f(s['mean_union_utility'], '.3f'):>8}"
        )
    return "\n".join(lines)
