"""Install the browser the viz app's tests drive, when it is missing; safe to run again.

`make viz-setup` (run by `make test`) runs this after `python -m bargainsim.viz.frontend`,
the package's own module that fetches the app's front-end files. What is here serves the
tests only. It asks no questions (CI has no standard input):

1. Debian's `chromium` at /usr/bin/chromium, through apt-get (as root; `apt-get update`
   once, then `apt-get install -y chromium`). Playwright never downloads a browser here.
2. Playwright for Python, through pip (normally already there from the `test` extra).

A step that cannot be done is reported and the script goes on: the browser tests then
skip, saying why.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")


def _say(message: str) -> None:
    print(f"setup_browser: {message}", flush=True)


def ensure_chromium() -> bool:
    """Install Debian's chromium with apt-get unless /usr/bin/chromium exists."""
    if CHROMIUM.exists():
        return True
    apt = shutil.which("apt-get")
    if apt is None:
        _say("no apt-get on this system; install chromium at /usr/bin/chromium by hand "
             "(the browser tests skip until then)")
        return False
    if os.geteuid() != 0:
        _say("chromium is missing and installing it needs root: run "
             "`apt-get update && apt-get install -y chromium` as root "
             "(the browser tests skip until then)")
        return False
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for args in ([apt, "update"], [apt, "install", "-y", "--no-install-recommends", "chromium"]):
        _say(" ".join(args[0:1] and ["apt-get", *args[1:]]))
        done = subprocess.run(args, stdin=subprocess.DEVNULL, env=env, check=False)
        if done.returncode != 0:
            _say(f"`apt-get {args[1]}` failed (exit {done.returncode}); "
                 "the browser tests skip until chromium is installed")
            return False
    return CHROMIUM.exists()


def ensure_playwright() -> bool:
    """Install the Playwright package with pip (never `playwright install`)."""
    if importlib.util.find_spec("playwright") is not None:
        return True
    _say("pip install playwright")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "playwright"],
        stdin=subprocess.DEVNULL, check=False,
    )
    return done.returncode == 0


def main() -> int:
    """Run both steps and report; exit 0 (the browser tests skip when a step failed)."""
    chromium = ensure_chromium()
    playwright = ensure_playwright()
    _say(f"chromium {'ok' if chromium else 'MISSING'}, playwright "
         f"{'ok' if playwright else 'MISSING'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
