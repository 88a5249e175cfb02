"""Each role's home, the notices lists' captions and pictures, a video's keyframes on the
case and the console's referrals tab, in a real browser over the demo world.

Every figure on a home page is checked against the page it links to: following the link
lists exactly that many rows. The homes are read in both languages at desktop and phone
width; with ``SALINGJAGA_DOC_SCREENSHOTS=<folder>`` the partner's, the fact-checker's and
the guide editor's homes are saved for docs/web.md (the moderator's and the
administrator's are saved by the crawl in ``test_workspace_browser.py``).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.web.site import Site, chromium, sign_in, site  # noqa: F401 - fixtures
from tests.web.test_workspace_browser import PHONE, SHOTS, axe_violations, save_shot

pytestmark = pytest.mark.browser

WIDTHS = (1280, PHONE)
# axe-core on each home once per width, in both languages between them (the crawl of
# test_workspace_browser checks the rest of the pages)
AXE_AT = {("id", 1280), ("en", PHONE)}
TEXT = {  # what a person reads, per language
    "id": {"partner": "Laporan kantor Anda", "week": "Laporan per minggu",
           "health": "Kesehatan antrean", "people": "Pengguna dan kunci", "activity": "Aktivitas terbaru",
           "desk": "Rujukan untuk Anda", "verdict": "Menunggu putusan Anda",
           "guide": "Panduan", "awaiting": "Draf menunggu persetujuan", "reach": "Jangkauan panduan minggu ini"},
    "en": {"partner": "Your office's notices", "week": "Notices per week",
           "health": "Queue health", "people": "People and keys", "activity": "Recent activity",
           "desk": "Your referrals", "verdict": "Waiting for your verdict",
           "guide": "The guide of", "awaiting": "Draft awaiting approval", "reach": "Reach of the guide this week"},
}


def _listed(page: Any, base: str, href: str, rows: str = "#notices tbody tr[data-row]") -> int:
    page.goto(base + href)
    return page.locator(rows).count()


def _fits_phone(page: Any) -> None:
    wide = page.evaluate("() => document.documentElement.scrollWidth")
    assert wide <= PHONE + 1, f"{page.url} is {wide} px wide on a phone"


def _home(chromium: Any, site: Site, role: str, lang: str, width: int, panel: str, *words: str) -> tuple[Any, Any]:  # noqa: F811
    """The role's home at a width: its panel says ``words``, fits a phone, passes axe."""
    page = sign_in(chromium, site, role, lang, width)
    page.goto(site.base + "/")
    found = page.locator(panel)
    assert all(TEXT[lang][w] in found.inner_text() for w in words)
    if width == PHONE:
        _fits_phone(page)
    if (lang, width) in AXE_AT:
        assert axe_violations(page) == []
    return page, found


@pytest.mark.parametrize("lang", ["id", "en"])
def test_partner_home_counts_equal_the_portal_rows(site: Site, chromium: Any, lang: str) -> None:  # noqa: F811
    for width in WIDTHS:
        page, panel = _home(chromium, site, "partner_admin", lang, width, "#partner-home", "partner", "week")
        cards = {c.get_attribute("data-status"): (c.get_attribute("href"), int(c.locator("strong").inner_text()))
                 for c in panel.locator("#partner-counts a[data-status]").all()}
        assert set(cards) == {"received", "in_review", "decided", "appealed"}
        assert sum(n for _, n in cards.values()) >= 3  # the demo's notices
        bars = [int(g.get_attribute("data-count") or 0) for g in panel.locator("#notices-per-week g[data-week]").all()]
        assert len(bars) == 12 and sum(bars) == sum(n for _, n in cards.values())  # all recent
        assert sum(1 for b in bars if b) >= 10 and bars[-2] > bars[0]  # spread, rising towards voting day
        if width == PHONE:  # each card's figure is the portal's rows for that status
            median = page.inner_text("#partner-median strong")
            for status, (href, n) in cards.items():
                assert _listed(page, site.base, href or "") == n, status
            page.goto(site.base + "/portal")
            assert page.inner_text("#notice-summary .stat:last-child strong") == median
        elif SHOTS and lang == "id":
            save_shot(page, "home-partner")
        assert page.problems == []
        page.context.close()


@pytest.mark.parametrize("lang", ["id", "en"])
def test_moderator_home_counts_equal_the_console_rows(site: Site, chromium: Any, lang: str) -> None:  # noqa: F811
    for width in WIDTHS:
        page, panel = _home(chromium, site, "senior_moderator", lang, width, "#queue-health", "health")
        links = [(a.get_attribute("href") or "", int(a.inner_text()))
                 for a in panel.locator("#queue-deadlines a[data-due], #queue-policies a[data-queue]").all()]
        referrals = [(a.get_attribute("href") or "", int(a.locator("strong").inner_text()))
                     for a in panel.locator("#referral-counts a").all()]
        assert len(links) == 3 * 5 + 3 * panel.locator("#queue-policies tbody tr[data-policy]").count()
        assert any(n > 0 for _, n in links) and any("?due=" in h for h, _ in links)
        if width == 1280 and lang == "id":  # the figures are the same in either language
            for href, n in links + referrals:
                page.goto(site.base + href)
                assert int(page.inner_text("#listed-count")) == n, href
                assert page.locator("#queue tbody tr[data-row], #referrals tbody tr[data-row]").count() == n, href
        assert page.problems == []
        page.context.close()


