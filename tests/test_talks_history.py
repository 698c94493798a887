"""The talks chain estimated from history: the data in weeks, and the estimator's accuracy."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from bargainsim.errors import InputError
from bargainsim.talks_history import Strike, estimate, log_likelihood, report, strikes


def test_the_documented_talks_in_weeks_from_the_strikes_start() -> None:
    by_name = {s.name: s for s in strikes()}
    # 2023: first meeting Aug 4 (week 13), offers to Aug 22 (16), talks again Sep 20-24 (20)
    assert by_name["wga_2023"] == Strike("wga_2023", False, (13, 14, 15, 16, 20), (16,), 20)
    # 2007-08: Nov 26 - Dec 7 (weeks 3-4, broken off), from Jan 22 (11) to Feb 9 (13)
    assert by_name["wga_2007"] == Strike("wga_2007", False, (3, 4, 11, 12, 13), (4,), 13)


def _simulate(meet: float, breakdown: float, resume: float, rng: np.random.Generator,
              success: float) -> Strike:
    """A strike drawn from the model's own chain (`Table.schedule`, `after_session`)."""
    on, held, broke, week = False, [], [], 0
    while True:
        if not on and rng.random() < resume:
            on = True
        if on and rng.random() < meet:
            held.append(week)
            if rng.random() < success:
                return Strike("simulated", False, tuple(held), tuple(broke), week)
            if rng.random() < breakdown:
                on = False
                broke.append(week)
        week += 1


def test_the_estimator_recovers_the_chances_of_chains_it_did_not_see() -> None:
    rng = np.random.default_rng(7)
    truth = {"meet_probability": 0.6, "breakdown_probability": 0.35, "resume_probability": 0.2}
    data = [_simulate(0.6, 0.35, 0.2, rng, success=0.1) for _ in range(60)]
    for e in estimate(data):
        assert e.low < truth[e.name] < e.high, e
        assert e.mean == pytest.approx(truth[e.name], abs=0.08), e
        assert e.high - e.low < 0.25  # sixty strikes pin each chance down


def test_more_quiet_weeks_mean_a_lower_resume_chance() -> None:
    quick = Strike("q", False, (1, 2, 3), (), 3)
    slow = Strike("s", False, (9, 10, 11), (), 11)
    grid = np.linspace(0.01, 0.99, 99)
    best = [grid[np.argmax(log_likelihood(s, np.array(0.9), grid))] for s in (quick, slow)]
    assert best[0] > best[1]


def test_the_shipped_estimates_are_chances_with_their_evidence() -> None:
    found = {e.name: e for e in estimate()}
    assert set(found) == {"meet_probability", "breakdown_probability", "resume_probability"}
    for e in found.values():
        assert 0 < e.low < e.mean < e.high < 1
    assert "2 breakdowns after 8 failed sessions" in found["breakdown_probability"].evidence
    assert "wga_2023" in report()


@pytest.mark.parametrize(("change", "where"), [
    ({"deal": dt.date(2023, 9, 1)}, "strikes.x.deal"),
    ({"breakdowns": [dt.date(2023, 5, 20)]}, "strikes.x.breakdowns"),
    ({"deal": "soon"}, "strikes.x.deal"),
    ({"deal": dt.date(2023, 1, 1)}, "strikes.x.deal"),
])
def test_a_broken_record_names_the_strike_and_field(change: dict, where: str) -> None:
    strike = {"start": dt.date(2023, 5, 2), "talks_at_start": False,
              "sessions": [{"date": dt.date(2023, 8, 4)}, {"date": dt.date(2023, 9, 24)}],
              "breakdowns": [], "deal": dt.date(2023, 9, 24)} | change
    with pytest.raises(InputError) as err:
        strikes({"strikes": {"x": strike}})
    assert where in str(err.value)
