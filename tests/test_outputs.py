"""The outputs table: the record, sweep columns, compared figures and the registry."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bargainsim import outputs
from bargainsim.errors import InputError
from bargainsim.experiments import statistics
from bargainsim.experiments.compare import compare, format_table, run_modes
from bargainsim.experiments.design import load_experiment
from bargainsim.experiments.storage import ResultStore, schema
from bargainsim.experiments.summary import summarize
from bargainsim.experiments.sweep import run_sweep
from bargainsim.model import BargainingModel
from bargainsim.outputs import Figure, Output, register, unregister, weighted_mean
from bargainsim.runner import run
from bargainsim.scenario import load_scenario, scenario_from_dict

ROOT = Path(__file__).resolve().parents[1]
WGA = ROOT / "scenarios" / "wga_2023.yaml"
ATTRITION = ROOT / "scenarios" / "classroom" / "attrition.yaml"

# a plugin's outputs: a single column compared by its median, and a family per company
VOTES = Output(
    "votes_held", "ratification votes held", read=lambda m: len(m.votes), kept="optional",
    dtype=int, figures=(Figure("median_votes_held", statistics.median, "votes", 6, ".1f",
                               summarize=True),))
SHARES = Output(
    "company_shares", "each company's market share at the end", kept="optional",
    per="company", prefix="share",
    column=lambda r: {n: c["market_share"] for n, c in r["companies"].items()})


@pytest.fixture
def plugin() -> Iterator[None]:
    """The plugin's outputs registered for one test, then taken out again."""
    before = outputs.table()
    register(VOTES)
    register(SHARES)
    try:
        yield
    finally:
        unregister(SHARES.name)
        unregister(VOTES.name)
        assert outputs.table() == before


def test_a_record_holds_the_tables_read_outputs_in_table_order() -> None:
    week = run(load_scenario(WGA), mode="separate", seed=1)
    read = [o.name for o in outputs.table() if o.read is not None]
    continuous_only = ("settlement_time", "conceded_by")
    assert list(week) == [n for n in read if n not in (*continuous_only, "interim_agreements")]
    interim = run(load_scenario(ROOT / "scenarios" / "wga_2007.yaml"), seed=1)
    assert list(interim) == [n for n in read if n not in continuous_only]
    continuous = run(load_scenario(ATTRITION), seed=1)
    assert list(continuous) == [n for n in read if n != "interim_agreements"]


def test_sweep_columns_are_the_kept_singles_then_the_families_in_table_order() -> None:
    names = [n for n, _ in outputs.columns(["company_losses", "terms", "rejected_votes"],
                                           ["wage", "ai"], ["a", "b"])]
    assert names == ["settled", "settlement_step", "first_deal_step", "writers_back",
                     "weighted_settlement_step", "rejected_votes", "terms.wage", "terms.ai",
                     "losses.a", "losses.b"]
    assert outputs.always() == ("settled", "settlement_step", "first_deal_step", "writers_back",
                                "weighted_settlement_step")
    assert outputs.optional() == (
        "union_utility", "writer_weeks_lost", "writers_lost_earnings", "deadweight_loss",
        "strike_fund_left", "rejected_votes", "terms", "company_settlement", "company_back",
        "company_status", "company_losses")
    assert dict(outputs.columns(["company_status", "company_back"], [], ["a"])) == {
        "settled": bool, "settlement_step": float, "first_deal_step": float,
        "writers_back": bool, "weighted_settlement_step": float, "back.a": float,
        "status.a": str}


def test_a_row_reads_each_kept_column_from_the_record() -> None:
    rec = run(load_scenario(WGA), mode="separate", seed=3)
    row = outputs.row(rec, outputs.optional())
    assert row["settlement_step"] == rec["settlement_step"]
    assert row["losses.netflix"] == rec["companies"]["netflix"]["losses"]
    assert row["settlement.apple"] == rec["companies"]["apple"]["settlement_step"]
    assert row["back.apple"] == rec["companies"]["apple"]["back_step"]
    assert row["status.apple"] == rec["companies"]["apple"]["status"] == "settled"
    assert row["weighted_settlement_step"] == rec["weighted_settlement_step"]
    assert row["writers_back"] is rec["writers_back"] is True
    assert row["rejected_votes"] == sum(not v["passed"] for v in rec["ratification_votes"])
    assert "union_utility" not in outputs.row(rec, [])


def test_compare_reports_figures_by_what_they_measure() -> None:
    keys = [f.key for _, f in outputs.figures()]
    assert keys == ["settled_share", "median_settlement_step", "median_ci95",
                    "mean_settlement_step_settled", "p90_settlement_step",
                    "median_first_deal_step", "back_share", "median_weighted_settlement_step",
                    "weighted_median_ci95", "mean_weighted_settlement_step_back",
                    "p90_weighted_settlement_step", "mean_writer_weeks_lost",
                    "mean_deadweight_loss", "mean_union_utility"]
    # a survival time's figures get its event with it: the compared values hold both
    assert {"settled", "writers_back"} <= set(outputs.compared(run(load_scenario(WGA), seed=0)))


