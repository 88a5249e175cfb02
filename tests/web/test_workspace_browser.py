"""The whole UI as each role meets it, in a real browser over the demo world.

* Every page every role can reach (found by following links, not listed here), in Bahasa
  Indonesia and in English, shows no internal code and no untranslated message
  (``tests/web/crawl.py`` holds the rule), answers without an error and raises no script
  error.
* Each page shape passes axe-core's WCAG 2.1 A/AA rules with no serious or critical
  violation at desktop (1280 px) and phone (390 px) width, and never scrolls sideways on
  a phone.
* A moderator sees the partner's evidence on the case; a senior moderator finds the
  second review listed (tab count = rows) with the earlier decision on the case; the
  partner sees "under review" until the second review ends; destructive admin actions
  ask first.

With ``SALINGJAGA_DOC_SCREENSHOTS=<folder>`` the walk also writes the small, compressed
screenshots docs/web.md shows.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path
from typing import Any

import pytest

from tests.web.crawl import crawl, shape
from tests.web.site import Site, chromium, sign_in, site  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = 390
SHOTS = os.environ.get("SALINGJAGA_DOC_SCREENSHOTS")
DOC_ROLES = ("admin", "moderator")  # whose home docs/web.md shows


def english_messages() -> frozenset[str]:
    """Every English message with an Indonesian translation: seen as such on an Indonesian
    page, it was not translated."""
    from salingjaga.web.i18n import translations

    catalog = translations("id")
    return frozenset(m for m in getattr(catalog, "_catalog", {}) if isinstance(m, str) and m
                     and catalog.gettext(m) != m and len(m.split()) >= 3)


def axe_violations(page: Any) -> list[str]:
    """axe-core's serious and critical WCAG A/AA violations on the page as it stands."""
    from axe_playwright_python.base import AXE_SCRIPT

    page.evaluate(AXE_SCRIPT)
    result = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}, "
                           "resultTypes: ['violations']})", AXE_TAGS)
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
            for v in result["violations"] if v.get("impact") in ("serious", "critical")]


def save_shot(page: Any, name: str) -> None:
    """A small screenshot for the docs: the visible screen, reduced to 256 colours."""
    from PIL import Image

    folder = Path(str(SHOTS))
    folder.mkdir(parents=True, exist_ok=True)
    image = Image.open(io.BytesIO(page.screenshot(full_page=False)))
    image = image.convert("RGB").quantize(colors=64)
    image.save(folder / f"{name}.png", optimize=True)


def test_every_page_of_every_role_in_both_languages(site: Site, chromium: Any) -> None:  # noqa: F811
    messages = english_messages()
    faults: list[str] = []
    checked_shapes: set[str] = set()
    visited: dict[str, list[str]] = {}
    shared: dict[str, dict[str, int]] = {"id": {}, "en": {}}
    for role in sorted(site.people):
        for lang in ("id", "en"):
            page = sign_in(chromium, site, role, lang)

            def check(path: str, page: Any = page, role: str = role, lang: str = lang) -> None:
                if page.problems:
                    faults.extend(f"[{role}/{lang}] {path}: {p}" for p in page.problems)
                    page.problems.clear()
                key = shape(path.split("?")[0])
                if key in checked_shapes:
                    return
                checked_shapes.add(key)
                faults.extend(f"[{role}/{lang}] {path} @1280: {v}" for v in axe_violations(page))
                page.set_viewport_size({"width": PHONE, "height": 844})
                faults.extend(f"[{role}/{lang}] {path} @{PHONE}: {v}" for v in axe_violations(page))
                wide = page.evaluate("() => document.documentElement.scrollWidth")
                if wide > PHONE + 1:
                    faults.append(f"[{role}/{lang}] {path} @{PHONE}: page is {wide} px wide")
                page.set_viewport_size({"width": 1280, "height": 900})

            walk = crawl(page, site.base, role, lang, messages, on_page=check, shared=shared[lang])
            visited[f"{role}/{lang}"] = walk.visited
            faults.extend(str(f) for f in walk.faults)
            if SHOTS and lang == "id" and role in DOC_ROLES:
                page.goto(site.base + walk.visited[0])
                save_shot(page, f"home-{role}")
            page.context.close()
    # the walk met each role's own pages (a broken sign-in or nav would walk nothing)
    assert any(p.startswith("/console/cases/") for p in visited["moderator/en"])
    assert any(p.startswith("/portal/notices/") for p in visited["partner_admin/id"])
    assert "/portal" in visited["partner_reporter/en"] and "/console/second-review" in visited["senior_moderator/id"]
    assert "/admin/audit" in visited["admin/id"] and "/desk" in visited["fact_checker/en"]
    assert len(checked_shapes) >= 20, sorted(checked_shapes)
    assert faults == [], "\n".join(faults[:80])


