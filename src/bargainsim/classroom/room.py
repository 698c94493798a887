"""A class session as plain objects: students, rounds, tables, answers and views.

Everything the server does goes through `Room`: a student joins with the room's code and
a name (and gets a token the page keeps, to rejoin its seat), the teacher starts a round
(students are seated by the round's seating), a seat answers the question it is asked,
and pages read views. Bad input raises Hint and changes nothing. There is no network
here, so the unit tests drive a Room directly; `bargainsim.classroom.server` puts it
behind one websocket protocol.
"""

from __future__ import annotations

import json
import secrets
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bargainsim.classroom.plan import ClassPlan, PlannedRound
from bargainsim.classroom.results import Benchmark, benchmark, csv_text
from bargainsim.game.console import Hint
from bargainsim.game.movelog import GameLog
from bargainsim.game.seated import Answer, Game, Question, check_answer

CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
NAME_MAX = 40
SHOWN_OFFERS = 12


def new_code() -> str:
    """A six-character join code, easy to read off a projector."""
    return "".join(secrets.choice(CODE_LETTERS) for _ in range(6))


def clean_name(name: Any) -> str:
    """A student's name: printable text of 1-40 characters, spaces tidied; else Hint."""
    if not isinstance(name, str):
        raise Hint("type your name")
    text = " ".join(name.split())
    if not text:
        raise Hint("type your name")
    if len(text) > NAME_MAX:
        raise Hint(f"a name of at most {NAME_MAX} characters, please")
    if any(unicodedata.category(c)[0] == "C" for c in text):
        raise Hint("a name of letters, digits and punctuation, please")
    return text


@dataclass
class Bucket:
    """A rate limit: `rate` requests a second, up to twice that at once (a token bucket)."""

    rate: float
    clock: Callable[[], float]
    allowance: float = field(init=False)
    checked: float = field(init=False)

    def __post_init__(self) -> None:
        self.allowance = 2 * self.rate
        self.checked = self.clock()

    def take(self) -> bool:
        """Whether one more request fits now (and count it)."""
        now = self.clock()
        self.allowance = min(2 * self.rate, self.allowance + (now - self.checked) * self.rate)
        self.checked = now
        if self.allowance < 1.0:
            return False
        self.allowance -= 1.0
        return True


@dataclass
class Student:
    """One person in the room and where they sit."""

    token: str
    name: str
    order: int
    table: str | None = None
    seat: str | None = None  # the party they play (a union team shares it)
    member: str | None = None  # in a coalition group: the company they speak for
    bucket: Bucket | None = None  # their rate of requests


@dataclass
class TableRun:
    """One table of a round: its game, who sits where, a coalition group's votes, its log."""

    id: str
    rnd: PlannedRound
    game: Game
    seats: dict[str, list[str]]  # party -> tokens (a union team has several)
    group: dict[str, str] = field(default_factory=dict)  # company -> token, at the alliance
    votes: dict[str, Answer] = field(default_factory=dict)  # company -> answer this turn
    log: Path | None = None
    version: int = 0

    def tokens(self) -> set[str]:
        """Everyone at the table."""
        return {t for ts in self.seats.values() for t in ts} | set(self.group.values())


