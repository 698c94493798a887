"""The classroom app without a browser: the observed model, controls as overrides, the page."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("solara", reason="the viz extra is not installed")

import ipyvuetify as v  # noqa: E402
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
    assert matrix.shape == (8, model.steps)  # a column per step played, from week 0's
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
        # back at work from the agreement's week on, the week the text names
        assert row[agreement.step - 1] != interim and row[agreement.step] == interim
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


def _walk(box: object) -> tuple[list[str], list[str]]:
    """The page's texts and its plots' SVG, walking the widget tree."""
    texts: list[str] = []
    svgs: list[str] = []

    def walk(node: object) -> None:
        html = getattr(node, "unsafe_innerHTML", None)
        if isinstance(html, str) and "<svg" in html:
            svgs.append(html)
        for child in getattr(node, "children", []) or []:
            if isinstance(child, str):
                texts.append(child)
            else:
                walk(child)

    walk(box)
    return texts, svgs


def _text(box: object) -> str:
    return "\n".join(_walk(box)[0])


def _click(rc: object, label: str) -> None:
    rc.find(v.Btn, children=[label]).widget.click()  # type: ignore[attr-defined]


def _page() -> tuple[object, object]:
    return solara.render(solara.Column(children=[Page()]), handle_error=False)


def test_page_renders_controls_and_plots_and_steps() -> None:
    box, rc = _page()
    buttons = [b.widget.children[0] for b in rc.find(v.Btn) if b.widget.children]
    assert {"Reset", "Play", "Step", "wage", "data"} <= set(buttons)
    assert not {"Use Threads", "Render Interval (steps)"} & set(_labels(rc, v.Slider))
    text = _text(box)
    for shown in ("Seed: 0", "Strike fund: $20M", "Backlog, weeks added: +0 weeks",
                  "Streamers' market share: 0.33", "Sanctions for leaving: 13 weeks of revenue",
                  "Bargaining mode: coalition", "Coalition rule: hardest_line"):
        assert shown in text  # every control says its value
    assert "Not started: week 0 is next, of 52" in text
    assert "Page 0" not in text and "PAGE 0" not in text
    before = _walk(box)[1]
    assert len(before) == 4  # offers, solidarity, settled, losses

    steps = 0
    while steps < 4 or _walk(box)[1][0] == before[0]:  # past the first session: offers drawn
        _click(rc, "Step")
        steps += 1
        assert steps < 52
    assert f"Weeks played: {steps} of 52 (last: week {steps - 1})" in _text(box)
    after = _walk(box)[1]
    assert all(a != b for a, b in zip(before, after, strict=True))

    # a slider starts a new run at once, through a --set override
    seed = next(s for s in rc.find(v.Slider) if s.widget.label == "Seed")
    seed.widget.v_model = 7
    fund = next(s for s in rc.find(v.Slider) if s.widget.label == "Strike fund")
    fund.widget.v_model = 60.0
    text = _text(box)
    assert "Not started" in text and "Strike fund: $60M" in text and "Seed: 7" in text
    assert "--seed 7 --set parties.wga.strike_fund=60" in text
    box.close()


def test_page_switches_scenario_and_the_buttons_work_after_the_end() -> None:
    box, rc = _page()
    select = next(s for s in rc.find(v.Select) if s.widget.label == "Scenario")
    select.widget.v_model = "classroom/faratin.yaml"
    text = _text(box)
    assert "Not started: move 0 is next, of 40" in text
    assert "Strike fund" not in _labels(rc, v.Slider)
    assert len(_walk(box)[1]) == 1  # a two-party game: offers only
    assert "a deal at step 18, wage 5.532" in text  # theory's prediction, before the run
    for _ in range(19):  # faratin settles at move 18, the 19th move
        _click(rc, "Step")
    text = _text(box)
    assert "Deal at step 18: studio: wage 5.532" in text
    assert "1 of 1 companies settled. Finished" in text
    step = rc.find(v.Btn, children=["Step"]).widget
    assert not step.disabled
    _click(rc, "Step")  # a finished run starts again
    assert "Moves played: 1 of 40 (last: move 0)" in _text(box)
    box.close()


@pytest.mark.parametrize(("path", "mode", "expected"), [
    (WGA, "coalition", ["offers", "solidarity", "settled", "losses"]),
    (str(ROOT / "scenarios/classroom/faratin.yaml"), None, ["offers"]),
    (str(ROOT / "scenarios/classroom/rubinstein.yaml"), None, ["offers"]),
    (str(ROOT / "scenarios/classroom/attrition.yaml"), None, ["offers"]),
])
def test_only_panels_that_mean_something(path: str, mode: str | None,
                                         expected: list[str]) -> None:
    from bargainsim.viz.app import panels, theory_of

    model = ObservedModel(scenario_file=path, mode=mode)
    assert panels(model) == expected
    assert (theory_of(model) is None) == (path == WGA)  # two-party games show theory


def test_the_deal_is_drawn_at_the_step_the_text_names() -> None:
    model = finish(ObservedModel(scenario_file=str(ROOT / "scenarios/classroom/faratin.yaml")))
    (deal,) = model.deals
    assert deal.step == 18  # what the CLI prints and the page's text says
    figure = plots.offers_figure(model, theory=(18.0, 5.5317))
    marks = [line for line in figure.axes[0].lines if line.get_marker() == "o"]
    assert [float(x) for line in marks for x in line.get_xdata()] == [18.0]
    assert plots.steps(model)[-1] == 18.0 and plots.steps(model)[0] == 0.0
    separate = finish(ObservedModel(mode="separate", seed=0))
    matrix = plots.status_matrix(separate)
    names = list(separate.companies)
    for company in separate.deals:  # settled from the column of its deal's week on
        row = matrix[names.index(company.parties[0])]
        assert row[company.step] == plots.SETTLED and row[company.step - 1] != plots.SETTLED


def test_plots_are_svg_with_text_at_legible_sizes() -> None:
    model = ObservedModel(mode="separate", seed=0)
    for _ in range(20):
        model.step()
    for figure in (plots.offers_figure(model, "residuals"), plots.solidarity_figure(model),
                   plots.settled_figure(model), plots.losses_figure(model)):
        svg = plots.svg(figure)
        assert svg.startswith("<svg") and 'width="' not in svg.split(">")[0]
        sizes = [float(x) for x in re.findall(r"font-size: ?([\d.]+)px", svg)]
        assert sizes and min(sizes) >= 13  # at the page's smallest scale still >= 12 px


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