@pytest.mark.parametrize(("mode", "overrides"), [
    ("separate", []), ("coalition", []), ("separate", ["horizon=20"]),
    ("pattern", ["horizon=18"]),
])
def test_each_company_reports_its_status_and_back_week_and_the_run_its_weighted_week(
    mode: str, overrides: list[str]
) -> None:
    spec = load_scenario(WGA, overrides)
    model = BargainingModel(spec, mode=mode, seed=1).run()
    rec = outputs.record(model)
    assert rec == run(spec, mode=mode, seed=1)
    companies = rec["companies"]
    for c in companies.values():
        assert c["status"] in ("settled", "striking")
        assert (c["status"] == "settled") == (c["settlement_step"] is not None)
        assert c["back_step"] == c["settlement_step"]  # no interim agreements yet
    share0 = {n: c.share0 for n, c in model.companies.items()}
    weeks = {n: spec.horizon if c["back_step"] is None else c["back_step"]
             for n, c in companies.items()}
    by_hand = sum(share0[n] * weeks[n] for n in companies) / sum(share0.values())
    assert rec["weighted_settlement_step"] == pytest.approx(by_hand, rel=1e-12)
    assert rec["writers_back"] == all(c["back_step"] is not None for c in companies.values())
    backs = [c["back_step"] for c in companies.values() if c["back_step"] is not None]
    if rec["writers_back"]:  # between the first and the last deal
        assert min(backs) <= rec["weighted_settlement_step"] <= rec["settlement_step"]
    else:  # censored at the horizon: a lower bound below it
        assert rec["settlement_step"] is None and not rec["settled"]
        assert rec["weighted_settlement_step"] < spec.horizon
    if mode == "coalition" and rec["settled"]:  # one deal for all: the two measures agree
        assert rec["weighted_settlement_step"] == pytest.approx(rec["settlement_step"])


@settings(max_examples=300, deadline=None)
@given(pairs=st.lists(st.tuples(st.floats(0.0, 1.0), st.floats(1e-6, 10.0)), min_size=1,
                      max_size=14))
def test_weighted_mean_is_numpys_average_bit_for_bit(pairs: list[tuple[float, float]]) -> None:
    values, weights = [v for v, _ in pairs], [w for _, w in pairs]
    assert weighted_mean(values, weights) == float(np.average(values, weights=weights))


def _column(name: str, **kw) -> Output:
    return dataclasses.replace(
        Output(name, "a test column", read=lambda m: 0.0, kept="optional"), **kw)


@pytest.mark.parametrize(("entry", "message"), [
    (_column("Bad-Name"), "lower-case"),
    (_column("union_utility"), "already registered"),
    (_column("x", description=" "), "description"),
    (_column("x", read=None, kept=None), "neither in the record"),
    (_column("x", read=None, when=lambda m: True), "`when` needs `read`"),
    (_column("x", kept="sometimes"), "kept is"),
    (_column("x", dtype=list), "dtype"),
    (_column("status"), "a sweep row has a column of that name"),
    (_column("x", read=None), "needs `column`"),
    (_column("x", measures="speed"), "measures is one of"),
    (_column("x", per="team", column=dict), "per is"),
    (_column("x", per="company"), "a family"),
    (_column("x", per="company", column=dict,
             figures=(Figure("f", statistics.mean),)), "no figures"),
    (_column("x", per="company", column=dict, prefix="losses"), "'losses' is already used"),
    (_column("x", prefix="y"), "only a family"),
    (_column("x", kept=None, figures=(Figure("f", statistics.mean),)), "need a column"),
    (_column("x", figures=(Figure("mean_union_utility", statistics.mean),)),
     "already reported"),
    (_column("x", figures=(Figure("runs", statistics.mean),)), "already reported"),
    (_column("x", figures=(Figure("f", "mean"),)), "must be a function"),
    (_column("x", event="nothing"), "event 'nothing' is not a registered bool output"),
    (_column("x", event="union_utility"), "event 'union_utility' is not a registered bool"),
    (_column("x", per="company", column=dict, event="settled"),
     "a survival time (event) is a single column"),
])
def test_register_refuses_an_invalid_entry_and_leaves_the_table_alone(
    entry: Output, message: str
) -> None:
    before = outputs.table()
    with pytest.raises(ValueError, match=re.escape(message)):
        register(entry)
    assert outputs.table() == before


