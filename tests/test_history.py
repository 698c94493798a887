"""The history data set: its content (every value sourced, lengths from dates) and its checks."""

from __future__ import annotations

import csv
import datetime as dt
from importlib import resources
from pathlib import Path

import pytest

from bargainsim import history
from bargainsim.errors import InputError
from bargainsim.talks_history import strikes as talks_strikes

STRIKES = ["wga_1960", "wga_1973", "wga_1981", "wga_1985", "wga_1988", "wga_2007", "wga_2023",
           "sag_aftra_2023"]


def _raw(name: str) -> list[dict[str, str]]:
    text = resources.files("bargainsim").joinpath(f"data/history/{name}.csv").read_text()
    return list(csv.DictReader(text.splitlines()))


@pytest.fixture(scope="module")
def data() -> history.History:
    return history.load()


def test_one_record_per_strike_with_every_field(data: history.History) -> None:
    assert list(data.strikes) == STRIKES
    for strike in data.strikes.values():
        assert set(strike.values) == set(history.FIELDS)


def test_every_known_value_has_a_listed_source_and_every_unknown_a_note() -> None:
    sources = {row["id"] for row in _raw("sources")}
    used = set()
    for row in _raw("strikes"):
        ids = [s for s in row["source"].split(";") if s]
        if row["value"] == "unknown":
            assert row["note"].strip(), row
        else:
            assert ids, row
            assert set(ids) <= sources, row
        used.update(ids)
    assert used == sources  # no source is listed without being used
    for row in _raw("sources"):
        assert row["title"] and row["publisher"], row
        # a web page has its address; only the project's own notes have none
        assert row["url"].startswith("http") or "not in the repository" in row["publisher"]


def test_lengths_agree_with_dates(data: history.History) -> None:
    for s in data.strikes.values():
        if s["start_date"] is not None and s["end_date"] is not None:
            assert (s["end_date"] - s["start_date"]).days == s["length_days"], s.name
        assert s["length_weeks"] == round(s["length_days"] / 7, 1), s.name
        assert s["start_date"] <= (s["tentative_agreement_date"] or s["start_date"])


def test_the_record_of_each_strike(data: history.History) -> None:
    s = data.strikes
    # the calibration's anchors: 148, 100 (99 between the dates) and 153 days
    assert (s["wga_2023"]["length_days"], s["wga_2007"]["length_days"],
            s["wga_1988"]["length_days"]) == (148, 99, 153)
    assert s["wga_1985"]["length_days"] == 14 and s["wga_1985"]["ratification_for"] == 2075
    assert (s["wga_1988"]["ratification_for"], s["wga_1988"]["ratification_against"]) == (2111, 412)
    assert s["wga_1988"]["rejected_offers"] == 1
    assert s["sag_aftra_2023"]["start_date"] == dt.date(2023, 7, 14)
    assert s["sag_aftra_2023"]["ratification_share"] == pytest.approx(0.7833)
    # "no major breaks ranks": no large alliance member signed apart after 1960
    for name in ("wga_1985", "wga_1988", "wga_2007", "wga_2023", "sag_aftra_2023"):
        assert s[name]["large_members_signing"] == 0, name
    assert s["wga_1960"]["large_members_signing"] == 1  # Universal-International, before
    # the two 2023 strikes name each other as companions, with the same dates
    assert s["wga_2023"]["companion_start"] == s["sag_aftra_2023"]["start_date"]
    assert s["sag_aftra_2023"]["companion_end"] == s["wga_2023"]["end_date"]


def test_the_talks_agree_with_the_talks_data_set(data: history.History) -> None:
    for t in talks_strikes():
        s = data.strikes[t.name]
        weeks = sorted({history.weeks(data, t.name, day) for day in s["talks_sessions"]})
        assert tuple(weeks) == t.sessions, t.name
        assert s["talks_at_start"] == t.on_at_start


