"""What the class's deals are set beside: theory's prediction and the agents' results.

For a round: the closed form where one applies (`game.prediction`), the agents' game on
the same scenario and seed, and the agents over many seeds in each mode compared (the
settlement steps and the terms of every deal, which the teacher's page draws as
histograms). Then the export: one CSV row per deal (or per table without one).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from bargainsim.classroom.plan import PlannedRound
from bargainsim.game.prediction import predict
from bargainsim.model import BargainingModel
from bargainsim.runner import run


@dataclass(frozen=True)
class Benchmark:
    """A round's yardsticks: theory, the agents on its seed, the agents over seeds."""

    theory: dict[str, Any] | None
    agents: dict[str, Any]
    spread: dict[str, dict[str, Any]]

    def as_json(self) -> dict[str, Any]:
        """A plain mapping for the teacher's page."""
        return {"theory": self.theory, "agents": self.agents, "spread": self.spread}


def benchmark(rnd: PlannedRound, seeds: int) -> Benchmark:
    """Theory's prediction, the agents' result on the round's seed, and over `seeds` seeds."""
    spec, mode, seed = rnd.scenario, rnd.mode, rnd.spec.seed
    found = predict(BargainingModel(spec, mode=mode, seed=seed))
    theory = None if found is None else {
        "source": found.source, "step": found.step, "terms": dict(found.terms)}
    rec = run(spec, mode=mode, seed=seed)
    agents = {"step": rec["settlement_step"], "deals": [
        {"step": d["step"], "table": d.get("coalition") or d["parties"][0], "terms": d["terms"]}
        for d in rec["deals"]]}
    spread: dict[str, dict[str, Any]] = {}
    for m in rnd.spec.compare_modes or [mode]:
        steps: list[int | None] = []
        terms: dict[str, list[float]] = {name: [] for name in spec.issues}
        for s in range(seed, seed + seeds):
            r = run(spec, mode=m, seed=s)
            steps.append(r["settlement_step"])
            for deal in r["deals"]:
                for name, value in deal["terms"].items():
                    terms[name].append(float(value))
        spread[m] = {"steps": steps, "terms": terms, "seeds": seeds}
    return Benchmark(theory, agents, spread)


FIELDS = ["round", "round_name", "table", "scenario", "mode", "seed", "players", "status",
          "deal_with", "deal_step"]


def csv_text(rows: list[dict[str, Any]], issues: list[str]) -> str:
    """The results as CSV: the fixed fields, then per issue the deal's, theory's, agents'."""
    extra = [f"{who}_{name}" for name in issues for who in ("deal", "theory", "agents")]
    out = io.StringIO()
    writer = csv.DictWriter(out, FIELDS + ["theory_step", "agents_step"] + extra,
                            extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return out.getvalue()


def _cell(value: Any) -> Any:
    """A CSV cell; text a spreadsheet would run as a formula (a student's name) is quoted."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
