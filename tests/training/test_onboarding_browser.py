"""An invited Bawaslu officer's first day, in a real browser (Debian's Chromium, headless,
Playwright) and in Bahasa Indonesia: the office is onboarded from the shipped list, its
admin invites her, she opens the link from the e-mail, sets a password and enrols the second
factor, signs in with a code, files practice notices (one weak, then good ones), reads the
graded feedback and ends with her certificate. Screenshots go to test-artifacts/."""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest
from PIL import Image

from salingjaga.core.mail import read_outbox
from salingjaga.partners.importer import apply_import
from salingjaga.partners.models import Partner
from salingjaga.partners.offices import shipped_offices_csv
from tests.support.appserver import chromium, serve
from tests.training.test_practice import GOOD
from tests.web.helpers import DEMO_PASSWORD, make_user

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "sandi-petugas-bandung-2024"


@pytest.fixture
def office(db: Any, world: Any) -> str:
    """The whole Bawaslu hierarchy from the shipped list; Kota Bandung's office has an admin."""
    from sqlalchemy import select

    with db.session() as s:
        apply_import(s, shipped_offices_csv())
        bandung = s.scalar(select(Partner.id).where(Partner.region_code == "32.73"))
    assert bandung is not None
    make_user(world, "partner_admin", "ketua@bandung.bawaslu.example", bandung, name="Ketua Bandung")
    return str(bandung)


@pytest.fixture
def server(settings: Any, office: str) -> Iterator[str]:
    with serve(settings, SALINGJAGA_PUBLIC_URL="{base}") as base:
        yield base


@pytest.fixture
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


def _png(path: Path) -> Path:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 90, 160)).save(buf, format="PNG")
    path.write_bytes(buf.getvalue())
    return path


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"onboarding-{name}-id.png"), full_page=True)


def test_invited_officer_reaches_a_graded_practice_notice_and_a_certificate(
        server: str, browser: Any, settings: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    errors: list[str] = []

    def person() -> Any:
        context = browser.new_context(locale="id-ID", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(20000)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("dialog", lambda d: (errors.append(d.message), d.dismiss()))
        return page

    # the office's admin invites a colleague
    admin = person()
    admin.goto(f"{server}/login")
    admin.fill("#email", "ketua@bandung.bawaslu.example")
    admin.fill("#password", DEMO_PASSWORD)
    with admin.expect_navigation():
        admin.click("main form[action='/login'] button[type=submit]")
    admin.goto(f"{server}/team")
    expect(admin.locator("h1")).to_have_text("Staf Bawaslu Kota Bandung")
    admin.fill("#inv-name", "Sari Rahmawati")
    admin.fill("#inv-email", "sari@bandung.bawaslu.example")
    with admin.expect_navigation():
        admin.click("text=Kirim undangan")
    expect(admin.locator(".flash")).to_have_text("Undangan telah dikirim lewat surel.")
    expect(admin.locator("#invitations")).to_contain_text("sari@bandung.bawaslu.example")

    # the e-mail, in Indonesian, carries the one-time link
    mail = read_outbox(settings)[-1]
    assert mail["Subject"] == "Undangan Anda ke SalingJaga"
    link = re.search(re.escape(server) + r"/invite/[A-Za-z0-9_-]+", mail.get_content())
    assert link, mail.get_content()

    sari = person()
    sari.goto(link.group(0))
    expect(sari.locator("h1")).to_have_text("Siapkan akun Anda")
    secret = sari.locator("#totp-secret").get_attribute("data-secret")
    assert secret
    sari.fill("#password", PASSWORD)
    sari.fill("#password_again", PASSWORD)
    sari.fill("#code", pyotp.TOTP(secret).now())
    _shot(sari, "invitation")
    sari.click("text=Simpan kata sandi")
    expect(sari.locator("#invite-done")).to_have_text("Akun Anda siap")
    expect(sari.locator("#recovery-codes li")).to_have_count(10)

    # signing in takes the password and then a code from the app
    sari.click("#go-login")
    sari.fill("#email", "sari@bandung.bawaslu.example")
    sari.fill("#password", PASSWORD)
    sari.click("main form[action='/login'] button[type=submit]")
    expect(sari.locator("h1")).to_have_text("Faktor kedua")
    sari.fill("#code", pyotp.TOTP(secret).at(time.time() + 30))
    with sari.expect_navigation():
        sari.click("text=Lanjut")
    assert sari.url.endswith("/portal")

    sari.click("nav >> text=Pelatihan")
    expect(sari.locator("#progress-summary")).to_contain_text("Modul lulus: 0 dari 5")

    # a first, weak practice notice: graded, with what was missing
    sari.click("text=Hoaks tanggal pencoblosan")
    expect(sari.locator("#practice-post")).to_contain_text("KPU memundurkan pencoblosan")
    sari.select_option("#n-policy", "misleading_behaviour")
    sari.fill("#n-explanation", "Video ini mencurigakan.")
    sari.check("input[name=good_faith]")
    sari.click("#send-practice")
    expect(sari.locator("#grade")).to_contain_text("Belum lulus")
    expect(sari.locator("#checks")).to_contain_text("Bukan kebijakan yang dilanggar unggahan ini.")
    expect(sari.locator("#checks")).to_contain_text("Lampirkan bukti")
    expect(sari.locator("#reasoning")).to_contain_text("tetap 27 November")
    _shot(sari, "feedback-weak")

    evidence = _png(tmp_path / "tangkapan-layar.png")
    sari.click("#try-again")
    for module, (policy, ground, explanation) in GOOD.items():
        if not sari.url.endswith(f"/training/modules/{module}"):
            sari.click("#next-module")
        sari.select_option("#n-policy", policy)
        if ground:
            sari.fill("#n-legal", ground)
        sari.fill("#n-explanation", explanation)
        sari.set_input_files("#n-evidence", str(evidence))
        sari.check("input[name=good_faith]")
        sari.click("#send-practice")
        expect(sari.locator("#grade")).to_contain_text("Lulus: skor 100/100.")
    _shot(sari, "feedback-good")
    sari.click("#next-module")
    expect(sari.locator("#practice-post")).to_contain_text("Kami berjanji memperbaiki jalan desa")
    sari.click("#no-violation")
    expect(sari.locator("#checks")).to_contain_text("Benar: unggahan ini tidak melanggar kebijakan")
    expect(sari.locator("#progress-summary")).to_contain_text("Modul lulus: 5 dari 5")

    sari.click("#certificate-link")
    expect(sari.locator("#certificate h1")).to_have_text("Sertifikat kelulusan")
    expect(sari.locator("#certificate-name")).to_have_text("Sari Rahmawati")
    expect(sari.locator("#certificate")).to_contain_text("Bawaslu Kota Bandung")
    expect(sari.locator("#certificate-number")).to_contain_text("SJ-")
    _shot(sari, "certificate")
    assert errors == []
