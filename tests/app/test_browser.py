"""The dashboard in a real browser: `jiceng-app` on 127.0.0.1 and Debian's Chromium driven
by Playwright (no browser download). Every request the page makes must stay on loopback."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason="Chromium is absent: apt-get install -y chromium (Debian's package)",
    ),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    port = free_port()
    cmd = [sys.executable, "-m", "sim.dashboard.cli", "--port", str(port), "--communities", "2"]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            time.sleep(0.3)
        else:
            pytest.fail("jiceng-app did not start listening within 120 s")
        yield f"http://127.0.0.1:{port}/"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page_(chromium, url):
    """A fresh page (a new Solara session) that refuses and records off-machine requests."""
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    outside: list[str] = []

    def route(r):
        u = r.request.url
        if re.match(r"^(https?|wss?)://127\.0\.0\.1[:/]", u) or u.startswith(("data:", "blob:")):
            r.continue_()
        else:
            outside.append(u)
            r.abort()

    context.route("**/*", route)
    pg = context.new_page()
    pg.goto(url)
    pg.get_by_text("week 0 of 260").wait_for(timeout=90_000)
    yield pg
    context.close()
    assert outside == [], f"the page asked for addresses off this machine: {outside}"


def week(pg) -> int:
    m = re.search(r"week (\d+) of", pg.inner_text("body"))
    assert m
    return int(m.group(1))


def plot(pg, index: int = 0) -> bytes:
    """The pixels of the index-th figure on the page."""
    return pg.locator("main img").nth(index).screenshot()


def wait_changed(pg, before: bytes, index: int = 0, timeout: float = 30) -> bytes:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = plot(pg, index)
        if now != before:
            return now
        pg.wait_for_timeout(300)
    pytest.fail("the figure did not change")


def test_step_and_play_advance_the_run_and_redraw_the_plots(page_):
    page = page_
    before = plot(page)
    page.get_by_role("button", name="Step").click()
    page.get_by_text("week 1 of 260").wait_for()
    wait_changed(page, before)
    page.get_by_role("button", name="▶").click()
    page.wait_for_function("() => /week ([5-9]|\\d\\d+) of/.test(document.body.innerText)")
    page.get_by_role("button", name="❚❚").click()
    page.get_by_role("button", name="▶").wait_for()
    page.wait_for_timeout(2500)  # frames already sent may still arrive
    paused = week(page)
    assert paused >= 5
    page.wait_for_timeout(2000)
    assert week(page) == paused  # play has stopped


def test_a_lever_and_the_scenario_are_set_from_schema_widgets_and_apply_on_reset(page_):
    page = page_
    page.locator(".v-select", has=page.get_by_text("lever group")).click()
    page.get_by_role("option", name="policy.online").click()
    page.get_by_text("monitoring (probability): 0.8").wait_for()
    thumb = page.locator(".v-input", has=page.get_by_text("monitoring (probability): 0.8"))
    thumb.locator("[role=slider]").focus()
    page.keyboard.press("ArrowLeft")
    page.get_by_text("monitoring (probability): 0.79").wait_for()
    page.get_by_text("press Reset").wait_for()
    page.get_by_role("button", name="Reset").click()
    page.get_by_text("press Reset").wait_for(state="detached")
    page.get_by_text("monitoring (probability): 0.79").wait_for()

    page.locator(".v-select", has=page.get_by_text("scenario", exact=True)).first.click()
    page.get_by_role("option", name="no_grid").click()
    page.get_by_text("press Reset").wait_for()
    page.get_by_role("button", name="Reset").click()
    page.get_by_text("· no_grid ·").wait_for()
    # the scenario brings its own lever values back (the edit above was for chengdu_2014)
    page.get_by_text("monitoring (probability): 0.8").wait_for()


def test_the_network_view_changes_with_the_run_and_the_colouring(page_):
    page = page_
    page.get_by_role("tab", name="Community").click()
    page.get_by_text("Institutions of community 0").wait_for()
    before = plot(page)
    page.locator(".v-select", has=page.get_by_text("colour residents by")).click()
    page.get_by_role("option", name="grievance").click()
    after = wait_changed(page, before)
    page.get_by_role("button", name="Step").click()
    page.get_by_text("week 1 of 260").wait_for()
    wait_changed(page, after)
    table = page.inner_text("main")  # the institutions table, community level first
    assert "ResidentsCommittee" in table and "legitimacy=" in table


def colour_share(png: bytes, rgb: tuple[int, int, int]) -> float:
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).reshape(-1, 3).astype(int)
    return float((np.abs(pixels - np.array(rgb)).sum(axis=1) < 40).mean())


def test_compare_mode_draws_two_series_and_their_difference(page_):
    page = page_
    page.get_by_text("compare with a variant B").click()
    page.locator(".v-select", has=page.get_by_text("B: scenario")).click()
    page.get_by_role("option", name="no_grid").click()
    page.get_by_role("button", name="Reset").click()
    page.get_by_text("comparing with B").wait_for(timeout=60_000)
    for _ in range(3):
        page.get_by_role("button", name="Step").click()
        page.wait_for_timeout(400)
    page.get_by_role("tab", name="Compare").click()
    page.get_by_text("week 3 of 260").wait_for()
    page.get_by_role("button", name="more").wait_for()  # the compare tab's series toggle
    page.wait_for_timeout(1000)
    blue, red = (0x1B, 0x6C, 0xA8), (0xD1, 0x49, 0x5B)  # A solid, B dashed
    early = plot(page)
    for _ in range(6):
        page.get_by_role("button", name="Step").click()
        page.wait_for_timeout(300)
    page.get_by_text("week 9 of 260").wait_for()
    later = wait_changed(page, early)
    # both series grow as the pair advances (the legend alone would not)
    assert colour_share(later, blue) > colour_share(early, blue)
    assert colour_share(later, red) > colour_share(early, red)


def test_export_writes_a_completed_run_folder(page_, tmp_path):
    page = page_
    for _ in range(2):
        page.get_by_role("button", name="Step").click()
        page.wait_for_timeout(300)
    page.get_by_text("week 2 of 260").wait_for()
    target = tmp_path / "watched"
    field = page.get_by_label("export folder")
    field.fill(str(target))
    page.get_by_role("button", name="Export run folder").click()
    page.get_by_text(re.compile("wrote .*watched")).wait_for(timeout=120_000)
    meta = json.loads((target / "meta.json").read_text())
    assert meta["status"] == "completed" and meta["config"]["steps"] == 2
    assert meta["config"]["world"]["communities"] == 2
    for name in meta["files"]:
        assert (target / name).is_file()