def test_evidence_second_review_and_safe_actions(site: Site, chromium: Any, tmp_path: Path) -> None:  # noqa: F811
    from PIL import Image

    # A partner files a notice with a screenshot as evidence (Bahasa Indonesia).
    evidence = tmp_path / "tangkapan-layar.png"
    Image.new("RGB", (80, 60), (200, 30, 30)).save(evidence)
    nina = sign_in(chromium, site, "partner_reporter", "id")
    nina.goto(site.base + "/portal/new")
    nina.fill("#n-content", "https://video.example/@info_pemilu_viral/vid-5001")
    nina.select_option("#n-policy", "civic_election_integrity")
    nina.fill("#n-legal", "UU 7/2017 Pasal 280")
    nina.fill("#n-explanation", "Ajakan mencoblos lewat WA.")
    nina.set_input_files("#n-evidence", str(evidence))
    nina.check("input[name=good_faith]")
    with nina.expect_navigation():
        nina.click("#notice-form button[type=submit]")
    assert "/portal/notices/" in nina.url, nina.inner_text("main")

    # The notice on the second-reviewed decision reads "under review" for the partner.
    nina.goto(site.base + "/portal")
    statuses = nina.locator("#notices tbody td:nth-child(5)").all_inner_texts()
    assert "Sedang ditinjau" in statuses
    assert "Dihapus" not in " ".join(nina.locator("#notices tbody td:nth-child(6)").all_inner_texts())
    if SHOTS:
        save_shot(nina, "portal-notices")

    # The moderator sees the evidence on the case: name, type, size, hash, a download.
    dewi = sign_in(chromium, site, "moderator", "en")
    dewi.goto(site.base + "/console")
    rows = dewi.locator("#queue tbody tr[data-row]")
    assert int(dewi.inner_text("#queue-tabs [data-queue=review] .count")) == rows.count()
    case_url = None
    for i in range(rows.count()):
        dewi.goto(site.base + (rows.nth(i).get_attribute("data-href") or ""))
        if "tangkapan-layar.png" in dewi.inner_text("#notices"):
            case_url = dewi.url
            break
        dewi.goto(site.base + "/console")
    assert case_url, "the case of the new notice is not in the first-review queue"
    card = dewi.inner_text("#notices")
    digest = __import__("hashlib").sha256(evidence.read_bytes()).hexdigest()
    assert digest in card and "Image (PNG)" in card and re.search(r"\d+ B|\d\.\d KB", card)
    link = dewi.locator("#notices a[download]").first
    body = dewi.request.get(site.base + (link.get_attribute("href") or "")).body()
    assert body == evidence.read_bytes()
    assert dewi.locator("#notices img.thumb").count() >= 1
    if SHOTS:
        dewi.evaluate("document.getElementById('notices').scrollIntoView()")
        save_shot(dewi, "console-case")

    # The senior moderator finds the second review listed, with the earlier decision.
    sari = sign_in(chromium, site, "senior_moderator", "id")
    sari.goto(site.base + "/console/second-review")
    rows = sari.locator("#queue tbody tr[data-row]")
    assert rows.count() >= 1
    assert int(sari.inner_text("#queue-tabs [data-queue=second_review] .count")) == rows.count()
    assert int(sari.inner_text("#listed-count")) == rows.count()
    with sari.expect_navigation():
        rows.first.locator("a").first.click()
    assert "Dihapus" in sari.inner_text("#earlier-decision")
    if SHOTS:
        sari.set_viewport_size({"width": PHONE, "height": 844})
        sari.goto(site.base + "/console/second-review")
        save_shot(sari, "second-review-phone")

    # Destructive admin actions are styled as such and ask first; dismissing keeps the key.
    admin = sign_in(chromium, site, "admin", "en")
    admin.goto(site.base + "/admin/users")
    revoke = admin.locator("form[action$='/revoke'] button").first
    assert "danger" in (revoke.get_attribute("class") or "") and revoke.get_attribute("data-confirm")
    asked: list[str] = []
    admin.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    before = admin.locator("form[action$='/revoke']").count()
    revoke.click()
    admin.wait_for_timeout(300)
    assert asked and "Revoke this API key" in asked[0]
    admin.goto(site.base + "/admin/users")
    assert admin.locator("form[action$='/revoke']").count() == before

    for page in (nina, dewi, sari, admin):
        assert page.problems == []
        page.context.close()
