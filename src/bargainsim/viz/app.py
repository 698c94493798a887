"""The classroom page: the bargaining model live in a browser, legible on a projector and a phone.

Run it with `bargainsim viz [SCENARIO]` (or `solara run bargainsim.viz.app`). Built from
Solara's public components rather than Mesa's SolaraViz, whose defaults got in the way of
a classroom (a side drawer hidden on phones, buttons below the fold, a "Page 0" tab, Use
Threads and Render Interval switches, play and step greyed out after a run until Reset,
images whose labels shrink to a few pixels). What it keeps from Mesa is the model: an
`ObservedModel` (a Mesa model with a DataCollector) stepped by its own `step()`.

Every control takes effect at once: changing the scenario, the mode or a slider starts a
new run at step 0 with that value, so the buttons are always usable; after a run ends,
Play and Step start it again. Only the panels that mean something for the scenario are
shown: a two-party classroom game shows offers against time with theory's prediction and
the deal; the industry scenarios add solidarity, who has settled and the losses.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import solara
import solara.lab

from bargainsim import theory as formulas
from bargainsim.errors import InputError
from bargainsim.game.prediction import predict
from bargainsim.plots import live as plots
from bargainsim.scenario import Scenario, load_scenario
from bargainsim.viz.observed import ObservedModel
from bargainsim.viz.params import (
    DEFAULT_SCENARIO,
    digital_share,
    model_params,
    shipped_scenarios,
)

SCENARIO_ENV = "BARGAINSIM_VIZ_SCENARIO"
SPEEDS = {"slow": 1.0, "normal": 0.35, "fast": 0.05}  # seconds between steps under Play

CSS = """
.bargainsim-app { font-size: 16px; line-height: 1.4; max-width: 1400px; margin: 0 auto;
  padding: 8px; box-sizing: border-box; overflow-wrap: anywhere; }