@pytest.mark.parametrize("lang", ["id", "en"])
def test_admin_home_counts_people_keys_and_readable_activity(site: Site, chromium: Any, lang: str) -> None:  # noqa: F811
    for width in WIDTHS:
        page, panel = _home(chromium, site, "admin", lang, width, "#admin-home", "people", "activity")
        figure = {c.get_attribute("data-count"): int(c.locator("strong").inner_text())
                  for c in panel.locator("#admin-counts a").all()}
        activity = panel.locator("#recent-activity li[data-position]")
        assert activity.count() == 8
        text = page.inner_text("#recent-activity")
        assert "user:" not in text and not re.search(r"\busr_\w+", text)  # names, not ids
        assert "WIB" in text
        if width == 1280:
            page.goto(site.base + "/admin/users")
            assert page.locator("#users tbody tr").count() == figure["users"]
            assert page.locator("#users tbody tr:not(.inactive)").count() == figure["active"]
            assert page.locator("#users form[action$='/revoke']").count() == figure["keys"]
            assert page.locator("#users .keyrow .badge").count() == figure["revoked"]
        assert page.problems == []
        page.context.close()


def _loaded(page: Any, selector: str) -> list[int]:
    return page.eval_on_selector_all(selector, "els => els.map(e => e.complete ? e.naturalWidth : 0)")


def test_notice_lists_show_caption_and_picture(site: Site, chromium: Any) -> None:  # noqa: F811
    rina = sign_in(chromium, site, "partner_admin", "id")
    rina.goto(site.base + "/portal")
    content = " ".join(rina.locator("#notices tbody td:nth-child(2)").all_inner_texts())
    assert "Surat suara sudah dicoblos" in content and "BREAKING!!" in content
    assert "https://" not in content and not re.search(r"\bcnt_\w+", content)
    pictures = _loaded(rina, "#notices img.thumb-sm")
    assert len(pictures) >= 2 and all(w > 0 for w in pictures)  # the image and the video's first keyframe
    src = rina.locator("#notices img.thumb-sm").first.get_attribute("src") or ""
    assert re.fullmatch(r"/portal/notices/\w+/picture", src)
    # the console's pictures are for those who may read content, not for partner staff
    dewi = sign_in(chromium, site, "moderator", "en")
    dewi.goto(site.base + "/console")
    queue_pictures = dewi.locator("#queue img.thumb-sm")
    assert queue_pictures.count() >= 1 and all(w > 0 for w in _loaded(dewi, "#queue img.thumb-sm"))
    console_src = queue_pictures.first.get_attribute("src") or ""
    assert rina.request.get(site.base + console_src).status in (403, 404)
    for page in (rina, dewi):
        assert page.problems == []
        page.context.close()


def _case_of(page: Any, base: str, caption: str) -> str:
    for kind in ("/console", "/console/second-review", "/console/appeals"):
        page.goto(base + kind)
        row = page.locator("#queue tbody tr[data-row]", has_text=caption)
        if row.count():
            return row.first.get_attribute("data-href") or ""
    raise AssertionError(f"no open case shows {caption!r}")


@pytest.mark.parametrize("lang", ["id", "en"])
def test_case_shows_a_videos_keyframes(site: Site, chromium: Any, lang: str) -> None:  # noqa: F811
    sari = sign_in(chromium, site, "senior_moderator", lang)
    sari.goto(site.base + _case_of(sari, site.base, "BREAKING!!"))
    frames = sari.locator("#keyframes img")
    assert frames.count() == 4  # one scene, and one keyframe, per second of the demo video
    assert all(w > 0 for w in _loaded(sari, "#keyframes img"))
    seconds = sari.locator("#keyframes li").all_inner_texts()
    assert [re.sub(r"[^\d,.]", "", s).replace(",", ".") for s in seconds] == ["0.0", "1.0", "2.0", "3.0"]
    html = sari.content()
    assert "/media/" not in re.sub(r"/console/media/\w+/\d+", "", html)  # no stored path shown
    for src in [f.get_attribute("src") or "" for f in frames.all()]:
        assert re.fullmatch(r"/console/pictures/\w+/0/\d", src)
        answer = sari.request.get(site.base + src)
        assert answer.status == 200 and answer.headers["content-type"] == "image/jpeg"
    assert sari.request.get(site.base + re.sub(r"/\d$", "/9", src)).status == 404
    sari.set_viewport_size({"width": PHONE, "height": 844})
    _fits_phone(sari)
    assert sari.problems == []
    sari.context.close()


