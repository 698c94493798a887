"""A game with people in some seats, replayed from their answers: the browser game's engine.

The model asks a seated player in the middle of a step (`agents.base.Player`); a person in
a browser answers seconds later. So a `Game` keeps only its scenario, mode, seed and each
seat's answers so far. To move on it builds the model afresh, lets each seat's `Scripted`
player answer from its list, and stops where a seat has no answer yet (`Waiting`, which
carries the `Question` to put to it). Same seed and same answers give the same game; a
classroom game rebuilds in a few milliseconds. `bargainsim play --replay LOG` replays the
same answers at the terminal (`answer_text` turns one into what a student would type).

Answers are plain JSON objects: `{"accept": true}`, `{"offer": {ISSUE: VALUE, ...}}` (the
issue's unit; issues left out keep the seat's last value) or `{"yes": true|false}` (consent,
leave, sign).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from bargainsim.agents import Coalition, Company, Party, Union
from bargainsim.game.console import Hint
from bargainsim.game.play import CounterOffers, check_value, seat
from bargainsim.game.report import num
from bargainsim.model import BargainingModel
from bargainsim.schema import Mode, Scenario
from bargainsim.table import Table

Answer = dict[str, Any]


@dataclass
class Question:
    """What a seat is asked now, with everything its page shows about the table.

    Attributes:
        seat: The party asked (its name in the scenario).
        kind: `move` (accept or offer), `consent`, `leave` or `sign` (yes or no).
        turn: How many answers the seat has given before this one.
        step: The model's step (a move or a week); `round` and `rounds` within a week.
        table: The employer side's name at the table; `other` the party across it.
        theirs: The other side's offer standing (or its last one), in units; None: none yet.
        own: The seat's own last offer (its opening before any), in units.
        can_accept: Whether an offer stands that the seat may accept.
        worth: The standing offer's utility to the seat (0-1); `worth_now` discounted.
        votes: What others would vote on the standing offer (the union's members' yes
            share; a coalition's members' consent and cost), in words and numbers.
        agent: What the agent strategy in this seat would do; `agent_answer` as an answer.
        members: At the coalition's seat, each member's market share and what its own
            strategy would do (accept the standing offer; its proposal); `rule`, `quorum`.
    """

    seat: str
    kind: str
    turn: int
    step: int
    round: int | None
    rounds: int | None
    table: str
    other: str
    theirs: dict[str, float] | None
    own: dict[str, float] | None
    can_accept: bool
    worth: float | None = None
    worth_now: float | None = None
    votes: list[dict[str, Any]] = field(default_factory=list)
    agent: str = ""
    agent_answer: Answer = field(default_factory=dict)
    members: list[dict[str, Any]] = field(default_factory=list)
    rule: str | None = None
    quorum: float | None = None

    def as_json(self) -> dict[str, Any]:
        """A plain mapping for the page."""
        return asdict(self)


class BadAnswer(ValueError):
    """A logged answer that does not fit the question the game asks (an edited log)."""


class Waiting(Exception):  # noqa: N818 - a pause, not a failure
    """A seat has no answer yet: the game stops here until it gives one."""

    def __init__(self, question: Question) -> None:
        super().__init__(f"{question.seat} to answer ({question.kind})")
        self.question = question


def offer_values(model: BargainingModel, offer: Any) -> dict[str, float]:
    """An `offer` object checked like a typed offer: known issues, numbers within bounds.

    Raises:
        Hint: naming the field and what a good value is.
    """
    if not isinstance(offer, Mapping) or not offer:
        raise Hint("an offer names each issue with a number, e.g. "
                   + ", ".join(f"{n}: {num(float(lo))}" for n, lo in
                               zip(model.space.names, model.space.lo, strict=True)))
    values: dict[str, float] = {}
    for name, value in offer.items():
        if not isinstance(name, str) or name not in model.space.names:
            shown = repr(name)[:40]
            raise Hint(f"no issue called {shown}; the issues are {', '.join(model.space.names)}")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise Hint(f"{name}: {repr(value)[:40]} is not a number")
        values[name] = check_value(model, name, float(value))
    return values


def check_answer(model: BargainingModel, question: Question, answer: Any) -> Answer:
    """The answer in its plain form if it fits the question; else Hint says what would."""
    return _fits(model, question.kind, question.can_accept, answer)


def _fits(model: BargainingModel, kind: str, can_accept: bool, answer: Any) -> Answer:
    if not isinstance(answer, Mapping) or len(answer) != 1:
        raise Hint("an answer is one of: accept, an offer, yes or no")
    (key, value), = answer.items()
    if kind != "move":
        if key != "yes" or not isinstance(value, bool):
            raise Hint(f"this question ({kind}) takes yes or no")
        return {"yes": value}
    if key == "accept":
        if value is not True:
            raise Hint("to accept, send accept: true; otherwise make an offer")
        if not can_accept:
            raise Hint("there is no offer from the other side to accept now; make an offer")
        return {"accept": True}
    if key == "offer":
        return {"offer": offer_values(model, value)}
    raise Hint("this question takes accept or an offer")


def answer_text(answer: Answer) -> str:
    """The line a student types at the terminal for this answer (`bargainsim play`)."""
    if "accept" in answer:
        return "a"
    if "yes" in answer:
        return "y" if answer["yes"] else "n"
    return " ".join(f"{k}={float(v)!r}" for k, v in answer["offer"].items())


class Scripted(CounterOffers):
    """A seat's `Player` answering from a list; past its end it raises `Waiting`."""

    def __init__(self, model: BargainingModel, party: Party, answers: list[Answer]) -> None:
        self.model = model
        self.party = party
        self.answers = answers
        self.used = 0

    def _next(self, kind: str, standing: bool, ask: Any) -> Answer:
        """The seat's next answer (checked: a log may have been edited), else `Waiting`."""
        if self.used >= len(self.answers):
            raise Waiting(ask())
        answer = self.answers[self.used]
        try:
            kept = _fits(self.model, kind, standing, answer)
        except Hint as hint:
            raise BadAnswer(f"{self.party.name}'s answer {self.used + 1} "
                            f"({str(answer)[:60]}): {hint}") from None
        self.used += 1
        return kept

    # --- the Player protocol ---------------------------------------------------------
    def accept(self, party: Party, vector: np.ndarray, t: float, dt: float, table: Table) -> bool:
        """At its own table: accept or counter; inside a coalition: consent."""
        if party is not table.union and party is not table.employer:
            answer = self._next("consent", True,
                                lambda: self._ask("consent", party, t, dt, table, vector))
            return bool(answer.get("yes"))
        answer = self._next("move", True,
                            lambda: self._ask("move", party, t, dt, table, vector))
        if "accept" in answer:
            return True
        self.hold(table, self._package(party, table, answer))
        return False

    def propose(self, party: Party, t: float, table: Table) -> np.ndarray:
        """The counter-offer given with the refusal, or the next answer when none was."""
        package = self.held(table)
        if package is not None:
            return package
        answer = self._next("move", False,
                            lambda: self._ask("move", party, t, 1.0, table, None))
        return self._package(party, table, answer)

    def leave(self, party: Party) -> bool:
        """Break away from the coalition this week?"""
        coalition = self.model.coalition
        assert coalition is not None
        table = next(t for t in self.model.tables if t.employer is coalition)
        t = float(self.model.t)
        ask = lambda: self._ask("leave", party, t, 1.0, table, None)  # noqa: E731
        return bool(self._next("leave", True, ask)["yes"])

    def sign(self, party: Party, terms: np.ndarray, table: Table) -> bool:
        """Sign the union's interim agreement this week?"""
        t = float(self.model.t)
        ask = lambda: self._ask("sign", party, t, 1.0, table, terms)  # noqa: E731
        return bool(self._next("sign", True, ask)["yes"])

    # --- answers and questions -------------------------------------------------------
    def _own(self, party: Party, table: Table) -> np.ndarray:
        own = table.union_offer if party is table.union else table.employer_offer
        return own if own is not None else party.opening_for(table)

    def _package(self, party: Party, table: Table, answer: Answer) -> np.ndarray:
        offer = answer.get("offer")
        if not isinstance(offer, Mapping):  # an `accept` with nothing standing: repeat
            return self._own(party, table).copy()
        return self.model.space.normalise(offer, self._own(party, table))

    def _ask(self, kind: str, party: Party, t: float, dt: float, table: Table,
             vector: np.ndarray | None) -> Question:
        model = self.model
        units = model.space.to_units
        mine_union = party is table.union
        if kind == "move":
            other = table.other(party)
            last = table.employer_offer if mine_union else table.union_offer
            theirs = vector if vector is not None else last
        else:
            other = table.union
            theirs = vector if vector is not None else table.union_offer
        own = self._own(party, table) if kind == "move" else table.employer_offer
        rounds = model.spec.protocol.rounds_per_session if model.clock == "week" else None
        q = Question(
            seat=self.party.name, kind=kind, turn=self.used, step=int(model.t),
            round=int(round((t - model.t) * rounds)) + 1 if rounds else None, rounds=rounds,
            table=table.name, other=other.name,
            theirs=units(theirs) if theirs is not None else None,
            own=units(own) if own is not None else None,
            can_accept=kind == "move" and vector is not None,
        )
        if vector is not None:
            q.worth = party.utility(vector)
            if model.clock == "move" and party.discount != 1.0:
                q.worth_now = q.worth * party.discount ** max(model.t - 1, 0)
            q.votes = _votes(model, party, vector, t, dt, table)
        q.agent, q.agent_answer = _agent(model, party, kind, vector, t, dt, table)
        if isinstance(party, Coalition):  # what each member's own strategy would do
            q.members = [{
                "name": m.name, "share": m.share, "proposal": units(m.offer(t, table)),
                "accepts": vector is not None and bool(m.accepts(vector, t, dt, table)),
            } for m in party.members]
            q.rule, q.quorum = party.rule, party.quorum
        return q


