"""The scenario schema and `--set` overrides (`bargainsim.scenario.load_scenario`).

A value of the wrong type, out of range or unknown, a broken reference between parts of
the scenario, or a bad `--set` override is an InputError naming the key path and its line
in the file; an override that breaks the schema says so (`[from --set KEY]`). The YAML
reader's own failures are in tests/test_yamlio.py; the command's in tests/test_cli_input.py.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from bargainsim.errors import InputError
from bargainsim.scenario import load_scenario
from documents import (
    BASE,
    FARATIN,
    STUDIO_DISCOUNT,
    assert_names,
    input_error,
    line_of,
    mutate,
    studio_discount,
    write,
)
from limits import CPU_LIMIT, CpuLimit


def rejected(path: Path, cpu_limit: CpuLimit, overrides: list[str] | None = None) -> InputError:
    """The InputError that loading `path` with `overrides` raises, within the CPU limit."""
    return input_error(lambda: load_scenario(path, overrides), cpu_limit)


# --------------------------------------------------------------------------- schema

# (text in faratin.yaml, its replacement, key path of the problem, needles)
SCHEMA_CASES = [
    pytest.param("horizon: 40", "horizon: 99999999999999999999999", "horizon",
                 ("less than or equal",), id="huge-integer"),
    pytest.param("horizon: 40", "horizon: 1.0e+300", "horizon", ("less than or equal",),
                 id="huge-float"),
    pytest.param("horizon: 40", "horizon: -1", "horizon", ("greater than 0",),
                 id="negative-horizon"),
    pytest.param("horizon: 40", "horizon: forty", "horizon", ("valid number",),
                 id="string-for-number"),
    pytest.param("horizon: 40", "horizon: true", "horizon", ("valid number",),
                 id="bool-for-number"),
    pytest.param("horizon: 40", "horizon: [40]", "horizon", ("valid number",),
                 id="list-for-number"),
    pytest.param("name: faratin", "name: [faratin]", "name", ("valid string",),
                 id="list-for-string"),
    pytest.param("name: faratin", "name: " + "n" * 100, "name", ("at most 64",),
                 id="name-too-long"),
    pytest.param("name: faratin", "name: 'fa ratin!'", "name", ("pattern",),
                 id="name-bad-characters"),
    pytest.param("mode: separate ", "mode: solo ", "mode", ("coalition",), id="unknown-mode"),
    pytest.param("horizon: 40", "horizon: 40\ncolour: blue", "colour", ("unknown key",),
                 id="unknown-top-level-key"),
    pytest.param("    discount: 1.0          # no discounting",
                 "    discount: 1.0\n    dicsount: 0.5", "parties.union.dicsount",
                 ("unknown key",), id="unknown-nested-key"),
    pytest.param("protocol:\n  clock: move          # a step is one move: an offer or an "
                 "acceptance\n  first_mover: union", "protocol:\n  - clock\n  - move",
                 "protocol", ("dictionary",), id="list-where-mapping-belongs"),
    pytest.param("parties:\n  union:", "parties: [union, studio]\nx:\n  union:", "parties",
                 ("dictionary",), id="parties-as-list"),
    pytest.param("tactic: {kind: time_dependent, beta: 2.0, kappa: 0.0, t_max: 20}",
                 "tactic: fast", "parties.studio.tactic", ("dictionary",),
                 id="tactic-as-string"),
    pytest.param("    max: 10\n", "", "issues.wage.max", ("required key is missing",),
                 id="missing-issue-max"),
    pytest.param("    min: 0\n    max: 10", "    min: 10\n    max: 10", "issues.wage",
                 ("min", "below max"), id="issue-min-equals-max"),
    pytest.param("    min: 0\n    max: 10", "    min: 11\n    max: 10", "issues.wage",
                 ("min", "below max"), id="issue-min-above-max"),
    pytest.param(STUDIO_DISCOUNT, STUDIO_DISCOUNT.replace("1.0", "0"),
                 "parties.studio.discount", ("greater than 0",), id="discount-0"),
    pytest.param(STUDIO_DISCOUNT, STUDIO_DISCOUNT.replace("1.0", "1.5"),
                 "parties.studio.discount", ("less than or equal to 1",), id="discount-1.5"),
    pytest.param(STUDIO_DISCOUNT, "    issue_costs: {wage: -5}\n" + STUDIO_DISCOUNT,
                 "parties.studio.issue_costs.wage", ("greater than or equal to 0",),
                 id="negative-issue-cost"),
    pytest.param("    role: company", "    role: company\n    revenue_at_risk: -3",
                 "parties.studio.revenue_at_risk", ("greater than or equal to 0",),
                 id="negative-revenue"),
    pytest.param("    role: company", "    role: boss", "parties.studio",
                 ("role must be 'union' or 'company'",), id="unknown-role"),
    pytest.param("    role: company\n", "", "parties.studio",
                 ("role must be 'union' or 'company'",), id="missing-role"),
    pytest.param("kappa: 0.0, t_max: 20}\n  studio", "kappa: 1.0, t_max: 20}\n  studio",
                 "parties.union.tactic.kappa", ("less than 1",), id="kappa-1"),
    pytest.param("tactic: {kind: time_dependent, beta: 0.5, kappa: 0.0, t_max: 20}",
                 "tactic: {kind: rubinstein}", "parties.union.tactic",
                 ("no round limit", "discount below 1"), id="rubinstein-without-discounting"),
    pytest.param("horizon: 40", "horizon: 40\nindustry: {employer_tactic: {kind: rubinstein}}",
                 "industry.employer_tactic", ("no round limit", "discount below 1"),
                 id="employers-rubinstein-without-discounting"),
    pytest.param("horizon: 40", "horizon: 40\ncoalition: {tactic: {kind: rubinstein}}",
                 "coalition.tactic", ("no round limit", "discount below 1"),
                 id="coalition-rubinstein-without-discounting"),
    pytest.param("horizon: 40",
                 "horizon: 40\nother_guilds: {companion_strike: {start_week: 5, end_week: 2}}",
                 "other_guilds.companion_strike", ("end_week",),
                 id="strike-ends-before-it-starts"),
]


@pytest.mark.parametrize(("old", "new", "location", "needles"), SCHEMA_CASES)
def test_schema_rejects_bad_values(
    tmp_path: Path, cpu_limit: CpuLimit, old: str, new: str, location: str,
    needles: tuple[str, ...],
) -> None:
    """Schema errors name the key path and its line in the file."""
    path = write(tmp_path, mutate(old, new))
    error = rejected(path, cpu_limit)
    assert error.source == str(path)
    assert_names(error, needles)
    hits = [p for p in error.problems if p.location == location]
    assert hits, f"no problem at {location!r}: {error.problems}"
    assert all(p.line is not None for p in hits), error.problems


def test_unknown_tactic_kind_names_kind(tmp_path: Path, cpu_limit: CpuLimit) -> None:
    """An unknown kind is reported as such, not taken for a party's bad role."""
    path = write(tmp_path, mutate("kind: time_dependent, beta: 2.0", "kind: wobble, beta: 2.0"))
    error = rejected(path, cpu_limit)
    assert_names(error, ("kind must be one of",))
    assert any(p.location == "parties.studio.tactic" for p in error.problems), error.problems
    assert "role must be" not in str(error)


