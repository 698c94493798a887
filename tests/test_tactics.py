"""Tactics as objects: the registry's checks, a tactic defined outside, tit for tat by hand."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar, Literal

import numpy as np
import pytest

from bargainsim.errors import InputError
from bargainsim.model import BargainingModel
from bargainsim.registry import RegistryError
from bargainsim.runner import run
from bargainsim.scenario import scenario_from_dict
from bargainsim.tactics import TACTICS, Concession, Tactic, TimeDependent


def pair(union_tactic: dict[str, Any], studio_tactic: dict[str, Any] | None = None,
         **extra: Any) -> dict[str, Any]:
    """A two-party move game over a wage from 0 to 10: union 10 -> 4, studio 0 -> 6."""
    return {
        "name": "pair", "horizon": 40, "mode": "separate",
        "issues": {"wage": {"unit": "%", "min": 0, "max": 10}},
        "protocol": {"clock": "move"},
        "parties": {
            "union": {"role": "union", "opening": {"wage": 10}, "limit": {"wage": 4},
                      "tactic": union_tactic},
            "studio": {"role": "company", "opening": {"wage": 0}, "limit": {"wage": 6},
                       "tactic": studio_tactic or {"kind": "time_dependent", "beta": 1.0,
                                                   "t_max": 10}},
        },
        **extra,
    }


def offers(doc: dict[str, Any]) -> tuple[list[tuple[str, float]], BargainingModel]:
    """The offers made at the single table, in units, and the finished model."""
    model = BargainingModel(scenario_from_dict(doc), seed=0).run()
    table = model.tables[0]
    return [(side, round(float(o[0]) * 10, 9)) for side, o in table.history], model


# -- tit for tat, move by move, against a linear studio (worked by hand) -------------------
# The studio concedes linearly over 10 moves from 0 to its limit 6: its offer at move t is
# 0.6 t (t = 1, 3, 5, ...). The union moves at t = 0, 2, 4, ...; with delta 1 it needs two
# studio offers before it reciprocates, so it repeats its opening 10 at moves 0 and 2.

def test_relative_tit_for_tat_matches_the_hand_worked_moves() -> None:
    made, model = offers(pair({"kind": "relative_tit_for_tat", "delta": 1}))
    # move 4: studio went 0.6 -> 1.8, a ratio 0.6 / 1.8 = 1/3 of its last offer: 10 / 3 =
    # 3.33, kept at its limit 4. Move 6: 1.8 / 3.0 * 4 = 2.4, kept at 4 again. Move 7: the
    # studio would offer 4.2; the union's 4 is worth 0.6 to it against 0.58: it accepts.
    assert made == [("union", 10.0), ("employer", 0.6), ("union", 10.0), ("employer", 1.8),
                    ("union", 4.0), ("employer", 3.0), ("union", 4.0)]
    assert [(d.step, d.terms) for d in model.deals] == [(7, {"wage": 4.0})]


def test_absolute_tit_for_tat_matches_the_hand_worked_moves() -> None:
    made, model = offers(pair({"kind": "absolute_tit_for_tat", "delta": 1}))
    # each union move gives back what the studio gave in units: 10 - 1.2 = 8.8, then 7.6,
    # 6.4; at move 10 it would ask 6.4 - 1.2 = 5.2 and the studio's 5.4 is worth more: deal
    assert made == [("union", 10.0), ("employer", 0.6), ("union", 10.0), ("employer", 1.8),
                    ("union", 8.8), ("employer", 3.0), ("union", 7.6), ("employer", 4.2),
                    ("union", 6.4), ("employer", 5.4)]
    assert [(d.step, d.terms) for d in model.deals] == [(10, {"wage": 5.4})]


def test_a_longer_window_reciprocates_an_older_move() -> None:
    made, _ = offers(pair({"kind": "absolute_tit_for_tat", "delta": 2}))
    # delta 2: it needs three studio offers (0.6, 1.8, 3.0) and answers at move 6 with the
    # move two offers back, 0.6 -> 1.8: 10 - 1.2 = 8.8
    union = [v for side, v in made if side == "union"]
    assert union[:4] == [10.0, 10.0, 10.0, 8.8]


def test_random_absolute_tit_for_tat_concedes_more_and_repeats_with_its_seed() -> None:
    plain, _ = offers(pair({"kind": "absolute_tit_for_tat"}))
    doc = pair({"kind": "absolute_tit_for_tat", "noise": 0.5})
    noisy, _ = offers(doc)
    again, _ = offers(doc)
    assert noisy == again
    unions = [(a, b) for (s, a), (_, b) in zip(plain, noisy, strict=False) if s == "union"]
    assert all(b <= a + 1e-12 for a, b in unions)  # the random term is a further concession
    assert any(b < a - 1e-9 for a, b in unions)


def test_tit_for_tat_plays_in_the_industry_too() -> None:
    from bargainsim.scenario import dump, load_scenario

    doc = dump(load_scenario("scenarios/wga_2023.yaml"))
    doc["industry"]["employer_tactic"] = {"kind": "absolute_tit_for_tat", "delta": 2}
    for mode in ("coalition", "separate"):
        rec = run(scenario_from_dict(doc), mode=mode, seed=1)
        assert rec["deals"], f"a deal in {mode} mode"


# -- the registry's checks ----------------------------------------------------------------

@pytest.fixture
def registered() -> Iterator[list[str]]:
    """Tactics registered by a test, removed after it."""
    names: list[str] = []
    yield names
    for name in names:
        TACTICS.unregister(name)


class Halfway(Tactic):
    """Aim halfway between the opening and the limit, always (a tactic from outside)."""

    kind: Literal["halfway"]
    share: float = 0.5

    def aim(self, party: Any, table: Any, t: float, u_open: float, u_limit: float) -> float:
        return u_limit + self.share * (u_open - u_limit)


def test_a_tactic_from_outside_is_validated_and_played(registered: list[str]) -> None:
    TACTICS.register(Halfway, "test")
    registered.append("halfway")
    doc = pair({"kind": "halfway", "share": 0.25})
    rec = run(scenario_from_dict(doc))
    # the union asks 4 + 0.25 * 6 = 5.5 at every move; the studio's linear offers 0.6 t fall
    # short (at move 9 its own 5.4 is worth 0.46 to it, the union's 5.5 only 0.45); at move
    # 11 its offer would be its limit 6, worth 0.4, so it accepts 5.5
    assert (rec["settlement_step"], rec["deals"][0]["terms"]) == (11, {"wage": 5.5})
    with pytest.raises(InputError, match=r"parties.union.tactic.share"):
        scenario_from_dict(pair({"kind": "halfway", "share": "much"}))


@pytest.mark.parametrize(("body", "message"), [
    ({"foreseeable": True, "aim": lambda self, *a: 0.5}, "no vector form"),
    ({}, "defines neither aim nor propose"),
    ({"clocks": ("continuous",)}, "defines no give_in_time"),
    ({"clocks": ("move", "continuous"), "aim": lambda self, *a: 0.5}, "not both"),
    ({"uses_history": True, "foreseeable": True, "aim": lambda self, *a: 0.5,
      "aims": lambda self, *a: np.zeros(0)}, "cannot be foreseen"),
])
def test_a_half_made_tactic_is_refused_when_registered(body: dict[str, Any], message: str) -> None:
    annotations: dict[str, Any] = {"kind": Literal["half_made"]}
    for key in ("foreseeable", "uses_history", "clocks"):
        if key in body:
            annotations[key] = ClassVar[Any]
    cls = type("HalfMade", (Tactic,), {"__annotations__": annotations, **body})
    with pytest.raises(RegistryError, match=message):
        TACTICS.register(cls, "test")
    assert "half_made" not in TACTICS


def test_a_concession_tactic_without_its_curve_is_refused() -> None:
    cls = type("NoCurve", (Concession,), {"__annotations__": {"kind": Literal["no_curve"]}})
    with pytest.raises(RegistryError, match="concession"):
        TACTICS.register(cls, "test")


def test_a_tactic_needs_one_kind_and_a_free_name() -> None:
    cls = type("NoKind", (Tactic,), {"aim": lambda self, *a: 0.5})
    with pytest.raises(RegistryError, match="kind"):
        TACTICS.register(cls, "test")
    clash = type("Clash", (Halfway,), {"__annotations__": {"kind": Literal["time_dependent"]}})
    with pytest.raises(RegistryError, match="already registered by bargainsim"):
        TACTICS.register(clash, "test")
    with pytest.raises(RegistryError, match="not a subclass"):
        TACTICS.register(object, "test")  # type: ignore[arg-type]


def test_every_built_in_tactic_carries_its_vector_form_when_foreseeable() -> None:
    ts = np.array([0.0, 0.5, 3.0, 17.0, 40.0])
    for entry in TACTICS.entries():
        cls = entry.value
        if cls.foreseeable and issubclass(cls, Concession):
            tactic = cls.model_validate({"kind": entry.name})
            assert tactic.concessions(ts).tolist() == [tactic.concession(t) for t in ts]
    assert TimeDependent(kind="time_dependent").can_foresee()
