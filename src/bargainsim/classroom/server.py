"""`bargainsim class`: the room's web server (Starlette on uvicorn) and what it prints.

It serves the student's page (`/`), the teacher's (`/teacher`, which asks for the secret
printed at start: it travels in the address's fragment, never in a request), their
static files and one websocket (`/ws`) speaking `bargainsim.classroom.protocol`. It binds
to 127.0.0.1 unless `--lan` asks for the local network. A websocket from another site's
page (its Origin not this server) is refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, TextIO

from bargainsim.classroom.plan import ClassPlan
from bargainsim.classroom.protocol import MAX_MESSAGE, Hub, Outbox
from bargainsim.classroom.room import Room

PAGES = Path(__file__).parent / "pages"
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
                               "style-src 'self'; script-src 'self'; connect-src 'self'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
FLUSH_SECONDS = 0.3  # how often the teachers' monitor may be rebuilt


def lan_addresses() -> list[str]:
    """This machine's IPv4 addresses other than loopback (what students' devices reach)."""
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except OSError:
        return []
    return sorted({str(i[4][0]) for i in infos if not str(i[4][0]).startswith("127.")})


def qr_svg(text: str) -> str:
    """A QR code of `text` as inline SVG (segno); empty when segno is not installed."""
    try:
        import segno
    except ImportError:
        return ""
    return str(segno.make(text, error="m").svg_inline(scale=6, dark="#000", light="#fff"))


def create_app(hub: Hub) -> Any:
    """The Starlette app: the pages, their files and the websocket behind `hub`."""
    from starlette.applications import Starlette
    from starlette.responses import FileResponse, Response
    from starlette.routing import Mount, Route, WebSocketRoute
    from starlette.staticfiles import StaticFiles
    from starlette.websockets import WebSocket, WebSocketDisconnect

    sockets: dict[int, WebSocket] = {}
    ids = itertools.count(1)

    async def deliver(out: Outbox) -> None:
        texts: dict[int, str] = {}
        for conn, message in out:
            ws = sockets.get(conn)
            if ws is None:
                continue
            text = texts.get(id(message))
            if text is None:
                text = texts[id(message)] = json.dumps(message)
            with contextlib.suppress(Exception):  # a page gone meanwhile
                await ws.send_text(text)

    async def student(request: Any) -> Response:
        return FileResponse(PAGES / "student.html", headers=HEADERS)

    async def teacher(request: Any) -> Response:
        return FileResponse(PAGES / "teacher.html", headers=HEADERS)

    async def nothing(request: Any) -> Response:
        return Response(status_code=204, headers=HEADERS)

    async def endpoint(ws: WebSocket) -> None:
        origin = ws.headers.get("origin")
        host = ws.headers.get("host", "")
        if origin is not None and origin.split("://", 1)[-1] != host:
            await ws.close(code=1008)  # another site's page
            return
        await ws.accept()
        conn = next(ids)
        sockets[conn] = ws
        hub.open(conn)
        try:
            while True:
                message = await ws.receive()
                if message["type"] == "websocket.disconnect":
                    break
                data = message.get("text")
                await deliver(hub.handle(conn, data if data is not None else b""))
        except WebSocketDisconnect:
            pass
        finally:
            hub.close(conn)
            sockets.pop(conn, None)

    async def flusher() -> None:
        while True:
            await asyncio.sleep(FLUSH_SECONDS)
            await deliver(hub.flush())

    @contextlib.asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        task = asyncio.create_task(flusher())
        yield
        task.cancel()

    return Starlette(routes=[
        Route("/", student), Route("/teacher", teacher), Route("/favicon.ico", nothing),
        Mount("/static", StaticFiles(directory=PAGES)),
        WebSocketRoute("/ws", endpoint),
    ], lifespan=lifespan)


def serve(plan: ClassPlan, lan: bool = False, port: int = 8770, logs: Path | None = None,
          out: TextIO | None = None) -> int:
    """Start the room's server and print how to reach it; runs until Ctrl-C."""
    import uvicorn

    out = out or sys.stdout
    room = Room(plan, log_dir=logs)
    host = "0.0.0.0" if lan else "127.0.0.1"  # noqa: S104 - only when the teacher asks
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        print(f"bargainsim class: cannot listen on {host}:{port}: {exc.strerror}", file=out)
        return 2
    sock.listen(2048)  # connections wait from now on, before the app is up
    port = sock.getsockname()[1]
    addresses = lan_addresses() if lan else []
    where = addresses[0] if addresses else "127.0.0.1"
    join_url = f"http://{where}:{port}/?code={room.code}"
    hub = Hub(room, lambda: {"type": "room", "code": room.code, "url": join_url,
                             "qr": qr_svg(join_url), "lan": lan})
    say = lambda text: print(text, file=out, flush=True)  # noqa: E731
    say(f"bargainsim class: {plan.spec.title or plan.spec.name} ({len(plan.rounds)} rounds, "
        f"from {plan.source})")
    say(f"teacher's page: http://127.0.0.1:{port}/teacher#{room.secret}")
    say(f"teacher's secret: {room.secret}")
    say(f"students join at {join_url} with the code {room.code}"
        + ("" if lan else " (this machine only; --lan for the local network)"))
    if logs is not None:
        say(f"moves are logged in {logs}")
    say("Ctrl-C stops the server")
    config = uvicorn.Config(create_app(hub), log_level="warning", access_log=False,
                            ws_max_size=MAX_MESSAGE * 2, ws="websockets-sansio")
    server = uvicorn.Server(config)
    try:
        asyncio.run(server.serve(sockets=[sock]))
    except KeyboardInterrupt:
        pass
    return 0
