"""--posterior: seed i draws one particle in every mode and command; --set and sweeps win."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bargainsim.evidence import overrides
from bargainsim.evidence.calibration_file import Prior
from bargainsim.evidence.commands import posterior_spec
from bargainsim.evidence.posterior import load_posterior, write_posterior
from bargainsim.experiments.compare import run_modes
from bargainsim.experiments.design import load_experiment
from bargainsim.runner import run
from bargainsim.scenario import dump, load_scenario

ROOT = Path(__file__).resolve().parents[1]
WGA = ROOT / "scenarios" / "wga_2023.yaml"
PARAMETERS = {
    "talks.resume_probability": Prior(min=0.03, max=0.5),
    "industry.employer_tactic.t_max": Prior(min=0.5, max=1.5, scale=True),
    "parties.*.backlog_weeks": Prior(min=0.5, max=1.5, scale=True),
}
DRAWS = [
    {"talks.resume_probability": 0.05, "industry.employer_tactic.t_max": 0.6,
     "parties.*.backlog_weeks": 0.5},
    {"talks.resume_probability": 0.45, "industry.employer_tactic.t_max": 1.4,
     "parties.*.backlog_weeks": 1.5},
    {"talks.resume_probability": 0.2, "industry.employer_tactic.t_max": 1.0,
     "parties.*.backlog_weeks": 1.0},
]


def posterior(tmp_path: Path, draws: list[dict[str, float]] = DRAWS,
              name: str = "posterior.yaml") -> Path:
    path = tmp_path / name
    write_posterior(path, {"posterior": "test", "strikes": ["wga_2023"]}, PARAMETERS, draws,
                    [0.5, 0.3, 0.2][: len(draws)])
    return path


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bargainsim", *args], capture_output=True,
                          text=True, timeout=300)


def test_wildcards_and_scales_reach_every_company_and_the_presets() -> None:
    doc = dump(load_scenario(WGA))
    places = overrides.concrete(doc, "parties.*.backlog_weeks")
    assert len(places) == 8 and "parties.wga.backlog_weeks" not in places
    tiers = overrides.concrete(doc, "parties.*.members.tiers.*.savings_weeks")
    assert tiers == [f"parties.wga.members.tiers.{t}.savings_weeks"
                     for t in ("showrunner", "mid_level", "entry_level")]
    out = overrides.apply(json.loads(json.dumps(doc)), {"parties.*.backlog_weeks": 0.5,
                                                        "talks.correlation": 0.9},
                          scaled={"parties.*.backlog_weeks"},
                          fixed={"parties.netflix.backlog_weeks"})
    assert out["parties"]["disney"]["backlog_weeks"] == 4.0  # half the legacy preset's 8
    assert out["parties"]["amazon"]["backlog_weeks"] == 6.0  # half the tech preset's 12
    assert "backlog_weeks" not in out["parties"]["netflix"]  # fixed: left as it was
    assert out["talks"]["correlation"] == 0.9
    with pytest.raises(LookupError, match="no parties.hbo.backlog_weeks"):
        overrides.concrete(doc, "parties.hbo.backlog_weeks")


def test_a_seed_draws_the_same_particle_in_every_mode_and_with_any_workers(
        tmp_path: Path) -> None:
    post = load_posterior(posterior(tmp_path))
    spec = load_scenario(WGA)
    seeds = list(range(12))
    assert len(set(post.draw_index(s) for s in seeds)) == 3
    assert [post.draw_index(s) for s in seeds] == [post.draw_index(s) for s in seeds]
    records = run_modes(spec, ["coalition", "separate"], seeds, posterior=post)
    assert run_modes(spec, ["coalition", "separate"], seeds, workers=2,
                     posterior=post) == records
    for mode in ("coalition", "separate"):
        assert [r["seed"] for r in records[mode]] == seeds
        for seed in (0, 5):
            assert records[mode][seed] == run(posterior_spec(spec, post, seed, []), mode,
                                               seed)
    plain = run_modes(spec, ["coalition"], seeds)
    assert plain["coalition"] != records["coalition"]  # the parameters moved the runs


def test_set_and_a_swept_parameter_win_over_the_draw(tmp_path: Path) -> None:
    post = load_posterior(posterior(tmp_path))
    spec = load_scenario(WGA, ["talks.resume_probability=0.33"])
    seed = next(s for s in range(50) if post.draw_index(s) == 1)
    drawn = posterior_spec(load_scenario(WGA), post, seed, [])
    assert drawn.talks.resume_probability == 0.45
    assert drawn.industry.employer_tactic.t_max == pytest.approx(26 * 1.4)
    fixed = posterior_spec(spec, post, seed, ["talks.resume_probability=0.33"])
    assert fixed.talks.resume_probability == 0.33
    assert fixed.industry.employer_tactic.t_max == pytest.approx(26 * 1.4)
    exp = tmp_path / "exp.yaml"
    exp.write_text(f"name: e\nscenario: {WGA}\nparameters:\n  talks.resume_probability: "
                   "{values: [0.1, 0.3]}\nmodes: [coalition]\nseeds: 4\n")
    plan = dataclasses.replace(load_experiment(exp), posterior=post)
    doc = plan.seed_document(1, seed)
    assert doc["talks"]["resume_probability"] == 0.3
    assert doc["industry"]["employer_tactic"]["t_max"] == pytest.approx(26 * 1.4)


def test_run_compare_and_sweep_take_the_posterior(tmp_path: Path) -> None:
    file = str(posterior(tmp_path))
    one = cli("run", str(WGA), "--posterior", file, "--seed", "3", "--json")
    assert one.returncode == 0, one.stderr
    many = cli("compare", str(WGA), "--posterior", file, "--seeds", "4", "--modes",
               "coalition", "--out", str(tmp_path / "cmp"))
    assert many.returncode == 0, many.stderr
    runs = [json.loads(line) for line in (tmp_path / "cmp" / "runs.jsonl").open()]
    assert runs[3] == json.loads(one.stdout)
    exp = tmp_path / "exp.yaml"
    exp.write_text(f"name: e\nscenario: {WGA}\nparameters:\n  talks.correlation: "
                   "{values: [0.0, 1.0]}\nmodes: [coalition, separate]\nseeds: 4\n")
    swept = cli("sweep", str(exp), "--posterior", file, "--out", str(tmp_path / "sw"),
                "--workers", "2")
    assert swept.returncode == 0, swept.stderr
    again = cli("sweep", str(exp), "--out", str(tmp_path / "sw"), "--resume")
    assert again.returncode == 2 and "the posterior (--posterior)" in again.stderr


def test_a_posterior_from_another_scenario_or_out_of_bounds_exits_2(tmp_path: Path) -> None:
    file = posterior(tmp_path)
    other = cli("run", "classroom/faratin", "--posterior", str(file))
    assert other.returncode == 2
    assert other.stderr.startswith(f"{file}: parameters.industry.employer_tactic.t_max "
                                   "(line 7): the scenario has no"), other.stderr
    assert "another scenario" in other.stderr
    lacking = cli("compare", "wga_1988", "--seeds", "2", "--posterior", str(
        posterior(tmp_path, [dict(DRAWS[0], **{"parties.*.backlog_weeks": 0.7})], "one.yaml")))
    assert lacking.returncode == 0, lacking.stderr  # every scenario has companies
    text = file.read_text().replace('"talks.resume_probability": 0.45',
                                    '"talks.resume_probability": 0.95')
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    proc = cli("run", str(WGA), "--posterior", str(bad))
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"{bad}: draws.1.talks.resume_probability (line 11): 0.95 "
                                  "is outside the prior's bounds [0.03, 0.5]"), proc.stderr
    missing = cli("sweep", "lhs_industry", "--posterior", str(tmp_path / "none.yaml"))
    assert missing.returncode == 2 and "--posterior" in missing.stderr
    assert all("Traceback" not in p.stderr for p in (other, proc, missing))
