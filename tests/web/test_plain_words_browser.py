"""What a person reads in a real browser, in both languages, where the data holds codes:
the signals on a case, the routing rules, the permissions of each role, and a service's
error with what to do next."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.crawl import VISIBLE_TEXT_JS, internal_codes
from tests.web.site import Site, chromium, sign_in, site  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


def shown(page: Any, selector: str) -> str:
    """The text a person sees in ``selector`` (folded details closed, as on arrival)."""
    return page.locator(selector).first.inner_text()


def visit(chromium: Any, site: Site, role: str, lang: str, path: str) -> Any:  # noqa: F811
    """A page of the site opened by the role's demo person in ``lang``."""
    page = sign_in(chromium, site, role, lang)
    page.goto(site.base + path)
    return page


def case_with_signals(page: Any, base: str) -> str:
    """The first case in the queue whose page lists a claim match (the demo world has one)."""
    page.goto(base + "/console")
    for href in page.eval_on_selector_all("#queue tbody tr[data-row]", "rs => rs.map(r => r.dataset.href)"):
        page.goto(base + href)
        if page.locator("#signals .signal-explained").count() >= 2:
            return href
    raise AssertionError("no case with signals in the demo queue")


@pytest.mark.parametrize(("lang", "claim", "classifier"), [
    ("id", "Teks ini mirip klaim yang sudah diperiksa pemeriksa fakta. Putusan mereka:",
     "Pengklasifikasi teks menilai teks ini berisi:"),
    ("en", "The text resembles a claim that fact-checkers have checked. Their verdict:",
     "The text classifier judges this text to be about:"),
])
def test_a_moderator_reads_the_signals_in_plain_words(site: Site, chromium: Any,  # noqa: F811
                                                       lang: str, claim: str, classifier: str) -> None:
    page = sign_in(chromium, site, "moderator", lang)
    case_with_signals(page, site.base)
    signals = shown(page, "#signals")
    assert claim in signals and classifier in signals
    assert "matches fact-check" not in signals and "text classifier:" not in signals  # the detector's English
    # the detector's own text is there for whoever opens the technical detail
    page.locator("#signals details.technical summary").first.click()
    assert page.locator("#signals details.technical code").first.is_visible()
    assert page.problems == []
    page.context.close()


@pytest.mark.parametrize(("lang", "rule", "then"), [
    ("id", "dengan skor 0,75 atau lebih", "Masuk antrean tinjauan, 1 tingkat prioritas lebih tinggi"),
    ("en", "with a score of 0.75 or more", "Goes to the review queue, 1 priority level(s) higher"),
])
def test_a_policy_lead_reads_the_routing_rules_in_plain_words(site: Site, chromium: Any,  # noqa: F811
                                                               lang: str, rule: str, then: str) -> None:
    page = visit(chromium, site, "policy_lead", lang, "/admin/policies")
    rules = shown(page, "#routing-rules")
    assert rule in rules and then in rules
    assert "rules[" not in page.inner_text("main") and "min_score" not in page.inner_text("main")
    texts = [t for t, *_ in page.evaluate(VISIBLE_TEXT_JS)]
    assert not [t for t in texts if t in rules and internal_codes(t)]
    page.context.close()


@pytest.mark.parametrize(("lang", "words"), [
    ("id", ["Mengambil kasus dari antrean tinjauan", "Memakai portal mitra", "Membaca log audit"]),
    ("en", ["Take cases from the review queue", "Use the partner portal", "Read the audit log"]),
])
def test_the_roles_page_names_permissions_in_plain_words(site: Site, chromium: Any,  # noqa: F811
                                                          lang: str, words: list[str]) -> None:
    page = visit(chromium, site, "admin", lang, "/admin/roles")
    table = shown(page, "#permissions")
    for w in words:
        assert w in table
    assert "queue.claim" not in table and "web.portal" not in table
    # the names the data files use are folded away, for whoever edits them
    assert not page.locator("details.technical code").first.is_visible()
    page.context.close()


@pytest.mark.parametrize(("lang", "what", "then"), [
    ("id", "belum dikenal platform.", "Periksa tautannya; jika sudah benar, kirim laporan lagi"),
    ("en", "is known to the platform yet.", "Check the link; if it is right, file the notice again"),
])
def test_a_partner_reads_a_refused_notice_with_the_next_step(site: Site, chromium: Any,  # noqa: F811
                                                              lang: str, what: str, then: str) -> None:
    page = visit(chromium, site, "partner_reporter", lang, "/portal/new")
    page.fill("#n-content", "https://video.example/@tidak_ada/vid-404")
    page.select_option("#n-policy", "civic_election_integrity")
    page.fill("#n-explanation", "Ajakan mencoblos lewat WA.")
    page.check("input[name=good_faith]")
    with page.expect_navigation():
        page.click("#notice-form button[type=submit]")
    error = shown(page, "#form-error")
    assert "https://video.example/@tidak_ada/vid-404" in error and what in error and then in error
    assert "no content with url" not in error
    page.context.close()
