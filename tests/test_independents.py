"""Independents: companies outside `coalition.members` bargain alone, in every mode.

After the alliance's deal the union puts its terms to them ("me-too": the master deal is
their union's standing offer), and with interim agreements they may sign one instead.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bargainsim.master import put_to_the_rest
from bargainsim.model import BargainingModel
from bargainsim.modes import MODES
from bargainsim.scenario import dump, load_scenario, scenario_from_dict
from bargainsim.schema import Scenario

ROOT = Path(__file__).resolve().parents[1]
WGA = ROOT / "scenarios" / "wga_2023.yaml"
INDEPENDENTS = ("sony", "apple")


def wga(overrides: list[str] | None = None) -> Scenario:
    """wga_2023 with Sony and Apple outside the alliance."""
    data = dump(load_scenario(WGA, overrides))
    data["coalition"]["members"] = ["disney", "netflix", "wbd", "nbcu", "paramount", "amazon"]
    return scenario_from_dict(data)


@pytest.mark.parametrize("mode", list(MODES))
def test_independents_bargain_alone_in_every_mode(mode: str) -> None:
    spec = wga()
    for seed in range(2):
        model = BargainingModel(spec, mode=mode, seed=seed).run()
        for deal in model.deals:
            if deal.coalition is not None:
                assert not set(deal.parties) & set(INDEPENDENTS)
        for name in INDEPENDENTS:
            c = model.companies[name]
            assert not c.in_coalition
            assert c.settled == (c.settled_step is not None)
            if c.settled:
                assert any(d.parties == [name] for d in model.deals)


def test_the_alliances_deal_is_put_to_the_independents() -> None:
    spec = wga()
    for seed in range(4):
        model = BargainingModel(spec, mode="coalition", seed=seed)
        while model.running and model.master_step is None:
            model.step()
        if model.master_step is None:
            continue
        master = next(d for d in model.deals if d.coalition is not None)
        package = model.space.normalise(master.terms, np.zeros(model.space.size))
        for table in model.open_tables():
            assert table.union_offer is not None
            assert np.allclose(table.union_offer, package)
            assert table.next_mover == "employer"


def test_the_union_never_asks_an_independent_for_more_than_it_does() -> None:
    model = BargainingModel(wga(), mode="coalition", seed=0)
    for _ in range(3):
        model.step()
    sony = next(t for t in model.open_tables() if t.employer is model.companies["sony"])
    assert sony.union_offer is not None
    asked = sony.union_offer.copy()
    put_to_the_rest(model, model.union.opening)  # more than it asks there now
    assert np.array_equal(sony.union_offer, asked)
    less = 0.5 * (asked + model.companies["sony"].opening)
    put_to_the_rest(model, less)
    assert np.array_equal(sony.union_offer, less) and sony.next_mover == "employer"


def test_independents_may_sign_interim_agreements_in_every_mode() -> None:
    spec = wga(["interim.offered_from=0", "interim.offered_to=independents",
                "industry.share_flow=0.1"])
    for mode in MODES:
        model = BargainingModel(spec, mode=mode, seed=0).run()
        signed = {a.company for a in model.interim_agreements}
        assert set(INDEPENDENTS) <= signed  # small, and share to take: they sign
        if mode == "coalition":  # (with no alliance every company is independent, and a
            assert signed == set(INDEPENDENTS)  # member that broke away is one too)
        for name in signed:
            assert model.companies[name].back_step is not None
