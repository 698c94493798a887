"""Shipped scenarios and experiments: package data found by name, listed and copied."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from bargainsim import shipped
from bargainsim.cli import main
from bargainsim.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ["sag_aftra_2023", "streamer_heavy", "studio_heavy", "uniform_industry", "wga_1960",
             "wga_1973", "wga_1981", "wga_1985", "wga_1988", "wga_2007", "wga_2023",
             "classroom/attrition", "classroom/coalition", "classroom/faratin",
             "classroom/rubinstein", "classroom/screening"]
EXPERIMENTS = ["calibrate_history", "coalition_vs_separate", "lhs_industry", "sensitivity_morris",
               "sensitivity_sobol", "talks_process"]


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse's own usage errors
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def test_every_shipped_file_is_found_by_name() -> None:
    assert list(shipped.shipped("scenario")) == SCENARIOS
    assert list(shipped.shipped("experiment")) == EXPERIMENTS
    for kind in shipped.KINDS:
        for path in shipped.shipped(kind).values():
            assert path.is_file() and path.is_relative_to(shipped.data_dir())


@pytest.mark.parametrize("folder", ["scenarios", "experiments"])
def test_the_repository_folders_are_relative_links_to_the_package_data(folder: str) -> None:
    link = ROOT / folder
    assert link.is_symlink() and not os.path.isabs(os.readlink(link))
    assert link.resolve() == (shipped.data_dir() / folder).resolve()


@pytest.mark.parametrize("spelling", ["wga_2023", "wga_2023.yaml", "scenarios/wga_2023.yaml"])
def test_a_name_resolves_when_no_such_file_exists(
    spelling: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert Path(shipped.resolve(spelling)) == shipped.scenario_path("wga_2023")


def test_an_existing_file_wins_over_a_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("wga_2023").write_text("mine")
    assert shipped.resolve("wga_2023") == "wga_2023"


def test_experiments_by_name_only_where_an_experiment_is_wanted() -> None:
    found = shipped.resolve("coalition_vs_separate", ("experiment",))
    assert Path(found) == shipped.shipped("experiment")["coalition_vs_separate"]
    with pytest.raises(InputError, match="names a shipped experiment, not a scenario"):
        shipped.resolve("lhs_industry")
    with pytest.raises(InputError, match="names a shipped scenario, not an experiment"):
        shipped.resolve("classroom/faratin", ("experiment",))


@pytest.mark.parametrize(("argument", "near"), [("wga_2024", "wga_2023"),
                                                 ("faratin", "classroom/faratin"),
                                                 ("classroom/rubenstein", "classroom/rubinstein")])
def test_an_unknown_name_lists_the_near_ones(argument: str, near: str) -> None:
    with pytest.raises(InputError) as err:
        shipped.resolve(argument)
    (problem,) = err.value.problems
    assert err.value.source == argument
    assert "no such file" in problem.message and f"did you mean {near}" in problem.message


def test_a_name_near_nothing_lists_every_shipped_scenario() -> None:
    with pytest.raises(InputError) as err:
        shipped.resolve("zzz")
    assert "shipped: " + ", ".join(SCENARIOS) in err.value.problems[0].message


def test_run_by_name_is_the_run_of_the_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, by_name, _ = cli(capsys, "run", "classroom/faratin", "--json")
    assert code == 0
    code, by_path, _ = cli(capsys, "run", str(ROOT / "scenarios/classroom/faratin.yaml"), "--json")
    assert code == 0 and by_name == by_path
    assert json.loads(by_name)["settlement_step"] == 18


@pytest.mark.parametrize("command", [
    ["run", "wga_2024"], ["compare", "wga_2024"], ["plot", "run", "wga_2024", "-o", "x.png"],
    ["play", "wga_2024", "--as", "union"], ["viz", "wga_2024"], ["validate", "wga_2024"],
    ["sweep", "wga_2024"],
])
def test_every_command_names_an_unknown_scenario(
    command: list[str], capsys: pytest.CaptureFixture[str], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = cli(capsys, *command)
    assert code == 2 and out == ""
    assert err.startswith("wga_2024: (top level): no such file, nor a shipped")
    assert "did you mean wga_2023" in err or "coalition_vs_separate" in err


def test_compare_plot_and_validate_take_names(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = cli(capsys, "compare", "classroom/faratin", "--seeds", "2", "--json")
    assert code == 0 and json.loads(out)["scenario"] == "faratin"
    figure = tmp_path / "run.png"
    assert cli(capsys, "plot", "run", "classroom/rubinstein", "-o", str(figure))[0] == 0
    assert figure.stat().st_size > 1000
    code, out, _ = cli(capsys, "validate", "wga_2023", "classroom/attrition", "lhs_industry")
    assert code == 0
    assert out.splitlines()[:2] == ["wga_2023: ok", "classroom/attrition: ok"]
    assert out.splitlines()[2].startswith("lhs_industry: ok (experiment: 100 points")


def test_the_listing(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "scenarios")
    assert code == 0
    rows = {line.split()[0]: line.split()[1:3] for line in out.splitlines()
            if line.startswith("  ") and not line.startswith("  name")}
    assert list(rows) == SCENARIOS + EXPERIMENTS
    assert rows["wga_2023"] == ["coalition", "week"]
    assert rows["classroom/attrition"] == ["separate", "continuous"]
    assert rows["classroom/faratin"] == ["separate", "move"]
    assert rows["lhs_industry"] == ["coalition,separate", "week"]
    assert "calibrated to 2023" in out


def test_copy_then_the_copies_work_and_are_never_overwritten(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "mine"
    code, out, _ = cli(capsys, "scenarios", "copy", str(target))
    assert code == 0 and f"copied {len(SCENARIOS + EXPERIMENTS)} files" in out
    copies = sorted(p.relative_to(target).as_posix() for p in target.rglob("*.yaml"))
    assert copies == sorted([f"scenarios/{n}.yaml" for n in SCENARIOS]
                            + [f"experiments/{n}.yaml" for n in EXPERIMENTS])
    for name, path in shipped.shipped("scenario").items():
        assert (target / "scenarios" / f"{name}.yaml").read_bytes() == path.read_bytes()
    # the experiments find their scenario next to them in the copy
    code, out, _ = cli(capsys, "validate", str(target / "experiments/coalition_vs_separate.yaml"))
    assert code == 0 and "40 points" in out

    (target / "scenarios/wga_2023.yaml").write_text("edited")
    (target / "experiments/lhs_industry.yaml").unlink()
    code, out, err = cli(capsys, "scenarios", "copy", str(target))
    assert code == 2 and out == ""
    assert f"{target / 'scenarios/wga_2023.yaml'}: already exists" in err
    assert (target / "scenarios/wga_2023.yaml").read_text() == "edited"
    assert not (target / "experiments/lhs_industry.yaml").exists()  # nothing was copied


def test_copy_into_a_file_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    afile = tmp_path / "afile"
    afile.write_text("")
    code, _, err = cli(capsys, "scenarios", "copy", str(afile))
    assert code == 2 and f"{afile}: (top level): exists and is not a folder" in err
    code, _, err = cli(capsys, "scenarios", "copy")
    assert code == 2 and "DIR" in err


def test_demo_and_viz_do_not_depend_on_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bargainsim.viz import params

    monkeypatch.chdir(tmp_path)
    assert params.DEFAULT_SCENARIO == shipped.scenario_path()
    assert list(params.shipped_scenarios()) == [f"{n}.yaml" for n in SCENARIOS]
    shown = params.command_line(str(ROOT / "scenarios/wga_2023.yaml"), "separate", 3, ["x=1"])
    assert shown == "bargainsim run wga_2023 --mode separate --seed 3 --set x=1"
    assert main(["demo", "--seeds", "2"]) == 0
