"""The one protocol pages (and the load test) speak: JSON messages over a websocket.

A page sends one JSON object per message, with `type`:

- `join` {code, name}: a student joins; answered by `joined` {token} and a `view`;
- `hello` {token}: a student's page (re)opens its seat; answered by a `view`;
- `move` {turn, answer}: the student's answer to their seat's question (`turn` says which);
- `teacher` {secret}: the teacher's page; answered by `room` {code, url, qr} and `monitor`;
- `start` {round}, `agent` {table} and `export` (teacher only): seat everyone for a
  round; let the agents answer what a table waits on (a student has gone); the CSV.

The server answers a bad message with `error` {message} and changes nothing. After a
change every page concerned gets its new `view` (students at the table) or `monitor`
(teachers). `Hub` does all of this for connections named by ids, without a network, so
tests and the server share it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bargainsim.classroom.room import Bucket, Room
from bargainsim.game.console import Hint

logger = logging.getLogger("bargainsim.classroom")
MAX_MESSAGE = 8_192  # bytes; an offer is about a hundred
STUDENT_TYPES = ("join", "hello", "move")
TEACHER_TYPES = ("teacher", "start", "export", "agent")
Outbox = list[tuple[int, dict[str, Any]]]  # (connection, message)


def parse(text: Any) -> dict[str, Any]:
    """A page's message as a mapping with a known `type`; else Hint."""
    if isinstance(text, bytes):
        raise Hint("messages are JSON text")
    if not isinstance(text, str) or len(text.encode("utf-8", "replace")) > MAX_MESSAGE:
        raise Hint(f"a message is JSON text of at most {MAX_MESSAGE} bytes")
    try:
        message = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        raise Hint("a message is one JSON object") from None
    if not isinstance(message, dict):
        raise Hint("a message is one JSON object")
    kind = message.get("type")
    if kind not in STUDENT_TYPES + TEACHER_TYPES:
        raise Hint(f"unknown message type {str(kind)[:30]!r}")
    return message


@dataclass
class Connection:
    """One open page: a student's (token) or the teacher's, with its own rate allowance."""

    bucket: Bucket
    token: str | None = None
    teacher: bool = False


class Hub:
    """The room behind the protocol: messages in, messages out, by connection id.

    `room_info` gives the teacher's `room` message (the join address and its QR code).
    """

    def __init__(self, room: Room, room_info: Callable[[], dict[str, Any]] | None = None,
                 per_connection: float = 10.0) -> None:
        self.room = room
        self.room_info = room_info or (lambda: {"type": "room", "code": room.code})
        self.per_connection = per_connection  # messages a second from one page, any kind
        self.connections: dict[int, Connection] = {}
        self.dirty = False  # the teachers' monitor is out of date (`flush`)

    def open(self, conn: int) -> None:
        """A page connected."""
        self.connections[conn] = Connection(Bucket(self.per_connection, self.room.clock))

    def close(self, conn: int) -> None:
        """A page went away (its seat stays: the student may come back)."""
        self.connections.pop(conn, None)

    def handle(self, conn: int, text: Any) -> Outbox:
        """One message from a page; returns what to send to whom."""
        c = self.connections[conn]
        if not c.bucket.take():
            return [(conn, error("too many messages: wait a second and try again"))]
        try:
            message = parse(text)
            return self._dispatch(conn, c, message)
        except Hint as hint:
            out: Outbox = [(conn, error(str(hint)))]
            if c.token is not None and c.token in self.room.students:
                out.append((conn, self.room.view(c.token)))  # the current state, unchanged
            return out
        except Exception:  # a fault of ours: say so, keep serving the room
            logger.exception("classroom: a message failed")
            return [(conn, error("the server could not do that (its log says why); "
                                 "nothing was changed"))]

    def _dispatch(self, conn: int, c: Connection, m: dict[str, Any]) -> Outbox:
        kind = m["type"]
        room = self.room
        if kind == "teacher":
            if not room.is_teacher(m.get("secret")):
                raise Hint("that is not the teacher's secret (printed when the server started)")
            c.teacher, c.token = True, None
            return [(conn, self.room_info()), (conn, room.monitor()),
                    (conn, self._benchmarks())]
        if kind in TEACHER_TYPES:
            if not c.teacher:
                raise Hint("only the teacher's page may do that")
            if kind == "export":
                return [(conn, {"type": "csv", "text": room.csv()})]
            if kind == "agent":
                return self._views(room.agent_answers(m.get("table"))) + self.flush()
            out = self._views(room.start_round(m.get("round")))
            return out + self.flush() + [(t, self._benchmarks()) for t in self._teachers()]
        if kind == "join":
            student = room.join(m.get("code"), m.get("name"))
            c.token, c.teacher = student.token, False
            self.dirty = True
            return [(conn, {"type": "joined", "token": student.token}),
                    (conn, room.view(student.token))]
        if kind == "hello":
            student = room.student(m.get("token"))
            if not room.allow(student.token):
                raise Hint("too many requests from your seat: wait a second")
            c.token, c.teacher = student.token, False
            return [(conn, room.view(student.token))]
        # a move
        if c.token is None:
            raise Hint("join the room first")
        if not room.allow(c.token):
            raise Hint("too many requests from your seat: wait a second")
        return self._views(room.move(c.token, m.get("turn"), m.get("answer")))

    def _views(self, tokens: set[str]) -> Outbox:
        views: dict[str, dict[str, Any]] = {}
        out: Outbox = []
        for conn, c in self.connections.items():
            if c.token in tokens:
                if c.token not in views:
                    views[c.token] = self.room.view(c.token)
                out.append((conn, views[c.token]))
        self.dirty = True
        return out

    def _teachers(self) -> list[int]:
        return [conn for conn, c in self.connections.items() if c.teacher]

    def flush(self) -> Outbox:
        """The teachers' monitor, when something changed since the last one.

        The server calls it a few times a second, so a busy room does not rebuild the
        monitor for every move.
        """
        teachers = self._teachers()
        if not self.dirty or not teachers:
            return []
        self.dirty = False
        monitor = self.room.monitor()
        return [(conn, monitor) for conn in teachers]

    def _benchmarks(self) -> dict[str, Any]:
        return {"type": "benchmarks", "rounds": {
            str(i): b.as_json() for i, b in self.room.benchmarks.items()}}


def error(message: str) -> dict[str, Any]:
    """The answer to a bad message."""
    return {"type": "error", "message": message}
