"""The built wheel, installed into a fresh virtual environment outside the repository.

The wheel is built from a copy of the sources (nothing is written into the checkout) and
installed with pip into a new venv in a temporary folder; the commands run from another
temporary folder, so nothing can come from the repository. Its dependencies are not
downloaded again: a .pth file makes this environment's site-packages visible after the
venv's own. Python appends a .pth file's folder to sys.path without reading the .pth
files inside it, so the editable install of bargainsim there (a .pth naming the
checkout's src/) stays inert and `import bargainsim` is the wheel's (checked). What the
dependencies' wheels install beside site-packages, as pip would have installed it into the
venv (share/jupyter, etc/jupyter: the widgets' JavaScript the page loads), is linked in;
Solara's front-end cache (share/solara) is not: `bargainsim viz` fetches it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

import pytest

from chromium_page import check_page, viz_server, why_no_browser

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 600  # seconds: a guard against a hung step, not a speed check
DATA = ["bargainsim/py.typed", "bargainsim/data/scenarios/wga_2023.yaml",
        "bargainsim/data/history/strikes.csv",
        "bargainsim/data/scenarios/classroom/faratin.yaml",
        "bargainsim/data/experiments/coalition_vs_separate.yaml"]


@dataclass(frozen=True)
class Installed:
    """A fresh venv with the wheel installed, and an empty working folder outside the repo."""

    venv: Path
    cwd: Path
    env: dict[str, str]

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run the venv's `bargainsim ARGS` in the working folder."""
        done = subprocess.run([str(self.venv / "bin" / "bargainsim"), *args], cwd=self.cwd,
                              env=self.env, capture_output=True, text=True, timeout=TIMEOUT,
                              stdin=subprocess.DEVNULL, check=False)
        if check:
            assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-2000:])
        return done


def _sh(*args: str | Path, cwd: Path | None = None) -> str:
    done = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True,
                          timeout=TIMEOUT, stdin=subprocess.DEVNULL, check=False)
    assert done.returncode == 0, (args, done.stdout[-3000:], done.stderr[-3000:])
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    base = tmp_path_factory.mktemp("wheel")
    assert not base.resolve().is_relative_to(ROOT)
    # the wheel, from a copy of what the build reads
    sources = base / "sources"
    shutil.copytree(ROOT / "src", sources / "src",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copyfile(ROOT / name, sources / name)
    _sh(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir",
        base / "dist", sources)
    (wheel,) = (base / "dist").glob("bargainsim-*.whl")
    listed = _sh(sys.executable, "-m", "zipfile", "-l", wheel)
    assert all(f in listed for f in DATA), listed

    # a fresh venv (no pip of its own: this environment's pip installs into it)
    venv = base / "venv"
    _sh(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    _sh(sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps",
        "--no-index", wheel)
    site = Path(_sh(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
                .strip())
    ours = dict.fromkeys(sysconfig.get_paths()[k] for k in ("purelib", "platlib"))
    (site / "zz_dependencies.pth").write_text("".join(f"{p}\n" for p in ours))
    for folder in ("share/jupyter", "etc/jupyter"):
        if (Path(sys.prefix) / folder).is_dir():
            (venv / folder).parent.mkdir(parents=True, exist_ok=True)
            (venv / folder).symlink_to(Path(sys.prefix) / folder)

    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "PYTHONSTARTUP")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    cwd = base / "work"
    cwd.mkdir()
    where = _sh(python, "-c", "import bargainsim; print(bargainsim.__file__)", cwd=cwd)
    assert Path(where.strip()).is_relative_to(site), where  # the wheel, not the checkout
    return Installed(venv=venv, cwd=cwd, env=env)


def test_the_wheel_declares_what_it_needs(installed: Installed) -> None:
    """Every requirement of `bargainsim[viz]` is met by a distribution the venv sees."""
    check = (
        "from importlib.metadata import requires, version, PackageNotFoundError\n"
        "from packaging.requirements import Requirement\n"
        "bad = []\n"
        "for text in requires('bargainsim'):\n"
        "    r = Requirement(text)\n"
        "    if r.marker and not any(r.marker.evaluate({'extra': e}) for e in ('', 'viz')):\n"
        "        continue\n"
        "    try:\n"
        "        found = version(r.name)\n"
        "    except PackageNotFoundError:\n"
        "        bad.append(f'{r}: missing')\n"
        "        continue\n"
        "    if not r.specifier.contains(found, prereleases=True):\n"
        "        bad.append(f'{r}: {found}')\n"
        "print(bad)\n"
    )
    done = subprocess.run([str(installed.venv / "bin" / "python"), "-c", check],
                          cwd=installed.cwd, env=installed.env, capture_output=True, text=True,
                          timeout=TIMEOUT, check=False)
    assert done.returncode == 0 and done.stdout.strip() == "[]", (done.stdout, done.stderr)


def test_demo_and_run_by_name(installed: Installed) -> None:
    demo = installed.run("demo", "--seeds", "5").stdout
    assert "on wga_2023.yaml over 5 seeds" in demo
    for mode in ("coalition", "separate", "pattern", "breakaway"):
        assert f"\n{mode} " in demo
    assert "One run in detail (coalition, seed 0):" in demo

    from bargainsim.runner import run
    from bargainsim.scenario import load_scenario

    record = json.loads(installed.run("run", "wga_2023", "--json").stdout)
    expected = run(load_scenario(ROOT / "scenarios" / "wga_2023.yaml"))
    assert json.dumps(record) == json.dumps(expected)
    faratin = installed.run("run", "classroom/faratin").stdout
    assert "by step 18" in faratin

    wrong = installed.run("run", "wga_2024", check=False)
    assert wrong.returncode == 2 and "wga_2024" in wrong.stderr and "wga_2023" in wrong.stderr
    assert "Traceback" not in wrong.stderr


def test_scenarios_listed_and_copied(installed: Installed) -> None:
    listing = installed.run("scenarios").stdout
    for name in ("wga_2023", "classroom/faratin", "classroom/attrition",
                 "coalition_vs_separate", "lhs_industry"):
        assert f"  {name} " in listing, listing

    copied = installed.run("scenarios", "copy", "mine").stdout
    from bargainsim.shipped import catalog

    assert f"copied {len(catalog())} files" in copied  # every shipped file, this checkout's
    mine = installed.cwd / "mine"
    assert (mine / "scenarios" / "classroom" / "faratin.yaml").is_file()
    # an experiment's scenario, relative to it, is found in the copy
    checked = installed.run("validate", "mine/experiments/coalition_vs_separate.yaml").stdout
    assert "ok (experiment: 40 points" in checked
    edited = mine / "scenarios" / "wga_2023.yaml"
    edited.write_text(edited.read_text() + "# mine\n")
    again = installed.run("scenarios", "copy", "mine", check=False)
    assert again.returncode == 2 and "mine/scenarios/wga_2023.yaml: already exists" in again.stderr
    assert edited.read_text().endswith("# mine\n")


@pytest.mark.browser
def test_viz_renders_its_plots(installed: Installed, tmp_path: Path) -> None:
    if why_no_browser():
        pytest.skip(why_no_browser() or "")
    command = [str(installed.venv / "bin" / "bargainsim"), "viz", "--port", "0"]
    with viz_server(command, cwd=installed.cwd, env=installed.env) as running:
        # a fresh environment has no front-end files: viz fetched them through the package
        cache = installed.venv / "share" / "solara" / "cdn"
        assert any("fetching" in line and str(cache) in line for line in running.log), running.log
        assert "serving wga_2023.yaml at http://127.0.0.1:" in running.line
        check_page(running.url, tmp_path, interact=False)
