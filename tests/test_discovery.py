"""discover: PRIM recovers a planted region from a DataFrame and from a results folder; errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from bargainsim.evidence.discovery import choose, discover, format_discovery
from bargainsim.experiments.design import load_experiment
from bargainsim.experiments.sweep import run_sweep
from bargainsim.plots.discovery import discovery_figure

ROOT = Path(__file__).resolve().parents[1]
WGA = ROOT / "scenarios" / "wga_2023.yaml"
TOLERANCE = 0.05  # of a parameter's unit range


@pytest.fixture(scope="module")
def planted() -> pd.DataFrame:
    """400 uniform points; `inside` holds exactly where a > 0.6 and b < 0.3 (c is noise)."""
    rng = np.random.default_rng(16)
    frame = pd.DataFrame({"a": rng.random(400), "b": rng.random(400), "c": rng.random(400)})
    frame["inside"] = (frame.a > 0.6) & (frame.b < 0.3)
    frame["nowhere"] = frame.a > 2
    return frame


def test_prim_recovers_the_planted_box(planted: pd.DataFrame) -> None:
    result = discover(planted)
    inside, nowhere = result["searches"]
    assert inside["target"] == "inside" and inside["cases"] == int(planted.inside.sum())
    box = inside["chosen"]
    assert box["density"] >= 0.8 and box["coverage"] >= 0.9
    assert set(box["restricted"]) == {"a", "b"}
    assert box["limits"]["a"][0] == pytest.approx(0.6, abs=TOLERANCE)
    assert box["limits"]["b"][1] == pytest.approx(0.3, abs=TOLERANCE)
    assert box["quasi_p"]["a"][0] < 0.05 and box["quasi_p"]["b"][1] < 0.05
    # the trajectory starts with the whole space and holds the chosen step
    first = inside["trajectory"][0]
    assert first["mass"] == 1 and first["coverage"] == 1 and first["restricted"] == []
    assert inside["trajectory"][box["step"]]["limits"] == box["limits"]
    # CART, the second view, finds the same region
    leaf = inside["cart"]["leaves"][0]
    assert leaf["limits"]["a"][0] == pytest.approx(0.6, abs=TOLERANCE)
    assert leaf["limits"]["b"][1] == pytest.approx(0.3, abs=TOLERANCE)
    assert nowhere["chosen"] is None and nowhere["note"] == "no point has this outcome"
    json.dumps(result)
    text = format_discovery(result)
    assert "inside: " in text and "PRIM box (step" in text and "CART leaf: " in text


def test_the_rule_takes_the_most_coverage_at_the_density() -> None:
    steps = [{"step": 0, "coverage": 1.0, "density": 0.5},
             {"step": 1, "coverage": 0.9, "density": 0.8},
             {"step": 2, "coverage": 0.9, "density": 0.85},
             {"step": 3, "coverage": 0.4, "density": 1.0}]
    assert choose(steps, 0.8)["step"] == 2
    assert choose(steps, 0.95)["step"] == 3
    assert choose(steps[:1], 0.8) is None


def test_the_figure_draws_the_trajectory_and_the_chosen_box(planted: pd.DataFrame) -> None:
    result = discover(planted, targets=["inside"])
    search = result["searches"][0]
    fig = discovery_figure(result)
    left, right = [ax for ax in fig.axes if ax.get_label() != "<colorbar>"][:2]
    offsets = left.collections[0].get_offsets()
    assert np.allclose(offsets, [[s["coverage"], s["density"]] for s in search["trajectory"]])
    ring = [line for line in left.get_lines() if line.get_label().startswith("chosen")][0]
    box = search["chosen"]
    assert (ring.get_xdata()[0], ring.get_ydata()[0]) == (box["coverage"], box["density"])
    assert left.get_lines()[0].get_ydata()[0] == 0.8  # the density threshold
    assert "inside: " in left.get_title()
    # right: per parameter a full-range bar and, where restricted, the box's share of it
    labels = [t.get_text() for t in right.get_yticklabels()]
    assert labels == ["a", "b", "c"]
    spans = {}
    for patch in right.patches:
        y = round(patch.get_y() + patch.get_height() / 2)
        if patch.get_width() < 1:
            spans[labels[2 - y]] = (patch.get_x(), patch.get_x() + patch.get_width())
    lo, hi = result["bounds"]["a"]
    assert spans["a"] == pytest.approx(((box["limits"]["a"][0] - lo) / (hi - lo),
                                        (box["limits"]["a"][1] - lo) / (hi - lo)))
    assert set(spans) == {"a", "b"}
    assert right.get_title().startswith(f"chosen box: coverage {box['coverage']:.2f}")


# ------------------------------------------------------------------ a results folder

LHS = """\
name: planted
parameters:
  industry.streamer_share: {min: 0.1, max: 0.7}
  industry.model_spread: {min: 0, max: 1}
  talks.correlation: {min: 0, max: 1}
