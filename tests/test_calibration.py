"""calibrate: the same posterior anywhere, resumed after SIGKILL, bad files refused; hold-out."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bargainsim.evidence.calibration import calibrate
from bargainsim.evidence.calibration_file import load_calibration
from bargainsim.evidence.validation import format_table, validate_history

ROOT = Path(__file__).resolve().parents[1]
TINY = """\
name: tiny
scenarios: {scenarios}
strikes: [wga_2023, wga_1985, wga_2007]
parameters:
  talks.resume_probability: {{min: 0.03, max: 0.5}}
  industry.employer_tactic.t_max: {{min: 0.5, max: 1.5, scale: true}}
  parties.*.duration_dependence: {{min: 0.0, max: 1.5}}
seeds: 1
abc: {{population: {population}, generations: {generations}, seed: 7, batch: 3}}
"""


def tiny(tmp_path: Path, population: int = 6, generations: int = 2, name: str = "cal.yaml",
         text: str = TINY) -> Path:
    path = tmp_path / name
    path.write_text(text.format(scenarios=ROOT / "scenarios", population=population,
                                generations=generations))
    return path


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bargainsim", *args], capture_output=True,
                          text=True, timeout=600)


def test_same_posterior_with_one_or_two_workers_and_with_dask(tmp_path: Path) -> None:
    setup = load_calibration(tiny(tmp_path))
    texts = []
    for label, workers, kind in (("one", 1, "process"), ("two", 2, "process"),
                                 ("dask", 2, "dask")):
        fit = calibrate(setup, tmp_path / label, workers=workers, kind=kind)
        assert fit.generations == 2 and len(fit.values) == 6
        texts.append(fit.posterior.read_text())
    assert texts[0] == texts[1] == texts[2]
    rebatched = load_calibration(tiny(tmp_path, text=TINY.replace("batch: 3", "batch: 5"),
                                      name="rebatched.yaml"))
    fit = calibrate(rebatched, tmp_path / "rebatched", workers=2)  # kept in number order
    assert fit.posterior.read_text() == texts[0]
    other = load_calibration(tiny(tmp_path, text=TINY.replace("seed: 7", "seed: 8"),
                                  name="other.yaml"))
    assert calibrate(other, tmp_path / "other").posterior.read_text() != texts[0]


def _generations(db: Path) -> int:
    try:
        with sqlite3.connect(db) as con:
            found = con.execute("select max(t) from populations").fetchone()[0]
    except sqlite3.Error:
        return 0
    return 0 if found is None else found + 1


def test_resume_after_sigkill_equals_an_uninterrupted_run(tmp_path: Path) -> None:
    file = tiny(tmp_path, population=8, generations=4)
    out = tmp_path / "killed"
    proc = subprocess.Popen(
        [sys.executable, "-m", "bargainsim", "calibrate", str(file), "--workers", "2",
         "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        start_new_session=True)
    # until a generation is stored (or the run ends, which the assertion below reports)
    while proc.poll() is None and _generations(out / "calibration.db") < 1:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # the coordinator and its workers, no clean-up
    proc.wait()
    done = _generations(out / "calibration.db")
    assert 1 <= done < 4 and not (out / "posterior.yaml").exists(), done
    again = cli("calibrate", str(file), "--out", str(out))
    assert again.returncode == 2 and "--resume" in again.stderr
    resumed = cli("calibrate", str(file), "--out", str(out), "--resume", "--workers", "1")
    assert resumed.returncode == 0, resumed.stderr
    reference = calibrate(load_calibration(file), tmp_path / "reference")
    assert (out / "posterior.yaml").read_text() == reference.posterior.read_text()
    other = cli("calibrate", str(tiny(tmp_path, population=9, name="o.yaml")), "--out",
                str(out), "--resume")
    assert other.returncode == 2 and "holds another calibration" in other.stderr


@pytest.mark.parametrize(("edit", "expected"), [
    (("abc: {{", "abc: {{colour: red, "), "abc.colour (line 9): unknown key"),
    (("{{min: 0.03, max: 0.5}}", "{{min: 0.5, max: 0.03}}"),
     "parameters.talks.resume_probability (line 5): min (0.5) must be below max"),
    (("{{min: 0.03, max: 0.5}}", "{{min: 0.03, max: 1.5}}"),
     "parameters.talks.resume_probability.max (line 5): an impossible bound: max 1.5 "
     "makes wga_2023 invalid"),
    (("parties.*.duration_dependence", "parties.netflix.duration_dependence"),
     "parameters.parties.netflix.duration_dependence (line 7): wga_1985: the scenario has "
     "no parties.netflix.duration_dependence"),
    (("wga_1985", "wga_1999"), "strikes.1 (line 3): 'wga_1999' is not a strike"),
    (("min: 0.5, max: 1.5, scale", "min: -0.5, max: 1.5, scale"),
     "parameters.industry.employer_tactic.t_max (line 6): a scale must be positive"),
])
def test_bad_calibration_files_exit_2_naming_file_key_and_line(
        tmp_path: Path, edit: tuple[str, str], expected: str) -> None:
    file = tiny(tmp_path, text=TINY.replace(*edit))
    for command in ("validate", "calibrate"):
        proc = cli(command, str(file), "--out", str(tmp_path / "out")) if command == \
            "calibrate" else cli(command, str(file))
        assert proc.returncode == 2, proc.stdout
        assert proc.stderr.startswith(f"{file}: {expected}"), proc.stderr
        assert "Traceback" not in proc.stderr


def test_sweep_refuses_a_calibration_file(tmp_path: Path) -> None:
    proc = cli("sweep", str(tiny(tmp_path)), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2
    assert "abc (line 9): this is a calibration file" in proc.stderr


def test_hold_out_reports_the_strikes_interval_and_validation_resumes(tmp_path: Path) -> None:
    file = tiny(tmp_path, population=4, generations=1)
    proc = cli("calibrate", str(file), "--hold-out", "wga_2023", "--out",
               str(tmp_path / "held"), "--draws", "20", "--json")
    assert proc.returncode == 0, proc.stderr
    held = json.loads(proc.stdout)["hold_out"]
    assert held["strike"] == "wga_2023" and held["actual"] == pytest.approx(148 / 7)
    assert held["q025"] <= held["q10"] <= held["median"] <= held["q90"] <= held["q975"]
    posterior = (tmp_path / "held" / "posterior.yaml").read_text()
    assert 'strikes: ["wga_1985", "wga_2007"]' in posterior
    setup = load_calibration(file)
    results = validate_history(setup, tmp_path / "loo", draws=10)
    assert [r["strike"] for r in results] == ["wga_2023", "wga_1985", "wga_2007"]
    table = format_table(results)
    assert table.splitlines()[1].startswith("wga_2023") and "coverage over 3 strikes" in table
    stored = json.loads((tmp_path / "loo" / "validation.json").read_text())
    assert set(stored["strikes"]) == {"wga_2023", "wga_1985", "wga_2007"}
    (tmp_path / "loo" / "wga_1985" / "posterior.yaml").unlink()
    assert validate_history(setup, tmp_path / "loo", draws=10) == results  # nothing re-run
    assert not (tmp_path / "loo" / "wga_1985" / "posterior.yaml").exists()
    with pytest.raises(Exception, match="not a strike"):
        calibrate(setup, tmp_path / "x", hold_out="wga_1999")
