"""`bargainsim play`: a student takes one side, week by week or move by move, against the agents.

The student sits in one party's seat (`Party.player`): at each of its moves at a table
the model asks the student, not the strategy, whether to accept the offer on the table
or what to offer instead; a company inside a coalition is asked whether it consents
when its answer decides the alliance's acceptance, and (in breakaway mode) whether to
leave. Everything else is the unmodified model. At the end the student's result is set
beside the agents' on the same scenario and seed, and beside theory where a closed
form applies (bargainsim.game.prediction).

Exit status: 0 the game ended (a deal, or the horizon reached), 2 bad input (scenario,
`--as`, options), 3 abandoned (`q`, end of input or Ctrl-C).
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Mapping
from typing import Any, TextIO

import numpy as np

from bargainsim import options
from bargainsim.agents import Coalition, Company, Party, Union
from bargainsim.errors import InputError, Problem
from bargainsim.game.console import Abandoned, Console, Hint, parse_yes_no
from bargainsim.game.prediction import predict
from bargainsim.game.report import compare_results, num
from bargainsim.model import BargainingModel
from bargainsim.runner import record, run
from bargainsim.schema import Mode, Scenario
from bargainsim.status import INTERIM
from bargainsim.table import Table

EXIT_FINISHED, EXIT_ABANDONED = 0, 3


def seat(model: BargainingModel, side: str, source: str) -> Party:
    """The party named by `--as`: the union, a company or the coalition, by name.

    `union` and `coalition` name the union and (when the mode has one) the alliance.
    """
    if side in ("union", model.union.name):
        return model.union
    if side in model.companies:
        return model.companies[side]
    coalition = model.coalition
    if coalition is not None and side in ("coalition", coalition.name):
        return coalition
    choices = ", ".join(model.companies)
    alliance = f", or the coalition ({coalition.name})" if coalition is not None else ""
    raise InputError("--as", [Problem(
        side, f"{source} has no side of that name; choose union ({model.union.name}) "
        f"or a company: {choices}{alliance}"
    )])


def check_value(model: BargainingModel, name: str, value: float) -> float:
    """A value offered on an issue, in its unit: finite and within its bounds, else Hint."""
    space = model.space
    i = space.names.index(name)
    lo, hi = float(space.lo[i]), float(space.hi[i])
    if not math.isfinite(value) or not lo <= value <= hi:
        raise Hint(f"{name} must be between {num(lo)} and {num(hi)} ({unit(model, name)})")
    return value


def parse_move(
    answer: str, model: BargainingModel, own: np.ndarray, can_accept: bool
) -> np.ndarray | None:
    """A move typed by the student: None to accept, else the normalised package offered.

    `a` accepts, `s` repeats `own` (the student's last offer), `ISSUE=VALUE ...` changes
    the named issues of `own` (values in the issue's unit, within its bounds), and with a
    single issue a bare number is its value. Anything else raises Hint.
    """
    space = model.space
    word = answer.lower()
    if word in ("a", "accept"):
        if not can_accept:
            raise Hint("there is no offer from the other side to accept now; make an offer")
        return None
    if word in ("s", "same"):
        return own.copy()
    if not word:
        raise Hint("type a to accept, or a counter-offer such as " + example(model))
    values: dict[str, float] = {}
    tokens = re.sub(r"\s*=\s*", "=", answer.replace(",", " ")).split()  # "wage = 12" too
    if space.size == 1 and len(tokens) > 1:
        raise Hint(f"give one value for {space.names[0]}, as in {example(model)}")
    for token in tokens:
        name, sep, text = token.partition("=")
        if not sep:
            if space.size != 1:
                raise Hint(f"{token!r}: name the issue, as in {example(model)}")
            name, text = space.names[0], token
        name = name.strip().lower()
        if name not in space.names:
            raise Hint(f"no issue called {name!r}; the issues are {', '.join(space.names)}")
        try:
            value = float(text)
        except ValueError:
            raise Hint(f"{name}: {text!r} is not a number") from None
        if name in values:
            raise Hint(f"{name} is given twice; give each issue once")
        values[name] = check_value(model, name, value)
    return space.normalise(values, own)


def unit(model: BargainingModel, name: str) -> str:
    """The unit of an issue as the scenario names it."""
    return model.spec.issues[name].unit or "units"


def example(model: BargainingModel) -> str:
    """An example counter-offer for this scenario's issues."""
    space = model.space
    if space.size == 1:
        middle = num(float((space.lo[0] + space.hi[0]) / 2))
        return f"{space.names[0]}={middle} or just {middle}"
    return " ".join(
        f"{n}={num(float((lo + hi) / 2))}" for n, lo, hi in zip(space.names[:2], space.lo,
                                                               space.hi, strict=False)
    )


class CounterOffers:
    """A seated player's counter-offer: given with a refusal, made as the table's next offer.

    A player refuses and counters in one answer; the table asks for the offer after the
    refusal (`Party.decide_offer`), so the package waits here until then.
    """

    _pending: tuple[Table, np.ndarray] | None = None

    def hold(self, table: Table, package: np.ndarray) -> None:
        """Keep the counter-offer given at `table` with a refusal."""
        self._pending = (table, package)

    def held(self, table: Table) -> np.ndarray | None:
        """The counter-offer kept for `table` (once), or None."""
        if self._pending is None or self._pending[0] is not table:
            return None
        package = self._pending[1]
        self._pending = None
        return package


class Student(CounterOffers):
    """A person at the keyboard taking one party's decisions (a `Player`)."""

    def __init__(self, model: BargainingModel, party: Party, console: Console) -> None:
        self.model = model
        self.party = party
        self.console = console
        self.asked = 0  # questions answered so far

    # --- the Player protocol ---------------------------------------------------------
    def accept(self, party: Party, vector: np.ndarray, t: float, dt: float, table: Table) -> bool:
        """At the student's own table: accept or counter; inside a coalition: consent."""
        if party is not table.union and party is not table.employer:
            return self._consent(party, vector, t, dt, table)
        move = self._move(party, t, dt, table, vector)
        if move is None:
            return True
        self.hold(table, move)
        return False

    def propose(self, party: Party, t: float, table: Table) -> np.ndarray:
        """The counter-offer typed with the refusal, or a fresh question when none was."""
        package = self.held(table)
        if package is not None:
            return package
        move = self._move(party, t, 1.0, table, None)
        assert move is not None  # accepting is refused when nothing stands
        return move

    def leave(self, party: Party) -> bool:
        """Break away from the coalition this week?"""
        assert isinstance(party, Company)
        coalition = self.model.coalition
        assert coalition is not None
        table = next(t for t in self.model.tables if t.employer is coalition)
        say = self.console.say
        say(self._header(f"{party.name} (you), inside {coalition.name}"))
        say(self._issues(f"{coalition.name} offers", table.employer_offer,
                         f"{self.model.union.name} asks", table.union_offer))
        say(self._company_state(party))
        weighing = options.breakaway_weighing(self.model, party)
        say(f"   alone you expect to gain ${weighing.gain:,.0f}M (strike losses saved, share "
            f"taken from struck rivals) for ${weighing.cost:,.0f}M (dearer terms alone, the "
            f"alliance's sanctions)")

        def advice() -> str:
            agent = "leave" if party.wants_to_leave() else "stay"
            return LEAVE_HELP + f"\nThe agent strategy in your seat would {agent} now."

        self.asked += 1
        return self.console.ask(
            f"leave {coalition.name} and bargain alone? (y/n) ", parse_yes_no, advice
        )

    def sign(self, party: Party, terms: np.ndarray, table: Table) -> bool:
        """Sign the union's interim agreement this week and go back to work?"""
        assert isinstance(party, Company)
        union = self.model.union
        say = self.console.say
        say(self._header(f"{party.name} (you): {union.name} offers an interim agreement"))
        say(self._issues(f"{union.name}'s terms", terms, f"expected at {table.name}",
                         options.forecast(table)))
        say(self._company_state(party))
        weighing = options.interim_weighing(self.model, party, terms, table)
        say(f"   signing, you expect to gain ${weighing.gain:,.0f}M (strike losses saved, share "
            f"taken from struck rivals) for ${weighing.cost:,.0f}M (dearer terms, sanctions)")

        def advice() -> str:
            agent = "sign" if party.wants_to_sign(terms, table) else "not sign"
            return SIGN_HELP + f"\nThe agent strategy in your seat would {agent} now."

        self.asked += 1
        return self.console.ask("sign the interim agreement and go back to work? (y/n) ",
                                parse_yes_no, advice)

    def week_status(self) -> str:
        """One line on the student's side at the end of a week."""
        model = self.model
        party = self.party
        if isinstance(party, Coalition):
            losses = sum(m.cum_loss for m in party.members)
            return f"the members' strike losses ${losses:,.0f}M so far"
        if isinstance(party, Company):
            if party.status is INTERIM:
                return (f"back at work on an interim agreement since week {party.back_step}; "
                        f"losses ${party.cum_loss:,.0f}M in all")
            if party.settled:
                return (f"settled in week {party.settled_step}; strike losses "
                        f"${party.cum_loss:,.0f}M in all")
            return f"losses ${party.last_loss:,.0f}M this week, ${party.cum_loss:,.0f}M so far"
        m = model.union.members
        savings = f", savings {m.savings.mean():.1f} weeks on average" if m is not None else ""
        back = model.writers_back[-1] if model.writers_back else 0.0
        return (f"solidarity {model.union.solidarity:.0%}{savings}, strike fund "
                f"${model.union.fund:.1f}M, writers back at work {back:.0%}")

    # --- questions -------------------------------------------------------------------
    def _move(
        self, party: Party, t: float, dt: float, table: Table, standing: np.ndarray | None
    ) -> np.ndarray | None:
        model = self.model
        mine = "union" if party is model.union else "employer"
        other = table.other(party)
        own = table.union_offer if mine == "union" else table.employer_offer
        if own is None:
            own = party.opening_for(table)
        theirs = standing
        if theirs is None:
            theirs = table.employer_offer if mine == "union" else table.union_offer
        label = f"{other.name} offers" if standing is not None else f"{other.name}'s last"
        say = self.console.say
        say(self._header(f"{party.name} (you) vs {self._who(table, other)}", t))
        say(self._issues(label, theirs, "your last", own))
        if standing is not None:
            say(self._worth(party, standing))
        else:
            say("   nothing to accept: make an offer")
        state = self._union_state() if isinstance(party, Union) else (
            self._members_state(party) if isinstance(party, Coalition)
            else self._company_state(party))
        if state:
            say(state)

        def advice() -> str:
            if standing is not None and party.accepts(standing, t, dt, table):
                agent = "accept"
            else:
                offer = model.space.to_units(party.offer(t, table))
                agent = "offer " + " ".join(f"{k}={num(v)}" for k, v in offer.items())
            return MOVE_HELP.format(example=example(model)) + (
                f"\nThe agent strategy in your seat would {agent}."
            )

        self.asked += 1
        offer = f"the union's {model.space.names[0]}" if model.space.size == 1 else (
            "counter-offer")
        choices = f"a / {offer} / s / ? / q" if standing is not None else (
            f"{offer} / s / ? / q")
        return self.console.ask(
            f"your move ({choices}): ",
            lambda answer: parse_move(answer, model, own, standing is not None),
            advice,
        )

    def _consent(
        self, party: Party, vector: np.ndarray, t: float, dt: float, table: Table
    ) -> bool:
        assert isinstance(party, Company)
        say = self.console.say
        say(self._header(f"{party.name} (you), inside {table.employer.name}", t))
        say(self._issues(f"{table.union.name} offers", vector,
                         f"{table.employer.name}'s last", table.employer_offer))
        say(f"   the other members consent and {table.employer.name}'s negotiators would "
            "take it: the deal needs your consent")
        say(self._worth(party, vector))
        say(self._company_state(party))

        def advice() -> str:
            agent = "consent" if party.accepts(vector, t, dt, table) else "refuse"
            return CONSENT_HELP + f"\nThe agent strategy in your seat would {agent}."

        self.asked += 1
        return self.console.ask("consent to this deal? (y/n) ", parse_yes_no, advice)

    # --- what the student sees -------------------------------------------------------
    def _header(self, who: str, t: float | None = None) -> str:
        model = self.model
        if model.clock == "move":
            when = f"step {model.t}"
        else:
            when = f"week {model.t}"
            if t is not None:
                rounds = model.spec.protocol.rounds_per_session
                when += f", round {int(round((t - model.t) * rounds)) + 1} of {rounds}"
        return f"-- {when} -- {who}"

    def _who(self, table: Table, other: Party) -> str:
        if isinstance(other, Coalition):
            return f"{other.name} (for {', '.join(c.name for c in table.covers)})"
        return other.name

    def _issues(self, left: str, a: np.ndarray | None, right: str, b: np.ndarray | None) -> str:
        model = self.model
        space = model.space
        ua = space.to_units(a) if a is not None else None
        ub = space.to_units(b) if b is not None else None
        width = max(len(left), len(right), 10)
        lines = [f"   {'issue':<10} {left:>{width}} {right:>{width}}   range"]
        for i, name in enumerate(space.names):
            va = num(ua[name]) if ua is not None else "-"
            vb = num(ub[name]) if ub is not None else "-"
            rng = f"{num(float(space.lo[i]))}-{num(float(space.hi[i]))} {unit(model, name)}"
            lines.append(f"   {name:<10} {va:>{width}} {vb:>{width}}   {rng}")
        return "\n".join(lines)

    def _worth(self, party: Party, vector: np.ndarray) -> str:
        model = self.model
        u = party.utility(vector)
        if model.clock == "move":
            text = f"   worth {u:.4f} to you (0-1)"
            if party.discount != 1.0:
                now = u * party.discount ** (model.t - 1)
                text += (f"; accepted now (step {model.t}) that is {now:.4f} after discounting "
                         f"({party.discount:g} a move)")
            return text
        if isinstance(party, Union):
            opening = party.utility(party.reference)
            text = f"   worth {u:.3f} to you (your opening demand {opening:.3f})"
            if party.members is not None:
                yes = float(party.members.votes_yes(vector).mean())
                need = party.spec.ratification_threshold
                text += f"; {yes:.0%} of members would vote for it ({need:.0%} needed)"
            return text
        if isinstance(party, Coalition):
            costs = ", ".join(f"{m.name} ${float(m.weights @ vector) * m.cost_scale:,.0f}M"
                              for m in party.members)
            return f"   it would cost your members over the contract: {costs}"
        assert isinstance(party, Company)
        cost = float(party.weights @ vector) * party.cost_scale
        return f"   it would cost you ${cost:,.0f}M over the contract"

    def _union_state(self) -> str:
        model = self.model
        union = model.union
        if model.clock == "move" or union.members is None:
            return ""
        m = union.members
        back = model.writers_back[-1] if model.writers_back else 0.0
        losses = sum(c.cum_loss for c in model.companies.values())
        return (
            f"   solidarity {union.solidarity:.0%} (striking members who would vote no) | "
            f"savings {m.savings.mean():.1f} weeks on average, {np.mean(m.savings <= 0):.0%} "
            f"have none | strike fund ${union.fund:.1f}M | writers back at work {back:.0%}\n"
            f"   the companies' strike losses so far: ${losses:,.0f}M"
        )

    def _members_state(self, coalition: Coalition) -> str:
        if self.model.clock == "move":
            return ""
        return "\n".join(self._company_state(m) + f" ({m.name})" for m in coalition.members)

    def _company_state(self, company: Party) -> str:
        model = self.model
        if model.clock == "move":
            return ""
        assert isinstance(company, Company)
        back = [c.name for c in model.companies.values() if c.status.working]
        return (
            f"   strike losses ${company.last_loss:,.0f}M this week, ${company.cum_loss:,.0f}M "
            f"so far | market share {company.share:.1%} ({company.share0:.1%} at the start)"
            + (f" | back at work: {', '.join(back)}" if back else "")
        )


MOVE_HELP = """\
Your move. Answers:
  a                  accept the offer on the table (only when there is one)
  ISSUE=VALUE ...    counter-offer; issues you leave out keep your last value
                     (e.g. {example});
                     values are the union's terms, in the issue's unit,
                     within its range
  s                  offer the same as last time
  ?                  this help;  q  quit the game"""

CONSENT_HELP = """\
The alliance bargains for its members; a deal needs its members' consent, and
yours is the one that decides. Answers: y consent (the deal is signed if the
members ratify it), n refuse (the strike goes on), ? this help, q quit the game."""

LEAVE_HELP = """\
You may break ranks: leave the alliance and bargain alone with the union from
next round (your own table; the alliance goes on for the others). Answers:
y leave, n stay, ? this help, q quit the game."""

SIGN_HELP = """\
An interim agreement: you sign the union's terms now and your writers go back to
work while the strike goes on against the rest; when the master deal comes you
take its terms if they are better for the union (me-too). A member of the
alliance leaves it. Answers: y sign, n keep bargaining, ? this help, q quit the
game."""


def owner_note(model: BargainingModel, party: Party) -> str:
    """Whose terms the values are: always the union's, which a company's student must know.

    Every issue is stated as what the union gets (a wage increase, the union's share of
    a pie), so a company offering less of it keeps more. With one issue the note gives a
    worked example in the seat's own utility.
    """
    space = model.space
    if space.size != 1:
        return ("Values are the union's terms (what the union gets), in each issue's unit; "
                + ("the higher, the more it costs you." if isinstance(party, Company)
                   else "the higher, the better for you."))
    name = space.names[0]
    lo, hi = float(space.lo[0]), float(space.hi[0])
    value = lo + 0.6 * (hi - lo)
    worth = party.utility(space.normalise({name: value}, party.opening))
    return (f"{name} is the union's ({unit(model, name)}): you type what the union gets; "
            f"{name}={num(value)} is worth {worth:.4g} to you.")


def intro(model: BargainingModel, party: Party) -> str:
    """What the game is, the student's side and how to answer."""
    spec = model.spec
    lines = [f"bargainsim play: {spec.name}"
             + (f" - {spec.description}" if spec.description else "")]
    unit_of_time = "move" if model.clock == "move" else "week"
    role = "the union" if isinstance(party, Union) else (
        "the alliance, for " + ", ".join(m.name for m in party.members)
        if isinstance(party, Coalition) else "a company")
    lines.append(
        f"You are {party.name} ({role}); mode {model.mode}, seed {model.seed}; "
        f"at most {int(model.horizon)} {unit_of_time}s."
    )
    others = [n for n in [model.union.name, *model.companies] if n != party.name]
    lines.append(f"The agents play {', '.join(others)}.")
    if isinstance(party, Company) and party.in_coalition:
        coalition = model.coalition
        assert coalition is not None
        lines.append(f"{coalition.name} bargains for you ({coalition.rule}); you consent "
                     "when your answer decides"
                     + (", and may leave it." if model.mode == "breakaway" else "."))
    opening = model.space.to_units(party.opening)
    lines.append("Your opening: " + ", ".join(f"{k}={num(v)}" for k, v in opening.items()))
    lines.append(owner_note(model, party))
    if model.clock == "move" and party.discount != 1.0:
        lines.append(f"Your discount factor is {party.discount:g} a move: a deal accepted at "
                     f"step s is worth its value x {party.discount:g}^(s-1).")
    lines.append("Answer each question and press Enter; ? for help, q to quit.")
    return "\n".join(lines)


def deal_with(model: BargainingModel, seat: Party | None, table: str, covers: str = "") -> str:
    """"DEAL with" the other side, seen from the student's seat, at the table `table`.

    The union's deal is with the table's employer (`covers`: whom an alliance signs
    for); a company's own deal is with the union; a deal the student's company only
    watches (another table's, or its alliance's) names both sides.
    """
    union = model.union.name
    if seat is None or seat is model.union:
        return f"DEAL with {table}{covers}"
    if table == seat.name:
        return f"DEAL with {union}"
    return f"DEAL between {table}{covers} and {union}"


class _Events:
    """What changed in a step: deals, votes and break-aways, in words."""

    def __init__(self, model: BargainingModel, seat: Party | None = None) -> None:
        self.model = model
        self.seat = seat  # the student's party: a deal line names the other side
        self.votes = len(model.votes)
        self.deals = len(model.deals)
        self.members = set(model.coalition.members) if model.coalition else set()
        self.interim = len(model.interim_agreements)

    def lines(self) -> list[str]:
        model = self.model
        out = []
        signed = model.interim_agreements[self.interim:]
        if model.coalition is not None:  # break-aways come before the week's talks
            for company in sorted(self.members - set(model.coalition.members),
                                  key=lambda c: c.name):
                if all(a.company != company.name for a in signed):
                    out.append(f"   {company.name} breaks away from {model.coalition.name}")
        for agreement in signed:
            out.append(f"   {agreement.company} signs an interim agreement and goes back to work")
        deals = iter(model.deals[self.deals:])  # one per passed vote, in the same order
        for vote in model.votes[self.votes:]:
            if vote["passed"]:
                deal = next(deals)
                terms = ", ".join(f"{k}={num(v)}" for k, v in deal.terms.items())
                covers = f" (for {', '.join(deal.parties)})" if deal.coalition else ""
                voted = (f"; members voted {vote['yes_share']:.0%} yes"
                         if model.union.members is not None else "")
                out.append(f"   {deal_with(model, self.seat, vote['table'], covers)}: "
                           f"{terms}{voted}")
            else:
                need = model.union.spec.ratification_threshold
                out.append(f"   members voted down the tentative deal with {vote['table']} "
                           f"({vote['yes_share']:.0%} yes, {need:.0%} needed)")
        return out


def play(
    spec: Scenario,
    side: str,
    mode: Mode | None = None,
    seed: int = 0,
    source: str = "scenario",
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    others: Mapping[str, list[dict[str, Any]]] | None = None,
) -> int:
    """Play one game at the terminal; returns the exit status (module docstring).

    `others` seats people's logged answers at other sides (`bargainsim play --replay`, a
    classroom game between students; `bargainsim.game.seated`).
    """
    from bargainsim.game.seated import Scripted, Waiting

    if spec.protocol.clock == "continuous":
        raise InputError(source, [Problem(
            "protocol.clock", "play needs clock 'move' or 'week'; this scenario runs in "
            "continuous time (a war of attrition has no moves to play)"
        )])
    console = Console(stdin or sys.stdin, stdout or sys.stdout)
    model = BargainingModel(spec, mode=mode, seed=seed)
    party = seat(model, side, source)
    student = Student(model, party, console)
    party.player = student
    for name, answers in (others or {}).items():
        other = seat(model, name, source)
        other.player = Scripted(model, other, list(answers))
    console.say(intro(model, party))
    try:
        while model.running:
            events = _Events(model, party)
            asked = student.asked
            week = model.t
            model.step()
            lines = events.lines()
            done = isinstance(party, Company) and party.settled and not lines
            if model.clock == "week" and not done:
                quiet = "" if student.asked > asked or lines else "; no talks with you"
                console.say(f"week {week} ends: {student.week_status()}{quiet}")
            for line in lines:
                console.say(line if model.clock == "week" else f"step {week}:{line[2:]}")
    except (Abandoned, KeyboardInterrupt, Waiting) as exc:
        reason = str(exc) if isinstance(exc, Abandoned) else "interrupted (Ctrl-C)"
        if isinstance(exc, Waiting):
            reason = f"the log has no more answers for {exc.question.seat}"
        unit_name = "step" if model.clock == "move" else "week"
        console.say(f"game abandoned at {unit_name} {model.t}: {reason} (exit status 3)")
        return EXIT_ABANDONED
    mine = record(model)
    agents = run(spec, mode=mode, seed=seed)
    theory = predict(BargainingModel(spec, mode=mode, seed=seed))
    console.say("")
    console.say(compare_results(model, party, mine, agents, theory))
    return EXIT_FINISHED
