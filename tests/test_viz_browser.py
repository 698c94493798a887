"""The classroom app in a real browser: Debian's headless chromium driven by Playwright.

The test starts `bargainsim viz` itself on 127.0.0.1 and a free port, with Solara's public
CDN pointed at an address that refuses connections and every request that leaves
127.0.0.1 blocked, so it proves the page works offline from the front-end files that
`tools/setup_viz.py` (run by `make test`) put into the CDN cache.

Set BARGAINSIM_VIZ_SCREENSHOT=docs/viz.png to refresh the committed screenshot.
"""

from __future__ import annotations

import contextlib
import io
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
TIMEOUT_MS = 120_000  # a guard against hangs only: every wait ends as soon as its condition holds

if not CHROMIUM.exists():
    pytest.skip("Debian's chromium is not installed at /usr/bin/chromium and could not be "
                "(make test runs tools/setup_viz.py, which tries `apt-get install chromium` "
                "as root)", allow_module_level=True)
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed "
                                 "(make test runs tools/setup_viz.py, which pip-installs it)")
pytest.importorskip("solara", reason="the viz extra is not installed")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """`bargainsim viz` on 127.0.0.1, any free port, with no usable public CDN."""
    from bargainsim.viz import assets

    missing = assets.missing()
    assert not missing, (
        f"Solara's front-end files are not in {assets.cache_dir()}: {', '.join(missing)}; "
        "run `python tools/setup_viz.py` (needs the npm registry)"
    )
    env = {**os.environ, "SOLARA_ASSETS_CDN": "http://127.0.0.1:9/npm/",
           "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "bargainsim", "viz", "--host", "127.0.0.1", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        text=True, env=env,
    )
    assert proc.stdout is not None
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout], daemon=True).start()
    try:
        first = lines.get(timeout=TIMEOUT_MS / 1000)
        assert "serving wga_2023.yaml at http://127.0.0.1:" in first, first
        url = first.split(" at ")[1].split()[0]
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def _rgb(png: bytes) -> object:
    from matplotlib.image import imread

    return imread(io.BytesIO(png), format="png")[..., :3]


def _colour_pixels(png: bytes) -> int:
    """Pixels that are neither white, grey nor black: the plotted data and legend swatches."""
    rgb = _rgb(png)
    return int(((rgb.max(axis=2) - rgb.min(axis=2)) > 0.2).sum())  # type: ignore[attr-defined]


def _ink_pixels(png: bytes) -> int:
    """Pixels that are not (near) white: axes, text and data."""
    return int((_rgb(png).mean(axis=2) < 0.8).sum())  # type: ignore[attr-defined]


def _until(page: object, holds: Callable[[], bool]) -> None:
    """Wait until `holds()` is true, polling, for at most TIMEOUT_MS (then the caller asserts).

    The page draws a plot a moment after the counter moves, later still on a busy machine;
    no fixed pause is long enough, so the state is polled.
    """
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while not holds() and time.monotonic() < deadline:
        page.wait_for_timeout(250)  # type: ignore[attr-defined]


def _click_until(button: object, shown: object) -> None:
    """Click `button` until `shown` is visible, clicking again while it is not.

    A click can go unheard (Reset needs the controls' values on the server first; a
    button re-drawn while a busy machine renders the page may drop one), so a click that
    shows nothing is repeated: soon at first, then less and less often, within TIMEOUT_MS.
    """
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    wait_ms = 2000
    while True:
        button.click()  # type: ignore[attr-defined]
        try:
            shown.wait_for(timeout=wait_ms)  # type: ignore[attr-defined]
            return
        except playwright.TimeoutError:
            if time.monotonic() > deadline:
                raise
            wait_ms = min(2 * wait_ms, 30_000)


