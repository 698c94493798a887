"""The history data set: the WGA's strikes since 1960 and SAG-AFTRA's of 2023, every value sourced.

The data set is two CSV files in the package (`data/history/`, described in its README):

- `strikes.csv`, long format, one row per strike and field: `strike, field, value, source,
  note`. `value` is `unknown` when no source gave it (then `note` says why); otherwise
  `source` names one or more sources (`;`-separated ids of `sources.csv`).
- `sources.csv`: `id, title, publisher, date, url` of each source.

`load()` reads and validates both (pydantic, as the scenarios): an unknown field or
strike name, a value of the wrong type, a value without a source, a source id that is not
listed, an unknown value without a note, a missing or repeated (strike, field) pair, or
values that disagree (a length that is not its dates' difference, a ratification share
that is not its votes', dates out of order) each give a `Problem` with the file, the
`strike.field` and the line; the command line prints them and exits 2.

`python -m bargainsim.history [STRIKES.csv [SOURCES.csv]]` validates a data set (the
shipped one by default) and prints one line a strike.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from bargainsim.errors import InputError, Problem

STRIKES = "data/history/strikes.csv"
SOURCES = "data/history/sources.csv"
UNKNOWN = "unknown"

Kind = Literal["text", "date", "dates", "int", "float", "bool"]

#: Every field a strike has, with its type. `dates` is a `;`-separated list of days.
FIELDS: dict[str, Kind] = {
    "union": "text",
    "alliance": "text",
    "start_date": "date",
    "end_date": "date",  # the day the strike ended (members back at work)
    "length_days": "int",  # end_date minus start_date, in days
    "length_weeks": "float",  # length_days / 7, to one decimal
    "tentative_agreement_date": "date",
    "contract_expired": "date",
    "members": "int",  # the union's members
    "alliance_members": "int",  # all member companies of the employers' alliance
    "alliance_large_members": "int",  # its large members (the majors)
    "large_members_signing": "int",  # large members that signed apart (interim or before)
    "talks_at_start": "bool",
    "mediator": "text",
    "issues": "text",
    "terms": "text",
    "companion_strikes": "text",
    "companion_start": "date",
    "companion_end": "date",
    "pattern_deals": "text",  # deals with single companies, or another guild's template
    "pattern_deal_dates": "dates",
    "interim_agreements_min": "int",  # at least this many interim agreements
    "interim_agreement_dates": "dates",
    "rejected_offers": "int",  # offers the members voted down
    "ratification_for": "int",
    "ratification_against": "int",
    "ratification_share": "float",  # share voting yes, 0-1
    "ratification_date": "date",
    "talks_sessions": "dates",  # reported sessions (not necessarily all)
    "other_fronts": "text",
}

Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
SourceId = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$", max_length=64)]


class _Row(BaseModel):
    """One line of `strikes.csv` as text."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    strike: Name
    field: Literal[tuple(FIELDS)]  # type: ignore[valid-type]
    value: Annotated[str, Field(min_length=1)]
    source: str
    note: str


class Source(BaseModel):
    """One source: where a value comes from."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    id: SourceId
    title: Annotated[str, Field(min_length=1)]
    publisher: Annotated[str, Field(min_length=1)]
    date: str
    url: str


@dataclass(frozen=True)
class Value:
    """A field's value (None when unknown), its sources and note, and its line in the file."""

    value: Any
    sources: tuple[str, ...]
    note: str
    line: int


@dataclass(frozen=True)
class Strike:
    """One strike: every field's value with its sources."""

    name: str
    values: dict[str, Value]

    def __getitem__(self, field: str) -> Any:
        """The field's value, None when unknown."""
        return self.values[field].value

    @property
    def length_weeks(self) -> float:
        """The strike's length in weeks (from its days)."""
        return self["length_days"] / 7.0


@dataclass(frozen=True)
class History:
    """The data set: its strikes in file order, and its sources by id."""

    strikes: dict[str, Strike]
    sources: dict[str, Source]


_ADAPTERS: dict[Kind, TypeAdapter[Any]] = {
    "text": TypeAdapter(Annotated[str, Field(min_length=1)]),
    "date": TypeAdapter(dt.date),
    "int": TypeAdapter(Annotated[int, Field(ge=0)]),
    "float": TypeAdapter(Annotated[float, Field(ge=0, allow_inf_nan=False)]),
    "bool": TypeAdapter(bool),
}


