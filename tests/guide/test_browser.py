"""The public guide in a real browser: headless Chromium against a real uvicorn server on
127.0.0.1, with a migrated SQLite database holding the demo guide plus an editor's hostile
Markdown. Checks what a visitor on a phone sees, and that no injected script runs."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from salingjaga.auth.service import create_user, principal_for_user
from salingjaga.core.db import Database
from salingjaga.core.settings import Settings
from salingjaga.guide.demo import publish_demo_guides
from salingjaga.guide.schemas import DraftIn
from salingjaga.guide.service import approve, create_draft, today_wib
from salingjaga.migrate import upgrade
from tests.conftest import skip_or_fail
from tests.support.appserver import serve

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "guide"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]
HOSTILE = """\
Catatan dari editor.

<script>alert('xss-script')</script>

<img src="x" onerror="alert('xss-img')"> <b onmouseover="alert('xss-hover')">arahkan</b>
[klik tautan ini](javascript:alert('xss-link'))
"""

pytestmark = pytest.mark.browser


def _prepare(tmp: Path) -> Settings:
    settings = Settings(database_url=f"sqlite:///{tmp / 'guide.db'}", data_dir=tmp / "data",
                        stream="inline")
    upgrade(settings)
    db = Database(settings.database_url)
    with db.session() as s:
        writer = principal_for_user(create_user(s, name="Putri (KPU)", role="guide_editor"))
        checker = principal_for_user(create_user(s, name="Hadi (Bawaslu)", role="guide_editor"))
        publish_demo_guides(s, writer, checker)
        drafts = [
            DraftIn(lang="id", kind="section", key="catatan", title="Catatan editor", body=HOSTILE),
            # A future key date, so the page shows a live countdown.
            DraftIn.model_validate({
                "lang": "id", "kind": "section", "key": "key-dates", "title": "Tanggal penting",
                "body": "Semua tanggal dalam WIB.",
                "data": {"dates": [{"date": (today_wib() + timedelta(days=12)).isoformat(),
                                    "label": "Simulasi pemungutan suara"}]}}),
        ]
        for draft in drafts:
            version, _ = create_draft(s, writer, "pemilu-2024", draft)
            approve(s, checker, "pemilu-2024", version.id)
    db.dispose()
    return settings


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A uvicorn process serving a prepared database; stopped by PID afterwards."""
    if not Path(CHROMIUM).exists():
        skip_or_fail(f"{CHROMIUM} not found (apt-get install chromium)")
    tmp = tmp_path_factory.mktemp("guide-browser")
    settings = _prepare(tmp)
    with serve(settings) as url:
        yield url


def test_public_guide_on_a_phone_in_both_languages(server: str) -> None:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("playwright is not installed (pip install playwright)")
    with socket.socket() as s:  # the server listens on loopback only
        assert s.connect_ex(("127.0.0.1", int(server.rsplit(":", 1)[1]))) == 0
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    dialogs: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            context = browser.new_context(viewport={"width": 390, "height": 844},
                                          device_scale_factor=2, is_mobile=True, has_touch=True,
                                          locale="id-ID")
            page = context.new_page()

            def on_dialog(dialog: object) -> None:
                dialogs.append(getattr(dialog, "message", "?"))
                dialog.dismiss()  # type: ignore[attr-defined]

            page.on("dialog", on_dialog)
            response = page.goto(server + "/panduan/pemilu-2024", wait_until="load")
            assert response is not None and response.status == 200
            assert page.locator("h1").inner_text().startswith("Pusat Panduan Pemilu")
            assert page.locator("html").get_attribute("lang") == "id"

            # The countdown: computed by the server, kept right by our inline script, which
            # the page's policy lets run (it marks the document when it has).
            countdown = page.locator("#countdown")
            assert countdown.get_attribute("data-countdown") == (today_wib() + timedelta(days=12)).isoformat()
            assert countdown.locator("[data-days]").inner_text() == "12"
            assert "Simulasi pemungutan suara" in countdown.inner_text()
            page.wait_for_function("document.documentElement.dataset.countdownReady === '1'")

            # Official links are links; the hostile section is text only.
            assert page.locator('a[href="https://cekdptonline.kpu.go.id"]').count() >= 1
            assert page.locator('a[href^="tel:"]').count() >= 1
            section = page.locator("#catatan")
            assert "Catatan dari editor." in section.inner_text()
            assert section.locator("script, img, [onerror], [onmouseover], a[href^='javascript']").count() == 0
            section.get_by_text("arahkan").hover()
            section.get_by_text("klik tautan ini").click()
            assert page.url == server + "/panduan/pemilu-2024"

            # Readable on a phone: nothing wider than the screen.
            width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            assert width[0] <= width[1], width
            page.screenshot(path=str(ARTIFACTS / "panduan-pemilu-2024.png"), full_page=True)

            # The language switch goes to the English path.
            page.locator(".lang-switch a[hreflang='en']").click()
            page.wait_for_url(server + "/guide/pemilu-2024")
            assert page.locator("h1").inner_text().startswith("Election Guide Center")
            assert page.locator("html").get_attribute("lang") == "en"
            assert page.get_by_role("heading", name="How to vote").count() == 1
            page.screenshot(path=str(ARTIFACTS / "guide-pemilu-2024.png"), full_page=True)

            # The region picker leads to the candidates, as text.
            page.goto(server + "/panduan/pilkada-2024")
            page.select_option("#region", "32.73")
            page.get_by_role("button", name="Tampilkan calon").click()
            page.wait_for_url(server + "/panduan/pilkada-2024/wilayah/32.73")
            text = page.locator("main").inner_text()
            assert "Dedi Mulyadi - Erwan Setiawan" in text and "Muhammad Farhan - Erwin" in text
            assert page.locator("main img").count() == 0
            page.screenshot(path=str(ARTIFACTS / "panduan-pilkada-2024-bandung.png"), full_page=True)
            context.close()
        finally:
            browser.close()
    assert dialogs == [], f"an injected script ran: {dialogs}"
