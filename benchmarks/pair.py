"""`pair`: one two-party negotiation run by bargainsim and by NegMAS, side by side.

The negotiation is benchmarks/pair.yaml: one issue with 100 discrete values (0..99), a
deadline of 100 moves, the union first, Faratin's polynomial time-dependent tactic on both
sides (the union Boulware, beta 0.5; the studio a Conceder, beta 2; t_max 100), no
discounting. bargainsim runs it with its own engine as a sweep runs seeds
(`runner.run_seeds`: one Mesa model restarted for each negotiation; `runner.run`, a new
model each time, is reported too).
NegMAS runs it with its SAO mechanism and a NegMAS negotiator that applies the same
tactic and acceptance rule through NegMAS's outcome space and utility functions.

Conventions aligned (NegMAS's defaults differ):
- one offer per NegMAS step (`SAOMechanism(one_offer_per_step=True)`), as one bargainsim
  move is one offer or one acceptance; by default both sides move in one NegMAS step;
- the tactic's time is the step index (0 at the first offer), `t / t_max` with t_max 100,
  as in bargainsim, not NegMAS's relative time (step + 1) / (n_steps + 1);
- an offer is the allowed value nearest the tactic's aim in the offerer's favour;
- a side accepts an incoming offer worth at least (within 1e-9) the offer it would make
  itself now, as bargainsim's `Party.accepts` does with no discounting.
"""

from __future__ import annotations

import bisect
import statistics
import time
from pathlib import Path
from typing import Any

from bargainsim.runner import run, run_seeds
from bargainsim.scenario import Scenario, load_scenario
from bargainsim.tactics import TimeDependent

HERE = Path(__file__).resolve().parent
SCENARIO = HERE / "pair.yaml"
TIE = 1e-9


def bargainsim_once(spec: Scenario) -> tuple[int | None, float | None]:
    """One negotiation by the engine; (agreement move, agreed value) or (None, None)."""
    rec = run(spec, mode="separate", seed=0)
    if not rec["settled"]:
        return None, None
    return rec["settlement_step"], rec["deals"][0]["terms"]["wage"]


class NegmasSide:
    """Everything NegMAS needs that does not change between negotiations."""

    def __init__(self, spec: Scenario) -> None:
        from negmas import make_issue, make_os
        from negmas.preferences import AffineUtilityFunction

        issue = spec.issues["wage"]
        assert issue.step is not None
        count = round((issue.max - issue.min) / issue.step) + 1
        self.values = count
        self.os = make_os([make_issue(count, "wage")])
        span = count - 1
        self.ufuns = {
            "union": AffineUtilityFunction([1.0 / span], 0.0, outcome_space=self.os),
            "studio": AffineUtilityFunction([-1.0 / span], 1.0, outcome_space=self.os),
        }
        self.parties: dict[str, dict[str, Any]] = {}
        for name in ("union", "studio"):
            party = spec.parties[name]
            assert isinstance(party.tactic, TimeDependent)
            assert party.opening is not None and party.limit is not None
            self.parties[name] = {
                "tactic": party.tactic,
                "opening": (round((party.opening["wage"] - issue.min) / issue.step),),
                "limit": (round((party.limit["wage"] - issue.min) / issue.step),),
            }
        self.n_steps = int(spec.horizon)

    def once(self) -> tuple[int | None, float | None]:
        """One negotiation by NegMAS; (agreement step, agreed value) or (None, None)."""
        from negmas import SAOMechanism

        mechanism = SAOMechanism(
            outcome_space=self.os, n_steps=self.n_steps, one_offer_per_step=True
        )
        negotiators = {}
        for name in ("union", "studio"):  # the union is added first, so it offers first
            p = self.parties[name]
            negotiators[name] = _faratin_negotiator(
                name, p["tactic"], p["opening"], p["limit"], self.parties
            )
            mechanism.add(negotiators[name], ufun=self.ufuns[name])
        mechanism.run()
        if mechanism.agreement is None:
            return None, None
        step = next(n.accepted_at for n in negotiators.values() if n.accepted_at is not None)
        return step, float(mechanism.agreement[0])


def _faratin_negotiator(
    name: str,
    tactic: TimeDependent,
    opening: tuple[int],
    limit: tuple[int],
    parties: dict[str, dict[str, Any]],
) -> Any:
    """A NegMAS SAO negotiator playing Faratin's time-dependent tactic."""
    from negmas import ResponseType, SAONegotiator, SAOResponse

    other = parties["studio" if name == "union" else "union"]

    class Faratin(SAONegotiator):
        """Aim u_open - (t/t_max)^(1/beta) (u_open - u_limit); offer the worst outcome
        worth at least the aim; accept an offer worth at least its own next offer."""

        def __init__(self) -> None:
            super().__init__(name=name)
            self.accepted_at: int | None = None
            self._table: list[tuple[float, tuple]] | None = None

        def _offer(self, step: int) -> tuple:
            ufun = self.ufun
            assert ufun is not None
            if self._table is None:  # outcomes sorted by own utility, once
                self._table = sorted((float(ufun(o)), o) for o in self.nmi.outcome_space
                                     .enumerate_or_sample())
                self._utils = [u for u, _ in self._table]
                self._u_open = float(ufun(opening))
                self._u_lim = max(float(ufun(limit)), float(ufun(other["opening"])))
            aim = self._u_open - tactic.concession(float(step)) * (self._u_open - self._u_lim)
            return self._table[bisect.bisect_left(self._utils, aim - TIE)][1]

        def __call__(self, state: Any, dest: str | None = None) -> Any:
            own = self._offer(state.step)
            offer = state.current_offer
            ufun = self.ufun
            assert ufun is not None
            if offer is not None and float(ufun(offer)) + TIE >= float(ufun(own)):
                self.accepted_at = state.step
                return SAOResponse(ResponseType.ACCEPT_OFFER, offer)
            return SAOResponse(ResponseType.REJECT_OFFER, own)

    return Faratin()