.bargainsim-app * { box-sizing: border-box; }
.bargainsim-app .v-btn { font-size: 16px; text-transform: none; letter-spacing: 0; }
.bargainsim-app .v-label, .bargainsim-app .v-select__selection,
.bargainsim-app input, .bargainsim-app .v-list-item__title { font-size: 16px !important; }
.bargainsim-control .v-label { position: absolute !important; width: 1px; height: 1px;
  overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.bargainsim-control .v-select .v-input__slot { padding-top: 0; }
.bargainsim-head { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 16px;
  margin: 0 4px 6px 4px; }
.bargainsim-title { font-size: 22px; font-weight: bold; }
.bargainsim-layout { display: grid; gap: 12px;
  grid-template-columns: minmax(300px, 360px) minmax(0, 1fr);
  grid-template-areas: "side run" "side plots"; align-items: start; }
.bargainsim-run { grid-area: run; }
.bargainsim-side { grid-area: side; }
.bargainsim-panels { display: grid; gap: 12px;
  grid-template-columns: repeat(auto-fill, minmax(340px, 1fr)); }
.bargainsim-card { background: white; border: 1px solid #ccc; border-radius: 6px;
  padding: 10px 12px; min-width: 0; }
.bargainsim-card h2 { font-size: 18px; margin: 0 0 6px 0; }
.bargainsim-buttons { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
.bargainsim-control { margin-top: 4px; }
.bargainsim-control .v-input { margin-top: 0; padding-top: 0; }
.bargainsim-control .v-input__slot { margin-bottom: 0; }
.bargainsim-control .v-messages { display: none; }
.bargainsim-plot { max-width: 560px; width: 100%; }
.bargainsim-plot svg { width: 100%; height: auto; display: block; }
.bargainsim-issues .v-btn { min-width: 0; padding: 0 10px; }
.bargainsim-command { font-family: monospace; font-size: 16px; white-space: pre-wrap;
  background: #f4f4f4; padding: 6px; margin: 4px 0 0 0; }
@media (max-width: 820px) {
  .bargainsim-layout { grid-template-columns: minmax(0, 1fr);
    grid-template-areas: "run" "side" "plots"; }
  .bargainsim-panels { grid-template-columns: minmax(0, 1fr); }
}
"""


def initial_scenario() -> str:
    """The scenario the page opens with: the one `bargainsim viz` was given, else wga_2023."""
    return os.environ.get(SCENARIO_ENV) or str(DEFAULT_SCENARIO)


@lru_cache(maxsize=32)
def _spec(path: str) -> Scenario:
    return load_scenario(path)


def _unit(model: ObservedModel) -> str:
    return {"move": "move", "week": "week", "continuous": "time"}[model.clock]


# ---------------------------------------------------------------- what the page says
@dataclass(frozen=True)
class Theory:
    """Theory's prediction for a two-party game: in words, the step and the value."""

    text: str
    step: float | None
    value: float | None


def theory_of(model: ObservedModel) -> Theory | None:
    """The closed form for this game (Rubinstein, Faratin, war of attrition), else None."""
    found = predict(model)
    if found is not None:
        if found.step is None:
            return Theory(f"{found.source}: no deal before the horizon", None, None)
        name, value = next(iter(found.terms.items()))
        return Theory(f"{found.source}: a deal at step {found.step}, {name} {value:.4g}",
                      float(found.step), value)
    if model.clock == "continuous" and len(model.companies) == 1:
        union = model.union.tactic
        company = next(iter(model.companies.values())).tactic
        costs = [getattr(t, "cost", None) for t in (union, company)]
        prizes = [getattr(t, "prize", None) for t in (union, company)]
        if None in costs or None in prizes:
            return None
        args = (costs[0], prizes[0], costs[1], prizes[1])
        mean = formulas.attrition_expected_length(*args)
        median = formulas.attrition_median_length(*args)
        first = formulas.attrition_first_concession_probabilities(*args)[1]
        return Theory(f"War of attrition (stationary equilibrium): the dispute lasts "
                      f"{mean:.3g} on average (median {median:.3g}); the studio gives in "
                      f"first with probability {first:.2f}", median, None)
    return None


def summary(model: ObservedModel) -> str:
    """Where the run stands, in one sentence."""
    unit = _unit(model)
    done = sum(c.settled for c in model.companies.values())
    interim = sum(c.status.working and not c.status.final for c in model.companies.values())
    if model.clock == "continuous":
        head = f"Time {float(model.time):g} of {model.horizon:g}"
    elif model.t == 0:
        head = f"Not started: {unit} 0 is next, of {model.horizon:g}"
    else:
        head = f"{unit.capitalize()}s played: {model.t} of {model.horizon:g} (last: {unit} " \
               f"{model.t - 1})"
    text = f"{head}; {done} of {len(model.companies)} companies settled"
    if interim:
        text += f", {interim} back at work until the master deal"
    return text + (". Finished: Play or Step starts again." if not model.running else ".")


def deal_lines(model: ObservedModel) -> list[str]:
    """One line per deal: when (the step the CLI names), who, the terms and the vote."""
    out = []
    for deal in model.deals:
        who = deal.coalition or ", ".join(deal.parties)
        when = f"time {deal.time:.2f}" if deal.time is not None else f"step {deal.step}"
        terms = ", ".join(f"{k} {v:.4g}" for k, v in deal.terms.items())
        vote = f" (yes {deal.yes_share:.0%})" if model.union.members is not None else ""
        out.append(f"Deal at {when}: {who}: {terms}{vote}")
    return out


def settings(model: ObservedModel) -> str:
    """The values in effect for the controls this scenario has."""
    spec = model.spec
    union = spec.parties[spec.union_name]
    parts = [f"mode {model.mode}", f"seed {model.seed}"]
    shown = model_params(spec, model.scenario_file)
    if "strike_fund" in shown:
        parts.append(f"strike fund ${getattr(union, 'strike_fund', 0.0):g}M")
    if "backlog_shift" in shown:
        parts.append(f"backlog {model.controls.backlog_shift:+g} weeks")
    if "streamer_share" in shown:
        parts.append(f"streamers' share {digital_share(spec):.2f}")
    if "coalition_rule" in shown:
        parts.append(f"rule {spec.coalition.rule}")
    if "sanction_weeks" in shown:
        parts.append(f"sanctions {spec.coalition.sanction_weeks:g} weeks")
    return ", ".join(parts)


def panels(model: ObservedModel) -> list[str]:
    """The panels that mean something here: offers always; the rest for the industry."""
    names = ["offers"]
    if model.union.members is not None:
        names.append("solidarity")
    if len(model.companies) > 1:
        names.append("settled")
    if model.clock == "week":
        names.append("losses")
    return names


CONTROL_VALUE: dict[str, Callable[[Any], str]] = {
    "seed": lambda v: f"{int(v)}",
    "strike_fund": lambda v: f"${float(v):g}M",
    "backlog_shift": lambda v: f"{int(v):+d} weeks",
    "streamer_share": lambda v: f"{float(v):.2f}",
    "sanction_weeks": lambda v: f"{float(v):g} weeks of revenue",
}
CONTROL_VALUE["mode"] = CONTROL_VALUE["coalition_rule"] = str
CONTROL_LABEL = {
    "mode": "Bargaining mode", "seed": "Seed", "strike_fund": "Strike fund",
    "backlog_shift": "Backlog, weeks added", "streamer_share": "Streamers' market share",
    "coalition_rule": "Coalition rule", "sanction_weeks": "Sanctions for leaving",
}


def control_label(name: str, value: Any) -> str:
    """A control's label with its value, as the page shows it."""
    shown = CONTROL_VALUE.get(name, str)(value)
    return f"{CONTROL_LABEL.get(name, name)}: {shown}"


# ---------------------------------------------------------------- components
@solara.component
def Controls(params: dict[str, Any], values: dict[str, Any],
             on_change: Callable[[str, Any], None]) -> None:
    """The scenario's controls, each labelled with its value (sliders show theirs)."""
    for name, options in params.items():
        if not isinstance(options, dict):
            continue
        value = values.get(name, options["value"])

        def change(new: Any, name: str = name) -> None:
            on_change(name, new)

        with solara.Div(classes=["bargainsim-control", f"bargainsim-control-{name}"]):
            solara.Div(children=[control_label(name, value)],
                       classes=["bargainsim-control-label"])
            if options["type"] == "Select":
                solara.Select(CONTROL_LABEL.get(name, name), values=options["values"],
                              value=value, on_value=change, dense=True)
                continue
            slider = solara.SliderInt if options["type"] == "SliderInt" else solara.SliderFloat
            slider(CONTROL_LABEL.get(name, name), value=value, min=options["min"],
                   max=options["max"], step=options["step"], on_value=change,
                   thumb_label=False)


@solara.component
def Plot(figure: Any, name: str) -> None:
    """A figure as inline SVG in a classed box (the tests find plots by these classes)."""
    solara.HTML(tag="div", unsafe_innerHTML=plots.svg(figure),
                classes=["bargainsim-plot", f"bargainsim-{name}"])


@solara.component
def Panels(model: ObservedModel, tick: int) -> None:
    """The plots for this scenario, redrawn at each step (`tick`)."""
    issue = solara.use_reactive(model.space.names[0])
    prediction = theory_of(model)
    shown = panels(model)
    with solara.Div(classes=["bargainsim-panels"]):
        with solara.Div(classes=["bargainsim-card"]):
            solara.HTML(tag="h2", unsafe_innerHTML="Offers against demands, by "
                        + _unit(model))
            if model.space.size > 1:
                with solara.Div(classes=["bargainsim-issues"]):
                    solara.ToggleButtonsSingle(value=issue, values=list(model.space.names))
            point = (prediction.step, prediction.value) if prediction else None
            Plot(plots.offers_figure(model, issue.value, point), "offers")
        if "solidarity" in shown:
            with solara.Div(classes=["bargainsim-card"]):
                Plot(plots.solidarity_figure(model), "solidarity")
        if "settled" in shown:
            with solara.Div(classes=["bargainsim-card"]):
                Plot(plots.settled_figure(model), "settled")
        if "losses" in shown:
            with solara.Div(classes=["bargainsim-card"]):
                Plot(plots.losses_figure(model), "losses")


@solara.component
def RunStatus(model: ObservedModel, tick: int) -> None:
    """Where the run stands, its deals, theory's prediction and the command that reproduces it."""
    with solara.Div(classes=["bargainsim-status"]):
        solara.Div(children=[summary(model)], style={"font-weight": "bold"},
                   classes=["bargainsim-summary"])
        for line in deal_lines(model):
            solara.Div(children=[line], classes=["bargainsim-deal"])
        prediction = theory_of(model)
        if prediction is not None:
            solara.Div(children=[f"Theory: {prediction.text}."], classes=["bargainsim-theory"])
        solara.Div(children=[f"In effect: {settings(model)}."])


@solara.component
def ScenarioView(path: str, choice: solara.Reactive[str], catalogue: list[str]) -> None:
    """One scenario's page: its controls, the run's buttons and summary, and its plots."""
    spec = _spec(path)
    params = model_params(spec, path)
    defaults = {k: p["value"] for k, p in params.items() if isinstance(p, dict)}
    values = solara.use_reactive(defaults)
    first = solara.use_memo(lambda: ObservedModel(scenario_file=path, **defaults), [])
    model = solara.use_reactive(first)
    tick = solara.use_reactive(0)
    playing = solara.use_reactive(False)
    speed = solara.use_reactive("normal")
    error = solara.use_reactive("")

    def fresh(new_values: dict[str, Any]) -> ObservedModel | None:
        try:
            built = ObservedModel(scenario_file=path, **new_values)
        except InputError as exc:
            error.value = "; ".join(p.render(exc.source) for p in exc.problems)
            return None
        error.value = ""
        return built

    def restart() -> None:
        built = fresh(values.value)
        if built is not None:
            model.value = built
            tick.value += 1

    def change(name: str, value: Any) -> None:
        new = {**values.value, name: value}
        values.value = new
        playing.value = False
        built = fresh(new)
        if built is not None:
            model.value = built
            tick.value += 1

    def step() -> None:
        if not model.value.running:
            restart()
        model.value.step()
        tick.value += 1

    def play_pause() -> None:
        if playing.value:
            playing.value = False
            return
        if not model.value.running:
            restart()
        playing.value = True

    def run_on() -> None:
        while playing.value and model.value.running:
            time.sleep(SPEEDS[speed.value])
            if not playing.value:
                break
            model.value.step()
            tick.value += 1
        playing.value = False

    solara.lab.use_task(run_on, dependencies=[playing.value], prefer_threaded=True)

    m = model.value
    with solara.Div(classes=["bargainsim-layout"]):
        with solara.Div(classes=["bargainsim-card", "bargainsim-run"]):
            with solara.Div(classes=["bargainsim-buttons", "bargainsim-controls"]):
                solara.Button("Reset", on_click=lambda: (playing.set(False), restart()),
                              color="primary", outlined=True)
                solara.Button("Pause" if playing.value else "Play", on_click=play_pause,
                              color="primary")
                solara.Button("Step", on_click=step, color="primary",
                              disabled=playing.value)
                solara.Div(children=["Speed:"])
                solara.ToggleButtonsSingle(value=speed, values=list(SPEEDS))
            RunStatus(m, tick.value)
            if error.value:
                solara.Error(error.value)
        with solara.Div(classes=["bargainsim-card", "bargainsim-side"]):
            solara.HTML(tag="h2", unsafe_innerHTML="Scenario and controls")
            with solara.Div(classes=["bargainsim-control", "bargainsim-control-scenario"]):
                solara.Div(children=[f"Scenario: {choice.value}"],
                           classes=["bargainsim-control-label"])
                solara.Select("Scenario", value=choice, values=catalogue, dense=True)
            solara.Div(children=[spec.description or spec.name])
            solara.Div(children=["A change starts a new run at step 0."],
                       style={"font-style": "italic"})
            Controls(params, values.value, change)
            solara.Div(children=["Same run from the command line:"],
                       style={"margin-top": "8px"})
            solara.Div(children=[m.command()], classes=["bargainsim-command"])
        with solara.Div(style={"grid-area": "plots", "min-width": "0"}):
            Panels(m, tick.value)


@solara.component
def Layout(children: list[Any] = []) -> None:  # noqa: B006 - Solara's signature
    """The page as a plain document, with no app shell.

    Solara's default shell holds the page in a box of the screen's height that scrolls
    inside, out of reach of a phone's and a screenshot's scrolling.
    """
    solara.Div(children=children)


@solara.component
def Page() -> None:
    """The app: a scenario picker, then that scenario's page."""
    first = initial_scenario()
    catalogue = shipped_scenarios(first)
    labels = {path: label for label, path in catalogue.items()}
    choice = solara.use_reactive(labels.get(first, next(iter(catalogue))))
    path = catalogue[choice.value]
    solara.Style(CSS)
    solara.Title(f"bargainsim: {_spec(path).name}")
    with solara.Div(classes=["bargainsim-app"]):
        with solara.Div(classes=["bargainsim-head"]):
            solara.Div(children=[f"bargainsim: {_spec(path).name}"],
                       classes=["bargainsim-title"])
            solara.Div(children=["a watch-only run of the model; students play with "
                                 "`bargainsim play`"])
        ScenarioView(path, choice, list(catalogue)).key(path)