def _votes(model: BargainingModel, party: Party, vector: np.ndarray, t: float, dt: float,
           table: Table) -> list[dict[str, Any]]:
    """What those who would vote on the offer say: the union's members, a coalition's."""
    out: list[dict[str, Any]] = []
    if isinstance(party, Union) and party.members is not None:
        yes = float(party.members.votes_yes(vector).mean())
        need = party.spec.ratification_threshold
        out.append({"who": "members", "yes": yes, "need": need,
                    "text": f"{yes:.0%} of members would vote for it ({need:.0%} needed)"})
    if isinstance(party, Coalition | Company):
        members = party.members if isinstance(party, Coalition) else [party]
        for m in members:
            if model.clock != "week":
                continue
            cost = float(m.weights @ vector) * m.cost_scale
            row = {"who": m.name, "cost": cost, "share": m.share,
                   "text": f"{m.name}: costs ${cost:,.0f}M over the contract "
                           f"(market share {m.share:.0%})"}
            out.append(row)
    return out


def _agent(model: BargainingModel, party: Party, kind: str, vector: np.ndarray | None,
           t: float, dt: float, table: Table) -> tuple[str, Answer]:
    """What the agent strategy in the seat would do now, in words and as an answer.

    The words are the terminal game's `?` advice; the answer is what the classroom uses
    when the teacher lets the agent answer for a student who has gone.
    """
    if kind == "leave":
        assert isinstance(party, Company)
        yes = party.wants_to_leave()
        return ("leave" if yes else "stay"), {"yes": yes}
    if kind == "sign":
        assert isinstance(party, Company) and vector is not None
        yes = party.wants_to_sign(vector, table)
        return ("sign" if yes else "not sign"), {"yes": yes}
    if vector is not None and party.accepts(vector, t, dt, table):
        return ("consent", {"yes": True}) if kind == "consent" else ("accept", {"accept": True})
    if kind == "consent":
        return "refuse", {"yes": False}
    offer = model.space.to_units(party.offer(t, table))
    return "offer " + ", ".join(f"{k}={num(v)}" for k, v in offer.items()), {"offer": offer}


