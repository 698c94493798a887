"""The model the app runs: a BargainingModel built from the page's controls, observed each step.

Observation only reads the model's attributes (through a Mesa DataCollector) after the
model's own step, so a run in the app is the same run as `bargainsim run` with the
overrides and seed the page shows.
"""

from __future__ import annotations

from typing import Any

import mesa

from bargainsim.model import BargainingModel
from bargainsim.scenario import load_scenario
from bargainsim.viz.params import DEFAULT_SCENARIO, Controls, command_line, overrides


def _positions(model: BargainingModel) -> dict[str, dict[str, dict[str, float]]]:
    """Per open table: the union's demand and the employer's offer on the table, in units."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    for table in model.tables:
        if table.closed:
            continue
        sides: dict[str, dict[str, float]] = {}
        if table.union_offer is not None:
            sides["demand"] = model.space.to_units(table.union_offer)
        if table.employer_offer is not None:
            sides["offer"] = model.space.to_units(table.employer_offer)
        out[table.name] = sides
    return out


def _solidarity(model: BargainingModel) -> float:
    return float(model.union.solidarity)


def _writers_back(model: BargainingModel) -> float:
    return float(model.writers_back[-1]) if model.writers_back else 0.0


def _losses(model: BargainingModel) -> dict[str, float]:
    return {name: float(c.cum_loss) for name, c in model.companies.items()}


def _writers_lost(model: BargainingModel) -> float:
    return float(model.writers_lost_earnings)


def _settled(model: BargainingModel) -> dict[str, bool]:
    return {name: c.settled for name, c in model.companies.items()}


def _status(model: BargainingModel) -> dict[str, str]:
    """Each company's status (`bargainsim.status`): striking, settled, interim, ..."""
    return {name: c.status.name for name, c in model.companies.items()}


def _bargaining_with(model: BargainingModel) -> dict[str, str]:
    """Which table each unsettled company is bargaining at (the coalition's or its own)."""
    return {
        c.name: table.name
        for table in model.tables
        if not table.closed
        for c in table.covers
    }


def _step(model: BargainingModel) -> float | None:
    """The step this record closes, as the text and the CLI name it; None before the first.

    The model's clock `t` moves on at the end of a step, so the week or move just played
    is `t - 1` (a deal struck in move 18 is recorded after it, at step 18); with the
    continuous clock, the time reached.
    """
    if model.clock == "continuous":
        return float(model.time) if model.steps else None
    return model.t - 1 if model.steps else None


REPORTERS = {
    "step": _step,
    "positions": _positions,
    "solidarity": _solidarity,
    "writers_back": _writers_back,
    "losses": _losses,
    "writers_lost": _writers_lost,
    "settled": _settled,
    "status": _status,
    "table_of": _bargaining_with,
}


class ObservedModel(BargainingModel):
    """The bargaining model built from a scenario file and the page's controls."""

    def __init__(
        self,
        scenario_file: str = str(DEFAULT_SCENARIO),
        mode: str | None = None,
        seed: int = 0,
        strike_fund: float | None = None,
        backlog_shift: float = 0.0,
        streamer_share: float | None = None,
        coalition_rule: str | None = None,
        sanction_weeks: float | None = None,
    ) -> None:
        """Load `scenario_file`, apply the controls as `--set` overrides and build the model.

        Args:
            scenario_file: path of a scenario YAML file.
            mode: bargaining mode; None for the scenario's.
            seed: the run's seed.
            strike_fund: the union's strike fund in $M; None for the scenario's.
            backlog_shift: weeks added to (or taken from) every company's backlog.
            streamer_share: streamers' and tech platforms' market share; None for the scenario's.
            coalition_rule: how the coalition pools its members' positions; None for the
                scenario's.
            sanction_weeks: what leaving the alliance costs a member, in weeks of its revenue
                at risk (breakaway, interim agreements); None for the scenario's.

        Raises:
            InputError: the file or an override is invalid (as with `bargainsim run --set`).
        """
        controls = Controls(strike_fund, backlog_shift, streamer_share, coalition_rule,
                            sanction_weeks)
        self.controls = controls
        self.scenario_file = str(scenario_file)
        self.overrides = overrides(load_scenario(scenario_file), controls)
        spec = load_scenario(scenario_file, self.overrides)
        super().__init__(spec, mode=mode or None, seed=int(seed))  # type: ignore[arg-type]
        self.datacollector = mesa.DataCollector(model_reporters=dict(REPORTERS))
        self.datacollector.collect(self)

    def step(self) -> None:
        """The model's own step, then a record of what the plots show."""
        super().step()
        self.datacollector.collect(self)

    @property
    def history(self) -> dict[str, list[Any]]:
        """Every reporter's values, one per step from the start (step 0)."""
        return self.datacollector.model_vars

    def command(self) -> str:
        """The `bargainsim run` command that reproduces this run."""
        return command_line(self.scenario_file, self.mode, self.seed, self.overrides)
