"""The classroom page: Mesa's SolaraViz over the bargaining model, with live plots.

Run it with `bargainsim viz [SCENARIO]` (or `solara run bargainsim.viz.app`). The sidebar
picks a scenario file; SolaraViz's own controls pick the mode, seed and the parameters
that matter most, which take effect on Reset; Step and Play advance the model.
Changing the scenario rebuilds the whole view with that scenario's own values.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import solara
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

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


def initial_scenario() -> str:
    """The scenario the page opens with: the one `bargainsim viz` was given, else wga_2023."""
    return os.environ.get(SCENARIO_ENV) or str(DEFAULT_SCENARIO)


@lru_cache(maxsize=32)
def _spec(path: str) -> Scenario:
    return load_scenario(path)


def _unit(model: ObservedModel) -> str:
    return {"move": "Move", "week": "Week", "continuous": "Time"}[model.clock]


def _settings(model: ObservedModel) -> str:
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


@solara.component
def RunStatus(model: solara.Reactive[ObservedModel]) -> None:
    """Where the run stands, its deals, and the command that reproduces it."""
    update_counter.get()
    m = model.value
    settled = sum(c.settled for c in m.companies.values())
    interim = sum(c.status.working and not c.status.final for c in m.companies.values())
    with solara.Card("Run", classes=["bargainsim-status"]):
        solara.Div(children=[
            f"{_unit(m)} {m.t} of {m.horizon:g}: {settled} of {len(m.companies)} "
            f"companies settled" + (f", {interim} back at work until the master deal"
                                    if interim else "") + ("" if m.running else " (finished)")
        ], style={"font-weight": "bold"})
        solara.Div(children=[f"In effect: {_settings(m)}"], style={"font-size": "0.9em"})
        for deal in m.deals:
            who = deal.coalition or ", ".join(deal.parties)
            when = f"time {deal.time:.2f}" if deal.time is not None else f"step {deal.step}"
            terms = ", ".join(f"{k} {v:.3g}" for k, v in deal.terms.items())
            solara.Div(children=[f"Deal at {when}: {who}: {terms} (yes {deal.yes_share:.0%})"],
                       style={"font-size": "0.9em"})
        solara.Div(children=["Same run from the command line:"], style={"margin-top": "6px"})
        solara.Preformatted(m.command(), style_="white-space: pre-wrap; font-size: 0.8em;")


def _figure(draw: Callable[[ObservedModel], Any], name: str) -> Callable[[ObservedModel], Any]:
    def component(model: ObservedModel) -> solara.Element:
        update_counter.get()
        figure = draw(model)
        with solara.Column(classes=["bargainsim-plot", f"bargainsim-{name}"]) as column:
            solara.FigureMatplotlib(figure, format="png", dpi=plots.DPI)
        return column

    component.__name__ = f"{name}_plot"
    return component


COMPONENTS = [
    (_figure(plots.offers_figure, "offers"), 0),
    (_figure(plots.solidarity_figure, "solidarity"), 0),
    (_figure(plots.settled_figure, "settled"), 0),
    (_figure(plots.losses_figure, "losses"), 0),
]


@solara.component
def Page() -> None:
    """The app: a scenario picker, then SolaraViz for that scenario."""
    first = initial_scenario()
    catalogue = shipped_scenarios(first)
    labels = {path: label for label, path in catalogue.items()}
    choice = solara.use_reactive(labels.get(first, next(iter(catalogue))))
    path = catalogue[choice.value]
    spec = _spec(path)
    model = solara.use_memo(lambda: solara.reactive(ObservedModel(scenario_file=path)), [path])
    with solara.Sidebar():
        with solara.Card("Scenario"):
            solara.Select("Scenario file", value=choice, values=list(catalogue))
            solara.Div(children=[spec.description or spec.name])
            solara.Div(children=["Model parameters take effect on Reset."],
                       style={"font-style": "italic", "margin-top": "4px"})
        RunStatus(model)
    SolaraViz(
        model,
        components=COMPONENTS,
        model_params=model_params(spec, path),
        name=f"bargainsim: {spec.name}",
    ).key(path)
