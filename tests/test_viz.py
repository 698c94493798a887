"""The classroom app without a browser: the observed model, controls as overrides, the page."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("solara", reason="the viz extra is not installed")

import ipyvuetify as v  # noqa: E402
import ipywidgets  # noqa: E402
import solara  # noqa: E402

from bargainsim.cli import main  # noqa: E402
from bargainsim.errors import InputError  # noqa: E402
from bargainsim.model import BargainingModel  # noqa: E402
from bargainsim.plots import live as plots  # noqa: E402
from bargainsim.runner import record, run  # noqa: E402
from bargainsim.scenario import load_scenario  # noqa: E402
from bargainsim.viz import frontend  # noqa: E402
from bargainsim.viz.app import Page  # noqa: E402
from bargainsim.viz.observed import ObservedModel  # noqa: E402
from bargainsim.viz.params import (  # noqa: E402
    Controls,
    model_params,
    overrides,
    shipped_scenarios,
)

ROOT = Path(__file__).resolve().parents[1]
WGA = str(ROOT / "scenarios" / "wga_2023.yaml")


def finish(model: ObservedModel) -> ObservedModel:
    while model.running:
        model.step()
    return model


# ---------------------------------------------------------------- the observed model
def test_models_build_with_no_arguments() -> None:
    assert ObservedModel().spec.name == "wga_2023"
    assert BargainingModel().spec.name == "faratin"


@pytest.mark.parametrize(
    ("path", "mode", "seed"),
    [(WGA, "coalition", 0), (WGA, "breakaway", 3), (WGA, "pattern", 1), (WGA, "separate", 2),
     (str(ROOT / "scenarios/classroom/faratin.yaml"), None, 0),
     (str(ROOT / "scenarios/classroom/attrition.yaml"), None, 4)],
)
def test_observing_does_not_change_the_run(path: str, mode: str | None, seed: int) -> None:
    observed = finish(ObservedModel(scenario_file=path, mode=mode, seed=seed))
    expected = run(load_scenario(path), mode=mode, seed=seed)  # type: ignore[arg-type]
    assert json.dumps(record(observed)) == json.dumps(expected)
    assert len(observed.history["solidarity"]) == observed.steps + 1


def test_history_follows_the_tables() -> None:
    model = ObservedModel(mode="coalition", seed=0)
    assert model.history["positions"] == [{"amptp": {}}]  # nothing tabled before week 0
    while not model.history["positions"][-1]["amptp"]:  # to the first session
        model.step()
    snap = model.history["positions"][-1]["amptp"]
    assert snap["demand"]["wage"] > snap["offer"]["wage"]  # the gap the plot shows
    finish(model)
    last = model.history["settled"][-1]
    assert all(last.values()) == all(c.settled for c in model.companies.values())
    matrix = plots.status_matrix(model)
    assert matrix.shape == (8, model.steps + 1)
    assert (matrix[:, 0] == plots.AT_COALITION).all()
    settled = [c.settled for c in model.companies.values()]
    assert ((matrix[:, -1] == plots.SETTLED) == np.array(settled)).all()


def test_an_interim_agreement_shows_in_the_status_plot() -> None:
    from bargainsim.plots.palette import STRIKING_COLOURS, status_colour

    model = ObservedModel(scenario_file=str(ROOT / "scenarios/wga_2007.yaml"), seed=0)
    while not model.interim_agreements:
        model.step()
    model.step()
    interim = plots.SETTLED + plots.back_at_work().index("interim")
    matrix = plots.status_matrix(model)
    names = list(model.companies)
    for agreement in model.interim_agreements:
        row = matrix[names.index(agreement.company)]
        assert row[agreement.step] != interim and row[-1] == interim  # back after its week
    figure = plots.settled_figure(model)
    labels = [t.get_text() for legend in figure.legends for t in legend.get_texts()]
    assert "back at work on an interim agreement" in labels
    colours = [*STRIKING_COLOURS, *(status_colour(n, i) for i, n in
                                    enumerate(plots.back_at_work()))]
    assert len(set(colours)) == len(colours)  # each state its own colour


# ---------------------------------------------------------------- controls as overrides
def test_controls_at_the_scenarios_values_add_no_override() -> None:
    for path in shipped_scenarios().values():
        spec = load_scenario(path)
        params = model_params(spec, path)
        values = {k: p["value"] for k, p in params.items() if isinstance(p, dict)}
        model = ObservedModel(scenario_file=path, **values)
        assert model.overrides == [], path
        assert model.command().endswith(f"--mode {spec.mode} --seed 0")


def test_controls_become_set_overrides_and_the_same_run() -> None:
    model = finish(ObservedModel(mode="breakaway", seed=5, strike_fund=80, backlog_shift=-3,
                                 streamer_share=0.6, coalition_rule="unanimity", sanction_weeks=4))
    sets = model.overrides
    assert "parties.wga.strike_fund=80" in sets
    assert "parties.disney.backlog_weeks=5" in sets  # legacy preset 8 weeks, minus 3
    assert "parties.netflix.backlog_weeks=11" in sets  # streamer preset 14 weeks
    assert "coalition.sanction_weeks=4" in sets
    assert "industry.streamer_share=0.6" in sets
    assert "coalition.rule=unanimity" in sets
    expected = run(load_scenario(WGA, sets), mode="breakaway", seed=5)
    assert json.dumps(record(model)) == json.dumps(expected)
    assert model.spec.industry.streamer_share == 0.6
    assert "--set coalition.rule=unanimity" in model.command()


def test_backlog_never_below_zero() -> None:
    sets = overrides(load_scenario(WGA), Controls(backlog_shift=-20))
    assert "parties.disney.backlog_weeks=0" in sets


def test_bad_control_value_is_rejected_like_set() -> None:
    with pytest.raises(InputError) as err:
        ObservedModel(streamer_share=1.5)
    text = "\n".join(p.render(err.value.source) for p in err.value.problems)
    assert "industry.streamer_share" in text and "[from --set industry.streamer_share]" in text


@pytest.mark.parametrize("path", sorted(shipped_scenarios().values()))
def test_every_scenario_builds_at_the_controls_extremes(path: str) -> None:
    spec = load_scenario(path)
    params = model_params(spec, path)
    for end in ("min", "max"):
        values = {k: p[end] for k, p in params.items() if isinstance(p, dict) and end in p}
        model = ObservedModel(scenario_file=path, **values)
        for _ in range(3):
            model.step()


def test_controls_shown_depend_on_the_scenario() -> None:
    wga = model_params(load_scenario(WGA), WGA)
    assert {"mode", "seed", "strike_fund", "backlog_shift", "streamer_share", "coalition_rule",
            "sanction_weeks"} <= set(wga)
    faratin = str(ROOT / "scenarios/classroom/faratin.yaml")
    two_party = model_params(load_scenario(faratin), faratin)
    assert set(two_party) == {"scenario_file", "mode", "seed"}


# ---------------------------------------------------------------- the page, rendered
def _labels(rc: object, widget: type) -> list[str]:
    return [w.widget.label for w in rc.find(widget)]  # type: ignore[attr-defined]


def _status(rc: object) -> str:
    cards = [c for c in rc.find(v.Card).widgets  # type: ignore[attr-defined]
             if "bargainsim-status" in (c.class_ or "")]
    assert len(cards) == 1
    texts: list[str] = []

    def walk(node: object) -> None:
        for child in getattr(node, "children", []) or []:
            if isinstance(child, str):
                texts.append(child)
            else:
                walk(child)

    walk(cards[0])
    return " ".join(texts)


def _images(rc: object) -> list[bytes]:
    return [bytes(w.widget.value) for w in rc.find(ipywidgets.Image)]  # type: ignore[attr-defined]


def test_page_renders_controls_and_plots_and_steps() -> None:
    box, rc = solara.render(solara.AppLayout(children=[Page()]), handle_error=False)
    buttons = [b.widget.children[0] for b in rc.find(v.Btn) if b.widget.children]
    assert {"Reset", "Step", "▶"} <= set(buttons)
    sliders = _labels(rc, v.Slider)
    for label in ("Seed", "Strike fund $M", "Backlog ± weeks", "Streamer share",
                  "Sanctions for leaving (weeks of revenue)"):
        assert label in sliders
    assert {"Scenario file", "Bargaining mode", "Coalition rule"} <= set(_labels(rc, v.Select))
    before = _images(rc)
    assert len(before) == 4
    assert "Week 0 of 52" in _status(rc)

    steps = 0
    while steps < 4 or _images(rc)[0] == before[0]:  # past the first session: offers drawn
        rc.find(v.Btn, children=["Step"]).widget.click()
        steps += 1
        assert steps < 52
    assert f"Week {steps} of 52" in _status(rc)
    after = _images(rc)
    assert all(a != b for a, b in zip(before, after, strict=True))
    assert rc.find(v.Html, children=[f"Time: {steps}.0"]).widget is not None

    # a slider changes the model on Reset, through a --set override
    seed = next(s for s in rc.find(v.Slider) if s.widget.label == "Seed")
    seed.widget.v_model = 7
    fund = next(s for s in rc.find(v.Slider) if s.widget.label == "Strike fund $M")
    fund.widget.v_model = 60.0
    rc.find(v.Btn, children=["Reset"]).widget.click()
    status = _status(rc)
    assert "Week 0 of 52" in status
    assert "--seed 7" in status and "--set parties.wga.strike_fund=60" in status
    box.close()


def test_page_switches_scenario() -> None:
    box, rc = solara.render(solara.AppLayout(children=[Page()]), handle_error=False)
    select = next(s for s in rc.find(v.Select) if s.widget.label == "Scenario file")
    select.widget.v_model = "classroom/faratin.yaml"
    assert "Move 0 of 40" in _status(rc)
    assert "Strike fund $M" not in _labels(rc, v.Slider)
    # Mesa's render interval: one press of Step runs 20 moves (faratin settles at move 18)
    interval = next(s for s in rc.find(v.Slider) if s.widget.label == "Render Interval (steps)")
    interval.widget.v_model = 20
    rc.find(v.Btn, children=["Step"]).widget.click()
    assert "Deal at step 18: studio: wage 5.53" in _status(rc)
    assert "1 of 1 companies settled (finished)" in _status(rc)
    box.close()


# ---------------------------------------------------------------- the command and set-up
def test_viz_command_rejects_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["viz", str(tmp_path / "missing.yaml")]) == 2
    assert "missing.yaml" in capsys.readouterr().err
    bad = tmp_path / "bad.yaml"
    bad.write_text("horizon: -1\n")
    assert main(["viz", str(bad)]) == 2
    assert "bad.yaml" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["viz", "--port", "70000"])
    assert exit_.value.code == 2
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["viz", WGA, "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert f"127.0.0.1:{port}" in err and "already in use" in err


def test_frontend_packages_are_read_from_solara(tmp_path: Path) -> None:
    found = {name: files for (name, _), files in frontend.referenced().items()}
    assert "require.js" in found["requirejs"]
    assert any(f.endswith(".min.js") for f in found["@widgetti/solara-vuetify-app"])
    assert "dist/vue-grid-layout.umd.js" in found["@widgetti/vue-grid-layout"]
    assert len(frontend.missing(tmp_path)) == sum(len(f) for f in found.values())


def test_a_corrupt_download_is_refused() -> None:
    with pytest.raises(ValueError, match="sha512"):
        frontend._check_integrity(b"not the tarball", {"integrity": "sha512-AAAA"}, "x.tgz")


def test_the_frontend_module_says_what_is_missing_and_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bargainsim.viz import server

    monkeypatch.setattr(frontend, "cache_dir", lambda: tmp_path)
    monkeypatch.setenv(frontend.REGISTRY_ENV, "http://127.0.0.1:9")  # refuses at once
    needed = len(frontend.missing())
    assert frontend.main(["--check"]) == 1
    err = capsys.readouterr().err
    assert f"{needed} files missing from {tmp_path}" in err and "fetched" not in err
    assert frontend.main([]) == 1
    err = capsys.readouterr().err
    assert "could not fetch @widgetti/solara-vuetify-app@" in err
    assert "could not be fetched from http://127.0.0.1:9" in err
    server._frontend_files()  # what `bargainsim viz` does on start: warns, then serves
    err = capsys.readouterr().err
    assert f"could not be fetched from http://127.0.0.1:9 into {tmp_path}" in err
    assert "python -m bargainsim.viz.frontend" in err
