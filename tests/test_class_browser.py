"""A class session in headless chromium: a teacher and seven students in their own contexts.

`bargainsim class` runs on 127.0.0.1; the students join with the code, play Rubinstein
and Faratin rounds against each other and against the agents, a group plays the
coalition against a union team, a student reloads and keeps their seat, and the teacher's
results and CSV hold exactly the deals made. Screenshots at 1280x720 and 390x844 are
checked for legibility (text at least 16 px, chart text at least 12 px as rendered, no
horizontal overflow, controls inside the viewport) and kept in the test's folder
(docs/class_teacher.png and docs/class_student.png are copies of two of them).
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

from chromium_page import CHROMIUM, FLAGS, why_no_browser

pytestmark = pytest.mark.browser
pytest.importorskip("starlette", reason="the classroom extra is not installed")
TIMEOUT_MS = 60_000

LEGIBLE = """() => {
  const out = {small: [], outside: [], scrollWidth: document.documentElement.scrollWidth,
               width: innerWidth};
  for (const e of document.querySelectorAll('body *')) {
    const r = e.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    const cs = getComputedStyle(e);
    if (cs.visibility === 'hidden') continue;
    const own = [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (e instanceof SVGTextElement) {
      const px = parseFloat(cs.fontSize) * e.ownerSVGElement.getScreenCTM().a;
      if (px < 12) out.small.push(`svg text ${e.textContent} ${px.toFixed(1)}px`);
    } else if (own && parseFloat(cs.fontSize) < 16) {
      out.small.push(`${e.tagName} ${e.textContent.slice(0, 30)} ${cs.fontSize}`);
    }
    if (e.classList.contains('scroll') && e.scrollWidth > e.clientWidth + 1) {
      out.outside.push(`a table wider than its box: ${e.textContent.slice(0, 30)}`);
    }
    const inScroll = e.closest('.scroll') && !e.classList.contains('scroll');
    const control = ['BUTTON', 'INPUT'].includes(e.tagName);
    if ((control || own) && !inScroll && (r.left < -1 || r.right > innerWidth + 1)) {
      out.outside.push(`${e.tagName} ${e.id || e.textContent.slice(0, 30)} ${r.left}-${r.right}`);
    }
  }
  return out;
}"""


def start_server(tmp_path: Path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "bargainsim", "class", "--port", "0", "--logs",
         str(tmp_path / "logs")], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL, text=True, env={**__import__("os").environ,
                                                  "PYTHONUNBUFFERED": "1"})
    assert proc.stdout is not None
    lines = []
    while line := proc.stdout.readline():  # until its start line, or its end (EOF)
        lines.append(line)
        if line.startswith("Ctrl-C stops the server"):
            text = "".join(lines)
            teacher = re.search(r"teacher's page: (\S+)", text).group(1)
            code = re.search(r"with the code (\w+)", text).group(1)
            base = teacher.split("/teacher")[0]
            return proc, base, teacher, code
    proc.kill()
    raise AssertionError("the server did not start: " + "".join(lines))


def check_legible(page, name: str, folder: Path) -> Path:
    shot = folder / f"{name}.png"
    page.screenshot(path=str(shot))
    found = page.evaluate(LEGIBLE)
    assert found["scrollWidth"] <= found["width"], f"{name}: horizontal overflow {found}"
    assert not found["small"], f"{name}: text too small: {found['small'][:5]}"
    assert not found["outside"], f"{name}: cut off: {found['outside'][:5]}"
    return shot


def test_a_class_session_in_the_browser(tmp_path):
    reason = why_no_browser()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import expect, sync_playwright

    proc, base, teacher_url, code = start_server(tmp_path)
    shots = tmp_path / "shots"
    shots.mkdir()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
            expect.set_options(timeout=TIMEOUT_MS)
            tctx = browser.new_context(viewport={"width": 1280, "height": 720},
                                       accept_downloads=True)
            teacher = tctx.new_page()
            teacher.set_default_timeout(TIMEOUT_MS)
            teacher.goto(teacher_url)
            expect(teacher.locator("#code")).to_have_text(code)
            assert "<svg" in teacher.locator("#qr").inner_html()

            names = ["Ann", "Bob", "Cid", "Dee", "Eve", "Fay", "Gus"]
            students = []
            for i, name in enumerate(names):
                ctx = browser.new_context(viewport={"width": 390, "height": 844} if i % 2
                                          else {"width": 1280, "height": 720})
                page = ctx.new_page()
                page.set_default_timeout(TIMEOUT_MS)
                if i == 0:  # a wrong code is refused with a message
                    page.goto(base + "/")
                    page.fill("#name", name)
                    page.fill("#code", "ZZZZZZ")
                    page.click("#join-button")
                    expect(page.locator("#message")).to_contain_text("not this room's code")
                    page.fill("#code", code)
                else:
                    page.goto(f"{base}/?code={code}")
                    page.fill("#name", name)
                page.click("#join-button")
                expect(page.locator("#lobby")).to_be_visible()
                students.append(page)
            ann, bob, cid, dee, eve, fay, gus = students
            expect(teacher.locator("#count")).to_have_text("7 students in the room")

            def start(index: int) -> None:
                teacher.locator("#rounds li").nth(index).get_by_role("button").click()
                for s in students:
                    expect(s.locator("#round-name")).to_have_text(
                        teacher.locator("#rounds li").nth(index).inner_text().split(" (")[0])

            def offer(page, **values: float) -> None:
                expect(page.locator("#move-card")).to_be_visible()
                for issue, value in values.items():
                    page.fill(f"#issue-{issue}", str(value))
                page.click("#offer-button")

            def accept(page) -> None:
                expect(page.locator("#accept-button")).to_be_enabled()
                page.click("#accept-button")

            def deal(page, text: str) -> None:
                expect(page.locator("#result")).to_contain_text(text)

            # round 1: Rubinstein in pairs (Ann-Bob, Cid-Dee, Eve-Fay), Gus against the agents
            start(0)
            offer(ann, share=0.6)
            accept(bob)
            deal(ann, "share=0.6")
            offer(cid, share=0.7)
            offer(dee, share=0.5)
            accept(cid)
            deal(dee, "share=0.5")
            offer(eve, share=1.5)  # out of range: a message, nothing changes
            expect(eve.locator("#message")).to_contain_text("share must be between 0 and 1")
            expect(fay.locator("#status")).to_contain_text("waiting for union (Eve)")
            offer(eve, share=0.8)
            accept(fay)
            deal(eve, "share=0.8")
            offer(gus, share=0.7)
            deal(gus, "share=0.7")
            expect(gus.locator("#theory")).to_contain_text("Rubinstein (1982)")

            # round 3: Faratin in pairs (Ann-Bob); round 4: Faratin against the agents
            start(2)
            offer(ann, wage=7)
            accept(bob)
            deal(bob, "wage=7")
            # Cid has gone: the teacher lets the agent answer for him, and Dee plays on
            teacher.locator(".tablecard", has_text="r3-t2").get_by_role(
                "button", name="Let the agent answer").click()
            expect(dee.locator("#move-card")).to_be_visible()
            expect(dee.locator("#issues")).to_contain_text("union offers 10")
            start(3)
            accept(cid)  # the studio takes the Boulware union's opening at once
            deal(cid, "wage=10")

            # round 5: Ann, Bob, Cid speak for the alliance's members; the rest are the union
            start(4)
            expect(ann.locator("#who")).to_contain_text("studio, in alliance")
            offer(dee, wage=12, residuals=40, ai=0.8)
            expect(bob.locator("#move-card")).to_be_visible()
            bob.reload()  # a student who reloads keeps their seat and question
            expect(bob.locator("#who")).to_contain_text("Bob · you play streamer, in alliance")
            accept(ann)
            expect(ann.locator("#status")).to_contain_text("you voted")
            offer(bob, wage=10, residuals=20, ai=0.6)
            offer(cid, wage=11, residuals=30, ai=0.5)
            accept(eve)  # another member of the union team answers the alliance's offer
            deal(fay, "wage=10, residuals=20, ai=0.5")

            shots_taken = [check_legible(ann, "student_1280x720", shots)]
            bob.set_viewport_size({"width": 390, "height": 844})
            shots_taken.append(check_legible(bob, "student_390x844", shots))
            # a student in the middle of a game, on a phone
            start(3)
            expect(bob.locator("#move-card")).to_be_visible()
            shots_taken.append(check_legible(bob, "student_move_390x844", shots))
            shots_taken.append(check_legible(ann, "student_move_1280x720", shots))
            expect(ann.locator("#accept-button")).to_be_visible()
            expect(ann.locator("#offer-button")).to_be_in_viewport()
            start(4)  # the coalition round again, for the teacher's charts
            offer(dee, wage=12, residuals=40, ai=0.8)
            accept(ann)
            expect(bob.locator("#votes")).to_contain_text("studio: market share 45%")
            shots_taken.append(check_legible(bob, "member_move_390x844", shots))
            expect(bob.locator("#offer-button")).to_be_in_viewport()  # controls first
            accept(bob)
            accept(cid)
            deal(dee, "wage=12, residuals=40, ai=0.8")
            expect(teacher.locator("#charts .chart")).to_have_count(8)
            expect(teacher.locator(".tablecard", has_text="r5-t2")).to_contain_text("DEAL")
            teacher.evaluate("window.scrollTo(0, 0)")  # the first screen, as projected
            shots_taken.append(check_legible(teacher, "teacher_1280x720", shots))
            expect(teacher.locator("#code")).to_be_in_viewport()
            teacher.screenshot(path=str(shots / "teacher_full_1280.png"), full_page=True)
            teacher.set_viewport_size({"width": 390, "height": 844})
            shots_taken.append(check_legible(teacher, "teacher_390x844", shots))
            teacher.set_viewport_size({"width": 1280, "height": 720})

            # the teacher's CSV holds exactly the deals made, beside theory and the agents
            with teacher.expect_download() as download:
                teacher.click("#export")
            rows = list(csv.DictReader(io.StringIO(
                Path(download.value.path()).read_text(encoding="utf-8"))))
            deals = sorted((r["round"], r["deal_with"], r.get("deal_share") or "",
                            r.get("deal_wage") or "", r.get("deal_residuals") or "",
                            r.get("deal_ai") or "") for r in rows if r["status"] == "deal")
            assert deals == sorted([
                ("1", "studio", "0.6", "", "", ""), ("1", "studio", "0.5", "", "", ""),
                ("1", "studio", "0.8", "", "", ""), ("1", "studio", "0.7", "", "", ""),
                ("3", "studio", "", "7.0", "", ""), ("4", "studio", "", "10.0", "", ""),
                ("5", "alliance", "", "10.0", "20.0", "0.5"),
                ("5", "alliance", "", "12.0", "40.0", "0.8")])
            first = [r for r in rows if r["round"] == "1" and r["status"] == "deal"]
            assert {r["theory_share"] for r in first} == {"0.7143"}
            assert {r["agents_step"] for r in first} == {"1"}
            expect(teacher.locator("#results")).to_contain_text(
                "alliance: wage=12, residuals=40, ai=0.8")
            # an earlier round's results, back on the projector for the wrap-up
            teacher.select_option("#show-round", label="A. Rubinstein in pairs")
            expect(teacher.locator("#results")).to_contain_text("studio: share=0.6")
            expect(teacher.locator("#results")).to_contain_text("step 1: share=0.7143")
            expect(teacher.locator("#charts .chart")).to_have_count(2)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    for shot in shots_taken:
        assert shot.stat().st_size > 10_000
