"""compare: every mode over common seeds, survival statistics, verdicts."""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from bargainsim.cli import main
from bargainsim.experiments.compare import (
    TESTED,
    _sentence,
    _verdict,
    compare,
    compare_rows,
    format_table,
    holm,
    run_modes,
)
from bargainsim.outputs import compared
from bargainsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
WGA = str(ROOT / "scenarios" / "wga_2023.yaml")


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bargainsim", *args], capture_output=True,
                          text=True, timeout=600)


def test_json_has_the_documented_keys_and_is_identical_for_1_and_2_workers(tmp_path):
    one = cli("compare", WGA, "--seeds", "24", "--workers", "1", "--json")
    two = cli("compare", WGA, "--seeds", "24", "--workers", "2", "--json",
              "--out", str(tmp_path / "out"))
    assert one.returncode == 0, one.stderr
    assert one.stdout == two.stdout
    result = json.loads(one.stdout)
    assert list(result) == ["scenario", "seeds", "modes", "comparisons", "verdict",
                            "comparisons_weighted", "verdict_weighted"]
    assert result["seeds"] == 24
    assert set(result["modes"]) == {"coalition", "separate", "pattern", "breakaway"}
    for mode in result["modes"].values():
        assert {"runs", "settled_share", "median_settlement_step", "median_ci95", "back_share",
                "median_weighted_settlement_step", "weighted_median_ci95"} <= set(mode)
    for key, measure in (("comparisons", "last deal"),
                         ("comparisons_weighted", "share-weighted week")):
        assert len(result[key]) == 6
        for c in result[key]:
            assert {"a", "b", "median_difference", "ci95", "p_value", "sooner"} <= set(c)
            assert c["sooner"] in (None, c["a"], c["b"])
            assert c["measure"] == measure
    lines = (tmp_path / "out" / "runs.jsonl").read_text().splitlines()
    assert len(lines) == 4 * 24
    assert json.loads((tmp_path / "out" / "comparison.json").read_text()) == result


def test_table_and_verdict_are_printed():
    out = cli("compare", WGA, "--seeds", "30", "--modes", "coalition,separate")
    assert out.returncode == 0, out.stderr
    assert "coalition" in out.stdout and "separate" in out.stdout
    assert "verdict, last deal: " in out.stdout
    assert "verdict, share-weighted week: " in out.stdout


def test_every_printed_statement_names_its_measure() -> None:
    spec = load_scenario(WGA)
    result = compare(run_modes(spec, ["coalition", "separate", "pattern"], range(20)),
                     spec.name, bootstrap=200)
    lines = format_table(result).splitlines()
    statements = lines[lines.index(next(x for x in lines if x.startswith("(settled"))) + 1:]
    statements = [x for x in statements if x]
    assert len(statements) == 2 * (3 + 1)  # per measure, three pairs and a verdict
    for line in statements:
        assert re.match(r"(verdict, )?(last deal|share-weighted week): ", line), line
    for tested in TESTED:  # a table per measure, titled by it
        assert tested.title(long=True) in lines


def test_bad_modes_are_refused_with_exit_2():
    out = cli("compare", WGA, "--modes", "coalition,solo")
    assert out.returncode == 2
    assert "solo" in out.stderr and "Traceback" not in out.stderr


def test_holm_adjustment_matches_hand_values():
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert holm([0.5, 0.001]) == pytest.approx([0.5, 0.002])


def test_censored_runs_are_kept_and_make_the_median_undefined():
    spec = load_scenario(WGA, ["horizon=15"])
    records = run_modes(spec, ["coalition", "separate"], range(20))
    result = compare(records, spec.name, bootstrap=200)
    assert result["modes"]["coalition"]["runs"] == 20
    assert result["modes"]["coalition"]["settled_share"] < 0.5
    assert result["modes"]["coalition"]["median_settlement_step"] is None
    assert result["modes"]["coalition"]["median_ci95"] is None
    comp = result["comparisons"][0]
    assert comp["median_difference"] is None and comp["sooner"] is None
    assert "censored" in comp["reason"]


