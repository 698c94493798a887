"""One run in, one plain record out: the only thing that crosses a process boundary."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from bargainsim import outputs
from bargainsim.model import BargainingModel
from bargainsim.schema import Mode, Scenario


def run(
    spec: Scenario, mode: Mode | None = None, seed: int = 0, trace: bool = False
) -> dict[str, Any]:
    """Simulate one scenario in one mode with one seed; return a JSON-able record."""
    model = BargainingModel(spec, mode=mode, seed=seed, trace=trace).run()
    return record(model)


def run_seeds(
    spec: Scenario, mode: Mode | None = None, seeds: Iterable[int] = (0,)
) -> list[dict[str, Any]]:
    """`run` for each seed, in one model restarted for each (see `BargainingModel.restart`).

    The records equal those of `run`, byte for byte; a batch spares Mesa's model
    construction for every run but the first. The first run that raises stops it.
    """
    out = []
    for _, rec, error in each_run(spec, mode, seeds):
        if error is not None:
            raise error
        out.append(rec)
    return out


def each_run(
    spec: Scenario, mode: Mode | None, seeds: Iterable[int]
) -> Iterator[tuple[int, dict[str, Any] | None, Exception | None]]:
    """(seed, record, None) for each seed, or (seed, None, error) for a run that raised.

    One model is restarted for seed after seed; after an error the next seed gets a fresh
    model, so a failed run leaves nothing behind.
    """
    model: BargainingModel | None = None
    for seed in seeds:
        try:
            if model is None or model.clock == "continuous":
                model = BargainingModel(spec, mode=mode, seed=seed)
            else:
                model = model.restart(seed)
            rec = record(model.run())
        except Exception as exc:  # noqa: BLE001 - handed to the caller with its seed
            model = None
            yield seed, None, exc
        else:
            yield seed, rec, None


def record(model: BargainingModel) -> dict[str, Any]:
    """The plain record of a finished model: every output the table reads from a run.

    See `bargainsim.outputs` (and README: What a run reports).
    """
    return outputs.record(model)