design: {kind: lhs, samples: 60, seed: 4}
modes: [coalition, separate]
seeds: 10
outputs: []
"""


def toy_run(spec: Any, mode: str, seed: int) -> dict[str, Any]:
    """A stand-in for the model: separate deals are sooner exactly where model_spread > 0.5.

    Coalition settles at week 20; separate at 14 there and 26 elsewhere (seeds jitter both).
    """
    spread = spec.industry.model_spread
    jitter = seed % 4
    step = 20 + jitter if mode == "coalition" else (14 if spread > 0.5 else 26) + jitter
    return {"settled": True, "settlement_step": step, "first_deal_step": step,
            "writers_back": True, "weighted_settlement_step": step}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("discover")
    path = root / "planted.yaml"
    path.write_text(f"scenario: {WGA}\n" + LHS)
    run_sweep(load_experiment(path), root / "out", runner=toy_run)
    return root / "out"


def test_a_planted_region_in_a_results_folder_is_found_by_summarizes_test(folder: Path) -> None:
    result = discover(folder)
    assert result["modes"] == ["coalition", "separate"] and result["experiment"] == "planted"
    assert result["design"] == "lhs" and result["complete"]
    by = {s["target"]: s for s in result["searches"]}
    assert list(by) == ["separate_sooner_last_deal", "coalition_sooner_last_deal",
                        "separate_sooner_weighted", "coalition_sooner_weighted"]
    sooner = by["separate_sooner_last_deal"]
    assert sooner["label"] == "separate settles sooner than coalition (last deal)"
    box = sooner["chosen"]
    assert box["restricted"] == ["industry.model_spread"]
    assert box["limits"]["industry.model_spread"][0] == pytest.approx(0.5, abs=0.1)
    assert box["density"] >= 0.9 and box["coverage"] == 1
    reverse = by["coalition_sooner_last_deal"]["chosen"]
    assert reverse["limits"]["industry.model_spread"][1] == pytest.approx(0.5, abs=0.1)
    assert result["bounds"]["industry.streamer_share"] == [0.1, 0.7]


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bargainsim", *args], capture_output=True,
                          text=True, timeout=600)


def test_cli_writes_json_and_figure(folder: Path, tmp_path: Path) -> None:
    proc = cli("discover", str(folder), "--out", str(tmp_path / "d"), "--density", "0.9")
    assert proc.returncode == 0, proc.stderr
    assert "separate settles sooner than coalition (last deal): " in proc.stdout
    assert "industry.model_spread: " in proc.stdout
    result = json.loads((tmp_path / "d" / "discovery.json").read_text())
    assert result["density"] == 0.9 and "density at least 0.9" in result["rule"]
    assert result["searches"][0]["trajectory"]
    png = (tmp_path / "d" / "discovery.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
    svg = tmp_path / "d.svg"
    again = cli("discover", str(folder), "--out", str(tmp_path / "d"), "--plot", str(svg),
                "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["searches"][0]["cases"] == result["searches"][0]["cases"]
    assert svg.read_bytes().startswith(b"<?xml")


@pytest.mark.parametrize(
    ("make", "args", "expected"),
    [
        (None, [], "{d}: (top level): no such folder; give a sweep's results folder"),
        ("file", [], "{d}: (top level): is a file; give a sweep's results folder"),
        ("empty", [], "{d}: manifest.json: not a sweep results folder (no manifest.json)"),
        ("sweep", ["--modes", "coalition,pattern"],
         "--modes: coalition,pattern: the sweep did not run pattern (it ran coalition, "
         "separate)"),
        ("sweep", ["--density", "1.5"], "expected a share in (0, 1]"),
        ("sweep", ["--plot", "x.gif"], "--plot: x.gif: unsupported file type (.gif)"),
    ],
)
def test_a_missing_or_wrong_folder_exits_2_saying_what_is_wrong(
    folder: Path, tmp_path: Path, make: str | None, args: list[str], expected: str
) -> None:
    target = tmp_path / "results"
    if make == "file":
        target.write_text("not a folder")
    elif make == "empty":
        target.mkdir()
    elif make == "sweep":
        target = folder
    proc = cli("discover", str(target), "--out", str(tmp_path / "out"), *args)
    assert proc.returncode == 2, proc.stderr
    assert expected.format(d=target) in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