def test_referrals_tab_lists_what_was_referred(site: Site, chromium: Any) -> None:  # noqa: F811
    dewi = sign_in(chromium, site, "moderator", "id")
    dewi.goto(site.base + "/console/referrals")
    before = dewi.locator("#referrals tbody tr[data-row]").count()
    dewi.goto(site.base + "/console")
    with dewi.expect_navigation():
        dewi.click("#claim-next")
    caption = dewi.inner_text("#caption")
    dewi.fill("#f-note", "Mohon cek klaim ini.")
    with dewi.expect_navigation():
        dewi.click("#refer-button")
    dewi.goto(site.base + "/console/referrals")
    rows = dewi.locator("#referrals tbody tr[data-row]")
    assert rows.count() == before + 1
    assert int(dewi.inner_text("#queue-tabs [data-queue=referrals] .count")) == rows.count()
    first = rows.first.inner_text()
    assert caption[:40] in first and "MAFINDO" in first and "Dikirim ke pemeriksa fakta" in first
    for state in ("sent", "done"):
        shown = int(dewi.inner_text(f"#referral-states [data-state={state}] .count"))
        dewi.goto(site.base + f"/console/referrals?state={state}")
        assert dewi.locator("#referrals tbody tr[data-row]").count() == shown
        dewi.goto(site.base + "/console/referrals")
    assert dewi.problems == []
    dewi.context.close()


@pytest.mark.parametrize("lang", ["id", "en"])
def test_factchecker_home_counts_equal_the_desk_rows(site: Site, chromium: Any, lang: str) -> None:  # noqa: F811
    for width in WIDTHS:
        page, panel = _home(chromium, site, "fact_checker", lang, width, "#desk-home", "desk", "verdict")
        cards = [(a.get_attribute("data-count"), a.get_attribute("href") or "", a.get_attribute("data-rows") or "",
                  int(a.get_attribute("data-n") or -1), a.locator("strong").inner_text())
                 for a in panel.locator("#desk-counts a[data-count]").all()]
        assert [c[0] for c in cards] == ["waiting", "answered_week", "claims_week", "answered"]
        shown = {key: n for key, _, _, n, _ in cards}
        assert shown["waiting"] >= 1 and shown["answered"] >= 1  # the demo's two referrals
        assert all(text == str(n) for key, _, _, n, text in cards if key != "answered")
        assert re.search(r"\d", cards[-1][4]), "the median time to a verdict is a duration"
        if SHOTS and width == 1280 and lang == "id":
            save_shot(page, "home-factchecker")
        if width == PHONE:  # each figure is the rows of the desk list it links to
            for key, href, rows, n, _ in cards:
                page.goto(site.base + href)
                assert page.locator(f"{rows} tbody tr[data-row]").count() == n, key
                assert re.search(rf"\b{n}\b", page.inner_text(".pager")), key
        assert page.problems == []
        page.context.close()


@pytest.mark.parametrize("lang", ["id", "en"])
def test_guide_editor_home_counts_equal_the_editor_rows(site: Site, chromium: Any, lang: str) -> None:  # noqa: F811
    for width in WIDTHS:
        page, panel = _home(chromium, site, "guide_editor", lang, width, "#guide-home", "guide", "awaiting",
                            "reach")
        cells = [(a.get_attribute("href") or "", a.get_attribute("data-state"), int(a.inner_text()))
                 for a in panel.locator("#guide-states a[data-state]").all()]
        assert len(cells) == 2 * 4  # two languages, four states
        assert sum(n for _, s, n in cells if s == "published") > 0
        assert sum(n for _, s, n in cells if s == "awaiting") == 1  # the demo's open revision
        reach = panel.locator("#guide-reach")
        assert reach.count() == 1  # the demo's app reported guide views today
        for metric in ("guide_views", "unique_visitors"):
            texts = reach.locator(f"tbody td[data-metric={metric}]").all_inner_texts()
            days = [int(re.sub(r"\D", "", t)) for t in texts]
            total = int(re.sub(r"\D", "", reach.locator(f"tfoot td[data-metric={metric}]").inner_text()))
            assert total == sum(days) > 0, metric
        if SHOTS and width == 1280 and lang == "id":
            save_shot(page, "home-guide-editor")
        if width == PHONE:
            for href, state, n in cells:
                page.goto(site.base + href)
                assert page.locator("#guide-pages tbody tr[data-key-row]").count() == n, href
                assert int(page.inner_text("#listed-count")) == n, href
                if state == "awaiting":
                    assert page.locator("#guide-pages tbody tr[data-key-row] a[href*='/versions/']").count() >= n
        assert page.problems == []
        page.context.close()
