"""sweep and summarize: designs, Parquet shards, resume after SIGKILL, failures, executors."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from bargainsim.experiments.compare import compare, run_modes
from bargainsim.experiments.design import load_experiment
from bargainsim.experiments.storage import ResultStore
from bargainsim.experiments.summary import summarize
from bargainsim.experiments.sweep import run_sweep
from bargainsim.runner import run
from bargainsim.scenario import scenario_from_dict

ROOT = Path(__file__).resolve().parents[1]
WGA = ROOT / "scenarios" / "wga_2023.yaml"


def experiment(tmp_path: Path, text: str, name: str = "exp.yaml") -> Path:
    path = tmp_path / name
    path.write_text(f"scenario: {WGA}\n" + text)
    return path


SMALL = """\
name: small
parameters:
  industry.streamer_share: {values: [0.2, 0.6]}
  coalition.rule: {values: [hardest_line, share_weighted]}
modes: [coalition, separate]
seeds: 3
outputs: [union_utility, terms, company_settlement]
"""


def cli(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bargainsim", *args], capture_output=True,
                          text=True, timeout=600, **kw)


def rows(folder: Path) -> list[dict]:
    return ResultStore(folder).table().to_pylist()


def test_grid_rows_hold_params_mode_seed_and_the_runs_outputs(tmp_path):
    plan = load_experiment(experiment(tmp_path, SMALL))
    assert len(plan.points) == 4 and plan.total_runs == 24
    outcome = run_sweep(plan, tmp_path / "out")
    assert (outcome.total, outcome.written, outcome.failed) == (24, 24, 0)
    table = rows(tmp_path / "out")
    assert [(r["point"], r["mode"], r["seed"]) for r in table] == sorted(
        (p, m, s) for p in range(4) for m in ("coalition", "separate") for s in range(3))
    row = next(r for r in table if r["point"] == 3 and r["mode"] == "separate" and r["seed"] == 2)
    assert row["industry.streamer_share"] == 0.6 and row["coalition.rule"] == "share_weighted"
    rec = run(scenario_from_dict(plan.document(3)), mode="separate", seed=2)
    assert row["settlement_step"] == rec["settlement_step"]
    assert row["union_utility"] == pytest.approx(rec["union_utility"])
    assert row["settlement.netflix"] == rec["companies"]["netflix"]["settlement_step"]
    assert row["weighted_settlement_step"] == rec["weighted_settlement_step"]
    assert row["writers_back"] == rec["writers_back"]
    assert "back.netflix" not in row and "status.netflix" not in row  # not asked for
    settled = [c for c in rec["companies"].values() if c["terms"]]
    w = sum(c["market_share"] for c in settled)
    assert row["terms.wage"] == pytest.approx(
        sum(c["terms"]["wage"] * c["market_share"] for c in settled) / w)
    assert "deadweight_loss" not in row  # not among the outputs asked for
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["rows_written"] == 24
    assert manifest["hash"] == plan.digest() and manifest["seeds"] == {"first": 0, "count": 3}
    assert manifest["started"] <= manifest["ended"]


def test_latin_hypercube_is_stratified_and_repeatable(tmp_path):
    text = """\
name: lhs
parameters:
  industry.streamer_share: {min: 0.1, max: 0.7}
  parties.wga.strike_fund: {min: 0, max: 100}
  parties.wga.members.count: {min: 50, max: 149, integer: true}
