"""Coalition rules: how the alliance turns its members' limits into one limit, and one answer.

Members here have static limit packages that lie on their own concession paths, so each
member's limit package is its static limit and every rule's result can be worked out by
hand (in the comments). Every object comes from the model built from a scenario: the
alliance is `model.coalition`, its table the one whose employer it is.

Notation: issues a and b run from 0 to 1, so a package (a, b) is its own normalised form.
A company's utility of (a, b) is 1 - w_a a - w_b b.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from bargainsim.model import BargainingModel
from bargainsim.scenario import scenario_from_dict
from bargainsim.table import Table
from pinned import EARLY_TALKS

# Reaches its limit at t = 1 (linear): from the first week on, a side's proposal is its limit.
AT_LIMIT_FROM_T1 = {"kind": "time_dependent", "beta": 1, "t_max": 1}


def company(limit: dict[str, float], weights: dict[str, float], share: float) -> dict[str, Any]:
    """A company that opens at nothing and would go as far as `limit` (no strike losses)."""
    return {"role": "company", "opening": {k: 0 for k in limit}, "limit": limit,
            "weights": weights, "market_share": share}


def two_issues(rule: str, quorum: float = 0.66) -> dict[str, Any]:
    """Members A (70% of the market) and B (30%) who care about different issues.

    A weighs a 0.9, b 0.1; its limit (0.2, 1.0) costs it 0.9*0.2 + 0.1 = 0.28 (utility 0.72).
    B weighs a 0.1, b 0.9; its limit (1.0, 0.2) costs it 0.28 too (utility 0.72).
    Conceding towards the union's (1, 1), A gives b first (dear to the union relative to
    its own weight), B gives a first, so each limit lies on its member's road.
    """
    return {
        "name": "rules", "horizon": 10, "mode": "coalition", "protocol": {"clock": "week"},
        "issues": {"a": {"min": 0, "max": 1}, "b": {"min": 0, "max": 1}},
        "industry": {"employer_tactic": AT_LIMIT_FROM_T1},
        "coalition": {"rule": rule, "quorum": quorum, "tactic": AT_LIMIT_FROM_T1},
        "parties": {
            # the union asks (1, 1) and never moves: talks never end in a deal by themselves
            "union": {"role": "union", "opening": {"a": 1, "b": 1}, "limit": {"a": 1, "b": 1},
                      "weights": {"a": 1, "b": 1}},
            "A": company({"a": 0.2, "b": 1.0}, {"a": 0.9, "b": 0.1}, 0.7),
            "B": company({"a": 1.0, "b": 0.2}, {"a": 0.1, "b": 0.9}, 0.3),
        },
    }


def one_issue(quorum: float) -> dict[str, Any]:
    """Three members on one issue: limits 0.2, 0.4, 0.6 with shares 50%, 30%, 20%."""
    return {
        "name": "quorum", "horizon": 10, "mode": "coalition", "protocol": {"clock": "week"},
        "issues": {"a": {"min": 0, "max": 1}},
        "coalition": {"rule": "share_weighted", "quorum": quorum},
        "parties": {
            "union": {"role": "union", "opening": {"a": 1}, "limit": {"a": 1}},
            "A": company({"a": 0.2}, {"a": 1}, 0.5),
            "B": company({"a": 0.4}, {"a": 1}, 0.3),
            "C": company({"a": 0.6}, {"a": 1}, 0.2),
        },
    }


def alliance(doc: dict[str, Any]) -> tuple[BargainingModel, Table]:
    """The model of a scenario and the coalition's table."""
    model = BargainingModel(scenario_from_dict(doc), mode="coalition", seed=0)
    [table] = [t for t in model.tables if t.employer is model.coalition]
    return model, table


# Along A's road from (0, 0) towards (1, 1) (it gives b nine times as fast as a: (l / 9, l)),
# B objects at 0.1 l / 9 + 0.9 l = 0.28
LINE = 0.28 / (0.1 / 9 + 0.9)

LIMITS = [
    # hardest_line: each member has given up the same part (0.28) of what it could give, so
    # the first, A, is the least willing; the alliance concedes along A's road until B
    # objects: (0.0341, 0.3073), worth 0.17 to the union
    pytest.param("hardest_line", 0.66, (LINE / 9, LINE), id="hardest-line"),
    # unanimity: the union's best package both accept: both limits bind at (0.28, 0.28),
    # worth 0.28 to the union
    pytest.param("unanimity", 0.66, (0.28, 0.28), id="unanimity"),
    # share_weighted: A alone (70%) holds a quorum of 66%, and without B's consent the
    # union's best rises from 0.28 to 0.6 (A's own limit (0.2, 1.0)): B's consent goes
    pytest.param("share_weighted", 0.66, (0.2, 1.0), id="share-weighted-a-quorum-without-b"),
    # a quorum of 75% needs both: the unanimous point
    pytest.param("share_weighted", 0.75, (0.28, 0.28), id="share-weighted-quorum-needs-both"),
]