@dataclass
class Game:
    """A game of `spec` in `mode` with `seed` whose `humans` seats answer from lists.

    `advance` builds the model and plays until a seat must answer (`waiting`) or the game
    ends (`finished`); `answer` checks a seat's answer against its question, adds it and
    advances. Nothing else is kept: a game is its scenario, mode, seed and answers (what
    `game.movelog` writes and reads).
    """

    spec: Scenario
    humans: list[str]
    mode: Mode | None = None
    seed: int = 0
    answers: dict[str, list[Answer]] = field(default_factory=dict)
    model: BargainingModel = field(init=False)
    waiting: Question | None = field(init=False, default=None)
    offers: list[dict[str, Any]] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        for name in self.humans:
            self.answers.setdefault(name, [])
        self.advance()

    @property
    def finished(self) -> bool:
        """Whether the game is over (a deal, or the horizon)."""
        return self.waiting is None

    def advance(self) -> None:
        """Replay every answer from the start; stop at the next question or the end."""
        model = BargainingModel(self.spec, mode=self.mode, seed=self.seed)
        players = {}
        for name in self.humans:
            party = seat(model, name, self.spec.name)
            players[name] = party.player = Scripted(model, party, self.answers[name])
        self.model = model
        self.waiting = None
        self.offers = []
        seen: dict[int, int] = {}
        try:
            while model.running:
                for table in model.tables:
                    table.keeps_history = True
                step = model.t
                try:
                    model.step()
                finally:
                    self._collect(step, seen)
        except Waiting as pause:
            self.waiting = pause.question
        for name, player in players.items():
            if player.used < len(self.answers[name]):  # a log that does not fit this game
                raise ValueError(f"{name}: {len(self.answers[name]) - player.used} answers "
                                 "left over after the game")

    def _collect(self, step: int, seen: dict[int, int]) -> None:
        """The offers made at each table this step, in order (for the pages' charts)."""
        units = self.model.space.to_units
        for i, table in enumerate(self.model.tables):
            for side, package in table.history[seen.get(i, 0):]:
                self.offers.append({"step": step, "table": table.name, "side": side,
                                    "by": table.party(side).name, "terms": units(package)})
            seen[i] = len(table.history)

    def answer(self, seat_name: str, answer: Any, turn: int | None = None) -> Answer:
        """Add a seat's answer to the question it is asked, and advance; returns it as kept.

        Raises:
            Hint: not this seat's turn, an answer to an earlier question, or a bad answer;
                the game is unchanged.
        """
        q = self.waiting
        if q is None:
            raise Hint("the game is over")
        if q.seat != seat_name:
            raise Hint(f"it is {q.seat}'s turn, not {seat_name}'s")
        if turn is not None and turn != q.turn:
            raise Hint("that question was already answered; here is the current one")
        kept = check_answer(self.model, q, answer)
        self.answers[seat_name].append(kept)
        try:
            self.advance()
        except Exception:
            self.answers[seat_name].pop()
            self.advance()
            raise
        return kept

    def deals(self) -> list[dict[str, Any]]:
        """The deals made so far: step, the parties covered, terms in units."""
        return [{"step": d.step, "table": d.coalition or d.parties[0], "parties": d.parties,
                 "terms": dict(d.terms)} for d in self.model.deals]


