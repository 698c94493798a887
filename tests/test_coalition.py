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


# The scale-back rules search the line from the alliance's opening to a target on a grid:
# they may stop short of the exact point by 1/1024 of the line, never go past it.
GRID = 1 / 1024

LIMITS = [
    # hardest_line: each issue at its least willing member: (min(0.2, 1.0), min(1.0, 0.2))
    pytest.param("hardest_line", 0.66, (0.2, 0.2), 0.0, id="hardest-line"),
    # unanimity: along (0, 0) -> (max, max) = (1, 1), i.e. (s, s), while both accept:
    # A's cost 0.9 s + 0.1 s = s <= 0.28 and B's likewise, so s = 0.28, past hardest_line's
    # 0.2 on both issues
    pytest.param("unanimity", 0.66, (0.28, 0.28), GRID, id="unanimity"),
    # share_weighted: the share-weighted mean 0.7 (0.2, 1) + 0.3 (1, 0.2) = (0.44, 0.76),
    # scaled to s (0.44, 0.76) while consenting members hold the quorum. A accepts while
    # 0.9 * 0.44 s + 0.1 * 0.76 s = 0.472 s <= 0.28 (s <= 0.5932), B while 0.728 s <= 0.28
    # (s <= 0.3846). A alone holds 70% >= 66%: s = 0.5932 gives (0.2610, 0.4508)
    pytest.param("share_weighted", 0.66, (0.44 * 0.28 / 0.472, 0.76 * 0.28 / 0.472),
                 GRID * 0.76, id="share-weighted-a-quorum-without-b"),
    # a quorum of 75% needs B too: s = 0.3846 gives (0.1692, 0.2923)
    pytest.param("share_weighted", 0.75, (0.44 * 0.28 / 0.728, 0.76 * 0.28 / 0.728),
                 GRID * 0.76, id="share-weighted-quorum-needs-both"),
]


@pytest.mark.parametrize(("rule", "quorum", "expected", "short_by"), LIMITS)
def test_the_rule_turns_members_limits_into_the_alliance_limit(
    rule: str, quorum: float, expected: tuple[float, float], short_by: float
) -> None:
    model, table = alliance(two_issues(rule, quorum))
    assert model.coalition is not None
    limit = model.coalition.limit_package(table)
    assert np.all(limit <= np.array(expected) + 1e-9), limit  # never past what they accept
    assert limit == pytest.approx(expected, abs=short_by + 1e-9)


@pytest.mark.parametrize(
    ("quorum", "expected", "short_by"),
    [
        # mean 0.5 * 0.2 + 0.3 * 0.4 + 0.2 * 0.6 = 0.34; at 0.34 B and C accept (limits
        # 0.4, 0.6): 50% of the market, a quorum of 50%, so the mean stands
        pytest.param(0.5, 0.34, 0.0, id="the-mean-has-a-quorum"),
        # a quorum of 66% needs A (limit 0.2): scaled back to 0.2, below the mean
        pytest.param(0.66, 0.2, GRID * 0.34, id="scaled-back-to-a-quorum"),
    ],
)
def test_share_weighted_scales_the_mean_back_until_a_quorum_of_share_accepts(
    quorum: float, expected: float, short_by: float
) -> None:
    model, table = alliance(one_issue(quorum))
    assert model.coalition is not None
    [limit] = model.coalition.limit_package(table)
    assert expected - short_by - 1e-9 <= limit <= expected + 1e-9


@pytest.mark.parametrize(("rule", "quorum", "expected", "short_by"), LIMITS)
def test_the_alliance_never_offers_past_its_limit_on_any_issue(
    rule: str, quorum: float, expected: tuple[float, float], short_by: float
) -> None:
    """Week after week its offer stays within the rule's limit, issue by issue.

    From week 1 its tactic aims at the limit's worth to the alliance (weights 0.5, 0.5:
    the members' pooled costs); along its own road (s, s) that is s = (a* + b*) / 2 of the
    limit (a*, b*), clipped to the limit on each issue. With (0.2, 0.2) or (0.28, 0.28)
    the offer is the limit itself; with (0.2610, 0.4508) it is (0.2610, 0.3559).
    """
    model, table = alliance(two_issues(rule, quorum))
    limit = np.array(expected)
    for _ in range(4):
        model.step()
        assert table.employer_offer is not None
        assert np.all(table.employer_offer <= limit + 1e-9), table.employer_offer
    road = (expected[0] + expected[1]) / 2
    assert table.employer_offer == pytest.approx(np.minimum(road, limit), abs=short_by + 1e-9)
    assert not model.deals  # the union asks (1, 1) throughout


# The union's offer (0, 0.32), put on the table for the alliance to answer in week 2:
# A's cost 0.1 * 0.32 = 0.032 <= 0.28: A accepts; B's cost 0.9 * 0.32 = 0.288 > 0.28: B
# refuses. The alliance as a whole values it at 1 - 0.5 * 0.32 = 0.84, more than its own
# next offer under every rule (at most 0.8, the worth of (0.2, 0.2)), so B's refusal alone
# decides: a veto where every member must consent, overruled where 70% of the market is a
# quorum, not where 75% is. The offer (0.1, 0.1) costs each member 0.1: all accept.
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


def test_members_limits_follow_openings_a_pattern_deal_moved() -> None:
    """A pattern anchor moves members' openings: their limit packages are found again.

    Before issue 13 the alliance kept its members' limit packages while their limit
    utilities and the union's opening stood, so an anchor that moved only the companies'
    openings (here to the union's own demands, anchor 1) left packages computed from the
    old openings: wga_2023 seed 1 then settled in week 21 instead of 31 (found by fuzzing
    the refactored engine against the old one; kept per model revision now).
    """
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
    for _ in range(20):  # past the anchor in week 16
        model.step()
        if table.closed:
            break
        packages, limits = coalition.member_limits(table)
        far = table.union.opening_for(table)
        for member, package, limit in zip(coalition.members, packages, limits, strict=True):
            fresh = concede(member.limit_utility(), member.weights, False, member.opening, far,
                            table.union.weights, focus=model.focus)
            assert limit == member.limit_utility()
            assert package.tobytes() == fresh.tobytes(), (model.t, member.name)
    assert run(spec, mode="coalition", seed=1)["settlement_step"] == 31
