"""compare: every mode over common seeds, survival statistics, verdicts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bargainsim.experiments.compare import compare, holm, run_modes
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
    assert set(result) >= {"scenario", "seeds", "modes", "comparisons", "verdict"}
    assert result["seeds"] == 24
    assert set(result["modes"]) == {"coalition", "separate", "pattern", "breakaway"}
    for mode in result["modes"].values():
        assert {"runs", "settled_share", "median_settlement_step", "median_ci95"} <= set(mode)
    assert len(result["comparisons"]) == 6
    for c in result["comparisons"]:
        assert {"a", "b", "median_difference", "ci95", "p_value", "sooner"} <= set(c)
        assert c["sooner"] in (None, c["a"], c["b"])
    lines = (tmp_path / "out" / "runs.jsonl").read_text().splitlines()
    assert len(lines) == 4 * 24
    assert json.loads((tmp_path / "out" / "comparison.json").read_text()) == result


def test_table_and_verdict_are_printed():
    out = cli("compare", WGA, "--seeds", "30", "--modes", "coalition,separate")
    assert out.returncode == 0, out.stderr
    assert "coalition" in out.stdout and "separate" in out.stdout
    assert "verdict:" in out.stdout


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
