"""A table's move: accept the standing offer or counter it; sides alternate; a vote can undo.

Two-party games with the move clock, where one model step is one move at the one table:
the side to move accepts the standing offer when it is worth at least the discounted
value of the offer it would make itself, else it makes that offer, trimmed so that it
never gives more on an issue than the other side asks. Every offer below is worked out
by hand from linear tactics (beta 1): a side concedes the share t / t_max of the way
from its opening's worth to its limit's.
"""

from __future__ import annotations

from typing import Any

import pytest

from bargainsim.model import BargainingModel
from bargainsim.scenario import scenario_from_dict


def linear(t_max: float) -> dict[str, Any]:
    """A linear time-dependent tactic reaching its limit at `t_max`."""
    return {"kind": "time_dependent", "beta": 1, "t_max": t_max}


def wage_game(union_limit: float, studio_discount: float = 1.0,
              first: str = "union") -> dict[str, Any]:
    """One issue, the wage from 0 to 10 (w / 10 normalised).

    The union opens at 10 and reaches its limit at move 4: it offers 10 - (10 - L) t / 4.
    The studio opens at 0 and reaches 6 at move 10: it offers 0.6 t, worth 1 - 0.06 t to it.
    """
    return {
        "name": "wage", "horizon": 20, "mode": "separate",
        "protocol": {"clock": "move", "first_mover": first},
        "issues": {"wage": {"min": 0, "max": 10}},
        "parties": {
            "union": {"role": "union", "opening": {"wage": 10}, "limit": {"wage": union_limit},
                      "tactic": linear(4)},
            "studio": {"role": "company", "opening": {"wage": 0}, "limit": {"wage": 6},
                       "discount": studio_discount, "tactic": linear(10)},
        },
    }


def model_of(doc: dict[str, Any]) -> BargainingModel:
    return BargainingModel(scenario_from_dict(doc), mode="separate", seed=0)


def standing_after_each_move(model: BargainingModel, moves: int) -> list[tuple[str, list[float]]]:
    """Who holds the standing offer, and what it is, after each of the next moves."""
    [table] = model.tables
    seen = []
    for _ in range(moves):
        model.step()
        assert table.standing is not None
        seen.append((table.standing[0], [round(float(x), 9) for x in table.standing[1]]))
    return seen


@pytest.mark.parametrize(
    ("union_limit", "discount", "accepts"),
    [
        # at move 5 the studio faces the union's move-4 offer, its limit L; its own offer
        # would be 3 (worth 0.7), so it accepts when 1 - L / 10 >= discount * 0.7
        pytest.param(3.7, 0.9, True, id="worth-exactly-the-discounted-value"),  # 0.63 >= 0.63
        pytest.param(3.8, 0.9, False, id="worth-less"),  # 0.62 < 0.63
        pytest.param(3.5, 0.9, True, id="worth-more"),  # 0.65 >= 0.63
        pytest.param(3.5, 1.0, False, id="worth-less-undiscounted"),  # 0.65 < 0.70
    ],
)
def test_the_mover_accepts_an_offer_worth_the_discounted_value_of_its_own(
    union_limit: float, discount: float, accepts: bool
) -> None:
    model = model_of(wage_game(union_limit, discount))
    seen = standing_after_each_move(model, 6)
    # moves 0-4: 10, 0.6, 10 - (10 - L) / 2, 1.8, L; nobody accepts before move 5 (at move
    # 3, say, the union's 6.8 or so is worth 0.32 to the studio, its own 1.8 is worth 0.82)
    assert seen[:4] == [("union", [1.0]), ("employer", [0.06]),
                        ("union", [round(1 - (1 - union_limit / 10) / 2, 9)]), ("employer", [0.18])]
    if accepts:
        assert [(d.step, d.terms) for d in model.deals] == [(5, {"wage": union_limit})]
        assert seen[5] == ("union", [union_limit / 10])  # the accepted offer, not a new one
    else:
        assert not model.deals
        assert seen[5] == ("employer", [0.3])  # it counters with its own offer, 3


@pytest.mark.parametrize(
    ("first", "sides"),
    [
        pytest.param("union", ["union", "employer", "union", "employer"], id="union-first"),
        pytest.param("employer", ["employer", "union", "employer", "union"], id="studio-first"),
    ],
)
def test_sides_alternate_from_the_first_mover(first: str, sides: list[str]) -> None:
    model = model_of(wage_game(3.7, 0.9, first))
    [table] = model.tables
    seen = standing_after_each_move(model, 4)
    assert [side for side, _ in seen] == sides
    # each side's latest offer stays on the table while the other moves
    assert table.union_offer is not None and table.employer_offer is not None
    last = {side: offer for side, offer in seen}
    assert table.union_offer.tolist() == pytest.approx(last["union"])
    assert table.employer_offer.tolist() == pytest.approx(last["employer"])
    if first == "employer":
        assert seen[0] == ("employer", [0.0])  # at move 0 a side offers its opening


