"""Lists longer than a page, in a real browser: the demo world plus 230 more notices from
Bawaslu Jawa Barat, each opening a first-review case. The partner's and the moderator's
home figures equal the totals their lists state ("Rows 201–233 of 233" / "Baris ..."), and
following the pages' "next" links reaches every row once, with the list's filter kept on
every page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.appserver import serve
from tests.web.site import Site, add_notices, build_demo, chromium, sign_in  # noqa: F401 - fixtures
from tests.web.test_workspace_browser import PHONE, SHOTS, axe_violations, save_shot

pytestmark = pytest.mark.browser

EXTRA = 230  # notices beyond the demo's: more than one page of 200
ROWS = {"id": re.compile(r"Baris (\d+)–(\d+) dari (\d+)"), "en": re.compile(r"Rows (\d+)–(\d+) of (\d+)")}
NEXT = {"id": "Berikutnya", "en": "Next"}
NONE = {"id": "Tidak ada baris", "en": "No rows"}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The demo world (not scanned: no detection cases are needed here) and 230 notices."""
    from salingjaga.demo.load import DEMO_PASSWORD, USERS

    settings = build_demo(tmp_path_factory.mktemp("paging"), scan=False)
    add_notices(settings, EXTRA)
    people = {u["role"]: u["email"] for u in reversed(USERS) if u.get("email")}
    with serve(settings) as base:
        yield Site(base, people, DEMO_PASSWORD)


def _walk(page: Any, base: str, href: str, lang: str, rows: str) -> tuple[int, list[str], set[str]]:
    """Follow a list's "next" links from ``href``: the total it states, the rows' links over
    every page, and the addresses visited."""
    page.goto(base + href)
    stated = ROWS[lang].search(page.inner_text(".pager"))
    if stated is None:  # an empty list says so
        assert NONE[lang] in page.inner_text(".pager") and page.locator(rows).count() == 0
        return 0, [], {page.url}
    total = int(stated[3])
    seen: list[str] = []
    visited = set()
    while True:
        visited.add(page.url)
        first, last, stated = (int(g) for g in ROWS[lang].search(page.inner_text(".pager")).groups())  # type: ignore[union-attr]
        assert stated == total
        links = [r.get_attribute("data-href") or "" for r in page.locator(rows).all()]
        assert len(links) == last - first + 1, page.url
        assert first == len(seen) + 1
        seen += links
        nxt = page.locator(".pager").first.locator("a[rel=next]")
        if not nxt.count():
            break
        assert NEXT[lang] in nxt.inner_text()
        with page.expect_navigation():
            nxt.click()
    return total, seen, visited


@pytest.mark.parametrize("lang", ["id", "en"])
def test_partner_figures_reach_every_notice_page_by_page(site: Site, chromium: Any, lang: str) -> None:  # noqa: F811
    page = sign_in(chromium, site, "partner_admin", lang)
    page.goto(site.base + "/")
    cards = {c.get_attribute("data-status"): (c.get_attribute("href") or "", int(c.locator("strong").inner_text()))
             for c in page.locator("#partner-counts a[data-status]").all()}
    assert cards["received"][1] > 200
    for status, (href, n) in cards.items():
        total, seen, visited = _walk(page, site.base, href, lang, "#notices tbody tr[data-row]")
        assert total == n == len(seen) == len(set(seen)), status
        assert all(f"status={status}" in url for url in visited), "the status filter is kept on every page"
        assert all(url.count("page=") <= 1 for url in visited)
    # every notice, on two pages, and a page past the last shows the last
    total, seen, visited = _walk(page, site.base, "/portal", lang, "#notices tbody tr[data-row]")
    assert total == sum(n for _, n in cards.values()) == len(set(seen)) and len(visited) == 2
    if SHOTS and lang == "id":
        page.goto(site.base + "/portal?page=2")
        page.evaluate("() => document.querySelector('.pager').scrollIntoView()")
        save_shot(page, "portal-page-2")
    page.goto(site.base + "/portal?page=99")
    assert ROWS[lang].search(page.inner_text(".pager")).groups() == ("201", str(total), str(total))  # type: ignore[union-attr]
    assert page.locator("a[rel=prev]").first.get_attribute("href") == "/portal"
    assert page.problems == []
    page.context.close()


@pytest.mark.parametrize("lang", ["id", "en"])
def test_moderator_figures_reach_every_case_page_by_page(site: Site, chromium: Any, lang: str) -> None:  # noqa: F811
    page = sign_in(chromium, site, "moderator", lang, PHONE if lang == "en" else 1280)
    page.goto(site.base + "/")
    open_review = page.locator("#queue-deadlines tr[data-queue=review] a[data-due='']")
    n = int(open_review.inner_text())
    assert n > 200
    total, seen, visited = _walk(page, site.base, open_review.get_attribute("href") or "", lang,
                                 "#queue tbody tr[data-row]")
    assert total == n == len(set(seen)) and len(visited) == 2
    assert int(page.inner_text("#queue-tabs [data-queue=review] .count")) == n
    # a policy figure: its filter stays on the second page
    page.goto(site.base + "/")
    cell = page.locator("#queue-policies tr[data-policy=misinformation] a[data-queue=review]")
    m = int(cell.inner_text())
    total, seen, visited = _walk(page, site.base, cell.get_attribute("href") or "", lang, "#queue tbody tr[data-row]")
    assert total == m == len(set(seen)) > 200
    assert all("policy=misinformation" in url for url in visited)
    if lang == "en":
        wide = page.evaluate("() => document.documentElement.scrollWidth")
        assert wide <= PHONE + 1
    assert axe_violations(page) == []
    assert page.problems == []
    page.context.close()
