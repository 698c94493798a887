"""The classroom app in a real browser: Debian's headless chromium driven by Playwright.

The test starts `bargainsim viz` itself on 127.0.0.1 and a free port, with Solara's public
CDN pointed at an address that refuses connections and every request that leaves
127.0.0.1 blocked, so it proves the page works offline from the front-end files that
`python -m bargainsim.viz.frontend` (run by `make test`) put into the CDN cache. The
machinery is in chromium_page.py, shared with the wheel's test (test_wheel.py).

Set BARGAINSIM_VIZ_SCREENSHOT=docs/viz.png to refresh the committed screenshot.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from chromium_page import check_page, viz_server, why_no_browser

pytestmark = pytest.mark.browser

if why_no_browser():
    pytest.skip(why_no_browser() or "", allow_module_level=True)
pytest.importorskip("solara", reason="the viz extra is not installed")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """`bargainsim viz` on 127.0.0.1, any free port, with no usable public CDN."""
    from bargainsim.viz import frontend

    missing = frontend.missing()
    assert not missing, (
        f"Solara's front-end files are not in {frontend.cache_dir()}: {', '.join(missing)}; "
        "run `python -m bargainsim.viz.frontend` (needs the npm registry)"
    )
    command = [sys.executable, "-m", "bargainsim", "viz", "--host", "127.0.0.1", "--port", "0"]
    with viz_server(command) as running:
        assert "serving wga_2023.yaml at http://127.0.0.1:" in running.line, running.line
        yield running.url


def test_app_in_a_browser(server: str, tmp_path: Path) -> None:
    check_page(server, tmp_path, interact=True,
               screenshot=os.environ.get("BARGAINSIM_VIZ_SCREENSHOT"))