@pytest.mark.parametrize(("rule", "quorum", "expected"), LIMITS)
def test_the_rule_turns_members_limits_into_the_alliance_limit(
    rule: str, quorum: float, expected: tuple[float, float]
) -> None:
    model, table = alliance(two_issues(rule, quorum))
    assert model.coalition is not None
    assert model.coalition.limit_package(table) == pytest.approx(expected, abs=1e-12)


def test_the_hardest_line_follows_the_least_willing_member() -> None:
    """With B's limit at (1, 1/9) it gives up only 0.2 of its range (A 0.28): B's road rules.

    B gives a nine times as fast as b, (l, l / 9), until A objects at 0.9 l + 0.1 l / 9 =
    0.28, the mirror image of A's line. The union's best that both accept, where 0.9 a +
    0.1 b = 0.28 and 0.1 a + 0.9 b = 0.2, is (0.29, 0.19): better for the union.
    """
    doc = two_issues("hardest_line")
    doc["parties"]["B"]["limit"] = {"a": 1.0, "b": 1 / 9}
    model, table = alliance(doc)
    assert model.coalition is not None
    assert model.coalition.limit_package(table) == pytest.approx((LINE, LINE / 9), abs=1e-12)
    doc["coalition"]["rule"] = "unanimity"
    model, table = alliance(doc)
    assert model.coalition is not None
    assert model.coalition.limit_package(table) == pytest.approx((0.29, 0.19), abs=1e-12)


@pytest.mark.parametrize(
    ("quorum", "expected"),
    [
        # A's consent (limit 0.2) costs the union 0.2; B and C (limits 0.4, 0.6) hold 50%,
        # a quorum of 50%, and B's consent cannot be spared: 0.4
        pytest.param(0.5, 0.4, id="a-is-dropped"),
        # a quorum of 66% needs A: 0.2
        pytest.param(0.66, 0.2, id="a-is-needed"),
        # a quorum of 20%: C alone will do: 0.6
        pytest.param(0.2, 0.6, id="c-alone"),
    ],
)
def test_share_weighted_drops_the_costliest_consent_while_a_quorum_remains(
    quorum: float, expected: float
) -> None:
    model, table = alliance(one_issue(quorum))
    assert model.coalition is not None
    [limit] = model.coalition.limit_package(table)
    assert limit == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(("rule", "quorum", "expected"), LIMITS)
def test_the_alliance_never_offers_past_its_limit_on_any_issue(
    rule: str, quorum: float, expected: tuple[float, float]
) -> None:
    """Week after week its offer stays within the rule's limit, issue by issue.

    From week 1 its tactic aims at the limit's worth to the alliance (weights 0.5, 0.5:
    the members' pooled costs); along its own road (s, s) that is s = (a* + b*) / 2 of the
    limit (a*, b*), clipped to the limit on each issue. With (0.28, 0.28) the offer is the
    limit itself; with (0.0341, 0.3073) it is (0.0341, 0.1707); with (0.2, 1) (0.2, 0.6).
    """
    model, table = alliance(two_issues(rule, quorum))
    limit = np.array(expected)
    for _ in range(4):
        model.step()
        assert table.employer_offer is not None
        assert np.all(table.employer_offer <= limit + 1e-9), table.employer_offer
    road = (expected[0] + expected[1]) / 2
    assert table.employer_offer == pytest.approx(np.minimum(road, limit), abs=1e-9)
    assert not model.deals  # the union asks (1, 1) throughout


# The union's offer (0, 0.32), put on the table for the alliance to answer in week 2:
# A's cost 0.1 * 0.32 = 0.032 <= 0.28: A accepts; B's cost 0.9 * 0.32 = 0.288 > 0.28: B
# refuses. The alliance as a whole values it at 1 - 0.5 * 0.32 = 0.84, more than its own
# next offer under unanimity and share_weighted (0.72 for (0.28, 0.28), 0.6 for (0.2, 0.6)),
# so B's refusal alone decides there: a veto where every member must consent, overruled
# where 70% of the market is a quorum, not where 75% is (under hardest_line the alliance's
# own offer (0.0341, 0.1707), worth 0.898, is worth more too). The offer (0.1, 0.1) costs
# each member 0.1 and is worth 0.9 to the alliance: accepted under every rule.
ANSWERS = [
    pytest.param("hardest_line", 0.66, (0.0, 0.32), False, id="hardest-line-b-vetoes"),
    pytest.param("unanimity", 0.66, (0.0, 0.32), False, id="unanimity-b-vetoes"),
    pytest.param("share_weighted", 0.66, (0.0, 0.32), True, id="share-weighted-a-is-a-quorum"),
    pytest.param("share_weighted", 0.75, (0.0, 0.32), False, id="share-weighted-a-is-too-few"),
    pytest.param("hardest_line", 0.66, (0.1, 0.1), True, id="hardest-line-all-accept"),
    pytest.param("unanimity", 0.66, (0.1, 0.1), True, id="unanimity-all-accept"),
    pytest.param("share_weighted", 0.75, (0.1, 0.1), True, id="share-weighted-all-accept"),
]


