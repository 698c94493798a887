"""What a scenario decides for every run, computed once: presets resolved, packages normalised.

A `Scenario` (validated, immutable) is resolved here into the values the model uses: each
company's business-model values (its preset, then its overrides, then the industry's
knobs: market shares normalised, `streamer_share`, `model_spread`), and normalised
openings, limits and weights. `prepared(spec)` remembers the result for the last few
scenario objects, so runs of many seeds prepare their scenario once.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import numpy as np

from bargainsim.packages import IssueSpace, frozen
from bargainsim.presets import BUSINESS_FIELDS, PRESETS
from bargainsim.schema import CompanyParty, Scenario, UnionParty


def resolve_companies(scn: Scenario) -> dict[str, dict[str, Any]]:
    """Each company's business-model values: preset, then overrides, then industry knobs.

    Market shares are relative weights normalised to sum to 1; `streamer_share` rescales
    streamers and tech platforms against legacy studios; `model_spread` pulls every
    business-model value towards the average over the scenario's companies.
    """
    resolved: dict[str, dict[str, Any]] = {}
    for name in scn.company_names:
        party = scn.parties[name]
        assert isinstance(party, CompanyParty)
        base = copy.deepcopy(PRESETS.get(party.preset, PRESETS["custom"]))
        for fld in BUSINESS_FIELDS:
            value = getattr(party, fld)
            if value is None:
                continue
            if fld == "issue_costs":
                base["issue_costs"] = {**base.get("issue_costs", {}), **value}
            else:
                base[fld] = value
        base["issue_costs"] = {
            i: float(base.get("issue_costs", {}).get(i, 0.0)) for i in scn.issues
        }
        base["discount"] = party.discount if party.discount is not None else base["discount"]
        base["preset"] = party.preset
        resolved[name] = base

    spread = scn.industry.model_spread
    if spread < 1.0 and len(resolved) > 1:
        n = len(resolved)
        for fld in BUSINESS_FIELDS:
            if fld in ("market_share", "exit_threshold"):
                continue
            if fld == "issue_costs":
                mean = {
                    i: sum(r["issue_costs"][i] for r in resolved.values()) / n for i in scn.issues
                }
                for r in resolved.values():
                    r["issue_costs"] = {
                        i: mean[i] + spread * (r["issue_costs"][i] - mean[i]) for i in scn.issues
                    }
            else:
                mean = sum(float(r[fld]) for r in resolved.values()) / n
                for r in resolved.values():
                    r[fld] = mean + spread * (float(r[fld]) - mean)
        mean_d = sum(r["discount"] for r in resolved.values()) / n
        for r in resolved.values():
            r["discount"] = mean_d + spread * (r["discount"] - mean_d)

    total = sum(r["market_share"] for r in resolved.values())
    if total <= 0:
        for r in resolved.values():
            r["market_share"] = 1.0 / len(resolved)
    else:
        for r in resolved.values():
            r["market_share"] = r["market_share"] / total
    target = scn.industry.streamer_share
    if target is not None:
        digital = [r for r in resolved.values() if r["preset"] in ("streamer", "tech")]
        legacy = [r for r in resolved.values() if r["preset"] not in ("streamer", "tech")]
        d_total = sum(r["market_share"] for r in digital)
        l_total = sum(r["market_share"] for r in legacy)
        if digital and legacy and d_total > 0 and l_total > 0:
            for r in digital:
                r["market_share"] *= target / d_total
            for r in legacy:
                r["market_share"] *= (1 - target) / l_total
    return resolved


def company_opening(scn: Scenario, name: str) -> dict[str, float]:
    """The company's opening package: its own, else the industry's common opening."""
    party = scn.parties[name]
    base = dict(scn.industry.employer_opening or {})
    base.update(party.opening or {})
    return base


@dataclass(frozen=True)
class Prepared:
    """What a scenario alone decides about a model, computed once for many runs.

    Arrays here are shared by every model of the scenario, so they are made read-only:
    parties replace openings, limits and weights, never change them in place.
    """

    business: dict[str, dict[str, Any]]  # companies' resolved presets (read-only)
    space: IssueSpace
    # each company's normalised (weights, opening, static limit or None, cost scale)
    companies: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray | None, float]]
    company_names: list[str]  # in file order (read-only)
    union_name: str
    union_opening: np.ndarray  # normalised
    union_weights: np.ndarray | None  # None: the mean of its members' weights
    union_limit: np.ndarray | None  # normalised static limit; None: members' hardship

    @classmethod
    def of(cls, spec: Scenario) -> Prepared:
        """Resolve presets and normalise openings, limits and weights."""
        space = IssueSpace.from_bounds(
            {n: (i.min, i.max) for n, i in spec.issues.items()},
            {n: i.step for n, i in spec.issues.items()},
        )
        business = resolve_companies(spec)
        company_names, union_name = spec.company_names, spec.union_name
        companies = {}
        for name in company_names:
            party = spec.parties[name]
            assert isinstance(party, CompanyParty)
            b = business[name]
            costs = b["issue_costs"]
            if party.weights:
                weights = space.weights(party.weights)
            elif sum(costs.values()) > 0:
                weights = space.weights(costs)
            else:
                weights = space.weights(None)
            scale = sum(costs.values()) * b["market_share"]
            opening = space.normalise(company_opening(spec, name), np.zeros(space.size))
            static = space.normalise(party.limit, opening) if party.limit is not None else None
            companies[name] = (_frozen(weights), _frozen(opening), _frozen(static),
                               scale if scale > 0 else 1.0)
        uspec = spec.parties[union_name]
        assert uspec.opening is not None
        assert isinstance(uspec, UnionParty)
        union_opening = space.normalise(uspec.opening, np.ones(space.size))
        if uspec.weights or uspec.members is None:
            union_weights = space.weights(uspec.weights)
        else:
            union_weights = None
        union_limit = (
            space.normalise(uspec.limit, union_opening) if uspec.limit is not None else None
        )
        return cls(business, space, companies, company_names, union_name,
                   _frozen(union_opening), _frozen(union_weights), _frozen(union_limit))


def _frozen(array: np.ndarray | None) -> Any:
    """`packages.frozen`, letting None (no such package) through."""
    return frozen(array) if array is not None else None


_PREPARED: dict[int, tuple[Scenario, Prepared]] = {}
_PREPARED_KEEP = 8


def prepared(spec: Scenario) -> Prepared:
    """`Prepared.of(spec)`, remembered for the last few scenarios.

    Scenarios are immutable, so the result depends on the object alone; the cache holds a
    reference to each scenario it keys, so an id is never reused while cached. Runs of
    many seeds then prepare their scenario once instead of once a run.
    """
    hit = _PREPARED.get(id(spec))
    if hit is not None and hit[0] is spec:
        return hit[1]
    ready = Prepared.of(spec)
    if len(_PREPARED) >= _PREPARED_KEEP:
        _PREPARED.pop(next(iter(_PREPARED)))
    _PREPARED[id(spec)] = (spec, ready)
    return ready


def resolved_business(spec: Scenario) -> dict[str, dict[str, Any]]:
    """`resolve_companies(spec)`, remembered with the rest of `prepared(spec)` (read-only)."""
    return prepared(spec).business