# Cross-field rules: (document, key path, needles, whether the problem is located at the
# key path with a line; a rule whose message does not start with its path is not).
SEMANTIC_CASES = [
    pytest.param(mutate("opening: {wage: 0}", "opening: {wage: 11}"),
                 "parties.studio.opening.wage", ("outside",), True,
                 id="opening-outside-issue-bounds"),
    pytest.param(mutate("limit: {wage: 4}", "limit: {wage: -1}"), "parties.union.limit.wage",
                 ("outside",), True, id="limit-below-issue-min"),
    pytest.param(mutate("opening: {wage: 0}", "opening: {pay: 0}"), "parties.studio.opening",
                 ("unknown issue",), True, id="opening-unknown-issue"),
    pytest.param(mutate("    role: company", "    role: union"), "parties",
                 ("exactly one", "union"), True, id="two-unions"),
    pytest.param(BASE[: BASE.index("  studio:")], "parties", ("company",), True,
                 id="no-company"),
    pytest.param(BASE + "coalition:\n  members: [union]\n", "coalition.members",
                 ("not a company",), True, id="coalition-member-is-the-union"),
    pytest.param(BASE + "coalition:\n  members: [ghost]\n", "coalition.members",
                 ("not a company",), True, id="coalition-member-unknown"),
    pytest.param(BASE + "coalition:\n  members: [studio, studio]\n", "coalition.members",
                 ("unique",), True, id="coalition-member-twice"),
    pytest.param(BASE + "coalition:\n  name: studio\n", "coalition.name", ("party",), False,
                 id="coalition-name-is-a-party"),
    pytest.param(BASE + "pattern: {target: ghost}\n", "pattern.target", ("neither",), True,
                 id="pattern-target-unknown"),
    pytest.param(mutate("  clock: move", "  clock: continuous"), "protocol.clock",
                 ("attrition",), True, id="continuous-clock-without-attrition"),
]