def _parse(kind: Kind, text: str) -> Any:
    """The value of a field of this kind, from its text (ValueError if it is not one)."""
    if kind == "dates":
        return tuple(_parse("date", part.strip()) for part in text.split(";"))
    if kind == "bool" and text not in ("true", "false"):
        raise ValueError("give true or false")
    if kind == "date" and not (len(text) == 10 and text[4] == "-" and text[7] == "-"):
        raise ValueError("give a date as YYYY-MM-DD")
    try:
        return _ADAPTERS[kind].validate_python(text, strict=False)
    except ValidationError as exc:
        raise ValueError(exc.errors()[0]["msg"]) from None


def _read_csv(text: str, header: list[str], source: str) -> list[tuple[int, dict[str, str]]]:
    """The rows of a CSV with exactly this header, each with its line number."""
    reader = csv.reader(io.StringIO(text))
    rows = list(reader)
    if not rows or rows[0] != header:
        got = ",".join(rows[0]) if rows else "(empty file)"
        raise InputError(source, [Problem("", f"header must be {','.join(header)}; got {got}", 1)])
    out, problems = [], []
    for number, row in enumerate(rows[1:], start=2):
        if not row:
            continue
        if len(row) != len(header):
            problems.append(Problem("", f"{len(row)} columns, {len(header)} expected", number))
            continue
        out.append((number, dict(zip(header, row, strict=True))))
    if problems:
        raise InputError(source, problems)
    return out


def _sources(text: str, source: str) -> dict[str, Source]:
    out: dict[str, Source] = {}
    problems = []
    for line, row in _read_csv(text, list(Source.model_fields), source):
        try:
            found = Source(**row)
        except ValidationError as exc:
            err = exc.errors()[0]
            problems.append(Problem(f"{row['id'] or '?'}.{err['loc'][0]}", err["msg"], line))
            continue
        if found.id in out:
            problems.append(Problem(found.id, "listed twice", line))
        out[found.id] = found
    if problems:
        raise InputError(source, problems)
    return out


def _check_strike(strike: Strike) -> list[Problem]:
    """Values of one strike that disagree with each other."""
    v, problems = strike.values, []

    def bad(field: str, message: str) -> None:
        problems.append(Problem(f"{strike.name}.{field}", message, v[field].line))

    start, end, days = strike["start_date"], strike["end_date"], strike["length_days"]
    if start is not None and end is not None and days is not None and (end - start).days != days:
        bad("length_days", f"{days} days, but end_date - start_date is {(end - start).days}")
    weeks = strike["length_weeks"]
    if days is not None and weeks is not None and abs(weeks - round(days / 7, 1)) > 1e-9:
        bad("length_weeks", f"{weeks} weeks, but length_days / 7 is {round(days / 7, 1)}")
    # a vote may end the strike the day before the count is announced: ratification is
    # after the tentative agreement, not necessarily after the end
    for order in (["start_date", "tentative_agreement_date", "end_date"],
                  ["start_date", "tentative_agreement_date", "ratification_date"]):
        known = [f for f in order if strike[f] is not None]
        for before, after in zip(known, known[1:], strict=False):
            if strike[after] < strike[before]:
                bad(after, f"{strike[after]} is before {before} {strike[before]}")
    yes, no, share = (strike[f] for f in
                      ("ratification_for", "ratification_against", "ratification_share"))
    if share is not None and share > 1:
        bad("ratification_share", f"{share} is not a share (0-1)")
    if yes is not None and no is not None and share is not None and yes + no > 0 \
            and abs(share - yes / (yes + no)) > 0.0015:
        bad("ratification_share", f"{share}, but the votes give {yes / (yes + no):.4f}")
    large, signing = strike["alliance_large_members"], strike["large_members_signing"]
    if large is not None and signing is not None and signing > large:
        bad("large_members_signing", f"{signing} is more than the {large} large members")
    for field in ("pattern_deal_dates", "interim_agreement_dates", "talks_sessions"):
        days_ = strike[field]
        if days_ is not None and list(days_) != sorted(days_):
            bad(field, "dates must be in order")
    return problems