def test_a_counter_offer_never_gives_more_on_an_issue_than_the_other_side_asks() -> None:
    """Two issues a and b from 0 to 1; each side gives first what is dear to the other.

    Union: weights 0.5, 0.5 (utility 0.5 a + 0.5 b); the studio's weights are 0.2, 0.8, so
    b is dearer to the studio relative to the union: the union gives b four times as fast
    as a, and at its limit, reached at move 1, asks (0.75, 0) (worth 0.375 to it).
    Studio: utility 1 - 0.2 a - 0.8 b; a is dearer to the union relative to the studio, so
    it gives a four times as fast as b: at cost c <= 0.4 it offers (c / 0.4, c / 1.6), and
    its cost grows 0.044 a move (limit (1, 0.3), cost 0.44, reached at move 10).
    """
    doc = {
        "name": "trim", "horizon": 20, "mode": "separate", "protocol": {"clock": "move"},
        "issues": {"a": {"min": 0, "max": 1}, "b": {"min": 0, "max": 1}},
        "parties": {
            "union": {"role": "union", "opening": {"a": 1, "b": 1}, "limit": {"a": 0.75, "b": 0},
                      "weights": {"a": 1, "b": 1}, "tactic": linear(1)},
            "studio": {"role": "company", "opening": {"a": 0, "b": 0},
                       "limit": {"a": 1, "b": 0.3}, "weights": {"a": 0.2, "b": 0.8},
                       "tactic": linear(10)},
        },
    }
    model = model_of(doc)
    assert standing_after_each_move(model, 5) == [
        ("union", [1.0, 1.0]),  # move 0: its opening
        ("employer", [0.11, 0.0275]),  # move 1: cost 0.044
        # move 2: the union would ask (0.75, 0), less on b than the 0.0275 it is offered
        ("union", [0.75, 0.0275]),
        # move 3: the studio would offer (0.33, 0.0825) (cost 0.132), more on b than asked
        ("employer", [0.33, 0.0275]),
        ("union", [0.75, 0.0275]),  # move 4: trimmed again
    ]
    # move 5: the union's offer costs the studio 0.15 + 0.022 = 0.172, less than its own
    # (0.55, 0.1375) at cost 0.22: it accepts
    model.step()
    [deal] = model.deals
    assert (deal.step, deal.terms) == (5, pytest.approx({"a": 0.75, "b": 0.0275}))


def test_a_rejected_vote_takes_the_offer_off_the_table() -> None:
    """Leadership signs what its members refuse; the offer it took no longer stands.

    Members (identical: no noise) vote yes only for a wage of at least 0.6 of their
    demand's worth, 6. Leadership's limit is 2 (reached at move 4); the studio reaches
    8 at move 10, offering 0.8 t.
    """
    doc = wage_game(2.0)
    doc["parties"]["studio"]["limit"] = {"wage": 8}
    doc["parties"]["union"]["members"] = {
        "count": 10, "weight_noise": 0, "reservation_noise": 0,
        "tiers": {"all": {"share": 1, "weekly_pay": 1000, "savings_weeks": 50,
                          "reservation": 0.6, "floor": 0.5}},
    }
    model = model_of(doc)
    [table] = model.tables
    # moves 0-3: the union asks 10, then 6; the studio offers 0.8, then 2.4
    assert standing_after_each_move(model, 4) == [
        ("union", [1.0]), ("employer", [0.08]), ("union", [0.6]), ("employer", [0.24])]
    model.step()  # move 4: 2.4 beats leadership's own 2; members vote it down (2.4 < 6)
    assert model.votes == [{"step": 4, "table": "studio", "yes_share": 0.0, "passed": False}]
    assert not model.deals
    assert table.standing is None  # the studio's 2.4 no longer stands
    assert table.next_mover == "union"  # the union moves again, with nothing to accept
    model.step()  # move 5: it makes an offer (above the deal its members refused)
    assert table.standing is not None and table.standing[0] == "union"
    assert table.standing[1][0] > 0.24
    assert len(model.votes) == 1  # nothing was accepted, so nothing went to a vote