@pytest.mark.parametrize(("doc", "location", "needles", "located"), SEMANTIC_CASES)
def test_schema_rejects_broken_references(
    tmp_path: Path, cpu_limit: CpuLimit, doc: str, location: str, needles: tuple[str, ...],
    located: bool,
) -> None:
    """`FILE: key.path (line N): message`, for rules across fields too."""
    error = rejected(write(tmp_path, doc), cpu_limit)
    assert_names(error, (location, *needles))
    if located:
        assert any(p.location == location and p.line is not None for p in error.problems), (
            error.problems)


def test_every_truncation_is_handled(tmp_path: Path, cpu_limit: CpuLimit) -> None:
    """Cut the file at every line and in the middle of lines: valid or an InputError."""
    cuts = sorted({i for i, ch in enumerate(BASE) if ch == "\n"} | set(range(0, len(BASE), 7)))
    path = tmp_path / "cut.yaml"
    rejected_cuts = 0
    for cut in cuts:
        path.write_text(BASE[:cut], encoding="utf-8")
        with cpu_limit(CPU_LIMIT):
            try:
                load_scenario(path)
            except InputError:
                rejected_cuts += 1
    assert rejected_cuts > len(cuts) // 2


def test_random_byte_damage_is_handled(tmp_path: Path, cpu_limit: CpuLimit) -> None:
    """Overwrite a few bytes with random ones: valid or an InputError, never another error."""
    rng = random.Random(7)
    raw = bytearray(BASE.encode("utf-8"))
    path = tmp_path / "damaged.yaml"
    for _ in range(150):
        damaged = bytearray(raw)
        for _ in range(rng.randint(1, 4)):
            damaged[rng.randrange(len(damaged))] = rng.choice(b"[]{}:&*!|>-?#,'\"\t\n 0.9x\xff")
        path.write_bytes(bytes(damaged))
        with cpu_limit(CPU_LIMIT):
            try:
                load_scenario(path)
            except InputError:
                pass


# --------------------------------------------------------------------------- --set


@pytest.mark.parametrize(
    ("overrides", "where", "value"),
    [
        pytest.param(["horizon=30"], ("horizon",), 30.0, id="top-level"),
        pytest.param(["parties.union.tactic.beta=1"], ("parties", "union", "tactic", "beta"),
                     1.0, id="nested"),
        pytest.param(["parties.studio.discount=1e-1"], ("parties", "studio", "discount"), 0.1,
                     id="exponent-without-a-dot"),
        pytest.param(["coalition.rule=share_weighted"], ("coalition", "rule"), "share_weighted",
                     id="into-a-block-the-file-lacks"),
        pytest.param(["horizon=30", "horizon=20"], ("horizon",), 20.0, id="the-last-one-wins"),
        pytest.param(["description=a b c"], ("description",), "a b c", id="words"),
    ],
)
def test_set_overrides_a_value(overrides: list[str], where: tuple[str, ...],
                               value: object) -> None:
    node: object = load_scenario(FARATIN, overrides)
    for key in where:
        node = node[key] if isinstance(node, dict) else getattr(node, key)
    assert node == value


