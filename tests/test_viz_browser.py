"""The classroom app in a real browser: Debian's headless chromium driven by Playwright.

The test starts `bargainsim viz` itself on 127.0.0.1 and a free port, with Solara's public
CDN pointed at an address that refuses connections and every request that leaves
127.0.0.1 blocked, so it proves the page works offline from the front-end files that
`python -m bargainsim.viz.frontend` (run by `make test`) put into the CDN cache. The
machinery is in chromium_page.py, shared with the wheel's test (test_wheel.py).

`test_legible_on_a_projector_and_a_phone` checks the page as rendered at 1280x720 (a
projector) and 390x844 (a phone) for the legibility rules (chromium_page.legibility_problems)
in wga_2023's coalition and separate runs and in the Faratin classroom game.

Set BARGAINSIM_VIZ_SCREENSHOT=docs/viz.png to refresh the committed screenshot, and
BARGAINSIM_VIZ_SHOTS=DIR to keep the legibility test's screenshots in DIR.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chromium_page import (
    CHROMIUM,
    FLAGS,
    TIMEOUT_MS,
    Server,
    check_page,
    legibility_problems,
    outside_first_viewport,
    viz_server,
    why_no_browser,
)

pytestmark = pytest.mark.browser

if why_no_browser():
    pytest.skip(why_no_browser() or "", allow_module_level=True)
pytest.importorskip("solara", reason="the viz extra is not installed")


@pytest.fixture(scope="module")
def running() -> Iterator[Server]:
    """`bargainsim viz` on 127.0.0.1, any free port, with no usable public CDN."""
    from bargainsim.viz import frontend

    missing = frontend.missing()
    assert not missing, (
        f"Solara's front-end files are not in {frontend.cache_dir()}: {', '.join(missing)}; "
        "run `python -m bargainsim.viz.frontend` (needs the npm registry)"
    )
    command = [sys.executable, "-m", "bargainsim", "viz", "--host", "127.0.0.1", "--port", "0"]
    with viz_server(command) as server:
        assert "serving wga_2023.yaml at http://127.0.0.1:" in server.line, server.line
        yield server


@pytest.fixture(scope="module")
def server(running: Server) -> str:
    """The page's address."""
    return running.url


def test_app_in_a_browser(server: str, tmp_path: Path) -> None:
    check_page(server, tmp_path, interact=True,
               screenshot=os.environ.get("BARGAINSIM_VIZ_SCREENSHOT"))


SIZES = {"projector": (1280, 720), "phone": (390, 844)}


def _shot(page: Any, tmp_path: Path, name: str) -> None:
    """A full-page screenshot into tmp_path (and BARGAINSIM_VIZ_SHOTS, to look at)."""
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    keep = os.environ.get("BARGAINSIM_VIZ_SHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        (Path(keep) / path.name).write_bytes(path.read_bytes())


def _choose(page: Any, label: str, option: str) -> None:
    page.get_by_role("button", name=label).click()
    page.get_by_role("option", name=option, exact=True).click()


def _settled(page: Any, text: str) -> None:
    """Wait until the run's summary shows `text`, then until the plots have caught up."""
    page.locator(".bargainsim-summary").get_by_text(text, exact=False).wait_for(
        timeout=TIMEOUT_MS)
    page.wait_for_timeout(1500)


def _check(page: Any, tmp_path: Path, name: str) -> None:
    problems = legibility_problems(page)
    _shot(page, tmp_path, name)
    assert not problems, (name, problems)


def test_legible_on_a_projector_and_a_phone(running: Server, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True)
        try:
            for size, (width, height) in SIZES.items():
                page = browser.new_page(viewport={"width": width, "height": height})
                page.route("**/*", lambda route: route.continue_()
                           if "127.0.0.1" in route.request.url else route.abort())
                page.goto(running.url)
                _settled(page, "Not started")
                plots = page.locator(".bargainsim-plot svg")
                assert plots.count() == 4  # offers, solidarity, settled, losses
                step = page.get_by_role("button", name="Step")
                for n in range(1, 6):  # to week 4: the first offers are on the table
                    step.click()
                    _settled(page, f"Weeks played: {n} of 52")
                if size == "projector":  # what a teacher needs without scrolling
                    controls = {
                        "Reset": page.get_by_role("button", name="Reset"),
                        "Play": page.get_by_role("button", name="Play"),
                        "Step": step,
                        "scenario": page.get_by_role("button", name="Scenario"),
                        "mode": page.get_by_role("button", name="Bargaining mode"),
                        "run summary": page.locator(".bargainsim-summary"),
                        "seed": page.get_by_role("slider", name="Seed"),
                        "sanctions": page.get_by_role("slider", name="Sanctions for leaving"),
                    }
                    assert not outside_first_viewport(page, controls)
                # slider values are shown beside them
                assert page.get_by_text("Strike fund: $20M", exact=True).is_visible()
                assert page.get_by_text("Seed: 0", exact=True).is_visible()
                _check(page, tmp_path, f"wga_2023-coalition-{size}")

                # separate deals: one panel per company for the chosen issue, played out
                _choose(page, "Bargaining mode", "separate")
                _settled(page, "Not started")
                page.get_by_role("button", name="fast").click()
                page.get_by_role("button", name="Play").click()
                _settled(page, "Finished")
                assert step.is_enabled() and page.get_by_role("button", name="Play").is_enabled()
                page.get_by_role("button", name="residuals").click()
                page.wait_for_timeout(1500)
                _check(page, tmp_path, f"wga_2023-separate-{size}")

                # a two-party game: offers, theory and the deal; no industry panels
                _choose(page, "Scenario", "classroom/faratin.yaml")
                _settled(page, "Not started")
                assert plots.count() == 1
                assert page.locator(".bargainsim-solidarity, .bargainsim-losses, "
                                    ".bargainsim-settled").count() == 0
                page.get_by_role("button", name="fast").click()
                page.get_by_role("button", name="Play").click()
                _settled(page, "Finished")
                # the deal's line is drawn after the summary: wait for it (a busy machine)
                page.locator(".bargainsim-status").get_by_text(
                    "Deal at step 18: studio", exact=False).wait_for(timeout=TIMEOUT_MS)
                status = page.locator(".bargainsim-status").inner_text()
                assert "Deal at step 18: studio: wage 5.532" in status
                assert "a deal at step 18, wage 5.532" in status  # theory's prediction
                _check(page, tmp_path, f"faratin-{size}")
                step.click()  # after the end, Step starts the run again
                _settled(page, "Moves played: 1 of 40")
                page.close()
        finally:
            browser.close()
    assert running.printed() == []  # the server's log stays quiet on page loads
