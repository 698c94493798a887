"""The end of a game of `play`: the student's result beside the agents' and theory's.

The agents' result is the unmodified model on the same scenario, mode and seed (the
strategy in the student's seat); theory's is a closed form (bargainsim.game.prediction)
where one applies, which it does only for the two-party classroom games.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from bargainsim.agents import Coalition, Company, Party, Union
from bargainsim.game.prediction import Prediction
from bargainsim.model import BargainingModel

Row = tuple[str, list[str]]


def num(value: float) -> str:
    """A value in its unit, with up to four decimals and no trailing zeros."""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _when(step: int | None, unit: str, horizon: float) -> str:
    return str(step) if step is not None else f"none by {unit} {int(horizon)}"


def _money(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def _table(heads: list[str], rows: list[Row]) -> str:
    width = max(len(label) for label, _ in rows) + 2
    cols = [max(12, len(h) + 2, *(len(r[1][i]) + 2 for r in rows)) for i, h in enumerate(heads)]
    lines = [" " * width + "".join(f"{h:>{c}}" for h, c in zip(heads, cols, strict=True))]
    for label, cells in rows:
        lines.append(f"{label:<{width}}" + "".join(
            f"{v:>{c}}" for v, c in zip(cells, cols, strict=True)))
    return "\n".join(lines)


def _move_rows(
    model: BargainingModel, party: Party, recs: list[dict[str, Any]], theory: Prediction | None
) -> tuple[list[Row], list[float | None]]:
    """Rows for a two-party move-clock game, and each column's utility to the student."""
    space = model.space
    results: list[tuple[int | None, dict[str, float] | None]] = [
        (r["settlement_step"], r["deals"][0]["terms"] if r["deals"] else None) for r in recs
    ]
    if theory is not None:
        results.append((theory.step, theory.terms or None))
    rows: list[Row] = [("deal accepted at step",
                        [_when(s, "step", model.horizon) for s, _ in results])]
    for name in space.names:
        rows.append((f"  {name}", [num(t[name]) if t else "-" for _, t in results]))
    utils = [party.utility(space.normalise(t, np.zeros(space.size))) if t else None
             for _, t in results]
    rows.append(("your utility (0-1)", [num(u) if u is not None else "-" for u in utils]))
    if party.discount != 1.0:
        disc = [u * party.discount ** (s - 1) if u is not None and s is not None else None
                for u, (s, _) in zip(utils, results, strict=True)]
        rows.append((f"after discounting ({party.discount:g}/move)",
                     [num(d) if d is not None else "-" for d in disc]))
        utils = disc
    return rows, utils


def _company_rows(model: BargainingModel, company: Company, recs: list[dict[str, Any]]
                  ) -> list[Row]:
    def col(get: Callable[[dict[str, Any]], str]) -> list[str]:
        return [get(r) for r in recs]

    name = company.name
    rows: list[Row] = [(f"{name}'s deal (week)", col(lambda r: _when(
        r["companies"][name]["settlement_step"], "week", model.horizon)))]
    for issue in model.space.names:
        rows.append((f"  {issue}", col(lambda r, i=issue: num(r["companies"][name]["terms"][i])
                                       if r["companies"][name]["terms"] else "-")))
    rows += [
        ("strike losses $M", col(lambda r: _money(r["companies"][name]["losses"]))),
        ("contract cost $M", col(lambda r: _money(r["companies"][name]["deal_cost"]))),
        ("total cost $M", col(lambda r: _money(_total(r, name)))),
        ("market share at the end", col(lambda r: f"{r['companies'][name]['market_share']:.1%}")),
        ("every company settled (week)", col(lambda r: _when(r["settlement_step"], "week",
                                                             model.horizon))),
        ("union utility (0-1)", col(lambda r: "-" if r["union_utility"] is None
                                    else f"{r['union_utility']:.3f}")),
    ]
    return rows


def _total(rec: dict[str, Any], name: str) -> float:
    c = rec["companies"][name]
    return float(c["losses"] + c["deal_cost"])


def _mean_terms(model: BargainingModel, rec: dict[str, Any]) -> dict[str, float] | None:
    """Terms averaged over settled companies, weighted by their share at the start."""
    rows = [(model.companies[n].share0, c["terms"]) for n, c in rec["companies"].items()
            if c["terms"] is not None]
    if not rows:
        return None
    total = sum(w for w, _ in rows)
    return {k: sum(w * t[k] for w, t in rows) / total for k in model.space.names}