def combine(q: Question, votes: dict[str, Answer]) -> Answer:
    """The alliance's answer from its members' (a student's, else the member's strategy's).

    It accepts when members holding the rule's share accept (every member under
    `hardest_line` and `unanimity`, a quorum of market share under `share_weighted`);
    otherwise it offers, issue by issue, the least any member offers (`hardest_line`,
    `unanimity`: the least willing member's level) or the share-weighted mean
    (`share_weighted`). A member that accepts offers what stands.
    """
    shares = {m["name"]: float(m["share"]) for m in q.members}
    answers = {m["name"]: votes.get(m["name"]) or (
        {"accept": True} if m["accepts"] else {"offer": m["proposal"]}) for m in q.members}
    total = sum(shares.values()) or 1.0
    need = (q.quorum or 1.0) if q.rule == "share_weighted" else 1.0
    yes = sum(shares[n] for n, a in answers.items() if "accept" in a)
    if q.can_accept and yes / total + 1e-12 >= need:
        return {"accept": True}
    own = q.own or {}
    packages = {n: {**own, **(q.theirs if "accept" in a and q.theirs else a.get("offer", {}))}
                for n, a in answers.items()}
    issues = list(own) or list(next(iter(packages.values())))
    if q.rule == "share_weighted":
        offer = {i: sum(shares[n] * p[i] for n, p in packages.items()) / total for i in issues}
    else:
        offer = {i: min(p[i] for p in packages.values()) for i in issues}
    return {"offer": offer}


