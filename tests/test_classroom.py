"""The class session without a network: the class file, the room, the protocol, the replay.

A Room is driven as the server drives it (a Hub over connection ids); bad input from a
page is refused with a message and changes nothing; a table's log replays through
`bargainsim play --replay`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bargainsim.classroom.plan import load_class
from bargainsim.classroom.protocol import Hub
from bargainsim.classroom.room import Room, combine
from bargainsim.cli import main
from bargainsim.errors import InputError
from bargainsim.game.console import Hint
from bargainsim.game.seated import Game
from bargainsim.scenario import load_scenario
from bargainsim.shipped import scenario_path


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def plan():
    return load_class()


def room_with(plan, names, tmp_path=None):
    clock = Clock()
    room = Room(plan, log_dir=tmp_path, code="ABCDEF", secret="s3cret", clock=clock)
    students = [room.join("abcdef", n) for n in names]
    return room, students, clock


def snapshot(room: Room) -> str:
    return json.dumps({t: room.view(t) for t in room.students}, sort_keys=True) + json.dumps(
        room.monitor(), sort_keys=True)


# --- the class file ---------------------------------------------------------------------
def test_the_shipped_class_file_covers_the_lesson(plan):
    seatings = {(r.spec.scenario, r.spec.seating) for r in plan.rounds}
    assert ("classroom/rubinstein", "pairs") in seatings
    assert ("classroom/rubinstein", "agents") in seatings
    assert ("classroom/faratin", "pairs") in seatings
    assert ("classroom/faratin", "agents") in seatings
    assert ("classroom/coalition", "coalition") in seatings


@pytest.mark.parametrize(("text", "where", "words"), [
    ("rounds: []\n", "rounds (line 1)", "at least 1 item"),
    ("rounds:\n  - {name: a, scenario: nothere, seating: pairs}\n", "rounds.0.scenario (line 2)",
     "no scenario 'nothere'"),
    ("rounds:\n  - {name: a, scenario: classroom/faratin, seating: trios}\n",
     "rounds.0.seating (line 2)", "'pairs', 'agents' or 'coalition'"),
    ("rounds:\n  - name: a\n    scenario: classroom/faratin\n    seating: agents\n"
     "    set: {parties.union.discount: 7}\n", "rounds.0.set", "less than or equal to 1"),
    ("rounds:\n  - {name: a, scenario: classroom/faratin, seating: coalition}\n",
     "rounds.0.seating (line 2)", "no coalition"),
    ("rounds:\n  - {name: a, scenario: classroom/faratin, seating: agents, side: boss}\n",
     "rounds.0.side (line 2)", "no side 'boss'"),
    ("rounds:\n  - {name: a, scenario: classroom/coalition, seating: pairs}\n",
     "rounds.0.seating (line 2)", "one company"),
    ("max_students: 0\nrounds:\n  - {name: a, scenario: classroom/faratin, seating: pairs}\n",
     "max_students (line 1)", "greater than or equal to 1"),
    ("colour: red\nrounds:\n  - {name: a, scenario: classroom/faratin, seating: pairs}\n",
     "colour (line 1)", "class file format"),
])
def test_a_bad_class_file_names_file_key_and_line(tmp_path, capsys, text, where, words):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        load_class(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: {where}"), message
    assert words in message
    assert main(["class", str(path), "--check"]) == 2
    err = capsys.readouterr().err
    assert where in err and "Traceback" not in err


def test_class_check_lists_the_rounds(capsys):
    assert main(["class", "--check"]) == 0
    out = capsys.readouterr().out
    assert "round 5: C. Coalition: a group as the alliance: classroom/coalition, mode " \
           "coalition" in out


def test_a_scenario_beside_the_class_file(tmp_path):
    (tmp_path / "mine.yaml").write_text(scenario_path("classroom/faratin").read_text())
    (tmp_path / "c.yaml").write_text("rounds:\n  - {name: a, scenario: mine.yaml, "
                                     "seating: pairs}\n")
    assert load_class(tmp_path / "c.yaml").rounds[0].scenario.name == "faratin"


# --- the game core ----------------------------------------------------------------------
def test_a_game_between_two_seats_replays_to_the_same_state():
    spec = load_scenario(scenario_path("classroom/faratin"))
    game = Game(spec, ["union", "studio"])
    assert game.waiting is not None and game.waiting.seat == "union"
    game.answer("union", {"offer": {"wage": 9}}, 0)
    assert game.waiting.seat == "studio" and game.waiting.theirs == {"wage": 9.0}
    game.answer("studio", {"offer": {"wage": 3}}, 0)
    game.answer("union", {"accept": True}, 1)
    assert game.finished and game.deals()[0]["terms"] == {"wage": 3.0}
    again = Game(spec, ["union", "studio"], answers={k: list(v) for k, v in
                                                     game.answers.items()})
    assert again.deals() == game.deals() and again.offers == game.offers


def test_play_takes_the_coalition_seat(capsys, monkeypatch):
    import io
    monkeypatch.setattr(sys, "stdin", io.StringIO("a\n"))
    assert main(["play", "classroom/coalition", "--as", "coalition"]) == 0
    out = " ".join(capsys.readouterr().out.split())  # lines wrap at 80 columns
    assert "You are alliance (the alliance, for studio, streamer, tech)" in out
    assert "DEAL with union" in out  # the deal line names the other side


def test_combine_follows_the_coalition_rule():
    from bargainsim.game.seated import Question
    members = [{"name": "a", "share": 0.5, "accepts": False, "proposal": {"x": 1.0, "y": 1.0}},
               {"name": "b", "share": 0.3, "accepts": True, "proposal": {"x": 3.0, "y": 3.0}},
               {"name": "c", "share": 0.2, "accepts": False, "proposal": {"x": 2.0, "y": 0.5}}]
    q = Question("alliance", "move", 0, 0, 1, 2, "alliance", "union", {"x": 4.0, "y": 4.0},
                 {"x": 0.0, "y": 0.0}, True, members=members, rule="hardest_line", quorum=0.6)
    votes = {"a": {"offer": {"x": 2.0, "y": 1.5}}}
    # b accepts (the standing 4, 4), c is the agent's proposal: the least on each issue
    assert combine(q, votes) == {"offer": {"x": 2.0, "y": 0.5}}
    assert combine(q, {"a": {"accept": True}, "c": {"accept": True}}) == {"accept": True}
    q.rule = "share_weighted"  # a and b hold 0.8 >= 0.6: accepted without c
    assert combine(q, {"a": {"accept": True}}) == {"accept": True}
    mean = combine(q, votes)["offer"]
    assert mean["x"] == pytest.approx(0.5 * 2 + 0.3 * 4 + 0.2 * 2)


# --- the room -----------------------------------------------------------------------------
def test_pairs_play_and_the_results_match_the_deals(plan, tmp_path):
    room, (ann, bob, cid), _ = room_with(plan, ["Ann", "Bob", "Cid"], tmp_path)
    room.start_round(2)  # Faratin in pairs: Ann union vs Bob studio; Cid alone
    assert (ann.seat, bob.seat, cid.seat) == ("union", "studio", "union")
    assert room.move(ann.token, 0, {"offer": {"wage": 8}}) == {ann.token, bob.token}
    assert room.view(bob.token)["question"]["theirs"] == {"wage": 8.0}
    room.move(bob.token, 0, {"offer": {"wage": 4.5}})
    room.move(ann.token, 1, {"accept": True})
    result = room.view(ann.token)["result"]
    assert result["deals"][0]["terms"] == {"wage": 4.5}
    assert result["theory"]["step"] == 18 and result["agents"]["step"] == 18
    rows = [r for r in room.results() if r["table"] == ann.table]
    assert rows == [r for r in room.results() if r["status"] == "deal"]
    assert rows[0]["deal_wage"] == 4.5 and rows[0]["deal_step"] == 2
    assert rows[0]["theory_wage"] == pytest.approx(5.5317)
    csv_rows = room.csv().splitlines()
    assert csv_rows[0].startswith("round,round_name,table,scenario,mode,seed,players,status")
    assert any(",deal,studio,2," in line for line in csv_rows)
    # the table's log replays at the terminal to the same deal
    log = tmp_path / f"{ann.table}.jsonl"
    lines = [json.loads(x) for x in log.read_text().splitlines()]
    assert lines[0]["type"] == "game" and lines[0]["seed"] == 0
    assert [x["type"] for x in lines[1:]] == ["move", "move", "move", "end"]
    proc = subprocess.run([sys.executable, "-m", "bargainsim", "play", "--replay", str(log),
                           "--as", "studio"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "step 2: DEAL with union: wage=4.5" in " ".join(proc.stdout.split())


def test_a_group_plays_the_coalition_against_a_union_team(plan, tmp_path):
    names = ["A", "B", "C", "D", "E"]
    room, people, _ = room_with(plan, names, tmp_path)
    room.start_round(4)
    a, b, c, d, e = people
    assert [p.member for p in (a, b, c)] == ["studio", "streamer", "tech"]
    assert a.seat == "alliance" and d.seat == e.seat == "union"
    room.move(e.token, 0, {"offer": {"wage": 12, "residuals": 40, "ai": 0.8}})
    with pytest.raises(Hint, match="not your turn"):
        room.move(d.token, 1, {"accept": True})
    room.move(a.token, 0, {"accept": True})
    with pytest.raises(Hint, match="you have voted"):
        room.move(a.token, 0, {"accept": True})
    room.move(b.token, 0, {"offer": {"wage": 10, "residuals": 20, "ai": 0.6}})
    waiting = room.view(d.token)["table"]["waiting_for"]
    assert waiting == "alliance's members: C to vote (A, B voted)"
    room.move(c.token, 0, {"offer": {"wage": 11, "residuals": 30, "ai": 0.5}})
    q = room.view(d.token)["question"]
    assert q["theirs"] == {"wage": 10.0, "residuals": 20.0, "ai": 0.5}  # the least of each
    room.move(d.token, 1, {"accept": True})
    deal = room.view(a.token)["result"]["deals"][0]
    assert deal["table"] == "alliance" and deal["terms"] == {"wage": 10.0, "residuals": 20.0,
                                                            "ai": 0.5}
    proc = subprocess.run([sys.executable, "-m", "bargainsim", "play", "--replay",
                           str(tmp_path / f"{a.table}.jsonl")], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "DEAL with alliance (for studio, streamer, tech): wage=10, residuals=20, ai=0.5" \
        in " ".join(proc.stdout.split())


def test_a_round_started_again_swaps_the_pairs_sides(plan):
    room, (ann, bob), _ = room_with(plan, ["Ann", "Bob"])
    room.start_round(0)
    assert (ann.seat, bob.seat) == ("union", "studio")
    room.start_round(0)
    assert (ann.seat, bob.seat) == ("studio", "union") and ann.table == "r1-t2"
    assert [r["table"] for r in room.results()] == ["r1-t1", "r1-t2"]


def test_a_latecomer_plays_against_the_agents(plan):
    room, _, _ = room_with(plan, ["A", "B"])
    room.start_round(0)
    late = room.join("ABCDEF", "Zed")
    assert late.seat == "union" and room.view(late.token)["question"]["kind"] == "move"


# --- bad input changes nothing ------------------------------------------------------------
BAD_MOVES = [
    ({"offer": {"wage": 11}}, "between 0 and 10"),
    ({"offer": {"wage": -1e300}}, "between 0 and 10"),
    ({"offer": {"wage": "7"}}, "not a number"),
    ({"offer": {"wage": True}}, "not a number"),
    ({"offer": {"pay": 5}}, "no issue called"),
    ({"offer": {}}, "an offer names each issue"),
    ({"offer": [5]}, "an offer names each issue"),
    ({"accept": True}, "no offer from the other side"),
    ({"accept": False}, "accept: true"),
    ({"yes": True}, "accept or an offer"),
    ({"accept": True, "offer": {"wage": 5}}, "one of"),
    ("accept", "one of"),
    (None, "one of"),
]


@pytest.mark.parametrize(("answer", "words"), BAD_MOVES)
def test_a_bad_answer_is_refused_and_changes_nothing(plan, answer, words):
    room, (ann, bob), _ = room_with(plan, ["Ann", "Bob"])
    room.start_round(2)
    before = snapshot(room)
    with pytest.raises(Hint, match=words):
        room.move(ann.token, 0, answer)
    assert snapshot(room) == before


@pytest.mark.parametrize("message", [
    "", "not json", "[1, 2]", "{}", '{"type": "sudo"}', '{"type": "join"}',
    '{"type": "join", "code": "ABCDEF", "name": ""}',
    '{"type": "join", "code": "ABCDEF", "name": "\\u0000x"}',
    '{"type": "join", "code": "ABCDEF", "name": "' + "x" * 41 + '"}',
    '{"type": "join", "code": "WRONG1", "name": "Eve"}',
    '{"type": "join", "code": ["ABCDEF"], "name": "Eve"}',
    '{"type": "join", "code": "ABCDEF", "name": "ann"}',
    '{"type": "hello", "token": "forged"}', '{"type": "hello", "token": 7}',
    '{"type": "move", "turn": 0, "answer": {"offer": {"wage": 5}}}',
    '{"type": "start", "round": 0}', '{"type": "export"}',
    '{"type": "teacher", "secret": "guess"}', '{"type": "teacher", "secret": null}',
    "[" * 10000, '{"type": "join", "name": "' + "y" * 9000 + '"}', b"\x00\x01",
])
def test_garbage_from_a_page_gets_a_message_and_changes_nothing(plan, message):
    room, _, _ = room_with(plan, ["Ann", "Bob"])
    room.start_round(2)
    hub = Hub(room)
    hub.open(1)
    before = snapshot(room)
    out = hub.handle(1, message)
    assert [m["type"] for _, m in out] == ["error"]
    assert out[0][1]["message"]
    assert snapshot(room) == before and len(room.students) == 2


def test_a_student_acts_only_on_their_own_seat(plan):
    room, (ann, bob, cid, dee), _ = room_with(plan, ["Ann", "Bob", "Cid", "Dee"])
    room.start_round(2)
    hub = Hub(room)
    for conn, s in enumerate((ann, bob, cid, dee), start=1):
        hub.open(conn)
        hub.handle(conn, json.dumps({"type": "hello", "token": s.token}))
    before = snapshot(room)
    # Bob and Dee (the studio at the two tables) answer the union's question
    for conn in (2, 4):
        out = hub.handle(conn, json.dumps({"type": "move", "turn": 0,
                                           "answer": {"offer": {"wage": 5}}}))
        assert out[0][1]["type"] == "error"
        assert out[1][1]["type"] == "view"  # and the page's unchanged view
    assert "not your turn" in hub.handle(2, json.dumps(
        {"type": "move", "turn": 0, "answer": {"offer": {"wage": 5}}}))[0][1]["message"]
    # a student's page cannot act as the teacher
    assert "only the teacher" in hub.handle(1, '{"type": "start", "round": 0}')[0][1]["message"]
    assert snapshot(room) == before
    out = hub.handle(1, json.dumps({"type": "move", "turn": 0,
                                    "answer": {"offer": {"wage": 8}}}))
    assert {conn for conn, m in out if m["type"] == "view"} == {1, 2}  # Ann and Bob see it


def test_rate_limits_and_the_room_size(plan):
    room, (ann, _), clock = room_with(plan, ["Ann", "Bob"])
    room.start_round(2)
    hub = Hub(room, per_connection=100.0)
    hub.open(1)
    hub.handle(1, json.dumps({"type": "hello", "token": ann.token}))
    rate = plan.spec.requests_per_second
    replies = [hub.handle(1, json.dumps({"type": "hello", "token": ann.token}))[0][1]["type"]
               for _ in range(int(4 * rate))]
    assert "error" in replies and replies[0] == "view"
    clock.now += 10.0  # the bucket refills
    assert hub.handle(1, json.dumps({"type": "hello", "token": ann.token}))[0][1]["type"] == \
        "view"
    small = Room(load_class_with(plan, max_students=2), code="ABCDEF")
    small.join("ABCDEF", "a")
    small.join("ABCDEF", "b")
    with pytest.raises(Hint, match="the room is full"):
        small.join("ABCDEF", "c")


def load_class_with(plan, **changes):
    from dataclasses import replace
    return replace(plan, spec=plan.spec.model_copy(update=changes))


def test_the_teacher_starts_rounds_and_exports(plan):
    room, _, _ = room_with(plan, ["Ann", "Bob"])
    hub = Hub(room)
    hub.open(9)
    out = hub.handle(9, '{"type": "teacher", "secret": "s3cret"}')
    assert [m["type"] for _, m in out] == ["room", "monitor", "benchmarks"]
    out = hub.handle(9, '{"type": "start", "round": 1}')
    assert "monitor" in [m["type"] for _, m in out]
    bench = [m for _, m in out if m["type"] == "benchmarks"][0]["rounds"]["1"]
    assert bench["theory"]["step"] == 1 and len(bench["spread"]["separate"]["steps"]) == 50
    for bad in ('{"type": "start", "round": 99}', '{"type": "start", "round": "1"}',
                '{"type": "start", "round": true}'):
        assert hub.handle(9, bad)[0][1]["type"] == "error"
    csv_text = hub.handle(9, '{"type": "export"}')[0][1]["text"]
    assert csv_text.count("\n") == 3  # a header and one row per table


def test_log_read_errors_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    for text, words in [("", "empty"), ("{nope\n", "not JSON"), ('{"type": "move"}\n', "first"),
                        ('{"type": "game", "scenario": "classroom/faratin", "seed": -1, '
                         '"humans": ["union"]}\n', "seed")]:
        bad.write_text(text)
        assert main(["play", "--replay", str(bad)]) == 2
        err = capsys.readouterr().err
        assert str(bad) in err and words in err and "Traceback" not in err
    assert main(["play", "classroom/faratin"]) == 2
    assert "--as SIDE" in capsys.readouterr().err


def test_an_edited_log_is_refused_when_replayed(tmp_path, capsys):
    root = Path(__file__).resolve().parents[1]
    rows = [json.loads(x) for x in (root / "examples/class/coalition-table.jsonl")
            .read_text().splitlines()]
    assert main(["play", "--replay", str(root / "examples/class/coalition-table.jsonl")]) == 0
    assert "DEAL with alliance" in " ".join(capsys.readouterr().out.split())
    for row in rows:
        if row["type"] == "move" and row["seat"] == "alliance" and row["turn"] == 1:
            row["answer"] = {"offer": {"wage": 99}}
    edited = tmp_path / "edited.jsonl"
    edited.write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert main(["play", "--replay", str(edited)]) == 2
    err = capsys.readouterr().err
    assert f"{edited}: move: alliance's answer 2" in err and "wage must be between 0 and 20" \
        in err and "Traceback" not in err


def test_yes_or_no_questions_in_the_2023_scenario():
    spec = load_scenario(scenario_path("wga_2023"))
    game = Game(spec, ["disney"])  # inside the alliance: asked to consent in week 25
    q = game.waiting
    assert (q.kind, q.step, q.agent) == ("consent", 25, "consent")
    with pytest.raises(Hint, match="takes yes or no"):
        game.answer("disney", {"accept": True}, 0)
    game.answer("disney", {"yes": True}, 0)
    assert game.finished and game.deals()[0]["table"] == "amptp"
    union = Game(spec, ["wga"]).waiting  # the union sees what its members would vote
    assert union.kind == "move" and union.round == 1
    breakaway = Game(spec, ["disney"], mode="breakaway").waiting
    assert (breakaway.kind, breakaway.agent) == ("leave", "stay")


def test_the_csv_does_not_let_a_cell_become_a_formula(plan):
    from bargainsim.classroom.results import csv_text
    text = csv_text([{"round": 1, "players": "=HYPERLINK(1)", "status": "@x", "seed": 0}], [])
    assert "'=HYPERLINK(1)" in text and ",'@x," in text and ",0," in text
    room, _, _ = room_with(plan, ["=cmd", "Bob"])
    room.start_round(2)
    assert "union: =cmd; studio: Bob" in room.csv()  # inside a cell, not at its start


def test_a_fault_in_the_engine_is_reported_and_changes_nothing(plan, monkeypatch):
    room, (ann, bob), _ = room_with(plan, ["Ann", "Bob"])
    room.start_round(2)
    hub = Hub(room)
    hub.open(1)
    hub.handle(1, json.dumps({"type": "hello", "token": ann.token}))
    before = snapshot(room)

    def broken(self):
        raise RuntimeError("a bug")

    monkeypatch.setattr(Game, "advance", broken)
    out = hub.handle(1, json.dumps({"type": "move", "turn": 0,
                                    "answer": {"offer": {"wage": 8}}}))
    assert out[0][1]["type"] == "error" and "nothing was changed" in out[0][1]["message"]
    monkeypatch.undo()
    assert snapshot(room) == before


def test_the_teacher_lets_the_agents_answer_for_a_student_who_has_gone(plan, tmp_path):
    room, people, _ = room_with(plan, ["A", "B", "C", "D", "E"], tmp_path)
    room.start_round(4)
    a, b, c, d, e = people
    hub = Hub(room)
    hub.open(9)
    hub.handle(9, '{"type": "teacher", "secret": "s3cret"}')
    table = a.table
    hub.handle(9, json.dumps({"type": "agent", "table": table}))  # the union's agent offers
    q = room.view(a.token)["question"]
    assert q["theirs"] == {"wage": 16.0, "residuals": 80.0, "ai": 1.0}
    room.move(a.token, q["turn"], {"offer": {"wage": 5, "residuals": 0, "ai": 0}})
    hub.handle(9, json.dumps({"type": "agent", "table": table}))  # B and C's companies
    offer = room.view(d.token)["question"]["theirs"]
    assert offer == {"wage": 5.0, "residuals": 0.0, "ai": 0.0}  # the least: A's offer
    for bad in ('{"type": "agent", "table": "r9-t9"}', '{"type": "agent", "table": 5}',
                '{"type": "agent"}'):
        assert hub.handle(9, bad)[0][1]["type"] == "error"
    hub.open(1)
    hub.handle(1, json.dumps({"type": "hello", "token": d.token}))
    assert "only the teacher" in hub.handle(1, json.dumps(
        {"type": "agent", "table": table}))[0][1]["message"]
    log = (tmp_path / f"{table}.jsonl").read_text()
    assert '"by": "the agent (for D, E)"' in log and "agents for B, C" in log