def test_a_figure_without_layout_takes_its_key_as_header_and_a_short_format() -> None:
    figure = Figure("share_struck", statistics.mean)
    assert figure.header() == " share_struck"
    assert [figure.cell(v) for v in (None, 0.123456, [1.5, 2.0])] == [
        f"{text:>13}" for text in ("-", "0.1235", "1.5-2")]


def test_register_takes_outputs_only_and_unregister_known_names_only() -> None:
    with pytest.raises(ValueError, match="not an Output"):
        register({"name": "x"})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="no output named"):
        unregister("nothing")


def _experiment(tmp_path: Path, tail: str) -> Path:
    path = tmp_path / "exp.yaml"
    path.write_text(f"name: x\nscenario: {WGA}\nparameters:\n"
                    "  industry.streamer_share: {values: [0.2, 0.6]}\n" + tail)
    return path


UNKNOWN = "outputs: [union_utility,\n  nope]\n"


def test_an_unknown_output_is_refused_with_its_key_path_line_and_the_tables_names(
    tmp_path: Path, plugin: None
) -> None:
    with pytest.raises(InputError) as err:
        load_experiment(_experiment(tmp_path, UNKNOWN))
    (problem,) = err.value.problems
    assert (problem.location, problem.line) == ("outputs.1", 6)
    names = [repr(n) for n in outputs.optional()]
    assert names[-1] == "'company_shares'"  # a plugin's too
    assert problem.message == (
        f"Input should be {', '.join(names[:-1])} or {names[-1]} (got 'nope')")


def test_the_command_line_refuses_an_unknown_output_with_exit_2(tmp_path: Path) -> None:
    path = _experiment(tmp_path, UNKNOWN)
    done = subprocess.run([sys.executable, "-m", "bargainsim", "validate", str(path)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"{path}: outputs.1 (line 6): Input should be 'union_utility'" in done.stderr
    assert "'company_losses' (got 'nope')" in done.stderr


def test_a_registered_output_reaches_the_record_sweep_compare_and_summarize(
    tmp_path: Path, plugin: None
) -> None:
    spec = load_scenario(WGA)
    rec = run(spec, mode="coalition", seed=0)
    assert list(rec)[-1] == "votes_held" and rec["votes_held"] == len(rec["ratification_votes"])
    assert "company_shares" not in rec  # a column read from the record, not in it

    plan = load_experiment(_experiment(tmp_path, "modes: [coalition, separate]\nseeds: 3\n"))
    assert plan.experiment.outputs[-7:] == [  # by default every optional output
        "votes_held", "terms", "company_settlement", "company_back", "company_status",
        "company_losses", "company_shares"]
    run_sweep(plan, tmp_path / "out")
    table = ResultStore(tmp_path / "out").table()
    assert table.schema.names == schema(plan).names
    assert pq.read_schema(ResultStore(tmp_path / "out").shard_files()[0]).field(
        "votes_held").type == "int64"
    assert table.schema.names[-8:] == [f"share.{c}" for c in plan.companies]
    for row in table.to_pylist():
        point_rec = run(scenario_from_dict(plan.document(row["point"])), mode=row["mode"],
                        seed=row["seed"])
        assert row["votes_held"] == len(point_rec["ratification_votes"])
        assert row["share.netflix"] == point_rec["companies"]["netflix"]["market_share"]

    records = run_modes(scenario_from_dict(plan.document(1)), ["coalition", "separate"],
                        range(3))
    result = compare(records, "x", bootstrap=200)
    for mode, recs in records.items():
        held = [r["votes_held"] for r in recs]
        assert result["modes"][mode]["median_votes_held"] == float(np.median(held))
    text = format_table(result).splitlines()
    header = text[text.index("other figures") + 1]  # a plugin's figure among the others
    assert header.endswith("union u votes")

    summary = summarize(tmp_path / "out", bootstrap=200)
    point = summary["points"][1]
    assert point["modes"]["coalition"]["median_votes_held"] == (
        result["modes"]["coalition"]["median_votes_held"])
    assert list(point["modes"]["coalition"])[-1] == "median_votes_held"


def test_readme_holds_the_table() -> None:
    text = (ROOT / "README.md").read_text()
    start = text.index("<!-- outputs table: python -m bargainsim.outputs -->\n")
    block = text[start:text.index("<!-- end of outputs table -->", start)]
    assert block.split("\n", 1)[1].rstrip("\n") == outputs.markdown()


def test_a_value_wider_than_its_column_stays_apart_from_the_column_before() -> None:
    """A fractional CI bound (a bootstrap percentile, 22.025) must not run into the median."""
    ci = next(f for _, f in outputs.figures() if f.key == "median_ci95")
    row = "22" + ci.cell([21.0, 22.025])
    assert row.split() == ["22", "21-22.025"]
    assert ci.cell([21.0, 22.0]) == f"{'21-22':>{ci.width}}"