def parse(strikes_text: str, sources_text: str, strikes_source: str = STRIKES,
          sources_source: str = SOURCES) -> History:
    """The data set from the two files' texts (InputError naming file, field and line)."""
    sources = _sources(sources_text, sources_source)
    header = list(_Row.model_fields)
    values: dict[str, dict[str, Value]] = {}
    first_line: dict[str, int] = {}
    problems: list[Problem] = []
    for line, raw in _read_csv(strikes_text, header, strikes_source):
        where = f"{raw['strike'] or '?'}.{raw['field'] or '?'}"
        try:
            row = _Row(**raw)
        except ValidationError as exc:
            err = exc.errors()[0]
            column = err["loc"][0] if err["loc"] else ""
            problems.append(Problem(where, f"{column}: {err['msg']}", line))
            continue
        ids = tuple(s.strip() for s in row.source.split(";") if s.strip())
        if row.value == UNKNOWN:
            if not row.note.strip():
                problems.append(Problem(where, "unknown needs a note saying why", line))
            parsed = None
        else:
            if not ids:
                problems.append(Problem(where, "a value needs a source", line))
            try:
                parsed = _parse(FIELDS[row.field], row.value)
            except ValueError as exc:
                problems.append(Problem(where, f"{row.value!r} is not a {FIELDS[row.field]}: "
                                        f"{exc}", line))
                parsed = None
        for sid in ids:
            if sid not in sources:
                problems.append(Problem(where, f"source {sid!r} is not in {sources_source}", line))
        fields = values.setdefault(row.strike, {})
        first_line.setdefault(row.strike, line)
        if row.field in fields:
            problems.append(Problem(where, f"given twice (first on line {fields[row.field].line})",
                                    line))
            continue
        fields[row.field] = Value(parsed, ids, row.note, line)
    strikes: dict[str, Strike] = {}
    for name, fields in values.items():
        missing = [f for f in FIELDS if f not in fields]
        if missing:
            problems.append(Problem(name, f"missing fields: {', '.join(missing)} (give "
                                    "unknown with a note)", first_line[name]))
            continue
        strikes[name] = Strike(name, fields)
        problems += _check_strike(strikes[name])
    if problems:
        raise InputError(strikes_source, problems)
    return History(strikes, sources)


def load(strikes_path: str | Path | None = None,
         sources_path: str | Path | None = None) -> History:
    """The data set: the shipped one, or the files given (a source file next to `strikes`)."""
    if strikes_path is None:
        root = resources.files("bargainsim")
        return parse(root.joinpath(STRIKES).read_text(encoding="utf-8"),
                     root.joinpath(SOURCES).read_text(encoding="utf-8"))
    strikes_path = Path(strikes_path)
    sources_path = Path(sources_path) if sources_path else strikes_path.with_name("sources.csv")
    texts = []
    for path in (strikes_path, sources_path):
        try:
            texts.append(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(str(path), [Problem("", f"cannot read: {exc}")]) from None
    return parse(texts[0], texts[1], str(strikes_path), str(sources_path))


def weeks(history: History, name: str, day: dt.date) -> int:
    """The strike week of a day (days since the strike's start // 7), as the scenarios count."""
    return (day - history.strikes[name]["start_date"]).days // 7


def summary(history: History) -> str:
    """One line a strike: dates, length, interim agreements, ratification, sourced share."""
    lines = ["strike          start       end         days  weeks  interim  ratified  "
             "known/fields"]
    def show(s: Strike, field: str, fmt: str = "{}") -> str:
        return "?" if s[field] is None else fmt.format(s[field])

    for s in history.strikes.values():
        known = sum(v.value is not None for v in s.values.values())
        lines.append(f"{s.name:<15} {show(s, 'start_date'):<11} {show(s, 'end_date'):<11} "
                     f"{show(s, 'length_days'):>4}  {show(s, 'length_weeks'):>5}  "
                     f"{show(s, 'interim_agreements_min'):>7}  "
                     f"{show(s, 'ratification_share', '{:.1%}'):>8}  {known}/{len(FIELDS)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Validate a data set and print its summary; 2 with its problems when it is bad."""
    args = sys.argv[1:] if argv is None else argv
    try:
        history = load(*args[:2]) if args else load()
    except InputError as exc:
        sys.stderr.write(f"{exc}\n")
        return 2
    sys.stdout.write(summary(history) + "\n")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