def test_weighted_figures_are_kaplan_meier_with_runs_censored_at_their_lower_bound():
    """A run with a company never back is censored at its weighted week (the horizon for
    that company), which comes before other runs' events: scipy's Kaplan-Meier agrees."""
    spec = load_scenario(WGA, ["horizon=24"])
    records = run_modes(spec, ["separate", "pattern"], range(40))
    result = compare(records, spec.name, bootstrap=200)
    censored_early = 0
    for mode, recs in records.items():
        t = np.array([r["weighted_settlement_step"] for r in recs])
        e = np.array([r["writers_back"] for r in recs])
        assert (~e).any() and e.any()
        censored_early += int((t[~e] < t[e].max()).any())
        sf = stats.ecdf(stats.CensoredData(uncensored=t[e], right=t[~e])).sf
        below = np.flatnonzero(sf.probabilities <= 0.5 + 1e-12)
        want = float(sf.quantiles[below[0]]) if below.size else None
        figures = result["modes"][mode]
        assert figures["median_weighted_settlement_step"] == want
        assert figures["back_share"] == e.mean()
        assert figures["mean_weighted_settlement_step_back"] == pytest.approx(t[e].mean())
    assert censored_early  # the case the product-limit form exists for
    (comp,) = result["comparisons_weighted"]
    right = {m: [(r["weighted_settlement_step"], r["writers_back"]) for r in records[m]]
             for m in records}

    def data(runs: list[tuple[float, bool]]) -> stats.CensoredData:
        return stats.CensoredData(uncensored=[t for t, e in runs if e],
                                  right=[t for t, e in runs if not e])

    assert comp["p_value"] == pytest.approx(
        stats.logrank(data(right["separate"]), data(right["pattern"])).pvalue)


def test_rows_without_the_weighted_column_compare_the_last_deal_only():
    """A sweep from before the share-weighted week: its figures are None, not all censored."""
    spec = load_scenario(WGA)
    records = run_modes(spec, ["coalition", "separate"], range(6))
    rows = {m: [{k: v for k, v in compared(r).items()
                 if k not in ("weighted_settlement_step", "writers_back")} for r in recs]
            for m, recs in records.items()}
    result = compare_rows(rows, 52.0, "x", bootstrap=100)
    full = compare(records, "x", bootstrap=100)
    assert result["comparisons"] == full["comparisons"]
    assert result["comparisons_weighted"] == []
    assert result["verdict_weighted"].startswith("not compared")
    for mode in rows:
        assert result["modes"][mode]["median_weighted_settlement_step"] is None
        assert result["modes"][mode]["back_share"] is None
        assert result["modes"][mode]["median_settlement_step"] == (
            full["modes"][mode]["median_settlement_step"])


def test_a_clear_difference_names_the_sooner_mode():
    spec = load_scenario(WGA)
    records = run_modes(spec, ["coalition", "separate"], range(80))
    result = compare(records, spec.name, bootstrap=500)
    comp = result["comparisons"][0]
    med = {m: result["modes"][m]["median_settlement_step"] for m in ("coalition", "separate")}
    assert comp["median_difference"] == med["coalition"] - med["separate"]
    if comp["sooner"] is not None:
        assert comp["p_value"] < 0.05
        assert comp["ci95"][1] < 0 or comp["ci95"][0] > 0
        assert med[comp["sooner"]] <= min(med.values())


# ------------------------------------------------------------------ the verdict
# The verdict must say exactly what its pairwise lines say: the tests read both back as
# relations (clearly sooner pairs, ties, pairs not compared) and require them equal.

MODE_NAMES = ["coalition", "separate", "pattern", "breakaway", "interim"]


def _names(text: str) -> list[str]:
    """'a', 'a and b', 'a, b and c', 'a or b', 'a, b' -> the names."""
    return [n for n in re.split(r", | and | or ", text) if n]