def _union_rows(model: BargainingModel, recs: list[dict[str, Any]]) -> list[Row]:
    def col(get: Callable[[dict[str, Any]], str]) -> list[str]:
        return [get(r) for r in recs]

    several = len(model.companies) > 1 and not model.rules.one_deal
    rows: list[Row] = [
        ("every company settled (week)", col(lambda r: _when(r["settlement_step"], "week",
                                                             model.horizon))),
        ("first deal (week)", col(lambda r: _when(r["first_deal_step"], "week",
                                                  model.horizon))),
    ]
    means = [_mean_terms(model, r) for r in recs]
    label = "  {} (mean, share-weighted)" if several else "  {}"
    for issue in model.space.names:
        rows.append((label.format(issue), [num(m[issue]) if m else "-" for m in means]))
    rows += [
        ("union utility (0-1)", col(lambda r: "-" if r["union_utility"] is None
                                    else f"{r['union_utility']:.3f}")),
        ("writer-weeks lost", col(lambda r: _money(r["writer_weeks_lost"]))),
        ("writers' lost earnings $M", col(lambda r: _money(r["writers_lost_earnings"]))),
        ("strike fund left $M", col(lambda r: f"{r['strike_fund_left']:.1f}")),
        ("companies' strike losses $M", col(lambda r: _money(sum(r["company_losses"].values())))),
        ("deals voted down", col(lambda r: str(sum(not v["passed"]
                                                   for v in r["ratification_votes"])))),
    ]
    return rows


def _verdict(model: BargainingModel, party: Party, recs: list[dict[str, Any]]) -> str:
    you, agents = recs
    horizon = int(model.horizon)
    if isinstance(party, Company):
        mine = you["companies"][party.name]["settlement_step"]
        theirs = agents["companies"][party.name]["settlement_step"]
        gap = _total(you, party.name) - _total(agents, party.name)
        diff = ("the same as the agent's" if round(gap) == 0 else
                f"${abs(gap):,.0f}M {'more' if gap > 0 else 'less'} than the agent's")
        unsettled = " (a contract is still to be paid for)" if mine is None else ""
        return (f"Your deal: {_weeks(mine, theirs, horizon)}. Your total cost (strike losses "
                f"plus contract) was {diff}{unsettled}.")
    if isinstance(party, Coalition):
        names = model.spec.coalition.members or list(model.companies)
        gap = sum(_total(you, n) - _total(agents, n) for n in names)
        when = _weeks(you["settlement_step"], agents["settlement_step"], horizon)
        diff = ("the same as the agents'" if round(gap) == 0 else
                f"${abs(gap):,.0f}M {'more' if gap > 0 else 'less'} than the agents'")
        return (f"Last deal: {when}. Your members' total cost (strike losses plus "
                f"contracts) was {diff}.")
    assert isinstance(party, Union)
    when = _weeks(you["settlement_step"], agents["settlement_step"], horizon)
    u_you, u_agents = you["union_utility"], agents["union_utility"]
    worth = ("" if u_you is None or u_agents is None else
             f"; the terms were worth {u_you:.3f} to the union against the agents' {u_agents:.3f}")
    return f"Last deal: {when}{worth}."


def _weeks(mine: int | None, theirs: int | None, horizon: int) -> str:
    agent = f"the agent's in week {theirs}" if theirs is not None else (
        f"the agent had none by week {horizon}")
    if mine is None:
        return f"none by week {horizon} ({agent})"
    if mine == theirs:
        return f"week {mine}, the same week as the agent"
    if theirs is None:
        return f"week {mine} ({agent})"
    gap = abs(mine - theirs)
    return (f"week {mine}, {gap} week{'s' if gap > 1 else ''} "
            f"{'earlier' if mine < theirs else 'later'} than {agent}")


def compare_results(
    model: BargainingModel,
    party: Party,
    you: dict[str, Any],
    agents: dict[str, Any],
    theory: Prediction | None,
) -> str:
    """The end-of-game comparison as text (the records are runner.record's)."""
    recs = [you, agents]
    heads = ["you", "agents"]
    lines = [f"== result: {model.spec.name}, mode {model.mode}, seed {model.seed}, "
             f"you played {party.name} =="]
    if model.clock == "move":
        if theory is not None:
            heads.append("theory")
        rows, utils = _move_rows(model, party, recs, theory)
        lines.append(_table(heads, rows))
        if theory is not None:
            lines.append(f"theory: {theory.source}")
        if utils[0] is not None and utils[1] is not None:
            lines.append(f"You got {num(utils[0])} against the agent's {num(utils[1])}"
                         + (f" and theory's {num(utils[2])}." if len(utils) > 2
                            and utils[2] is not None else "."))
        elif utils[0] is None:
            lines.append("You reached no deal.")
        return "\n".join(lines)
    rows = (_company_rows(model, party, recs) if isinstance(party, Company)
            else _union_rows(model, recs))
    lines.append(_table(heads, rows))
    lines.append(_verdict(model, party, recs))
    lines.append("theory: no closed form applies to this scenario (members, losses and "
                 "chance); the agents are the benchmark.")
    return "\n".join(lines)
