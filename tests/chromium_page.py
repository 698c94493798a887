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
    output: queue.Queue[str] = field(default_factory=queue.Queue)

    def printed(self) -> list[str]:
        """What the server printed since its `serving` line (or the last call)."""
        out: list[str] = []
        while not self.output.empty():
            out.append(self.output.get_nowait().rstrip())
        return out


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
        yield Server(url=line.split(" at ")[1].split()[0], line=line.rstrip(), log=log,
                     output=lines)
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

            summary = page.locator(".bargainsim-summary")
            summary.get_by_text("Not started", exact=False).wait_for(timeout=TIMEOUT_MS)
            plots = page.locator(".bargainsim-plot svg")
            plots.nth(3).wait_for(timeout=TIMEOUT_MS)
            assert plots.count() == 4  # wga_2023: offers, solidarity, settled, losses
            for i in range(4):  # every plot is drawn (axes and labels at least) once loaded
                _until(page, lambda i=i: ink_pixels(shot_of(plots.nth(i))) > 1000)
                assert ink_pixels(shot_of(plots.nth(i))) > 1000, i
            assert page.get_by_role("button", name="Step").is_enabled()
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
    solidarity = page.locator(".bargainsim-solidarity svg")
    before = colour_pixels(shot_of(solidarity))
    offers = page.locator(".bargainsim-offers svg")
    offers_before = ink_pixels(shot_of(offers))
    step = page.get_by_role("button", name="Step")
    status = page.locator(".bargainsim-status")
    n = 0
    while n < weeks or (n < 40 and "Deal at" not in status.inner_text()
                        and not _offers_shown(page, offers, offers_before)):
        n += 1
        _click_until(step, status.get_by_text(f"Weeks played: {n} of 52", exact=False),
                     timeout_error)
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
    """Slider and select (each starts a new run at once), six steps and play to the end."""
    # move a slider with the keyboard: strike fund $20M -> $40M (step $5M)
    fund = page.get_by_role("slider", name="Strike fund")
    assert fund.get_attribute("aria-valuenow") == "20"
    fund.focus()
    for _ in range(4):
        fund.press("ArrowRight")
    page.get_by_text("Strike fund: $40M", exact=True).wait_for(timeout=TIMEOUT_MS)
    # and a select: separate deals instead of the coalition
    page.get_by_role("button", name="Bargaining mode").click()
    page.get_by_role("option", name="separate").click()
    command = page.locator(".bargainsim-command")
    command.get_by_text("--mode separate --seed 0 --set parties.wga.strike_fund=40",
                        exact=False).wait_for(timeout=TIMEOUT_MS)
    status = page.locator(".bargainsim-status")
    status.get_by_text("Not started", exact=False).wait_for(timeout=TIMEOUT_MS)

    _step(page, 6, timeout_error)
    assert "strike fund $40M" in status.inner_text()

    # play to the end of the run: deals appear, the buttons stay usable
    page.get_by_role("button", name="Play").click()
    status.get_by_text("Finished", exact=False).wait_for(timeout=TIMEOUT_MS)
    # the counter and the list of deals are drawn separately: wait for both
    _until(page, lambda: "8 of 8 companies settled" in status.inner_text()
           and status.inner_text().count("Deal at step") == 8)
    text = status.inner_text()
    assert text.count("Deal at step") == 8  # one deal per company
    assert "8 of 8 companies settled" in text
    assert page.get_by_role("button", name="Step").is_enabled()
    assert page.get_by_role("button", name="Play").is_enabled()


# What the page looks like as rendered: the legibility rules of the classroom app.
BODY_PX, TICK_PX = 16.0, 12.0  # smallest text outside the plots; smallest plot tick label
MEASURE = """() => {
  const W = window.innerWidth;
  const shown = e => { const r = e.getBoundingClientRect(); const s = getComputedStyle(e);
    return r.width > 2 && r.height > 2 && s.visibility !== 'hidden' && s.display !== 'none'; };
  const text = [], ticks = [], cut = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  let node;
  while ((node = walker.nextNode())) {
    const e = node.parentElement;
    if (!node.textContent.trim() || !e || seen.has(e) || e.closest('svg, style, script')) continue;
    seen.add(e);
    if (!shown(e)) continue;
    const r = e.getBoundingClientRect();
    // rendered size: the computed size times any transform's scale
    // (offsetHeight is rounded to whole px: a ratio within 5% of 1 is no transform)
    const ratio = e.offsetHeight ? r.height / e.offsetHeight : 1;
    const scale = Math.abs(ratio - 1) > 0.05 ? ratio : 1;
    const words = node.textContent.trim().slice(0, 50);
    text.push([words, parseFloat(getComputedStyle(e).fontSize) * scale]);
    if (r.left < -1 || r.right > W + 1) cut.push(['text', words, r.left, r.right]);
  }
  for (const svg of document.querySelectorAll('.bargainsim-plot svg')) {
    const box = svg.getBoundingClientRect();
    if (box.left < -1 || box.right > W + 1)
      cut.push(['plot', svg.parentElement.className, box.left, box.right]);
    for (const t of svg.querySelectorAll('text')) {
      const r = t.getBoundingClientRect();
      if (r.left < box.left - 1 || r.right > box.right + 1 ||
          r.top < box.top - 1 || r.bottom > box.bottom + 1)
        cut.push(['plot text', t.textContent, r.left, r.right, box.left, box.right]);
      if (t.closest('g[id^="xtick"], g[id^="ytick"]')) {
        const m = t.getScreenCTM();
        const px = parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
        ticks.push([t.textContent, px]);
      }
    }
  }
  return {text, ticks, cut, overflow: document.documentElement.scrollWidth - W,
          body: document.body.innerText};
}"""


def legibility_problems(page: Any) -> list[str]:
    """What breaks the legibility rules on the page as rendered (empty when none does).

    Body text at least BODY_PX and plot tick labels at least TICK_PX as rendered (the
    computed size times the element's scale on screen), no horizontal overflow, every text
    and plot inside the viewport's width and every plot's text inside its plot, no Solara
    badge, none of Mesa's unexplained defaults.
    """
    found = page.evaluate(MEASURE)
    problems = [f"text at {px:.1f} px: {text!r}" for text, px in found["text"] if px < BODY_PX]
    if not found["ticks"]:
        problems.append("no plot tick labels found")
    problems += [f"tick label at {px:.1f} px: {text!r}" for text, px in found["ticks"]
                 if px < TICK_PX]
    problems += [f"cut off: {item}" for item in found["cut"]]
    if found["overflow"] > 0:
        problems.append(f"the page is {found['overflow']} px wider than the viewport")
    for gone in ("runs on Solara", "PAGE 0", "Page 0", "Use Threads", "Render Interval"):
        if gone in found["body"]:
            problems.append(f"the page shows {gone!r}")
    return problems


def outside_first_viewport(page: Any, locators: dict[str, Any]) -> list[str]:
    """Which of the named elements are not wholly inside the first viewport (not scrolled)."""
    page.evaluate("window.scrollTo(0, 0)")
    size = page.viewport_size
    out = []
    for name, locator in locators.items():
        box = locator.bounding_box()
        inside = box is not None and box["x"] >= 0 and box["y"] >= 0 and (
            box["x"] + box["width"] <= size["width"]
            and box["y"] + box["height"] <= size["height"])
        if not inside:
            out.append(f"{name}: {box}")
    return out
