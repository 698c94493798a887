"""Driving `bargainsim viz` in Debian's headless chromium: shared by the browser tests.

`viz_server` starts a `bargainsim viz` command on 127.0.0.1 and a free port with Solara's
public CDN pointed at an address that refuses connections; `check_page` opens the page
with every request that leaves 127.0.0.1 blocked and checks that its plots render (and,
with `interact`, moves a slider, steps and plays the model). Used by test_viz_browser.py
(the project's environment) and test_wheel.py (a wheel in a fresh environment).
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import queue
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
TIMEOUT_MS = 120_000  # a guard against hangs only: every wait ends when its condition holds
START_SECONDS = 180.0  # a generous guard against a hung start (it may fetch front-end files)
NO_CDN = "http://127.0.0.1:9/npm/"  # port 9 (discard) refuses: no public CDN


def why_no_browser() -> str | None:
    """Why the browser tests cannot run here (None when they can)."""
    if not CHROMIUM.exists():
        return ("Debian's chromium is not installed at /usr/bin/chromium and could not be "
                "(make test runs tools/setup_browser.py, which tries `apt-get install "
                "chromium` as root)")
    if importlib.util.find_spec("playwright") is None:
        return ("playwright is not installed (make test runs tools/setup_browser.py, which "
                "pip-installs it)")
    return None


@dataclass
class Server:
    """A running `bargainsim viz`: its page's address and what it printed before serving."""

    url: str
    line: str
    log: list[str] = field(default_factory=list)


@contextlib.contextmanager
def viz_server(command: Sequence[str], cwd: Path | None = None,
               env: Mapping[str, str] | None = None) -> Iterator[Server]:
    """Run a `bargainsim viz ... --port 0` command until its `serving ... at URL` line."""
    env = {**(env or os.environ), "SOLARA_ASSETS_CDN": NO_CDN, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(list(command), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, text=True, env=env, cwd=cwd)
    assert proc.stdout is not None
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout], daemon=True).start()
    log: list[str] = []
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                line = lines.get(timeout=1.0)
            except queue.Empty:
                if proc.poll() is not None:
                    raise AssertionError(f"viz exited ({proc.returncode}): {log}") from None
                if time.monotonic() > deadline:
                    raise AssertionError(f"no `serving` line in {START_SECONDS:g} s: "
                                         f"{log}") from None
                continue
            if " serving " in line:
                break
            log.append(line.rstrip())
        yield Server(url=line.split(" at ")[1].split()[0], line=line.rstrip(), log=log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def _rgb(png: bytes) -> Any:
    from matplotlib.image import imread

    return imread(io.BytesIO(png), format="png")[..., :3]


def colour_pixels(png: bytes) -> int:
    """Pixels that are neither white, grey nor black: the plotted data and legend swatches."""
    rgb = _rgb(png)
    return int(((rgb.max(axis=2) - rgb.min(axis=2)) > 0.2).sum())


def ink_pixels(png: bytes) -> int:
    """Pixels that are not (near) white: axes, text and data."""
    return int((_rgb(png).mean(axis=2) < 0.8).sum())


def shot_of(locator: Any) -> bytes:
    """A screenshot of the element `locator` finds, taken again if the element is re-drawn.

    The page replaces a plot's <img> each time the model moves; a screenshot that starts on
    the old element fails with "not attached to the DOM". The locator finds the new one.
    """
    from playwright.sync_api import Error

    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while True:
        try:
            return locator.screenshot(timeout=10_000)
        except Error:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.25)