design: {kind: lhs, samples: 10, seed: 7}
modes: [coalition]
seeds: 1
"""
    one = load_experiment(experiment(tmp_path, text)).points
    two = load_experiment(experiment(tmp_path, text, "again.yaml")).points
    assert one == two and len(one) == 10
    shares = sorted(p["industry.streamer_share"] for p in one)
    for k, v in enumerate(shares):  # one sample in each tenth of the range
        assert 0.1 + 0.06 * k <= v <= 0.1 + 0.06 * (k + 1)
    counts = sorted(p["parties.wga.members.count"] for p in one)
    assert all(isinstance(c, int) for c in counts)
    assert [c // 10 for c in counts] == list(range(5, 15))


def test_rows_are_identical_for_1_and_2_workers(tmp_path):
    plan = load_experiment(experiment(tmp_path, SMALL))
    run_sweep(plan, tmp_path / "one", workers=1)
    run_sweep(plan, tmp_path / "two", workers=2)
    assert rows(tmp_path / "one") == rows(tmp_path / "two")


def test_a_failing_run_is_a_row_with_its_error_and_the_rest_complete(tmp_path):
    plan = load_experiment(experiment(tmp_path, SMALL))

    def flaky(spec, mode, seed):
        if mode == "separate" and seed == 1 and spec.coalition.rule == "share_weighted":
            raise RuntimeError("injected failure")
        return run(spec, mode=mode, seed=seed)

    outcome = run_sweep(plan, tmp_path / "out", runner=flaky)
    assert outcome.failed == 2 and outcome.written == 24
    table = rows(tmp_path / "out")
    failed = [r for r in table if r["status"] == "failed"]
    assert [(r["point"], r["seed"]) for r in failed] == [(1, 1), (3, 1)]
    assert all(r["error"] == "RuntimeError: injected failure" for r in failed)
    assert all(r["settlement_step"] is None for r in failed)
    ok = [r for r in table if r["status"] == "ok"]
    assert len(ok) == 22 and all(r["error"] is None for r in ok)
    summary = summarize(tmp_path / "out", bootstrap=200)
    assert summary["failed"] == 2
    assert summary["points"][1]["seeds_compared"] == 2  # seed 1 left out at that point


def test_cli_exits_1_after_failures_and_says_how_many(tmp_path):
    exp = experiment(tmp_path, SMALL)
    code = (
        "import sys; import bargainsim.experiments.sweep as s; from bargainsim.runner import run\n"
        "def boom(spec, mode, seed):\n"
        "    if seed == 0 and mode == 'coalition': raise ValueError('bad luck')\n"
        "    return run(spec, mode=mode, seed=seed)\n"
        "s.each_run = lambda spec, mode, seeds: s._each_with(boom, spec, mode, seeds)\n"
        "from bargainsim.cli import main\n"
        f"sys.exit(main(['sweep', {str(exp)!r}, '--workers', '1', '--out', "
        f"{str(tmp_path / 'out')!r}]))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 1, proc.stderr
    assert "4 run(s) failed" in proc.stderr and "Traceback" not in proc.stderr
    assert len(rows(tmp_path / "out")) == 24


def test_resume_after_sigkill_equals_an_uninterrupted_run(tmp_path):
    text = """\
name: killme
parameters:
  industry.streamer_share: {values: [0.15, 0.3, 0.45, 0.6]}
  industry.model_spread: {values: [0.0, 0.5, 1.0]}
