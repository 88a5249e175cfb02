"""The main journeys in a real browser (Debian's Chromium, headless, driven by Playwright)
against a real uvicorn server on 127.0.0.1 and a migrated SQLite file.

A Bawaslu reporter files a notice with evidence; a moderator claims it first, reads the
signals and decides; the reporter sees the outcome; the creator's appeal is decided by a
second moderator; a fact-checker records a verdict; the admin creates a partner. Each
journey runs in Bahasa Indonesia and in English; hostile text must never run as script. Two
guide editors, one in each language, publish a guide section (four eyes).
Screenshots go to test-artifacts/ (not committed).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from sqlalchemy import select

from tests.conftest import bearer
from tests.support.appserver import chromium, serve
from tests.web.conftest import HOSTILE
from tests.web.helpers import DEMO_PASSWORD, make_user

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

TEXT = {
    "id": {"received": "Laporan telah diterima.", "under_review": "Sedang ditinjau", "decided": "Keputusan tercatat",
           "appeal_decided": "Banding telah diputuskan.", "verdict": "Putusan telah dicatat",
           "partner_created": "Mitra dibuat", "signals": "Sinyal", "chain": "Rantai utuh"},
    "en": {"received": "The notice was received.", "under_review": "Under review", "decided": "Decision recorded",
           "appeal_decided": "The appeal was decided.", "verdict": "The verdict was recorded",
           "partner_created": "Partner created", "signals": "Signals", "chain": "Chain intact"},
}


@pytest.fixture
def server(settings: Any, scene: Any) -> Iterator[str]:
    """uvicorn serving the app over the test's migrated database, stopped by PID."""
    with serve(settings) as base:
        yield base


@pytest.fixture
def browser() -> Iterator[Any]:
    """Headless Debian Chromium (never a downloaded browser)."""
    with chromium() as b:
        yield b


class Person:
    """One signed-in person in their own browser context; records any dialog (a script
    that ran from user text would open one)."""

    def __init__(self, browser: Any, base: str, email: str, lang: str, dialogs: list[str]) -> None:
        self.base = base
        self.lang = lang
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.page.set_default_timeout(20000)
        self.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        self.page.on("pageerror", lambda e: dialogs.append(f"script error: {e}"))
        self.page.goto(f"{base}/login?lang={lang}")
        self.page.fill("#email", email)
        self.page.fill("#password", DEMO_PASSWORD)
        with self.page.expect_navigation():
            self.page.click("main form[action='/login'] button[type=submit]")

    def go(self, path: str) -> Any:
        self.page.goto(self.base + path)
        return self.page

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}-{self.lang}.png"), full_page=True)

    def close(self) -> None:
        self.context.close()


def _png(path: Path) -> Path:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (180, 40, 40)).save(buf, format="PNG")
    path.write_bytes(buf.getvalue())
    return path