def test_app_in_a_browser(server: str, tmp_path: Path) -> None:
    sync_playwright = playwright.sync_playwright
    outside: list[str] = []
    cdn_errors: list[str] = []
    page_errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=str(CHROMIUM), args=FLAGS,
            headless=True, viewport={"width": 1400, "height": 1200},
        )
        page = browser.new_page()
        try:

            def only_local(route: object) -> None:
                request = route.request  # type: ignore[attr-defined]
                if urlparse(request.url).hostname in ("127.0.0.1", "localhost"):
                    route.continue_()  # type: ignore[attr-defined]
                else:
                    outside.append(request.url)
                    route.abort()  # type: ignore[attr-defined]

            page.route("**/*", only_local)
            page.on("response", lambda r: cdn_errors.append(f"{r.status} {r.url}")
                    if "/_solara/cdn/" in r.url and r.status >= 400 else None)
            page.on("pageerror", lambda e: page_errors.append(str(e)))
            page.goto(server)

            counter = page.get_by_text("Time: 0.0", exact=True)
            counter.wait_for(timeout=TIMEOUT_MS)
            plots = page.locator(".bargainsim-plot img")
            plots.nth(3).wait_for(timeout=TIMEOUT_MS)
            assert plots.count() == 4
            # Vuetify renders button labels in upper case; their accessible names are not
            assert "STEP" in page.get_by_role("button", name="Step").inner_text()
            solidarity = page.locator(".bargainsim-solidarity img")
            before = _colour_pixels(solidarity.screenshot())
            offers = page.locator(".bargainsim-offers img")
            offers_before = _ink_pixels(offers.screenshot())

            # move a slider with the keyboard: strike fund $20M -> $40M (step $5M)
            fund = page.get_by_role("slider", name="Strike fund $M")
            assert fund.get_attribute("aria-valuenow") == "20"
            fund.focus()
            for _ in range(4):
                fund.press("ArrowRight")
            page.wait_for_function(
                "() => document.querySelector('[aria-label=\"Strike fund $M\"]')"
                ".getAttribute('aria-valuenow') === '40'", timeout=TIMEOUT_MS)
            # and a select: separate deals instead of the coalition
            page.get_by_role("button", name="Bargaining mode").click()
            page.get_by_role("option", name="separate").click()

            # a control's value reaches the server a moment after the page shows it; Reset
            # builds the model from the values the server has, so press it until they show
            status = page.locator(".bargainsim-status")
            wanted = "--mode separate --seed 0 --set parties.wga.strike_fund=40"
            applied = status.get_by_text(wanted)
            _click_until(page.get_by_role("button", name="Reset"), applied)
            assert applied.count() == 1, status.inner_text()

            step = page.get_by_role("button", name="Step")
            for n in range(1, 7):
                _click_until(step, page.get_by_text(f"Time: {n}.0", exact=True))
            status.get_by_text("Week 6 of 52", exact=False).wait_for(timeout=TIMEOUT_MS)
            assert "strike fund $40M" in status.inner_text()
            # the last images arrive just after the counter
            _until(page, lambda: _colour_pixels(solidarity.screenshot()) > before + 300
                   and _ink_pixels(offers.screenshot()) > offers_before + 300)
            after = _colour_pixels(solidarity.screenshot())
            assert after > before + 300, (before, after)  # the solidarity line is drawn
            offers_after = _ink_pixels(offers.screenshot())
            assert offers_after > offers_before + 300, (offers_before, offers_after)

            # play to the end of the run: deals appear, the counter keeps moving
            page.get_by_role("button", name="▶").click()
            status.get_by_text("(finished)", exact=False).wait_for(timeout=TIMEOUT_MS)
            _until(page, lambda: "8 of 8 companies settled" in status.inner_text())
            text = status.inner_text()
            assert text.count("Deal at step") == 8  # one deal per company
            assert "8 of 8 companies settled" in text
            if os.environ.get("BARGAINSIM_VIZ_SCREENSHOT"):
                page.wait_for_timeout(2500)  # cosmetic: the last plots drawn in the picture
            shot = page.screenshot(full_page=True)
            (tmp_path / "viz.png").write_bytes(shot)
            target = os.environ.get("BARGAINSIM_VIZ_SCREENSHOT")
            if target:
                shutil.copyfile(tmp_path / "viz.png", target)
        except BaseException:
            with contextlib.suppress(Exception):  # what the page showed, for the report
                page.screenshot(path=str(tmp_path / "failed.png"), full_page=True)
                print(f"the page when the test failed ({tmp_path / 'failed.png'}):\n"
                      f"{page.locator('body').inner_text(timeout=10_000)[:3000]}")
            raise
        finally:
            browser.close()
    assert not cdn_errors, cdn_errors
    assert not page_errors, page_errors
    assert not outside, f"the page tried to leave 127.0.0.1: {outside}"
