"""Modes as objects: the registry, its checks, company statuses, a mode from outside."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import numpy as np
import pytest

from bargainsim.errors import InputError
from bargainsim.model import BargainingModel
from bargainsim.modes import MODES, Mode
from bargainsim.registry import RegistryError
from bargainsim.runner import run
from bargainsim.scenario import load_scenario
from bargainsim.status import SETTLED, STRIKING

WGA = "scenarios/wga_2023.yaml"


class OneByOne(Mode):
    """The union bargains with one company at a time, in file order (a mode from outside)."""

    name: ClassVar[str] = "one_by_one"
    description: ClassVar[str] = "one company at a time, in the scenario's order"

    def build(self, model: BargainingModel) -> None:
        first = next(iter(model.companies.values()))
        model.open_table(first, [first])

    def after_deal(self, model: BargainingModel, table: Any, package: np.ndarray,
                   step: int) -> None:
        waiting = [c for c in model.companies.values()
                   if not c.status.final and all(c not in t.covers for t in model.tables)]
        if waiting:
            model.open_table(waiting[0], [waiting[0]])


@pytest.fixture
def one_by_one() -> Iterator[None]:
    MODES.register(OneByOne, "test")
    yield
    MODES.unregister("one_by_one")


def test_the_built_in_modes_are_registered_in_order() -> None:
    assert MODES.names() == ("coalition", "separate", "pattern", "breakaway")
    assert all(e.origin == "bargainsim" for e in MODES.entries())


def test_a_mode_from_outside_runs_through_its_hooks(one_by_one: None) -> None:
    spec = load_scenario(WGA, ["mode=one_by_one"])  # the scenario accepts its name
    rec = run(spec, seed=3)
    order = list(spec.company_names)
    done = [d["parties"] for d in rec["deals"]]
    assert all(len(p) == 1 for p in done)
    assert [p[0] for p in done] == order[: len(done)]  # one at a time, in file order
    steps = [d["step"] for d in rec["deals"]]
    assert steps == sorted(steps)
    assert len(done) >= 2, "after the first deal, the next table opened"


def test_an_unknown_mode_is_refused_with_the_known_ones() -> None:
    with pytest.raises(InputError, match=r"mode.*unknown mode 'solo'.*coalition, separate"):
        load_scenario(WGA, ["mode=solo"])
    with pytest.raises(RegistryError, match="unknown mode 'solo'"):
        MODES.get("solo")


@pytest.mark.parametrize(("attrs", "message"), [
    ({"name": "", "description": "x", "build": lambda self, m: None}, "needs a name"),
    ({"name": "no_words", "build": lambda self, m: None}, "description"),
    ({"name": "no_tables", "description": "x"}, "does not build its tables"),
    ({"name": "coalition", "description": "x", "build": lambda self, m: None},
     "already registered by bargainsim"),
])
def test_a_half_made_mode_is_refused(attrs: dict[str, Any], message: str) -> None:
    cls = type("HalfMode", (Mode,), attrs)
    with pytest.raises(RegistryError, match=message):
        MODES.register(cls, "test")
    assert MODES.get("coalition").__module__ == "bargainsim.modes.standard"


def test_a_company_is_striking_until_its_deal_settles_it() -> None:
    model = BargainingModel(load_scenario(WGA), mode="separate", seed=0)
    assert all(c.status is STRIKING and not c.settled for c in model.companies.values())
    model.run()
    for c in model.companies.values():
        assert (c.status is SETTLED) == (c.settled_step is not None) == c.settled
    settled = [c for c in model.companies.values() if c.settled]
    assert settled and all(c.status.working and c.status.final for c in settled)


def test_modes_declare_what_the_game_and_plots_read() -> None:
    from bargainsim.plots import mode_colour

    assert MODES.get("coalition").one_deal and not MODES.get("separate").one_deal
    assert MODES.get("breakaway").members_leave and not MODES.get("coalition").members_leave
    colours = [mode_colour(m, i) for i, m in enumerate(MODES)]
    assert len(set(colours)) == 4