def check_page(url: str, tmp_path: Path, interact: bool = True,
               screenshot: str | None = None) -> bytes:
    """Open the wga_2023 page offline and check its plots; return a full-page screenshot.

    With `interact`, move the strike-fund slider, pick separate deals, reset, step six weeks
    and play to the end, checking the plots and the status follow; without, step 3 weeks.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

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

            def only_local(route: Any) -> None:
                request = route.request
                if urlparse(request.url).hostname in ("127.0.0.1", "localhost"):
                    route.continue_()
                else:
                    outside.append(request.url)
                    route.abort()

            page.route("**/*", only_local)
            page.on("response", lambda r: cdn_errors.append(f"{r.status} {r.url}")
                    if "/_solara/cdn/" in r.url and r.status >= 400 else None)
            page.on("pageerror", lambda e: page_errors.append(str(e)))
            page.goto(url)

            counter = page.get_by_text("Time: 0.0", exact=True)
            counter.wait_for(timeout=TIMEOUT_MS)
            plots = page.locator(".bargainsim-plot img")
            plots.nth(3).wait_for(timeout=TIMEOUT_MS)
            assert plots.count() == 4
            for i in range(4):  # every plot is drawn (axes and labels at least) once loaded
                _until(page, lambda i=i: ink_pixels(shot_of(plots.nth(i))) > 1000)
                assert ink_pixels(shot_of(plots.nth(i))) > 1000, i
            # Vuetify renders button labels in upper case; their accessible names are not
            assert "STEP" in page.get_by_role("button", name="Step").inner_text()
            if interact:
                _interact(page, PlaywrightTimeout)
            else:
                _step(page, 3, PlaywrightTimeout)
            if screenshot:
                page.wait_for_timeout(2500)  # cosmetic: the last plots drawn in the picture
            shot = page.screenshot(full_page=True)
            (tmp_path / "viz.png").write_bytes(shot)
            if screenshot:
                Path(screenshot).write_bytes(shot)
        except BaseException:
            with contextlib.suppress(Exception):  # what the page showed, for the report
                page.screenshot(path=str(tmp_path / "failed.png"), full_page=True)
                print(f"the page when the check failed ({tmp_path / 'failed.png'}):\n"
                      f"{page.locator('body').inner_text(timeout=10_000)[:3000]}")
            raise
        finally:
            browser.close()
    assert not cdn_errors, cdn_errors
    assert not page_errors, page_errors
    assert not outside, f"the page tried to leave 127.0.0.1: {outside}"
    return shot


def _until(page: Any, holds: Callable[[], bool]) -> None:
    """Wait until `holds()` is true, polling, for at most TIMEOUT_MS (then the caller asserts).

    The page draws a plot a moment after the counter moves, later still on a busy machine:
    no fixed pause is long enough, so the page is polled.
    """
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while not holds() and time.monotonic() < deadline:
        page.wait_for_timeout(250)


def _click_until(button: Any, shown: Any, timeout_error: type[Exception]) -> None:
    """Click `button` until `shown` is visible, clicking again while it is not.

    A click can go unheard (Reset needs the controls' values on the server first; a button
    re-drawn while a busy machine renders the page may drop one), so a click that shows
    nothing is repeated: soon at first, then less and less often, within TIMEOUT_MS.
    """
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    wait_ms = 2000
    while True:
        button.click()
        try:
            shown.wait_for(timeout=wait_ms)
            return
        except timeout_error:
            if time.monotonic() > deadline:
                raise
            wait_ms = min(2 * wait_ms, 30_000)


def _step(page: Any, weeks: int, timeout_error: type[Exception]) -> int:
    """Press Step from week 0 until the offers are drawn, at least WEEKS times; return how often.

    Talks may start broken off (wga_2023's do), so the first offers can come weeks later:
    the page is stepped on until a session has drawn them (at most 40 weeks).
    """
    solidarity = page.locator(".bargainsim-solidarity img")
    before = colour_pixels(shot_of(solidarity))
    offers = page.locator(".bargainsim-offers img")
    offers_before = ink_pixels(shot_of(offers))
    step = page.get_by_role("button", name="Step")
    status = page.locator(".bargainsim-status")
    n = 0
    while n < weeks or (n < 40 and "Deal at" not in status.inner_text()
                        and not _offers_shown(page, offers, offers_before)):
        n += 1
        _click_until(step, page.get_by_text(f"Time: {n}.0", exact=True), timeout_error)
    status.get_by_text(f"Week {n} of 52", exact=False).wait_for(timeout=TIMEOUT_MS)
    # the last images follow the counter
    _until(page, lambda: colour_pixels(shot_of(solidarity)) > before + 300
           and ink_pixels(shot_of(offers)) > offers_before + 300)
    after = colour_pixels(shot_of(solidarity))
    assert after > before + 300, (before, after)  # the solidarity line is drawn
    offers_after = ink_pixels(shot_of(offers))
    assert offers_after > offers_before + 300, (offers_before, offers_after)
    return n


def _offers_shown(page: Any, offers: Any, before: int) -> bool:
    """Whether the offers plot has more ink than at week 0, once it follows the counter."""
    page.wait_for_timeout(500)
    return ink_pixels(shot_of(offers)) > before + 300


def _interact(page: Any, timeout_error: type[Exception]) -> None:
    """Slider, select, reset, six steps and play, checking what the page shows."""
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
    _click_until(page.get_by_role("button", name="Reset"), applied, timeout_error)
    assert applied.count() == 1, status.inner_text()

    _step(page, 6, timeout_error)
    assert "strike fund $40M" in status.inner_text()

    # play to the end of the run: deals appear, the counter keeps moving
    page.get_by_role("button", name="▶").click()
    status.get_by_text("(finished)", exact=False).wait_for(timeout=TIMEOUT_MS)
    _until(page, lambda: "8 of 8 companies settled" in status.inner_text())
    text = status.inner_text()
    assert text.count("Deal at step") == 8  # one deal per company
    assert "8 of 8 companies settled" in text
