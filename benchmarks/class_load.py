"""Load on a class session: 60 students, an offer every 2 s each, for two minutes (loopback).

`python -m benchmarks.class_load [--students 60] [--seconds 120]` starts `bargainsim class`
on 127.0.0.1 with a class file of one round (Faratin in pairs, a long horizon so that no
game ends), joins the students and the teacher through the pages' websocket protocol, and
has the two students at each table offer in turn, one second apart (each offers every 2 s;
each table starts at its own moment within the first second, seeded). It reports errors,
offers sent against offers the other side saw and the server logged, the server's resident
memory over time (psutil) and the time from an offer to the other side seeing it (median,
p95, max). Not a test: the figures depend on the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import websockets

CLASS = """\
name: load
rounds:
  - name: load
    scenario: classroom/faratin
    seating: pairs
    set: {horizon: 100000}
max_students: 100
requests_per_second: 5
agent_seeds: 5
"""


def start(folder: Path) -> tuple[subprocess.Popen[str], str, str, str]:
    """The server, its websocket address, the room's code and the teacher's secret."""
    (folder / "class.yaml").write_text(CLASS)
    proc = subprocess.Popen(
        [sys.executable, "-m", "bargainsim", "class", str(folder / "class.yaml"), "--port", "0",
         "--logs", str(folder / "logs")], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert proc.stdout is not None
    text = ""
    while "Ctrl-C" not in text:
        line = proc.stdout.readline()
        if not line:
            raise SystemExit("the server did not start:\n" + text)
        text += line
    teacher = re.search(r"teacher's page: http://([^/]+)/teacher#(\S+)", text)
    code = re.search(r"with the code (\w+)", text)
    assert teacher and code
    return proc, f"ws://{teacher.group(1)}/ws", code.group(1), teacher.group(2)


class Student:
    """One simulated page: joins, then offers when asked, and notes when it sees offers."""

    def __init__(self, index: int) -> None:
        self.index = index
        self.view: dict | None = None
        self.changed = asyncio.Event()
        self.errors: list[str] = []
        self.seen: dict[float, float] = {}  # offered value -> when this page saw it

    async def listen(self, ws: websockets.ClientConnection) -> None:
        async for text in ws:
            m = json.loads(text)
            if m["type"] == "error":
                self.errors.append(m["message"])
            elif m["type"] == "view":
                self.view = m
                q = m.get("question")
                if q and q.get("theirs"):
                    value = next(iter(q["theirs"].values()))
                    self.seen.setdefault(round(value, 6), time.perf_counter())
                self.changed.set()


async def session(url: str, code: str, secret: str, students: int, seconds: float) -> dict:
    pages = [Student(i) for i in range(students)]
    sockets = []
    tasks = []
    for s in pages:
        ws = await websockets.connect(url)
        sockets.append(ws)
        tasks.append(asyncio.create_task(s.listen(ws)))
        await ws.send(json.dumps({"type": "join", "code": code, "name": f"student {s.index}"}))
    teacher = await websockets.connect(url)
    await teacher.send(json.dumps({"type": "teacher", "secret": secret}))
    await teacher.send(json.dumps({"type": "start", "round": 0}))
    drain = asyncio.create_task(_drain(teacher))
    sent: dict[float, tuple[int, float]] = {}  # value -> (sender, when)
    start = time.perf_counter()

    async def play(s: Student, ws: websockets.ClientConnection, offset: float) -> None:
        k = 0
        while (t := time.perf_counter() - start) < seconds:
            await asyncio.sleep(max(0.0, offset + 2.0 * k - t))
            if time.perf_counter() - start >= seconds:
                break
            q = s.view and s.view.get("question")
            if not q:  # the other side has not yet seen and answered: wait a little
                s.changed.clear()
                try:
                    await asyncio.wait_for(s.changed.wait(), 1.0)
                except TimeoutError:
                    pass
                q = s.view and s.view.get("question")
                if not q:
                    k += 1
                    continue
            union = s.view["seat"] == "union"
            step = 1e-5 * (s.index * 100 + k)  # a value no other offer has
            value = round(9.0 - step if union else 1.0 + step, 6)
            sent[value] = (s.index, time.perf_counter())
            await ws.send(json.dumps({"type": "move", "turn": q["turn"],
                                      "answer": {"offer": {"wage": value}}}))
            k += 1

    await asyncio.sleep(1.0)  # every page has its seat
    start = time.perf_counter()
    # each pair starts at its own moment (students do not all click at once); the union's
    # student offers, the studio's a second later, each every 2 s
    phases = random.Random(0)
    start_of = {i: phases.uniform(0.0, 1.0) for i in range(0, students, 2)}
    await asyncio.gather(*(play(s, ws, start_of[s.index - s.index % 2] + s.index % 2)
                           for s, ws in zip(pages, sockets, strict=True)))
    await asyncio.sleep(2.0)  # the last offers arrive
    latencies = []
    seen = {}
    for s in pages:
        seen.update(s.seen)
    lost = 0
    for value, (_, when) in sent.items():
        if value in seen:
            latencies.append(seen[value] - when)
        else:
            lost += 1
    for ws in [*sockets, teacher]:
        await ws.close()
    drain.cancel()
    for task in tasks:
        task.cancel()
    return {"sent": len(sent), "lost": lost, "latencies": latencies,
            "errors": [e for s in pages for e in s.errors]}


async def _drain(ws: websockets.ClientConnection) -> None:
    async for _ in ws:
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=60)
    parser.add_argument("--seconds", type=float, default=120.0)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        proc, url, code, secret = start(folder)
        server = psutil.Process(proc.pid)
        memory: list[tuple[float, float]] = []
        stop = False

        async def sample() -> None:
            t0 = time.perf_counter()
            while not stop:
                memory.append((time.perf_counter() - t0, server.memory_info().rss / 2**20))
                await asyncio.sleep(5.0)

        async def run() -> dict:
            nonlocal stop
            sampler = asyncio.create_task(sample())
            out = await session(url, code, secret, args.students, args.seconds)
            stop = True
            await sampler
            return out

        try:
            out = asyncio.run(run())
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        logged = sum(1 for f in (folder / "logs").glob("*.jsonl")
                     for line in f.read_text().splitlines() if '"type": "move"' in line)
    lat = sorted(out["latencies"])
    p95 = lat[int(0.95 * (len(lat) - 1))] * 1000 if lat else float("nan")
    first = [m for t, m in memory if t <= 60.0]
    after = [m for t, m in memory if t > 60.0]
    print(f"{args.students} students, an offer every 2 s each for {args.seconds:g} s, loopback")
    print(f"offers sent {out['sent']}, seen by the other side {len(lat)}, lost {out['lost']}, "
          f"logged by the server {logged}; errors {len(out['errors'])}"
          + (f" (first: {out['errors'][0]})" if out["errors"] else ""))
    print(f"offer -> other side sees it: median {statistics.median(lat) * 1000:.1f} ms, "
          f"p95 {p95:.1f} ms, max {lat[-1] * 1000:.1f} ms" if lat else "no latencies")
    print(f"server RSS: {first[0]:.0f} MiB at the start, {max(first):.0f} MiB max in the first "
          f"minute, {min(after or [0]):.0f}-{max(after or [0]):.0f} MiB after it")
    growth = max(after or [0]) - max(first)  # flat: within 64 MiB of the first minute's peak
    ok = (not out["errors"] and out["lost"] == 0 and logged == out["sent"]
          and max(m for _, m in memory) < 1024 and growth < 64)
    print("ok" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
