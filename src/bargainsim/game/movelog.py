"""A game's moves as JSON lines: what the classroom server writes and `play --replay` reads.

The first line names the game: `{"type": "game", "scenario": NAME, "set": [KEY=VALUE, ...],
"mode": MODE, "seed": SEED, "humans": [SEAT, ...], ...}`; each answer a seat gave follows
in order as `{"type": "move", "seat": SEAT, "turn": N, "answer": {...}, ...}` (see
`bargainsim.game.seated` for answers). Other lines (votes of a coalition's members, the
end) are kept for people and skipped by the replay. Same scenario, seed and answers: the
same game.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bargainsim.errors import InputError, Problem

MAX_BYTES = 20_000_000  # a class's log is a few hundred kB


@dataclass
class GameLog:
    """A logged game: its scenario (a shipped name or a file), overrides, mode, seed, answers."""

    scenario: str
    overrides: list[str]
    mode: str | None
    seed: int
    humans: list[str]
    answers: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def header(self, **extra: Any) -> dict[str, Any]:
        """The first line of the log."""
        return {"type": "game", "scenario": self.scenario, "set": self.overrides,
                "mode": self.mode, "seed": self.seed, "humans": self.humans, **extra}


def read_log(path: str | Path) -> GameLog:
    """Read a game's log; anything wrong raises InputError naming the line."""
    source = str(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise InputError(source, [Problem("", f"cannot read the log: {exc.strerror}")]) from None
    if len(data) > MAX_BYTES:
        raise InputError(source, [Problem("", "larger than 20 MB: not a game's log")])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(source, [Problem("", "not UTF-8 text")]) from None
    log: GameLog | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(source, [Problem("", f"not JSON: {exc.msg}", number)]) from None
        if not isinstance(row, dict):
            raise InputError(source, [Problem("", "each line is a JSON object", number)])
        if log is None:
            log = _header(row, source, number)
        elif row.get("type") == "move":
            seat = row.get("seat")
            answer = row.get("answer")
            if seat not in log.answers or not isinstance(answer, dict):
                raise InputError(source, [Problem(
                    "seat" if seat not in log.answers else "answer",
                    f"a move needs a seat of {log.humans} and an answer object", number)])
            log.answers[seat].append(answer)
    if log is None:
        raise InputError(source, [Problem("", "empty: no game line")])
    return log


def _header(row: dict[str, Any], source: str, number: int) -> GameLog:
    def bad(key: str, what: str) -> InputError:
        return InputError(source, [Problem(key, what, number)])

    if row.get("type") != "game":
        raise bad("type", "the first line must be the game's (type: game)")
    scenario, overrides = row.get("scenario"), row.get("set", [])
    mode, seed, humans = row.get("mode"), row.get("seed"), row.get("humans")
    if not isinstance(scenario, str) or not scenario:
        raise bad("scenario", "a scenario's name or file is needed")
    if not isinstance(overrides, list) or not all(isinstance(o, str) for o in overrides):
        raise bad("set", "a list of KEY.PATH=VALUE strings")
    if mode is not None and not isinstance(mode, str):
        raise bad("mode", "a mode's name")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise bad("seed", "a non-negative integer")
    if not isinstance(humans, list) or not humans or not all(
            isinstance(h, str) for h in humans):
        raise bad("humans", "the list of seats people played")
    return GameLog(scenario, list(overrides), mode, seed, list(humans),
                   {h: [] for h in humans})