@pytest.mark.parametrize(("rule", "quorum", "offer", "accepted"), ANSWERS)
def test_members_answer_an_offer_by_the_rule(
    rule: str, quorum: float, offer: tuple[float, float], accepted: bool
) -> None:
    model, table = alliance(two_issues(rule, quorum))
    union_offer = np.array(offer)
    # the union's offer stands and the alliance is to move (as a pattern's follow-up table
    # starts); at t = 2 every member's and the alliance's tactic is at its limit
    table.standing = ("union", union_offer)
    table.union_offer = union_offer
    table.next_mover = "employer"
    agreed = table.move(2.0, 1.0)
    if accepted:
        assert agreed is not None and agreed.tolist() == list(offer)
    else:
        assert agreed is None
        assert table.standing is not None and table.standing[0] == "employer"  # it counters


def test_members_limits_follow_openings_a_pattern_deal_moved(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A pattern anchor moves the openings: members' roads and limit packages are found again.

    Before issue 13 the alliance kept its members' limit packages while their limit
    utilities and the union's opening stood, so an anchor that moved only the openings
    (here to the union's own demands, anchor 1) left packages computed from the old ones
    (found by fuzzing the refactored engine against the old one). The alliance now keeps
    its members' roads while the openings and weights stand (`Coalition._members_roads`):
    a run whose alliance builds them afresh every time must be the same run.
    """
    from bargainsim.agents.coalition import Coalition
    from bargainsim.packages import concede
    from bargainsim.runner import run
    from bargainsim.scenario import load_scenario

    overrides = ["industry.model_spread=0", "parties.apple.weights.data=1",
                 "other_guilds.pattern_deal.terms.wage=16.9",
                 "other_guilds.pattern_deal.terms.residuals=100",
                 "other_guilds.pattern_deal.terms.data=1", "other_guilds.pattern_deal.anchor=1",
                 "other_guilds.pattern_deal.week=16", "parties.sony.expected_remaining_weeks=500",
                 *EARLY_TALKS]
    spec = load_scenario("scenarios/wga_2023.yaml", overrides)
    model = BargainingModel(spec, mode="coalition", seed=1)
    coalition = model.coalition
    assert coalition is not None
    table = next(t for t in model.tables if t.employer is coalition)
    moved = False
    for _ in range(20):  # past the anchor in week 16
        before = coalition.opening
        model.step()
        moved |= coalition.opening is not before
        if table.closed:
            break
        packages, limits = coalition.member_limits(table)
        far = table.union.opening_for(table)
        for member, package, limit in zip(coalition.members, packages, limits, strict=True):
            fresh = concede(member.limit_utility(), member.weights, False, coalition.opening,
                            far, table.union.weights, focus=model.focus)
            assert limit == member.limit_utility()
            assert package.tobytes() == fresh.tobytes(), (model.t, member.name)
    assert moved
    kept = run(spec, mode="coalition", seed=1)
    rebuild = Coalition._members_roads

    def afresh(self: Coalition, table: Table) -> Any:
        self._roads = None
        return rebuild(self, table)

    monkeypatch.setattr(Coalition, "_members_roads", afresh)
    assert run(spec, mode="coalition", seed=1) == kept


def test_pooled_weights_are_the_members_cost_weighted_sum_in_order() -> None:
    """The alliance pools its members' weights as a sum member by member, bit for bit."""
    from pathlib import Path

    from bargainsim.scenario import load_scenario

    spec = load_scenario(Path(__file__).resolve().parents[1] / "scenarios" / "wga_2023.yaml")
    model = BargainingModel(spec, mode="coalition", seed=0)
    coalition = model.coalition
    assert coalition is not None
    for leaving in ["sony", "netflix", None]:
        costs = sum(m.cost_scale * m.weights for m in coalition.members)
        assert isinstance(costs, np.ndarray)
        expected = costs / float(np.sum(costs))
        assert coalition.weights.tobytes() == expected.tobytes()
        if leaving is not None:
            model.leave_alliance(model.companies[leaving])