class Room:
    """A class session: the plan, the code, the teacher's secret, students and tables."""

    def __init__(self, plan: ClassPlan, log_dir: Path | None = None,
                 code: str | None = None, secret: str | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.plan = plan
        self.code = code or new_code()
        self.secret = secret or secrets.token_urlsafe(16)
        self.log_dir = log_dir
        self.clock = clock
        self.students: dict[str, Student] = {}
        self.tables: dict[str, TableRun] = {}
        self.current: int | None = None  # the round being played
        self.rounds_played: list[int] = []
        self.benchmarks: dict[int, Benchmark] = {}

    # --- people ----------------------------------------------------------------------
    def join(self, code: Any, name: Any) -> Student:
        """A student joins with the room's code and a name; returns them with their token."""
        if not isinstance(code, str) or code.strip().upper() != self.code:
            raise Hint("that is not this room's code: check the teacher's screen")
        text = clean_name(name)
        if any(s.name.casefold() == text.casefold() for s in self.students.values()):
            raise Hint(f"{text!r} is taken in this room: add an initial")
        if len(self.students) >= self.plan.spec.max_students:
            raise Hint(f"the room is full ({self.plan.spec.max_students} seats)")
        token = secrets.token_urlsafe(16)
        student = Student(token, text, len(self.students),
                          bucket=Bucket(self.plan.spec.requests_per_second, self.clock))
        self.students[token] = student
        if self.current is not None:  # a latecomer plays the round against the agents
            self._seat_alone(student, self.plan.rounds[self.current])
        return student

    def student(self, token: Any) -> Student:
        """The student a page's token names; Hint when none."""
        found = self.students.get(token) if isinstance(token, str) else None
        if found is None:
            raise Hint("this page's seat is not known in this room: join with the code")
        return found

    def allow(self, token: str) -> bool:
        """Whether a student's request fits their rate (a bucket of twice the rate a second)."""
        bucket = self.students[token].bucket
        return bucket is None or bucket.take()

    def is_teacher(self, secret: Any) -> bool:
        """Whether `secret` is the teacher's (compared in constant time)."""
        return isinstance(secret, str) and secrets.compare_digest(secret, self.secret)

    # --- rounds ----------------------------------------------------------------------
    def start_round(self, index: Any) -> set[str]:
        """Seat everyone for round `index` (the tables of an earlier round stay in the results).

        Pairs sit in the order students joined, the first of each pair the union; a round
        started again swaps the sides of each pair.
        """
        if isinstance(index, bool) or not isinstance(index, int) or not (
                0 <= index < len(self.plan.rounds)):
            raise Hint(f"no round {index!r}; the rounds are 0-{len(self.plan.rounds) - 1}")
        rnd = self.plan.rounds[index]
        if index not in self.benchmarks:
            self.benchmarks[index] = benchmark(rnd, self.plan.spec.agent_seeds)
        swap = self.rounds_played.count(index) % 2 == 1  # played again: pairs swap sides
        self.current = index
        self.rounds_played.append(index)
        for s in self.students.values():
            s.table = s.seat = s.member = None
        people = sorted(self.students.values(), key=lambda s: s.order)
        if rnd.spec.seating == "pairs":
            while len(people) >= 2:
                a, b = people.pop(0), people.pop(0)
                if swap:
                    a, b = b, a
                self._open(rnd, {rnd.union: [a], rnd.companies[0]: [b]})
        elif rnd.spec.seating == "coalition":
            self._seat_groups(rnd, people)
            people = []
        for s in people:
            self._seat_alone(s, rnd)
        return set(self.students)

    def _seat_groups(self, rnd: PlannedRound, people: list[Student]) -> None:
        if not people:
            return
        size = len(rnd.companies) + rnd.spec.union_team
        count = max(1, len(people) // size)
        groups: list[dict[str, Student]] = [{} for _ in range(count)]
        teams: list[list[Student]] = [[] for _ in range(count)]
        queue = list(people)
        for group in groups:
            for company in rnd.companies:
                if queue:
                    group[company] = queue.pop(0)
        i = 0
        while queue:
            teams[i % count].append(queue.pop(0))
            i += 1
        assert rnd.coalition is not None
        for group, team in zip(groups, teams, strict=True):
            table = self._open(rnd, {rnd.union: team}, group)
            for company, s in group.items():
                s.table, s.seat, s.member = table.id, rnd.coalition, company

    def _seat_alone(self, student: Student, rnd: PlannedRound) -> None:
        side = rnd.spec.side if rnd.spec.seating == "agents" else "union"
        party = {"union": rnd.union, "coalition": rnd.coalition}.get(side) or side
        self._open(rnd, {party: [student]})

    def _open(self, rnd: PlannedRound, seats: dict[str, list[Student]],
              group: dict[str, Student] | None = None) -> TableRun:
        number = sum(1 for t in self.tables.values() if t.rnd.index == rnd.index) + 1
        table_id = f"r{rnd.index + 1}-t{number}"
        while table_id in self.tables:  # a round played again
            number += 1
            table_id = f"r{rnd.index + 1}-t{number}"
        humans = [p for p, people in seats.items() if people]
        if group:
            assert rnd.coalition is not None
            humans.append(rnd.coalition)
        game = Game(rnd.scenario, humans, mode=rnd.spec.mode, seed=rnd.spec.seed)
        table = TableRun(table_id, rnd, game, {p: [s.token for s in people]
                                               for p, people in seats.items() if people},
                         {c: s.token for c, s in (group or {}).items()})
        for party, people in seats.items():
            for s in people:
                s.table, s.seat, s.member = table_id, party, None
        self.tables[table_id] = table
        if self.log_dir is not None:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            table.log = self.log_dir / f"{table_id}.jsonl"
            log = GameLog(rnd.spec.scenario, rnd.overrides, rnd.spec.mode, rnd.spec.seed,
                          humans)
            players = {p: [self.students[t].name for t in ts] for p, ts in table.seats.items()}
            if group:
                players[rnd.coalition or ""] = [f"{s.name} ({c})" for c, s in group.items()]
            self._write(table, log.header(**{"class": self.plan.spec.name, "round": rnd.index,
                                               "round_name": rnd.spec.name, "table": table_id,
                                               "players": players}))
        return table

    def _write(self, table: TableRun, row: dict[str, Any]) -> None:
        if table.log is not None:
            with table.log.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(row) + "\n")

    # --- moves -----------------------------------------------------------------------
    def move(self, token: Any, turn: Any, answer: Any) -> set[str]:
        """A student's answer to their seat's question; returns the tokens whose view changed.

        Raises:
            Hint: not seated, not their turn, an earlier question, or a bad answer; nothing
                changes.
        """
        s = self.student(token)
        table = self.tables.get(s.table or "")
        if table is None or s.seat is None:
            raise Hint("you have no seat yet: wait for the teacher to start a round")
        if isinstance(turn, bool) or not isinstance(turn, int):
            raise Hint("an answer must say which question it answers (turn)")
        game = table.game
        q = game.waiting
        if q is None:
            raise Hint("this game is over")
        if q.seat != s.seat:
            raise Hint(f"it is not your turn: {q.seat} is to answer")
        if turn != q.turn:
            raise Hint("that question was already answered; here is the current one")
        if s.member is not None:
            return self._vote(table, s, q, answer)
        kept = game.answer(s.seat, answer, turn)
        self._after(table, q, kept, s.name)
        return table.tokens()

    def agent_answers(self, table_id: Any) -> set[str]:
        """The teacher lets the agents answer the question a table waits on.

        For a student who has gone: the seat's strategy answers, or in a group the
        strategies of the members who have not voted. Returns the tokens whose view changed.
        """
        table = self.tables.get(table_id) if isinstance(table_id, str) else None
        if table is None:
            raise Hint(f"no table {str(table_id)[:20]!r}")
        q = table.game.waiting
        if q is None:
            raise Hint(f"{table.id}'s game is over")
        names = [self.students[t].name for t in table.seats.get(q.seat, [])]
        by = f"the agent (for {', '.join(names) or q.seat})"
        if table.group and q.seat == table.rnd.coalition:
            absent = [self.students[table.group[c]].name for c in table.group
                      if c not in table.votes]
            answer = combine(q, table.votes)  # absent members: their strategies' answers
            by = f"the members' rule (agents for {', '.join(absent)})"
            table.votes = {}
        else:
            answer = q.agent_answer
        self._after(table, q, table.game.answer(q.seat, answer, q.turn), by)
        return table.tokens()

    def _vote(self, table: TableRun, s: Student, q: Question, answer: Any) -> set[str]:
        assert s.member is not None
        if s.member in table.votes:
            raise Hint("you have voted on this question; wait for the other members")
        kept = check_answer(table.game.model, q, answer)
        table.votes[s.member] = kept
        table.version += 1
        self._write(table, {"type": "vote", "seat": q.seat, "turn": q.turn, "member": s.member,
                            "by": s.name, "answer": kept})
        if set(table.group) - set(table.votes):
            return table.tokens()
        together = combine(q, table.votes)
        table.votes = {}
        kept = table.game.answer(q.seat, together, q.turn)
        self._after(table, q, kept, "the members' rule")
        return table.tokens()

    def _after(self, table: TableRun, q: Question, kept: Answer, by: str) -> None:
        """Log an answer the game took (and the end, when it ended)."""
        table.version += 1
        self._write(table, {"type": "move", "seat": q.seat, "turn": q.turn, "step": q.step,
                            "by": by, "answer": kept})
        if table.game.finished:
            self._write(table, {"type": "end", "deals": table.game.deals()})

    # --- views -----------------------------------------------------------------------
    def view(self, token: str) -> dict[str, Any]:
        """What a student's page shows."""
        s = self.student(token)
        out: dict[str, Any] = {"type": "view", "name": s.name, "token": s.token,
                               "seat": s.seat, "member": s.member, "round": None,
                               "table": None, "question": None}
        table = self.tables.get(s.table or "")
        if table is None:
            return out
        rnd = table.rnd
        out["round"] = {"index": rnd.index, "name": rnd.spec.name, "note": rnd.spec.note}
        out["table"] = self._table_view(table)
        q = table.game.waiting
        if q is not None and q.seat == s.seat:
            if s.member is None or s.member not in table.votes:
                out["question"] = q.as_json()
            out["votes"] = {c: self.students[t].name for c, t in table.group.items()
                            if c in table.votes}
        if table.game.finished:
            out["result"] = self._result(table)
        return out

    def _table_view(self, table: TableRun) -> dict[str, Any]:
        game, rnd = table.game, table.rnd
        model = game.model
        q = game.waiting
        names = {p: [self.students[t].name for t in ts] for p, ts in table.seats.items()}
        if table.group and rnd.coalition:
            names[rnd.coalition] = [f"{self.students[t].name} ({c})"
                                    for c, t in table.group.items()]
        waiting = None
        if q is not None and table.group and q.seat == rnd.coalition:
            voted = [self.students[t].name for c, t in table.group.items() if c in table.votes]
            to_vote = [self.students[t].name for c, t in table.group.items()
                       if c not in table.votes]
            waiting = (f"{q.seat}'s members: {', '.join(to_vote)} to vote"
                       + (f" ({', '.join(voted)} voted)" if voted else ""))
        elif q is not None:
            waiting = q.seat + (f" ({', '.join(names[q.seat])})" if q.seat in names else "")
        return {
            "id": table.id, "version": table.version, "scenario": rnd.scenario.name,
            "mode": model.mode, "seed": model.seed, "clock": model.clock,
            "step": int(model.t), "horizon": int(model.horizon), "players": names,
            "issues": [{"name": n, "unit": i.unit, "min": i.min, "max": i.max,
                        "description": i.description} for n, i in rnd.scenario.issues.items()],
            "offers": game.offers[-SHOWN_OFFERS:], "deals": game.deals(),
            "waiting_for": waiting, "finished": game.finished,
        }

    def _result(self, table: TableRun) -> dict[str, Any]:
        bench = self.benchmarks.get(table.rnd.index)
        return {"deals": table.game.deals(),
                "theory": bench.theory if bench else None,
                "agents": bench.agents if bench else None}

    def monitor(self) -> dict[str, Any]:
        """What the teacher's page shows: the room, every table live, the results."""
        rounds = [{"index": r.index, "name": r.spec.name, "scenario": r.spec.scenario,
                   "seating": r.spec.seating, "note": r.spec.note} for r in self.plan.rounds]
        tables = [self._table_view(t) | {"round": t.rnd.index} for t in self.tables.values()]
        return {
            "type": "monitor", "code": self.code, "title": self.plan.spec.title,
            "students": [{"name": s.name, "table": s.table, "seat": s.seat, "member": s.member}
                         for s in sorted(self.students.values(), key=lambda s: s.order)],
            "rounds": rounds, "current": self.current, "tables": tables,
            "results": self.results(),
        }

    def results(self) -> list[dict[str, Any]]:
        """One row per deal made (or per table without one), beside theory and the agents."""
        rows = []
        for table in self.tables.values():
            rnd, game = table.rnd, table.game
            bench = self.benchmarks.get(rnd.index)
            base = {"round": rnd.index + 1, "round_name": rnd.spec.name, "table": table.id,
                    "scenario": rnd.spec.scenario, "mode": game.model.mode,
                    "seed": game.seed, "players": "; ".join(
                        f"{p}: {', '.join(ns)}" for p, ns in
                        self._table_view(table)["players"].items())}
            theory = bench.theory if bench else None
            agents = {d["table"]: d for d in (bench.agents["deals"] if bench else [])}
            deals = game.deals() or [None]
            for deal in deals:
                row = dict(base)
                row["status"] = "deal" if deal else ("no deal" if game.finished else "playing")
                row["deal_with"] = deal["table"] if deal else None
                row["deal_step"] = deal["step"] if deal else None
                mine = agents.get(deal["table"]) if deal else (
                    next(iter(agents.values()), None) if len(agents) == 1 else None)
                row["theory_step"] = theory["step"] if theory else None
                row["agents_step"] = mine["step"] if mine else None
                for name in rnd.scenario.issues:
                    row[f"deal_{name}"] = _round(deal["terms"][name]) if deal else None
                    row[f"theory_{name}"] = _round(theory["terms"].get(name)) if theory else None
                    row[f"agents_{name}"] = _round(mine["terms"][name]) if mine else None
                rows.append(row)
        return rows

    def csv(self) -> str:
        """The results as CSV text."""
        issues: list[str] = []
        for r in self.plan.rounds:
            issues += [n for n in r.scenario.issues if n not in issues]
        return csv_text(self.results(), issues)


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)