modes: [coalition, separate, pattern, breakaway]
seeds: 12
outputs: [union_utility, deadweight_loss]
"""
    exp = experiment(tmp_path, text)
    out = tmp_path / "killed"
    proc = subprocess.Popen(
        [sys.executable, "-m", "bargainsim", "sweep", str(exp), "--workers", "2", "--out",
         str(out), "--flush-every", "0.2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    # until two shards are written, or the sweep ends (then nothing is partial: it fails)
    while proc.poll() is None and len(list((out / "shards").glob("part-*.parquet"))) < 2:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # the coordinator and its workers, no clean-up
    proc.wait()
    partial = len(rows(out))
    assert 0 < partial < 576, partial
    assert json.loads((out / "manifest.json").read_text())["status"] == "running"
    again = cli("sweep", str(exp), "--workers", "2", "--out", str(out))
    assert again.returncode == 2 and "--resume" in again.stderr
    resumed = cli("sweep", str(exp), "--workers", "2", "--out", str(out), "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert f"{partial:,} runs were already done" in resumed.stderr
    reference = tmp_path / "reference"
    run_sweep(load_experiment(exp), reference, workers=2)
    got, want = rows(out), rows(reference)
    keys = [(r["point"], r["mode"], r["seed"]) for r in got]
    assert len(keys) == len(set(keys)) == 576
    assert got == want
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete" and len(manifest["sessions"]) == 2


def test_resume_refuses_a_folder_of_another_experiment(tmp_path):
    exp = experiment(tmp_path, SMALL)
    run_sweep(load_experiment(exp), tmp_path / "out")
    other = experiment(tmp_path, SMALL.replace("seeds: 3", "seeds: 4"), "other.yaml")
    proc = cli("sweep", str(other), "--out", str(tmp_path / "out"), "--resume")
    assert proc.returncode == 2
    assert "holds a different experiment" in proc.stderr and "Traceback" not in proc.stderr
    again = cli("sweep", str(exp), "--out", str(tmp_path / "out"), "--resume", "--csv")
    assert again.returncode == 0 and "0 runs written" in again.stderr
    lines = (tmp_path / "out" / "results.csv").read_text().splitlines()
    assert len(lines) == 25 and lines[0].startswith('"point","mode","seed"')


def test_shards_are_parquet_with_the_declared_schema(tmp_path):
    plan = load_experiment(experiment(tmp_path, SMALL))
    run_sweep(plan, tmp_path / "out")
    files = ResultStore(tmp_path / "out").shard_files()
    assert files
    table = pq.read_table(files[0])
    assert table.schema.field("industry.streamer_share").type == "double"
    assert table.schema.field("coalition.rule").type == "string"
    assert table.schema.field("settlement.disney").type == "double"
    assert not list((tmp_path / "out" / "shards").glob(".*tmp"))


def test_summarize_applies_compares_test_at_each_point(tmp_path):
    plan = load_experiment(experiment(tmp_path, SMALL))
    run_sweep(plan, tmp_path / "out")
    summary = summarize(tmp_path / "out")
    assert summary["complete"] and len(summary["points"]) == 4
    point = summary["points"][2]
    assert point["values"] == {"industry.streamer_share": 0.6, "coalition.rule": "hardest_line"}
    records = run_modes(scenario_from_dict(plan.document(2)), ["coalition", "separate"],
                        range(3))
    expected = compare(records, "x")
    for mode in ("coalition", "separate"):
        assert point["modes"][mode]["median_settlement_step"] == (
            expected["modes"][mode]["median_settlement_step"])
        assert point["modes"][mode]["median_ci95"] == expected["modes"][mode]["median_ci95"]
    assert point["comparisons"][0]["p_value"] == expected["comparisons"][0]["p_value"]
    for mode in ("coalition", "separate"):  # the share-weighted week too
        for key in ("median_weighted_settlement_step", "weighted_median_ci95", "back_share"):
            assert point["modes"][mode][key] == expected["modes"][mode][key]
    for key in ("a", "b", "median_difference", "ci95", "p_value", "sooner"):
        assert point["comparisons_weighted"][0][key] == expected["comparisons_weighted"][0][key]
    assert point["verdict_weighted"] == expected["verdict_weighted"]
    assert summary["measures"] == ["last deal", "share-weighted week"]
    tally = summary["wins_weighted"]["coalition vs separate"]
    assert sum(tally.values()) == 4
    assert tally["separate"] == sum(p["comparisons_weighted"][0]["sooner"] == "separate"
                                    for p in summary["points"])
    text = cli("summarize", str(tmp_path / "out"))
    assert text.returncode == 0
    assert "last deal: coalition vs separate: coalition sooner at" in text.stdout
    assert "share-weighted week: coalition vs separate: coalition sooner at" in text.stdout
    assert "last deal (industry back: the week the last company settled)" in text.stdout
    parsed = json.loads(cli("summarize", str(tmp_path / "out"), "--json").stdout)
    assert parsed["points"][2]["modes"] == json.loads(json.dumps(point["modes"]))


def test_a_sweep_from_before_the_weighted_week_is_summarized_by_the_last_deal(tmp_path):
    """Rows without the share-weighted week's columns (an older sweep): the last deal is
    compared as before; the weighted week is said to be missing, never drawn as censored."""
    from bargainsim.errors import InputError
    from bargainsim.experiments.summary import format_summary
    from bargainsim.plots.sweep import sweep_figure

    plan = load_experiment(experiment(tmp_path, SMALL))
    run_sweep(plan, tmp_path / "out")
    before = summarize(tmp_path / "out", bootstrap=200)
    for path in ResultStore(tmp_path / "out").shard_files():
        table = pq.read_table(path)
        pq.write_table(table.drop_columns(["weighted_settlement_step", "writers_back"]), path)
    summary = summarize(tmp_path / "out", bootstrap=200)
    assert summary["measures"] == ["last deal"]
    for old, new in zip(before["points"], summary["points"], strict=True):
        assert new["comparisons"] == old["comparisons"] and new["verdict"] == old["verdict"]
        assert new["comparisons_weighted"] == []
        assert new["verdict_weighted"].startswith("not compared")
        assert new["modes"]["coalition"]["median_weighted_settlement_step"] is None
    text = format_summary(summary)
    assert "share-weighted week (writers back" not in text
    assert "not compared: share-weighted week" in text
    assert len(sweep_figure(summary, "industry.streamer_share", "coalition.rule").axes) == 2
    with pytest.raises(InputError, match="measure"):
        sweep_figure(summary, "industry.streamer_share", measure="weighted",
                     at=["coalition.rule=hardest_line"])


def test_dask_local_cluster_rows_equal_the_process_pools(tmp_path):
    pytest.importorskip("distributed")
    plan = load_experiment(experiment(tmp_path, SMALL))
    run_sweep(plan, tmp_path / "process", workers=2)
    run_sweep(plan, tmp_path / "dask", workers=2, kind="dask")
    assert rows(tmp_path / "dask") == rows(tmp_path / "process")
    manifest = json.loads((tmp_path / "dask" / "manifest.json").read_text())
    assert manifest["sessions"][0]["executor"] == "dask"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name: x\nparameters: {}\n", "parameters (line 3): name at least one scenario value"),
        ("name: x\nparameters:\n  industry.streamer_share: {values: [0.2]}\nsedes: 3\n",
         "sedes (line 5): unknown key"),
        ("name: x\nparameters:\n  industry.streamer_share: {min: 0.1, max: 0.5}\n"
         "design: {kind: lhs}\n", "design.samples"),
        ("name: x\nparameters:\n  industry.streamer_share: {values: [0.2, 1.5]}\n",
         "parameters.industry.streamer_share (line 4): point 1 (industry.streamer_share=1.5)"),
        ("name: x\nparameters:\n  industry.streamer_shar: {values: [0.2]}\n",
         "industry.streamer_shar: unknown key"),
        ("name: x\nparameters:\n  industry.streamer_share: {min: 0.5, max: 0.1, num: 3}\n",
         "min (0.5) must be below max (0.1)"),
        ("name: x\nparameters:\n  industry.streamer_share: {values: [0.2]}\nmodes: [solo]\n",
         "modes.0 (line 5): unknown mode 'solo'; choose from coalition"),
        ("name: x\nparameters:\n  industry.streamer_share: {values: [0.2]}\nseeds: 0\n",
         "seeds (line 5): Input should be greater than or equal to 1"),
        ("name: x\nparameters:\n  industry.streamer_share: {values: [0.2]}\n"
         "set: {horizon: -1}\n", "set.horizon"),
        ("name: x\nparameters:\n  industry.streamer_share: {min: 0.1, max: 0.5}\n",
         "a grid needs values, or min, max and num"),
    ],
)
def test_bad_experiments_exit_2_naming_file_field_and_problem(tmp_path, text, expected):
    exp = experiment(tmp_path, text)
    proc = cli("sweep", str(exp), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2, proc.stderr
    assert str(exp) in proc.stderr and expected in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()


def test_missing_base_scenario_and_bad_arguments_exit_2(tmp_path):
    exp = tmp_path / "e.yaml"
    exp.write_text("name: x\nscenario: nowhere.yaml\nparameters:\n"
                   "  industry.streamer_share: {values: [0.2]}\n")
    proc = cli("sweep", str(exp))
    assert proc.returncode == 2 and "scenario (line 2)" in proc.stderr
    assert "no such file" in proc.stderr
    good = experiment(tmp_path, SMALL)
    for args, needle in [
        (["--workers", "0"], "--workers"),
        (["--executor", "spark"], "--executor"),
        (["--address", "tcp://127.0.0.1:1"], "--address"),
        (["--flush-every", "-1"], "--flush-every"),
    ]:
        proc = cli("sweep", str(good), *args)
        assert proc.returncode == 2 and needle in proc.stderr and "Traceback" not in proc.stderr
    proc = cli("summarize", str(tmp_path / "absent"))
    assert proc.returncode == 2 and "no such folder" in proc.stderr
    (tmp_path / "empty").mkdir()
    proc = cli("summarize", str(tmp_path / "empty"))
    assert proc.returncode == 2 and "manifest.json" in proc.stderr


def test_a_second_sweep_on_a_folder_in_use_is_refused(tmp_path):
    exp = experiment(tmp_path, SMALL)
    out = tmp_path / "out"
    with ResultStore(out).locked():  # as a sweep running now holds it
        proc = cli("sweep", str(exp), "--out", str(out), "--resume")
    assert proc.returncode == 2 and "in use by another sweep" in proc.stderr
    assert "Traceback" not in proc.stderr and not ResultStore(out).exists()
    assert cli("sweep", str(exp), "--out", str(out), "--workers", "1").returncode == 0


def test_a_damaged_shard_is_named_with_the_way_forward(tmp_path):
    exp = experiment(tmp_path, SMALL)
    run_sweep(load_experiment(exp), tmp_path / "out")
    bad = tmp_path / "out" / "shards" / "part-000099.parquet"
    bad.write_bytes(b"not parquet at all")
    for args in (("summarize", str(tmp_path / "out")),
                 ("sweep", str(exp), "--out", str(tmp_path / "out"), "--resume")):
        proc = cli(*args)
        assert proc.returncode == 2, proc.stderr
        assert str(bad) in proc.stderr and "--resume" in proc.stderr
        assert "Traceback" not in proc.stderr
    bad.unlink()
    assert cli("summarize", str(tmp_path / "out")).returncode == 0


def test_resume_accepts_a_new_description_and_names_what_differs(tmp_path):
    exp = experiment(tmp_path, SMALL)
    run_sweep(load_experiment(exp), tmp_path / "out")
    reworded = experiment(tmp_path, SMALL + "description: reworded\n", "reworded.yaml")
    proc = cli("sweep", str(reworded), "--out", str(tmp_path / "out"), "--resume")
    assert proc.returncode == 0 and "24 runs were already done" in proc.stderr
    more = experiment(tmp_path, SMALL.replace("seeds: 3", "seeds: 4"), "more.yaml")
    proc = cli("sweep", str(more), "--out", str(tmp_path / "out"), "--resume")
    assert proc.returncode == 2 and "(seeds differ from" in proc.stderr


def test_workers_end_with_a_killed_coordinator(tmp_path):
    text = SMALL.replace("seeds: 3", "seeds: 60")
    exp = experiment(tmp_path, text)
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "bargainsim", "sweep", str(exp), "--workers",
                             "2", "--out", str(out)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    children: list[int] = []
    while len(children) < 2 and proc.poll() is None:  # until both workers, or its end
        try:
            children = [int(c) for c in
                        Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()]
        except OSError:
            pass
        time.sleep(0.05)
    assert len(children) >= 2
    os.kill(proc.pid, signal.SIGKILL)  # the coordinator alone
    proc.wait()
    deadline = time.monotonic() + 120  # a guard against hangs: the loop ends when they do
    while time.monotonic() < deadline and any(Path(f"/proc/{c}").exists() and "Z" not in
                                              Path(f"/proc/{c}/stat").read_text().split()[2]
                                              for c in children):
        time.sleep(0.1)
    alive = [c for c in children if Path(f"/proc/{c}").exists()
             and Path(f"/proc/{c}/stat").read_text().split()[2] != "Z"]
    for c in alive:
        os.kill(c, signal.SIGKILL)
    assert not alive, "workers outlived their coordinator"


def test_validate_checks_experiment_files(tmp_path):
    proc = cli("validate", str(ROOT / "experiments" / "coalition_vs_separate.yaml"),
               str(ROOT / "experiments" / "lhs_industry.yaml"), str(WGA))
    assert proc.returncode == 0, proc.stderr
    assert "coalition_vs_separate.yaml: ok (experiment: 40 points x 4 modes x 20 seeds" in (
        proc.stdout)
    bad = experiment(tmp_path, "name: x\nparameters:\n  industry.streamer_share: {values: [2]}\n")
    proc = cli("validate", str(bad))
    assert proc.returncode == 2 and "makes the scenario invalid" in proc.stderr


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("run", str(WGA), "--set", "parties.nobody.strike_fund=3"),
         "--set: parties.nobody.strike_fund: no party named 'nobody'; the parties are wga,"),
        (("compare", str(ROOT / "scenarios/classroom/attrition.yaml"), "--seeds", "2", "--plot",
          "x.png"), "protocol.clock: --plot draws settlement by week"),
        (("run", str(ROOT / "scenarios/classroom/attrition.yaml"), "--trace", "t.csv"),
         "protocol.clock: a continuous-time (war of attrition) run has no weekly trace"),
    ],
)
def test_plausible_mistakes_get_a_plain_answer(tmp_path, args, needle):
    proc = cli(*args, cwd=tmp_path)
    assert proc.returncode == 2 and needle in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr and not list(tmp_path.iterdir())


def test_an_experiment_naming_a_missing_party_is_refused_at_its_line(tmp_path):
    exp = experiment(tmp_path, "name: x\nparameters:\n  parties.nobody.strike_fund: "
                               "{values: [1, 2]}\n")
    proc = cli("sweep", str(exp), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2
    assert "parameters.parties.nobody.strike_fund (line 4): no party named 'nobody'" in (
        proc.stderr)


def test_summarize_a_file_and_sweep_a_scenario_say_what_is_wrong(tmp_path):
    proc = cli("summarize", str(WGA))
    assert proc.returncode == 2 and "is a file; give a sweep's results folder" in proc.stderr
    proc = cli("sweep", str(WGA), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2 and "this is a scenario, not an experiment" in proc.stderr


def test_plot_sweep_refuses_fixing_a_plotted_or_twice_fixed_parameter(tmp_path):
    exp = experiment(tmp_path, SMALL)
    run_sweep(load_experiment(exp), tmp_path / "out")
    base = ("plot", "sweep", str(tmp_path / "out"), "--x", "industry.streamer_share",
            "-o", str(tmp_path / "f.png"))
    proc = cli(*base, "--at", "industry.streamer_share=0.2")
    assert proc.returncode == 2 and "is plotted (--x/--y)" in proc.stderr
    proc = cli(*base, "--at", "coalition.rule=hardest_line", "--at",
               "coalition.rule=share_weighted")
    assert proc.returncode == 2 and "coalition.rule is fixed twice" in proc.stderr
    assert not (tmp_path / "f.png").exists()