@pytest.mark.parametrize("lang", ["id", "en"])
def test_main_journeys(lang: str, server: str, browser: Any, scene: Any, world: Any, db: Any,
                       tmp_path: Path) -> None:
    from playwright.sync_api import expect

    t = TEXT[lang]
    dialogs: list[str] = []
    mafindo = world.partner("MAFINDO", kind="fact_checker", organisation="mafindo", policies=["misinformation"])
    make_user(world, "fact_checker", "tomi@mafindo.id", mafindo, name="Tomi")
    # The platform sends a post through the API, so detection runs and leaves signals.
    url = "https://video.example/@info_pemilu/vid-5001"
    r = httpx.post(server + "/api/v1/content", headers=bearer(scene.service_key), json={
        "platform_id": "vid-5001", "kind": "video", "url": url, "region": "32", "views": 250000,
        "shares": 9100, "election": "pilkada-2024",
        "caption": "BREAKING!! Pencoblosan bisa diwakilkan lewat WA, cukup kirim foto KTP " + HOSTILE,
        "transcript": "Kalian tidak perlu datang ke TPS, cukup kirim foto KTP.",
        "account": {"platform_id": "acc-1002", "handle": "info_pemilu_viral", "followers": 85000}},
        timeout=120)
    assert r.status_code == 201, r.text

    # 1. A Bawaslu reporter files a notice with evidence.
    nina = Person(browser, server, "nina@bandung.id", lang, dialogs)
    assert nina.page.url.endswith("/portal")
    page = nina.go("/portal/new")
    page.fill("#n-content", url)
    page.select_option("#n-policy", "civic_election_integrity")
    page.fill("#n-legal", "UU 7/2017 Pasal 280 ayat (1)")
    page.fill("#n-explanation", "Ajakan memilih lewat WA menyesatkan pemilih <i>tentang</i> tata cara.")
    page.select_option("#n-region", "32.73")
    page.set_input_files("#n-evidence", str(_png(tmp_path / "bukti.png")))
    page.check("input[name=good_faith]")
    nina.shot("portal-new-notice")
    with page.expect_navigation():
        page.click("#notice-form button[type=submit]")
    assert "/portal/notices/ntc_" in page.url
    assert t["received"] in page.inner_text("main")
    assert "bukti.png" in page.inner_text("#receipt")
    notice_url = page.url.split("?")[0]
    nina.shot("portal-receipt")

    # 2. A moderator claims it first (keyboard: c), reads the signals, decides (r = remove).
    dewi = Person(browser, server, "dewi@mod.id", lang, dialogs)
    page = dewi.page
    assert page.url.endswith("/console")
    assert "BREAKING!!" in page.inner_text("#queue")
    dewi.shot("console-queue")
    with page.expect_navigation():
        page.keyboard.press("c")
    assert "/console/cases/case_" in page.url
    assert HOSTILE in page.inner_text("#caption")  # shown as text, not markup
    assert page.locator("#caption script").count() == 0
    assert t["signals"] in page.inner_text("#signals")
    assert page.locator("#signals .signal").count() >= 1, "detection left no signals to read"
    assert "Ajakan memilih lewat WA" in page.inner_text("#notices")
    page.keyboard.press("r")
    assert page.is_checked("input[name=action][value=remove]")
    expect(page.locator("#statement-preview")).to_contain_text("STATEMENT_CATEGORY")  # fetched preview
    page.fill("#d-facts", "Menyebarkan prosedur pemungutan suara palsu (coblos lewat WA).")
    dewi.shot("console-case")
    with page.expect_navigation():
        page.click("#decide")
    assert t["decided"] in page.inner_text("main")

    # 3. The reporter follows the notice: removing a post of this reach takes a second
    # review (second_review.toml), so until it ends the notice reads "under review".
    page = nina.go(notice_url.replace(server, ""))
    assert t["under_review"] in page.inner_text("#notice-status")
    assert "coblos lewat WA" not in page.inner_text("#outcome")
    nina.shot("portal-outcome")

    # 4. The creator appeals (through the platform's service key); a second moderator decides.
    from salingjaga.moderation.models import Decision

    with db.session() as s:
        decision_id = s.scalar(select(Decision.id).where(Decision.action == "remove"))
    r = httpx.post(f"{server}/api/v1/decisions/{decision_id}/appeals", headers=bearer(scene.service_key),
                   json={"reason": "Ini hanya satire <script>alert('appeal')</script>"}, timeout=30)
    assert r.status_code == 201, r.text
    rizky = Person(browser, server, "rizky@mod.id", lang, dialogs)
    page = rizky.go("/console/appeals")
    assert "BREAKING!!" in page.inner_text("#queue")
    with page.expect_navigation():
        page.keyboard.press("c")
    assert "satire <script>" in page.inner_text("#appeal")
    page.keyboard.press("1")
    assert page.is_checked("input[name=action][value=uphold]")
    page.fill("#d-facts", "Bukan satire: ajakan nyata dengan nomor WA.")
    rizky.shot("console-appeal")
    with page.expect_navigation():
        page.click("#decide")
    assert t["appeal_decided"] in page.inner_text("main")

    # 5. A fact-checker records a verdict on a referred claim.
    page = dewi.go("/console")
    with db.session() as s:
        from salingjaga.auth.principal import SYSTEM
        from salingjaga.moderation.service import open_case

        open_case(s, content_id=scene.content_id, policy="misinformation", source="user_report",
                  reason="laporan pengguna", actor=SYSTEM)
    page = dewi.go("/console")
    with page.expect_navigation():
        page.click("#claim-next")
    page.fill("#f-note", "Mohon cek klaim coblos via WA")
    with page.expect_navigation():
        page.click("#refer-button")
    tomi = Person(browser, server, "tomi@mafindo.id", lang, dialogs)
    page = tomi.page
    assert page.url.endswith("/desk")
    assert "Mohon cek klaim coblos via WA" in page.inner_text("#referrals")
    tomi.shot("desk-list")
    with page.expect_navigation():
        page.click("#referrals tbody a")
    page.fill("#v-claim", "Pencoblosan bisa diwakilkan lewat WA")
    page.fill("#v-rating", "Salah")
    page.fill("#v-url", "https://turnbackhoax.id/2024/coblos-lewat-wa")
    with page.expect_navigation():
        page.click("#record-verdict")
    assert t["verdict"] in page.inner_text("main")
    assert page.inner_text("#verdict-value") == "Salah"
    # the verdict matches the active post with the same claim (vid-5001 is removed by now)
    assert "vid-9001" in page.inner_text("#matches")
    tomi.shot("desk-verdict")

    # 6. The admin creates a partner and sees its key once.
    admin = Person(browser, server, "admin@sj.id", lang, dialogs)
    page = admin.page
    assert page.url.endswith("/admin")
    page.fill("#p-name", f"Bawaslu Kota Bogor {lang}")
    page.select_option("#p-kind", "election_supervisor")
    page.fill("#p-org", "bawaslu")
    page.select_option("#p-region", "32.71")
    page.check("input[name=trusted]")
    page.check("input[name=policies][value=misinformation]")
    with page.expect_navigation():
        page.click("#new-partner button[type=submit]")
    assert t["partner_created"] in page.inner_text("main")
    key = page.inner_text("#api-key")
    assert key.startswith("sj_")
    admin.shot("admin-partner-created")
    assert httpx.get(server + "/api/v1/me", headers=bearer(key)).json()["role"] == "partner_reporter"
    page = admin.go("/admin/audit")
    assert t["chain"] in page.inner_text("#chain-status")
    page.fill("input[name=action]", "partner.")
    page.click("form.filters button[type=submit]")  # swapped in place by app.js
    expect(page).to_have_url(re.compile(r"action=partner\."))  # no page load: a swap
    # the action is said in words; its link filters by the action's own name
    cells = page.locator("#audit tbody td:nth-child(4) a")
    actions = cells.all_inner_texts()
    assert actions and t["partner_created"] in actions and not any("partner." in a for a in actions)
    links = [cells.nth(i).get_attribute("href") or "" for i in range(cells.count())]
    assert all("action=partner." in href for href in links), links
    assert t["chain"] in page.inner_text("#chain-status")  # the rest of the page stayed
    admin.shot("admin-audit")
    admin.go("/admin/users")
    admin.shot("admin-users")

    assert dialogs == [], f"user text ran as script: {dialogs}"
    for person in (nina, dewi, rizky, tomi, admin):
        person.close()