def _write(tmp_path: Path, edit: tuple[str, str] | None = None, drop: str | None = None) -> Path:
    text = resources.files("bargainsim").joinpath(history.STRIKES).read_text()
    if edit:
        assert edit[0] in text
        text = text.replace(edit[0], edit[1], 1)
    if drop:
        text = "\n".join(line for line in text.splitlines() if drop not in line) + "\n"
    path = tmp_path / "strikes.csv"
    path.write_text(text)
    sources = resources.files("bargainsim").joinpath(history.SOURCES).read_text()
    (tmp_path / "sources.csv").write_text(sources)
    return path


def _line(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


@pytest.mark.parametrize(("edit", "where", "message"), [
    (("wga_1985,length_days,14,", "wga_1985,length_days,15,"), "wga_1985.length_days",
     "15 days, but end_date - start_date is 14"),
    (("wga_1988,ratification_for,2111,", "wga_1988,ratification_for,2011,"),
     "wga_1988.ratification_share", "0.837, but the votes give 0.8300"),
    (("wga_1985,start_date,1985-03-05,", "wga_1985,start_date,March 5,"), "wga_1985.start_date",
     "'March 5' is not a date"),
    (("wga_1988,ratification_for,2111,ct1988aug08,", "wga_1988,ratification_for,2111,,"),
     "wga_1988.ratification_for", "a value needs a source"),
    (("wga_1988,ratification_for,2111,ct1988aug08,", "wga_1988,ratification_for,2111,nosuch,"),
     "wga_1988.ratification_for", "source 'nosuch' is not in"),
    (("wga_1988,members,9000,", "wga_1988,membres,9000,"), "wga_1988.membres", "field:"),
    (("wga_1985,talks_at_start,true,", "wga_1985,talks_at_start,yes,"),
     "wga_1985.talks_at_start", "'yes' is not a bool: give true or false"),
    (('wga_1973,end_date,unknown,,"calibration', 'wga_1973,end_date,unknown,,"'),
     None, None),
])
def test_a_bad_file_names_the_file_the_field_and_the_line(
    tmp_path: Path, edit: tuple[str, str], where: str | None, message: str | None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if where is None:  # an unknown without a note: the note is emptied
        text = _write(tmp_path).read_text().splitlines()
        i = next(i for i, line in enumerate(text) if line.startswith("wga_1973,end_date,"))
        text[i] = "wga_1973,end_date,unknown,,"
        path = tmp_path / "strikes.csv"
        path.write_text("\n".join(text) + "\n")
        where, message, line = "wga_1973.end_date", "unknown needs a note", i + 1
    else:
        path = _write(tmp_path, edit)
        line = _line(path, where.replace(".", ",") + ",")  # the line of the field blamed
    with pytest.raises(InputError) as err:
        history.load(path)
    expected = f"{path}: {where} (line {line}): {message}"
    assert any(p.render(str(path)).startswith(expected) for p in err.value.problems), err.value
    assert history.main([str(path)]) == 2
    assert expected in capsys.readouterr().err


def test_a_missing_or_repeated_field_and_a_bad_header(tmp_path: Path) -> None:
    path = _write(tmp_path, drop="wga_2007,mediator,")
    with pytest.raises(InputError, match=r"wga_2007 \(line \d+\): missing fields: mediator"):
        history.load(path)
    path = _write(tmp_path, edit=("wga_2007,mediator,", "wga_2007,issues,"))
    with pytest.raises(InputError, match=r"wga_2007.issues \(line \d+\): given twice"):
        history.load(path)
    path = _write(tmp_path, edit=("strike,field,value,source,note", "strike,field,value"))
    with pytest.raises(InputError, match=r"\(top level\) \(line 1\): header must be"):
        history.load(path)
    with pytest.raises(InputError, match="cannot read"):
        history.load(tmp_path / "nosuch.csv")


def test_the_command_prints_one_line_a_strike(capsys: pytest.CaptureFixture[str]) -> None:
    assert history.main([]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 + len(STRIKES)
    assert out[5].split()[:4] == ["wga_1988", "1988-03-07", "1988-08-07", "153"]
