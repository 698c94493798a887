"""Plugins: the example package installed for real, used through run, compare and sweep."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from bargainsim.plugins import format_listing, listing

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "plugins" / "bargainsim-example"
TIMEOUT = 600  # a guard against a hang, not a speed limit


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example plugin installed by pip into a folder of its own (put on PYTHONPATH).

    pip builds from a copy: a build writes into its source tree, and test workers each
    install their own.
    """
    source = tmp_path_factory.mktemp("source") / EXAMPLE.name
    shutil.copytree(EXAMPLE, source, ignore=shutil.ignore_patterns("build", "*.egg-info"))
    target = tmp_path_factory.mktemp("site")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--target", str(target), str(source)],
        capture_output=True, text=True, timeout=TIMEOUT, check=False)
    assert done.returncode == 0, done.stderr
    assert list(target.glob("bargainsim_example-*.dist-info/entry_points.txt"))
    return target


def cli(site: Path, *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """`bargainsim ARGS` in a process that sees the installed plugin."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), os.environ.get(
        "PYTHONPATH", "")]).rstrip(os.pathsep)}
    return subprocess.run([sys.executable, "-m", "bargainsim", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=TIMEOUT, check=False)


def test_plugins_lists_what_the_package_adds_and_where_from(site: Path) -> None:
    done = cli(site, "plugins", "--json")
    assert done.returncode == 0, done.stderr
    rows = {(r["kind"], r["name"]): r for r in json.loads(done.stdout)}
    assert rows[("tactics", "hardball")]["origin"].startswith(
        "entry point hardball = bargainsim_example.hardball:Hardball (bargainsim-example)")
    assert rows[("modes", "sequential")]["origin"].endswith("(bargainsim-example)")
    assert rows[("modes", "coalition")]["origin"] == "bargainsim"
    only = cli(site, "plugins", "--only").stdout
    assert "hardball" in only and "sequential" in only and "coalition" not in only


def test_the_plugins_tactic_and_mode_run_compare_and_sweep(site: Path, tmp_path: Path) -> None:
    scenario = str(EXAMPLE / "hardball_2023.yaml")
    done = cli(site, "run", scenario, "--json", "--seed", "2")
    assert done.returncode == 0, done.stderr
    rec = json.loads(done.stdout)
    assert rec["mode"] == "sequential"
    steps = [d["step"] for d in rec["deals"]]
    assert all(len(d["parties"]) == 1 for d in rec["deals"]) and steps == sorted(steps)
    # hardball: no employer concedes before week 12, so no deal comes before it
    assert steps and min(steps) >= 12

    done = cli(site, "compare", scenario, "--modes", "sequential,coalition", "--seeds", "6",
               "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert set(result["modes"]) == {"sequential", "coalition"}

    out = tmp_path / "sweep"
    done = cli(site, "sweep", str(EXAMPLE / "experiment.yaml"), "--workers", "2",
               "--out", str(out))
    assert done.returncode == 0, done.stderr
    rows = pq.read_table(out / "shards").to_pylist()
    assert len(rows) == 3 * 3 * 4 and {r["status"] for r in rows} == {"ok"}
    assert {r["mode"] for r in rows} == {"sequential", "coalition", "separate"}


def test_without_the_plugin_its_names_are_refused_with_exit_2() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bargainsim", "run", str(EXAMPLE / "hardball_2023.yaml")],
        capture_output=True, text=True, timeout=TIMEOUT, check=False, cwd=ROOT)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "unknown mode 'sequential'" in done.stderr
    assert "industry.employer_tactic" in done.stderr and "kind must be one of" in done.stderr


def test_a_broken_plugin_is_named_with_exit_2(tmp_path: Path) -> None:
    info = tmp_path / "broken_plugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-plugin\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[bargainsim.modes]\nlost = no_such_module:Lost\n")
    done = cli(tmp_path, "plugins")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "mode plugin entry point lost = no_such_module:Lost (broken-plugin)" in done.stderr
    assert "ModuleNotFoundError" in done.stderr


def test_the_listing_has_every_built_in_entry() -> None:
    rows = listing()
    kinds = {r["kind"] for r in rows}
    assert kinds == {"modes", "tactics", "outputs", "statuses"}
    assert all(r["description"] for r in rows)
    text = format_listing(rows)
    assert "relative_tit_for_tat" in text and "breakaway" in text
    assert "\n  interim   back at work on an interim agreement" in text
    assert format_listing(rows, plugins_only=True) == "no plugins installed"
