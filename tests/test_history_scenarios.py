"""The historical scenarios take their strike-specific values from the history data set."""

from __future__ import annotations

import pytest

from bargainsim import history, shipped
from bargainsim.scenario import load_scenario
from bargainsim.schema import Scenario, UnionParty

HISTORICAL = ["wga_1960", "wga_1973", "wga_1981", "wga_1985", "wga_1988", "wga_2007", "wga_2023",
              "sag_aftra_2023"]


@pytest.fixture(scope="module")
def data() -> history.History:
    return history.load()


def _scenario(name: str) -> Scenario:
    return load_scenario(shipped.scenario_path(name))


def _union(scn: Scenario) -> UnionParty:
    return next(p for p in scn.parties.values() if isinstance(p, UnionParty))


def test_every_strike_has_its_scenario_and_its_start_state(data: history.History) -> None:
    assert set(data.strikes) == set(HISTORICAL)
    for name in HISTORICAL:
        scn, talks_on = _scenario(name), data.strikes[name]["talks_at_start"]
        assert scn.name == name and scn.mode == "coalition"
        if talks_on is not None:
            assert scn.talks.on_at_start == talks_on, name
        else:  # unknown in the data set: as wga_2023, off
            assert scn.talks.on_at_start is False, name


@pytest.mark.parametrize("name", ["wga_1973", "wga_1981", "wga_1985", "wga_1988", "wga_2023"])
def test_the_union_is_as_large_as_the_data_set_says(data: history.History, name: str) -> None:
    members = _union(_scenario(name)).members
    assert members is not None and members.writers == data.strikes[name]["members"]


def test_the_dated_values_are_the_data_sets_in_weeks(data: history.History) -> None:
    def week(name: str, field: str, i: int = 0) -> int:
        value = data.strikes[name][field]
        return history.weeks(data, name, value[i] if isinstance(value, tuple) else value)

    guilds = {n: _scenario(n).other_guilds for n in HISTORICAL}
    # the companion strikes
    assert guilds["wga_2023"].companion_strike.start_week == week("wga_2023", "companion_start")
    assert guilds["wga_2023"].companion_strike.end_week == week("wga_2023", "companion_end")
    sag = guilds["sag_aftra_2023"].companion_strike
    assert (sag.start_week, sag.end_week) == (0, week("sag_aftra_2023", "companion_end"))
    actors = guilds["wga_1960"].companion_strike
    assert actors.start_week == week("wga_1960", "companion_start") == 7
    # the actors struck 43 days (the data set's companion note; the end day is unknown)
    assert "43 days" in data.strikes["wga_1960"].values["companion_strikes"].value
    day = (s1960 := data.strikes["wga_1960"])["companion_start"] - s1960["start_date"]
    assert actors.end_week == (day.days + 43) // 7
    # the pattern deals
    assert guilds["wga_2007"].pattern_deal.week == week("wga_2007", "pattern_deal_dates")
    assert guilds["sag_aftra_2023"].pattern_deal.week == week("sag_aftra_2023",
                                                              "pattern_deal_dates")
    assert guilds["wga_1985"].pattern_deal.week == 0  # the DGA's 1984 deal, before the strike


def test_interim_agreements_and_the_alliance(data: history.History) -> None:
    s = data.strikes
    for name in ("wga_1960", "wga_1985", "wga_2023"):  # none during the strike
        assert _scenario(name).interim is None, name
    assert s["wga_1985"]["interim_agreements_min"] == 0
    assert s["wga_2023"]["interim_agreements_min"] == 0
    for name in ("wga_1973", "wga_1981", "sag_aftra_2023"):  # offered to independents
        scn = _scenario(name)
        assert scn.interim is not None and scn.interim.offered_to == "independents", name
        assert s[name]["interim_agreements_min"] >= 1
        outside = set(scn.parties) - set(scn.coalition.members or []) - {
            n for n, p in scn.parties.items() if isinstance(p, UnionParty)}
        assert outside and all(n.startswith("independents") for n in outside), name
    # 1960: the eight majors less Universal-International, which settled before the strike
    members_1960 = _scenario("wga_1960").coalition.members or []
    assert len(members_1960) == (s["wga_1960"]["alliance_large_members"]
                                 - s["wga_1960"]["large_members_signing"])
    # SAG-AFTRA faced wga_2023's eight companies
    assert len(_scenario("sag_aftra_2023").coalition.members or []) == \
        s["sag_aftra_2023"]["alliance_large_members"]
