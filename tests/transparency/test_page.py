"""The public transparency page: server-rendered in both languages, and its charts drawn in
a real browser (Chromium through Playwright)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import skip_or_fail
from tests.support.services import free_port
from tests.transparency.history import PERIOD, build

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def test_page_in_both_languages_with_figures_and_charts(client, world, db):
    build(client, world, db)
    params = {"from": PERIOD[0], "to": PERIOD[1]}
    page = client.get("/transparansi", params=params)
    assert page.status_code == 200
    assert "Laporan transparansi" in page.text
    assert 'data-testid="decisions">11<' in page.text
    assert "Integritas Pemilu dan Sipil" in page.text
    assert page.text.count('role="img"') == 3
    assert "script-src 'self';" in page.headers["content-security-policy"]
    english = client.get("/transparency", params=params)
    assert "Transparency report" in english.text and "Civic and election integrity" in english.text
    assert 'data-policy="misinformation"><th scope="row">Misinformation</th><td data-type="removed">3<' in english.text
    # The medians' resolution is stated next to them.
    assert "Median dibaca dari kelompok per menit" in page.text
    assert "Medians are read from one-minute buckets" in english.text
    # A bad period is explained, not a crash.
    bad = client.get("/transparency", params={"from": "2024-02-14", "to": "2024-02-01"})
    assert bad.status_code == 422 and "before" in bad.text
    empty = client.get("/transparansi")
    assert empty.status_code == 200 and "Tidak ada keputusan pada periode ini." in empty.text


@pytest.fixture
def live_server(app: Any) -> Iterator[str]:
    """The app served by uvicorn on a free loopback port, in a thread of this process."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.mark.browser
def test_charts_render_in_a_real_browser(client, world, db, live_server):
    if not os.path.exists(CHROMIUM):
        skip_or_fail(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    build(client, world, db)
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync"])
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            problems: list[str] = []
            page.on("console", lambda m: problems.append(m.text)
                    if m.type == "error" and "Failed to load resource" not in m.text else None)
            # The browser asks for /favicon.ico by itself; every other request must succeed.
            page.on("response", lambda r: problems.append(f"{r.status} {r.url}")
                    if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto(f"{live_server}/transparansi?from={PERIOD[0]}&to={PERIOD[1]}")
            charts = page.locator("svg[role=img]")
            assert charts.count() == 3
            for i in range(3):
                box = charts.nth(i).bounding_box()
                assert box is not None and box["width"] > 300 and box["height"] > 100
            assert page.locator("#chart-policy title").first.text_content() == "Tindakan per kebijakan"
            # Stacked bars: civic (removed 2), misinformation (6 restrictive), synthetic (2).
            values = page.locator("#chart-policy rect[data-value]").evaluate_all(
                "els => els.map(e => [e.getAttribute('data-series'), +e.getAttribute('data-value'),"
                " e.getBoundingClientRect().width])")
            assert sum(v for _, v, _ in values) == 10
            widths = {v: w for _, v, w in values}
            assert widths[3] == pytest.approx(3 * widths[1], rel=0.02)  # drawn to scale
            assert widths[2] == pytest.approx(2 * widths[1], rel=0.02)
            days = page.locator("#chart-daily circle").evaluate_all(
                "els => els.map(e => +e.getAttribute('data-value'))")
            assert days == [2, 1, 2, 3, 2]
            buckets = page.locator("#chart-ttd rect[data-bucket]").count()
            assert buckets == 7
            page.screenshot(path=str(ARTIFACTS / "transparansi.png"), full_page=True)
            page.goto(f"{live_server}/transparency?from={PERIOD[0]}&to={PERIOD[1]}")
            assert page.locator("#chart-daily title").first.text_content() == "Actions per day (WIB)"
            wide = page.locator("#chart-policy").bounding_box()
            assert wide is not None and wide["width"] > 700  # fills its column on a desktop
            page.set_viewport_size({"width": 380, "height": 800})
            # On a phone the page itself never scrolls sideways; a chart keeps a legible
            # width and scrolls inside its own box instead.
            assert page.evaluate("document.documentElement.scrollWidth") <= 381
            phone = page.locator("#chart-policy").bounding_box()
            assert phone is not None and phone["width"] >= 560
            assert page.locator("figure.chart-figure").first.evaluate("f => f.scrollWidth > f.clientWidth")
            assert page.get_by_text("Baca dalam Bahasa Indonesia").is_visible()
            page.screenshot(path=str(ARTIFACTS / "transparency-phone.png"), full_page=True)
            assert problems == []
        finally:
            browser.close()
