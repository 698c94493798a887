"""The talks chain's chances estimated from the documented talks of past strikes.

The talks process (`bargainsim.talks`, docs/model.md) is a two-state chain a week: talks
on hold a session with `meet_probability`; a session without a deal breaks them off with
`breakdown_probability`; broken-off talks resume with `resume_probability` (and may meet
the same week). History reports the weeks with a session and the breakdowns, not whether
quiet talks were on or off, so the meet and resume chances are estimated by the chain's
likelihood (a forward pass over the hidden on/off state) on a grid, with uniform priors:
the posterior mean and a 95% credible interval of each. A breakdown is reported, so its
chance is a Beta posterior of breakdowns over failed sessions.

`python -m bargainsim.talks_history` prints the estimates from the shipped data set
(`data/history/talks.yaml`); the scenarios' `talks` values cite them.
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
from scipy import stats

from bargainsim.errors import InputError, Problem
from bargainsim.yamlio import parse_yaml_text

GRID = np.linspace(0.00125, 0.99875, 400)  # values of a chance the posterior is computed at


@dataclass(frozen=True)
class Strike:
    """One strike's talks, week by week from its first day."""

    name: str
    on_at_start: bool
    sessions: tuple[int, ...]  # weeks with a session
    breakdowns: tuple[int, ...]  # weeks whose session ended in a breakdown
    deal: int  # the week of the tentative agreement (a session that succeeded)


SOURCE = "data/history/talks.yaml"


def _bad(where: str, message: str) -> InputError:
    return InputError(SOURCE, [Problem(where, message)])


def _week(start: dt.date, day: Any, where: str) -> int:
    if not isinstance(day, dt.date):
        raise _bad(where, f"{day!r} is not a date (YYYY-MM-DD)")
    days = (day - start).days
    if days < 0:
        raise _bad(where, f"{day} is before the strike's start {start}")
    return days // 7


def strikes(doc: dict[str, Any] | None = None) -> list[Strike]:
    """The strikes of the data set (the shipped one unless `doc` is given), in weeks."""
    if doc is None:
        doc = parse_yaml_text(resources.files("bargainsim").joinpath(SOURCE).read_text(),
                              SOURCE).data
    out = []
    for name, s in doc["strikes"].items():
        start = s["start"]
        sessions = sorted({_week(start, x["date"], f"strikes.{name}.sessions")
                           for x in s["sessions"]})
        deal = _week(start, s["deal"], f"strikes.{name}.deal")
        breakdowns = tuple(_week(start, d, f"strikes.{name}.breakdowns")
                           for d in s.get("breakdowns", []))
        for where, weeks in (("breakdowns", breakdowns), ("deal", (deal,))):
            if not set(weeks) <= set(sessions):
                raise _bad(f"strikes.{name}.{where}", "falls in a week without a session")
        if max(sessions) != deal:
            raise _bad(f"strikes.{name}.deal", "is not the last session")
        out.append(Strike(name, bool(s["talks_at_start"]), tuple(sessions), breakdowns, deal))
    return out


def log_likelihood(strike: Strike, meet: np.ndarray, resume: np.ndarray) -> np.ndarray:
    """Log-likelihood of the strike's session weeks for each (meet, resume) pair.

    `meet` and `resume` broadcast together. The chance of the reported breakdowns is
    left out: it does not depend on these two and is estimated apart.
    """
    on = np.full(np.broadcast(meet, resume).shape, 1.0 if strike.on_at_start else 0.0)
    off = 1.0 - on
    log_scale = np.zeros_like(on)
    sessions = set(strike.sessions)
    for week in range(strike.deal + 1):
        on, off = on + off * resume, off * (1.0 - resume)  # broken-off talks may resume
        if week in sessions:
            held = on * meet
            if week in strike.breakdowns:
                on, off = np.zeros_like(held), held
            else:
                on, off = held, np.zeros_like(held)
        else:
            on = on * (1.0 - meet)
        total = on + off
        log_scale += np.log(total)  # keep the forward pass in range
        on, off = on / total, off / total
    return log_scale


@dataclass(frozen=True)
class Estimate:
    """A chance's posterior mean and 95% interval, and the evidence behind it."""

    name: str
    mean: float
    low: float
    high: float
    evidence: str


def estimate(data: list[Strike] | None = None) -> list[Estimate]:
    """Posterior means and 95% intervals of the three chances (uniform priors)."""
    data = strikes() if data is None else data
    meet, resume = np.meshgrid(GRID, GRID, indexing="ij")
    log_post = sum(log_likelihood(s, meet, resume) for s in data)
    post = np.exp(log_post - np.max(log_post))
    post /= post.sum()
    out = []
    for name, axis in (("meet_probability", 1), ("resume_probability", 0)):
        marginal = post.sum(axis=axis)
        cdf = np.cumsum(marginal)
        mean = float(GRID @ marginal)
        low, high = (float(GRID[np.searchsorted(cdf, q)]) for q in (0.025, 0.975))
        out.append(Estimate(name, mean, low, high, "session weeks (hidden on/off state)"))
    failed = sum(len(s.sessions) - 1 for s in data)
    broke = sum(len(s.breakdowns) for s in data)
    beta = stats.beta(1 + broke, 1 + failed - broke)
    out.insert(1, Estimate("breakdown_probability", float(beta.mean()), float(beta.ppf(0.025)),
                           float(beta.ppf(0.975)),
                           f"{broke} breakdowns after {failed} failed sessions"))
    return out


def report(data: list[Strike] | None = None) -> str:
    """The data set in weeks and the estimates, as text."""
    data = strikes() if data is None else data
    lines = ["strike     start  session weeks             breakdowns  deal"]
    for s in data:
        lines.append(f"{s.name:<10} {'on' if s.on_at_start else 'off':<6} "
                     f"{','.join(map(str, s.sessions)):<25} "
                     f"{','.join(map(str, s.breakdowns)) or '-':<11} {s.deal}")
    lines += ["", "chance                  mean   95% interval   evidence"]
    for e in estimate(data):
        lines.append(f"{e.name:<22} {e.mean:6.3f}   {e.low:.3f}-{e.high:.3f}    {e.evidence}")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover - a report for docs/model.md
    sys.stdout.write(report() + "\n")
