"""Serve the classroom page with Solara's server (uvicorn) on a local address.

The port is bound before anything is printed, so a port in use is a clear input error and
the printed address is the one that answers. Solara's telemetry is switched off: a
classroom machine may have no internet, and nothing should leave it.
"""

from __future__ import annotations

import errno
import importlib.util
import os
import socket
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

from bargainsim.errors import InputError, Problem

APP = "bargainsim.viz.app"


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port (port 0 picks a free one)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        problem = Problem(host, f"not a usable address: {exc.strerror}")
        raise InputError("--host", [problem]) from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        reason = "already in use" if exc.errno == errno.EADDRINUSE else exc.strerror
        problem = Problem(f"{host}:{port}", f"cannot listen there: {reason}")
        raise InputError("--port", [problem]) from None
    sock.listen(128)  # connections wait in the queue until the server accepts them
    return sock


def url_of(sock: socket.socket) -> str:
    """The page's address for a bound socket."""
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def serve(
    scenario: str | Path, sock: socket.socket, announce: Callable[[str], None] = print
) -> None:
    """Serve the page for `scenario` on a bound socket until interrupted.

    `announce` receives the page's address once the server is about to accept connections.
    """
    os.environ["BARGAINSIM_VIZ_SCENARIO"] = str(Path(scenario).resolve())
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    os.environ["SOLARA_APP"] = APP
    host, port = sock.getsockname()[:2]
    os.environ["SERVER_NAME"], os.environ["SERVER_PORT"] = str(host), str(port)

    import solara.server.settings as settings
    import uvicorn

    settings.main.mode = "production"
    settings.telemetry.mixpanel_enable = False
    settings.theme.show_banner = False  # Solara's corner badge covered the last plot
    quiet_cookie_warning()
    config = uvicorn.Config("solara.server.starlette:app", log_level="warning")
    server = uvicorn.Server(config)
    announce(url_of(sock))
    server.run(sockets=[sock])


def quiet_cookie_warning() -> None:
    """Silence Solara's 12-line cookie warning, printed on every page load.

    A plain-HTTP page on an address other than `localhost` gets a `samesite=lax` cookie:
    right for a classroom's local server (nothing embeds the page in another site's
    frame), and noise in the teacher's terminal.
    """
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https",
                            category=UserWarning)


def missing_dependency() -> str | None:
    """The first package of the `viz` extra that is not installed, if any."""
    for name in ("solara", "uvicorn", "altair", "ipyvuetify"):
        if importlib.util.find_spec(name) is None:
            return name
    return None


def _frontend_files() -> None:
    """Fetch Solara's front-end files into its cache if some are missing; warn if that fails."""
    from bargainsim.viz import frontend

    if not frontend.missing():
        return
    still = frontend.ensure_assets(log=lambda m: print(f"bargainsim viz: {m}", file=sys.stderr))
    if still:
        print(f"bargainsim viz: {len(still)} of the page's front-end files could not be fetched "
              f"from {frontend.registry()} into {frontend.cache_dir()}; the page stays blank "
              "unless this machine can reach cdn.jsdelivr.net. Fetch them when online with "
              "`python -m bargainsim.viz.frontend`.", file=sys.stderr)


def main(scenario: str | None, host: str, port: int) -> int:
    """`bargainsim viz`: check the scenario and the extra, then serve; the exit code."""
    from bargainsim.scenario import load_scenario
    from bargainsim.shipped import scenario_path

    path = scenario or str(scenario_path())
    load_scenario(path)
    missing = missing_dependency()
    if missing is not None:
        print(f"bargainsim viz: {missing} is not installed; install the viz extra: "
              "pip install 'bargainsim[viz]'", file=sys.stderr)
        return 1
    sock = bind(host, port)
    _frontend_files()
    serve(path, sock, announce=lambda url: print(
        f"bargainsim viz: serving {Path(path).name} at {url} (Ctrl+C to stop)", flush=True))
    return 0