def test_editor_journey(server: str, browser: Any, world: Any) -> None:
    """A KPU editor (in Bahasa Indonesia) drafts a guide section with a preview; a Bawaslu
    editor (in English) approves it from the review queue; the public /panduan page shows it."""
    kpu = world.partner("KPU RI", kind="election_commission", organisation="kpu")
    make_user(world, "guide_editor", "putri@kpu.id", kpu, name="Putri")
    make_user(world, "guide_editor", "hadi@bawaslu.id", world.partner("Bawaslu Pusat"), name="Hadi")
    dialogs: list[str] = []

    putri = Person(browser, server, "putri@kpu.id", "id", dialogs)
    page = putri.page
    with page.expect_navigation():
        page.click("nav.nav a[href='/editor']")
    page = putri.go("/editor/pemilu-2024/id")
    page.fill("#np-key", "how-to-vote")
    with page.expect_navigation():
        page.click("#start-draft")
    page.fill("#d-title", "Cara mencoblos di TPS")
    page.fill("#d-body", "Bawa **e-KTP** dan surat pemberitahuan.<script>alert('md')</script>\n\n"
                         "[klik](javascript:alert(1))")
    with page.expect_navigation():
        page.click("#preview-button")
    assert "e-KTP" in page.inner_text("#preview strong")
    assert page.locator("#preview script, #preview a[href^='javascript']").count() == 0
    putri.shot("editor-preview")
    with page.expect_navigation():
        page.click("#save-draft")
    assert "/editor/pemilu-2024/versions/gvr_" in page.url
    assert page.locator("#approve").count() == 0  # four eyes: not for the author
    putri.shot("editor-draft")

    hadi = Person(browser, server, "hadi@bawaslu.id", "en", dialogs)
    page = hadi.go("/editor/pemilu-2024/review")
    assert "Cara mencoblos di TPS" in page.inner_text("#review-queue")
    with page.expect_navigation():
        page.click("#review-queue tbody a")
    with page.expect_navigation():
        page.click("#approve")
    assert "now the public text" in page.inner_text("main")
    hadi.shot("editor-approved")

    page = hadi.go("/panduan/pemilu-2024")
    assert "Cara mencoblos di TPS" in page.inner_text("#how-to-vote")
    assert "surat pemberitahuan" in page.inner_text("#how-to-vote")
    hadi.shot("editor-public-guide")
    assert dialogs == [], f"guide text ran as script: {dialogs}"
    for person in (putri, hadi):
        person.close()