def test_an_exponent_without_a_dot_in_the_file_is_a_number(tmp_path: Path) -> None:
    """`9e-1` is a number (YAML 1.2); PyYAML alone reads a string, which the schema refuses."""
    spec = load_scenario(write(tmp_path, studio_discount("9e-1")))
    assert spec.parties["studio"].discount == 0.9


def test_set_leaves_the_rest_as_the_file_has_it() -> None:
    plain = load_scenario(FARATIN)
    changed = load_scenario(FARATIN, ["parties.union.tactic.beta=1"])
    assert changed.parties["union"].tactic.beta == 1.0 != plain.parties["union"].tactic.beta
    assert changed.model_copy(update={"parties": plain.parties}) == plain


# (--set value, source of the problem: "--set" or the file, location, needles)
SET_CASES = [
    pytest.param("horizon", "--set", "horizon", ("KEY.PATH=VALUE",), id="missing-equals"),
    pytest.param("=5", "--set", "", ("empty key",), id="empty-path"),
    pytest.param("parties..discount=1", "--set", "parties..discount", ("empty key",),
                 id="empty-path-segment"),
    pytest.param("horizon=[1,2]", "--set", "horizon", ("single value",), id="list-value"),
    pytest.param("horizon={a: 1}", "--set", "horizon", ("single value",), id="mapping-value"),
    pytest.param("horizon=&a [1]", "--set", "horizon", ("single value",), id="anchor-value"),
    pytest.param("horizon.x=5", "--set", "horizon.x", ("single value",),
                 id="path-through-a-value"),
    pytest.param("parties.studio.discount=.nan", "--set", "parties.studio.discount", ("NaN",),
                 id="nan-value"),
    pytest.param("horizon=1e400", "--set", "horizon", ("infinity",), id="inf-value"),
    pytest.param("horizon=" + "9" * 5000, "--set", "horizon", ("digits",),
                 id="5000-digit-value"),
    pytest.param("horizon=" + "[" * 10_000 + "]" * 10_000, "--set", "horizon", ("nesting",),
                 id="deeply-nested-value"),
    pytest.param("horizon=!!python/object/apply:os.getcwd []", "--set", "horizon",
                 ("constructor",), id="python-tag-value"),
    pytest.param("parties.nobody.strike_fund=1", "--set", "parties.nobody.strike_fund",
                 ("no party named 'nobody'", "the parties are union, studio"),
                 id="unknown-party"),
    pytest.param("horizon=abc", "FILE", "horizon", ("valid number", "[from --set horizon]"),
                 id="wrong-type"),
    pytest.param("parties.studio.discount=0", "FILE", "parties.studio.discount",
                 ("greater than 0", "[from --set"), id="discount-0"),
    pytest.param("parties.studio.discount=1.5", "FILE", "parties.studio.discount",
                 ("less than or equal to 1", "[from --set"), id="discount-1.5"),
    pytest.param("parties.union.dicsount=0.5", "FILE", "parties.union.dicsount",
                 ("unknown key", "[from --set"), id="unknown-nested-path"),
    pytest.param("nope.x=1", "FILE", "nope", ("unknown key", "[from --set nope.x]"),
                 id="unknown-top-level-path"),
    pytest.param("issues=5", "FILE", "issues", ("dictionary",), id="scalar-for-mapping"),
]


@pytest.mark.parametrize(("override", "source", "location", "needles"), SET_CASES)
def test_set_rejects_bad_overrides(
    cpu_limit: CpuLimit, override: str, source: str, location: str, needles: tuple[str, ...]
) -> None:
    error = rejected(FARATIN, cpu_limit, [override])
    assert error.source == (str(FARATIN) if source == "FILE" else source)
    assert_names(error, needles)
    assert location in [p.location for p in error.problems], error.problems


def test_a_value_set_out_of_range_is_reported_at_its_line_in_the_file(
    cpu_limit: CpuLimit,
) -> None:
    error = rejected(FARATIN, cpu_limit, ["parties.studio.discount=1.5"])
    [problem] = error.problems
    assert problem.line == line_of(BASE, STUDIO_DISCOUNT)  # the studio's discount line
    assert problem.message.endswith("[from --set parties.studio.discount]")