def lines_relation(lines: list[str]) -> tuple[set, set, set]:
    """(sooner, later) pairs, ties and pairs not compared, read from pairwise sentences."""
    sooner, ties, undefined = set(), set(), set()
    for line in lines:
        if m := re.match(r"(\w+) settles sooner than (\w+): median", line):
            sooner.add((m[1], m[2]))
        elif m := re.match(r"(\w+) vs (\w+): no clear difference \(", line):
            ties.add(frozenset((m[1], m[2])))
        elif m := re.match(r"(\w+) vs (\w+): no median comparison \(", line):
            undefined.add(frozenset((m[1], m[2])))
        else:
            raise AssertionError(f"not a pairwise sentence: {line}")
    return sooner, ties, undefined


def verdict_relation(verdict: str, modes: list[str]) -> tuple[set, set, set]:
    """The same relation read from a verdict's text (every claim it makes)."""
    main_part, _, notes = verdict.partition(" (")
    sooner: set = set()
    ties: set = set()
    undefined: set = set()
    for note in filter(None, notes.rstrip(")").split("; ")):
        if m := re.fullmatch(r"no clear difference (?:between|among) (.+)", note):
            ties |= {frozenset(p) for p in itertools.combinations(_names(m[1]), 2)}
        elif m := re.fullmatch(r"(no clear difference|no median comparison): (.+)", note):
            pairs = {frozenset(p.split(" vs ")) for p in m[2].split(", ")}
            (ties if m[1] == "no clear difference" else undefined).update(pairs)
        else:
            raise AssertionError(f"unknown note {note!r} in {verdict!r}")
    if main_part == "no mode settles clearly sooner than another":
        every = {frozenset(p) for p in itertools.combinations(modes, 2)}
        assert not ties, verdict  # ties are implied: every pair not noted as not compared
        return sooner, every - undefined, undefined
    unbeaten: list[str] = []
    for clause in main_part.removeprefix("no single order: ").split("; "):
        if m := re.fullmatch(r"no mode is clearly sooner than (.+)", clause):
            unbeaten += _names(m[1])
        elif m := re.fullmatch(r"(.+?) (?:settles|each settle) sooner than (.+)", clause):
            sooner |= set(itertools.product(_names(m[1]), _names(m[2])))
        else:
            raise AssertionError(f"unknown clause {clause!r} in {verdict!r}")
    assert not any((w, m) in sooner for w in modes for m in unbeaten), verdict
    return sooner, ties, undefined


def _comparison(a: str, b: str, outcome: str) -> dict[str, Any]:
    c: dict[str, Any] = {"a": a, "b": b, "p_value_raw": 0.01, "p_value": 0.03}
    if outcome == "undefined":
        c.update(median_difference=None, ci95=None, sooner=None,
                 reason=f"median undefined for {a} (half or more of the runs censored)")
    elif outcome == "tie":
        c.update(median_difference=1.0, ci95=[-1.0, 3.0], sooner=None)
    else:
        sign = -1.0 if outcome == "a" else 1.0
        c.update(median_difference=3 * sign, ci95=sorted([sign, 5 * sign]),
                 sooner=a if outcome == "a" else b)
    c["sentence"] = _sentence(c)
    return c


@st.composite
def comparisons(draw: st.DrawFn) -> tuple[list[str], list[dict[str, Any]]]:
    """Modes and any outcome for each pair, cycles included (CIs of medians allow them)."""
    modes = draw(st.lists(st.sampled_from(MODE_NAMES), min_size=1, max_size=5, unique=True))
    outcomes = st.sampled_from(["a", "b", "tie", "undefined"])
    return modes, [_comparison(a, b, draw(outcomes))
                   for a, b in itertools.combinations(modes, 2)]


