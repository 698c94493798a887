"""The app's controls as scenario overrides: what each slider means in `--set` terms.

Every control becomes `KEY.PATH=VALUE` overrides applied by `bargainsim.scenario.load_scenario`,
so a value from the page is validated exactly like `bargainsim run --set`, and the page can
show the command line that reproduces the run. A control left at the scenario's own value
adds no override, so the app's run at the defaults is the CLI's run of the file.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bargainsim import shipped
from bargainsim.prepare import resolve_companies
from bargainsim.presets import PRESETS
from bargainsim.scenario import MODES, CompanyParty, Scenario, UnionParty

DEFAULT_SCENARIO = shipped.scenario_path()
RULES = ("hardest_line", "unanimity", "share_weighted")
DIGITAL = ("streamer", "tech")


@dataclass(frozen=True)
class Controls:
    """What the user set on the page; None or the neutral value means "the scenario's own"."""

    strike_fund: float | None = None
    backlog_shift: float = 0.0
    streamer_share: float | None = None
    coalition_rule: str | None = None
    sanction_weeks: float | None = None


def shipped_scenarios(extra: str | Path | None = None) -> dict[str, str]:
    """The scenario files the page offers, label -> path (the shipped ones, then `extra`)."""
    found = {f"{name}.yaml": str(path.resolve())
             for name, path in shipped.shipped("scenario").items()}
    if extra is not None:
        resolved = Path(extra).resolve()
        if str(resolved) not in found.values():
            found[Path(extra).name] = str(resolved)
    return found


def _companies(spec: Scenario) -> dict[str, CompanyParty]:
    return {n: p for n, p in spec.parties.items() if isinstance(p, CompanyParty)}


def _raw(party: CompanyParty, field: str) -> float:
    """A company's own value for a business field: its file's, else its preset's."""
    value = getattr(party, field)
    return float(value if value is not None else PRESETS[party.preset][field])


def digital_share(spec: Scenario) -> float | None:
    """Streamers' and tech platforms' market share, or None when the industry is not mixed."""
    if spec.industry.streamer_share is not None:
        return spec.industry.streamer_share
    resolved = resolve_companies(spec)
    digital = sum(r["market_share"] for r in resolved.values() if r["preset"] in DIGITAL)
    if not 0 < digital < 1:
        return None
    return round(float(digital), 2)


def relevant(spec: Scenario) -> set[str]:
    """The controls that change something in this scenario."""
    names = {"mode", "seed"}
    union = spec.parties[spec.union_name]
    if isinstance(union, UnionParty) and union.members is not None:
        names.add("strike_fund")
    if spec.protocol.clock == "week":
        names.add("backlog_shift")
    if digital_share(spec) is not None:
        names.add("streamer_share")
    if len(_companies(spec)) > 1:
        names |= {"coalition_rule", "sanction_weeks"}
    return names


def overrides(spec: Scenario, controls: Controls) -> list[str]:
    """The `--set` overrides that turn the scenario into what the controls say."""
    out: list[str] = []
    union = spec.parties[spec.union_name]
    assert isinstance(union, UnionParty)
    if controls.strike_fund is not None and controls.strike_fund != union.strike_fund:
        out.append(f"parties.{spec.union_name}.strike_fund={_num(controls.strike_fund)}")
    for name, party in _companies(spec).items():
        if controls.backlog_shift:
            weeks = max(0.0, _raw(party, "backlog_weeks") + controls.backlog_shift)
            out.append(f"parties.{name}.backlog_weeks={_num(weeks)}")
    share = controls.streamer_share
    if share is not None and digital_share(spec) is not None and share != digital_share(spec):
        out.append(f"industry.streamer_share={_num(share)}")
    if controls.coalition_rule is not None and controls.coalition_rule != spec.coalition.rule:
        out.append(f"coalition.rule={controls.coalition_rule}")
    sanction = controls.sanction_weeks
    if sanction is not None and sanction != spec.coalition.sanction_weeks:
        out.append(f"coalition.sanction_weeks={_num(sanction)}")
    return out


def _num(value: float) -> str:
    return f"{float(value):.10g}"


def command_line(path: str, mode: str, seed: int, sets: list[str]) -> str:
    """The `bargainsim run` command that reproduces the page's run (a shipped one by name)."""
    shown = shipped.name_of(path)
    if shown is None:
        try:
            shown = Path(path).resolve().relative_to(Path.cwd()).as_posix()
        except ValueError:
            shown = str(path)
    words = ["bargainsim", "run", shown, "--mode", mode, "--seed", str(seed)]
    for item in sets:
        words += ["--set", item]
    return shlex.join(words)


def model_params(spec: Scenario, path: str) -> dict[str, Any]:
    """Mesa `model_params` for SolaraViz: the scenario's relevant controls at its own values."""
    union = spec.parties[spec.union_name]
    assert isinstance(union, UnionParty)
    fund = float(union.strike_fund)
    share = digital_share(spec)
    params: dict[str, Any] = {
        "scenario_file": path,
        "mode": {"type": "Select", "value": spec.mode, "values": list(MODES),
                 "label": "Bargaining mode"},
        "seed": {"type": "SliderInt", "value": 0, "min": 0, "max": 199, "step": 1,
                 "label": "Seed"},
        "strike_fund": {"type": "SliderFloat", "value": fund, "min": 0.0,
                        "max": max(200.0, 5 * fund), "step": 5.0,
                        "label": "Strike fund $M"},
        "backlog_shift": {"type": "SliderInt", "value": 0, "min": -8, "max": 26, "step": 1,
                          "label": "Backlog ± weeks"},
        "streamer_share": {"type": "SliderFloat", "value": share, "min": 0.05, "max": 0.95,
                           "step": 0.01, "label": "Streamer share"},
        "coalition_rule": {"type": "Select", "value": spec.coalition.rule, "values": list(RULES),
                           "label": "Coalition rule"},
        "sanction_weeks": {"type": "SliderFloat", "value": float(spec.coalition.sanction_weeks),
                           "min": 0.0, "max": 52.0, "step": 1.0,
                           "label": "Sanctions for leaving (weeks of revenue)"},
    }
    keep = relevant(spec) | {"scenario_file"}
    return {k: v for k, v in params.items() if k in keep}