def negmas_builtin_once(side: NegmasSide) -> Any:
    """NegMAS's own time-based negotiators on the same issue, for reference only.

    `TimeBasedConcedingNegotiator` with the same exponents of concession; it keeps NegMAS's
    own relative time and acceptance rule, so it reaches a different agreement.
    """
    from negmas import SAOMechanism, TimeBasedConcedingNegotiator

    mechanism = SAOMechanism(outcome_space=side.os, n_steps=side.n_steps, one_offer_per_step=True)
    for name in ("union", "studio"):
        beta = side.parties[name]["tactic"].beta
        mechanism.add(TimeBasedConcedingNegotiator(offering_curve=1.0 / beta),
                      ufun=side.ufuns[name])
    mechanism.run()
    return mechanism


def bargainsim_batch(spec: Scenario, n: int) -> None:
    """n negotiations by the engine, as a sweep runs seeds: one Mesa model restarted."""
    run_seeds(spec, "separate", [0] * n)


def _rate(fn: Any, n: int, clock: Any = time.perf_counter) -> float:
    """Negotiations per second of `fn` over n calls, by wall clock (or CPU time)."""
    start = clock()
    for _ in range(n):
        fn()
    return n / (clock() - start)


def _batch_rate(spec: Scenario, n: int, clock: Any = time.perf_counter) -> float:
    """Negotiations per second of bargainsim over a batch of n."""
    start = clock()
    bargainsim_batch(spec, n)
    return n / (clock() - start)


def main(repeats: int = 7, seconds: float = 0.5) -> None:
    """Check both reach the same agreement, then time them interleaved."""
    spec = load_scenario(SCENARIO)
    print("pair: benchmarks/pair.yaml, one issue with 100 values, deadline 100 moves,")
    print("  Faratin tactics (union beta 0.5, studio beta 2, t_max 100), union first")
    ours = bargainsim_once(spec)
    print(f"  bargainsim: agreement at move {ours[0]} on value {ours[1]}")
    try:
        import negmas
    except ImportError:
        print("  NegMAS is not installed: pip install -e '.[bench]' to compare with it.")
        n = max(1, int(seconds * 200))
        rates = [_rate(lambda: bargainsim_once(spec), n) for _ in range(repeats)]
        print(f"  bargainsim: {statistics.median(rates):,.0f} negotiations/s (median)")
        return
    side = NegmasSide(spec)
    theirs = side.once()
    print(f"  NegMAS {negmas.__version__}: agreement at step {theirs[0]} on value {theirs[1]}")
    print("  conventions: one offer per NegMAS step (one_offer_per_step=True); tactic time")
    print("  = step index (not NegMAS's relative time (step+1)/(n+1)); offers rounded in the")
    print("  offerer's favour; accept when worth at least one's own next offer")
    if ours != theirs:
        print("  DIFFERENT AGREEMENTS: the timing below compares different negotiations")
    # size the batches so that each takes about `seconds`
    n_ours = max(1, int(seconds * _batch_rate(spec, 50)))
    n_theirs = max(1, int(seconds * _rate(side.once, 3)))
    ours_rates, theirs_rates, ratios, cpu_ratios, fresh_rates = [], [], [], [], []
    for _ in range(repeats):  # interleaved, so that load on the machine hits both alike
        a = _batch_rate(spec, n_ours)
        b = _rate(side.once, n_theirs)
        ours_rates.append(a)
        theirs_rates.append(b)
        ratios.append(a / b)
        cpu_ratios.append(_batch_rate(spec, n_ours, time.process_time)
                          / _rate(side.once, n_theirs, time.process_time))
        fresh_rates.append(_rate(lambda: bargainsim_once(spec), n_ours // 2))
    print(f"  {'':12} {'median':>10} {'best':>10}  negotiations/s ({repeats} interleaved batches)")
    print(f"  {'bargainsim':12} {statistics.median(ours_rates):10,.0f} {max(ours_rates):10,.0f}")
    print(f"  {'NegMAS':12} {statistics.median(theirs_rates):10,.1f} {max(theirs_rates):10,.1f}")
    print(f"  ratio bargainsim / NegMAS: median {statistics.median(ratios):.1f}x, "
          f"range {min(ratios):.1f}-{max(ratios):.1f}x; by CPU time: median "
          f"{statistics.median(cpu_ratios):.1f}x")
    fresh = statistics.median(fresh_rates)
    print(f"  bargainsim with a new Mesa model for every negotiation (runner.run): "
          f"{fresh:,.0f}/s, {fresh / statistics.median(theirs_rates):.1f}x")
    builtin = negmas_builtin_once(side)
    n_builtin = max(1, int(seconds * _rate(lambda: negmas_builtin_once(side), 3)))
    b_rates = [_rate(lambda: negmas_builtin_once(side), n_builtin) for _ in range(3)]
    agreed = None if builtin.agreement is None else builtin.agreement[0]
    print(f"  for reference, NegMAS's own TimeBasedConcedingNegotiator (its relative time and "
          f"acceptance;\n  agreement {agreed} at step {builtin.state.step}): "
          f"{statistics.median(b_rates):,.1f} negotiations/s")