@settings(max_examples=500, deadline=None)
@given(data=comparisons())
def test_the_verdict_says_exactly_what_the_pairwise_lines_say(data) -> None:
    modes, comps = data
    verdict = _verdict(comps, modes)
    assert verdict_relation(verdict, modes) == lines_relation([c["sentence"] for c in comps])


@settings(max_examples=200, deadline=None)
@given(modes=st.permutations(MODE_NAMES[:4]), cut=st.lists(st.integers(1, 3), unique=True))
def test_modes_in_clearly_ordered_groups_are_given_as_that_order(modes, cut) -> None:
    """Groups where each mode is clearly sooner than every mode of the later groups and
    ties inside: the verdict names the groups in order, without 'no single order'."""
    bounds = [0, *sorted(cut), 4]
    groups = [modes[i:j] for i, j in itertools.pairwise(bounds)]
    rank = {m: k for k, g in enumerate(groups) for m in g}
    comps = [_comparison(a, b, "tie" if rank[a] == rank[b] else
                         ("a" if rank[a] < rank[b] else "b"))
             for a, b in itertools.combinations(modes, 2)]
    verdict = _verdict(comps, modes)
    if len(groups) == 1:
        assert verdict == "no mode settles clearly sooner than another"
        return
    assert not verdict.startswith("no single order")
    clauses = verdict.partition(" (")[0].split("; ")
    assert len(clauses) == len(groups) - 1
    for clause, group in zip(clauses, groups, strict=False):
        subject = re.match(r"(.+?) (?:settles|each settle) sooner than ", clause)
        assert subject is not None and sorted(_names(subject[1])) == sorted(group)


def test_verdicts_of_known_relations() -> None:
    one = [_comparison("coalition", "separate", "a")]
    assert _verdict(one, ["coalition", "separate"]) == "coalition settles sooner than separate"
    # the demo's case: breakaway ties with pattern, pattern is sooner than separate
    demo = [_comparison("coalition", "separate", "a"), _comparison("coalition", "pattern", "a"),
            _comparison("coalition", "breakaway", "tie"),
            _comparison("pattern", "separate", "a"), _comparison("breakaway", "separate", "a"),
            _comparison("pattern", "breakaway", "tie")]
    modes = ["coalition", "separate", "pattern", "breakaway"]
    assert _verdict(demo, modes) == (
        "no single order: no mode is clearly sooner than coalition or breakaway; coalition "
        "settles sooner than pattern, separate; pattern settles sooner than separate; "
        "breakaway settles sooner than separate (no clear difference: coalition vs "
        "breakaway, pattern vs breakaway)")
    # the README's case: a weak order in three groups
    readme = [*demo[:5], _comparison("pattern", "breakaway", "b")]
    assert _verdict(readme, modes) == (
        "coalition and breakaway each settle sooner than pattern, separate; pattern settles "
        "sooner than separate (no clear difference between coalition and breakaway)")
    cycle = [_comparison("coalition", "separate", "a"), _comparison("coalition", "pattern", "b"),
             _comparison("separate", "pattern", "a")]
    assert _verdict(cycle, modes[:3]).startswith("no single order: coalition settles")


def test_the_demo_verdicts_agree_with_their_pairwise_lines(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`bargainsim demo --seeds 100`, whose verdict once named breakaway sooner than pattern
    while its pairwise line said no clear difference."""
    assert main(["demo", "--seeds", "100"]) == 0
    lines = capsys.readouterr().out.splitlines()
    modes = ["coalition", "separate", "pattern", "breakaway"]
    for tested in TESTED:
        prefix = f"{tested.name}: "
        pairwise = [x.removeprefix(prefix) for x in lines if x.startswith(prefix)]
        (verdict,) = [x.removeprefix(f"verdict, {prefix}") for x in lines
                      if x.startswith(f"verdict, {prefix}")]
        assert len(pairwise) == 6
        relation = lines_relation(pairwise)
        assert verdict_relation(verdict, modes) == relation
        assert relation[0]  # the demo finds clear differences to state
