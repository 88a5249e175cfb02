"""The default Content-Security-Policy in a real browser: the public pages and the sign-in
work with no violation, and a script slipped into a page is refused."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.helpers import DEMO_PASSWORD
from tests.web.test_journeys_browser import browser, server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

# Recorded before any page script runs (init scripts are not subject to the page's policy).
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
  e => window.__violations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline')));
"""


def test_pages_under_the_default_policy_run_without_violations(server: str, browser: Any) -> None:  # noqa: F811
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(20000)
    page.add_init_script(RECORD_VIOLATIONS)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    seen: list[str] = []
    for path in ("/?lang=en", "/login?lang=en"):
        page.goto(server + path)
        seen += page.evaluate("window.__violations")
    page.fill("#email", "dewi@mod.id")
    page.fill("#password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("main form[action='/login'] button[type=submit]")
    assert "/console" in page.url  # signed in and sent to the moderator's start page
    seen += page.evaluate("window.__violations")
    context.close()
    assert seen == [] and errors == []


def test_a_script_slipped_into_the_login_page_is_refused(server: str, browser: Any) -> None:  # noqa: F811
    """What 'unsafe-inline' allowed: a script or on* handler that reached the page's HTML
    (a template bug, a proxy, an extension) ran with the page's rights."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(20000)
    page.add_init_script(RECORD_VIOLATIONS)

    def inject(route: Any) -> None:
        response = route.fetch()
        html = response.text().replace(
            "</main>", "<script>window.__ran = 1</script><img src=x onerror=\"window.__ran = 2\"></main>")
        route.fulfill(response=response, body=html)

    page.route("**/login*", inject)
    page.goto(server + "/login?lang=en")
    page.wait_for_load_state("load")
    ran = page.evaluate("window.__ran || 0")
    violations = page.evaluate("window.__violations")
    context.close()
    assert ran == 0
    assert any(v.startswith("script-src") for v in violations), violations
