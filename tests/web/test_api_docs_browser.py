"""``/docs`` in a real browser with no network beyond the server: Swagger UI loads from the
package, lists the operations and runs under the default Content-Security-Policy."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.test_csp_browser import RECORD_VIOLATIONS
from tests.web.test_journeys_browser import browser, server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


def test_api_docs_render_offline_under_the_policy(server: str, browser: Any) -> None:  # noqa: F811
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(20000)
    page.add_init_script(RECORD_VIOLATIONS)
    outside: list[str] = []

    def only_local(route: Any) -> None:
        if route.request.url.startswith(server):
            route.continue_()
        else:  # a CDN, as on a locked-down network
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server + "/docs")
    page.locator(".opblock").nth(50).wait_for()  # the page's policy refuses wait_for_function's eval
    assert page.locator(".opblock-summary-path[data-path='/api/v1/notices']").count() >= 1
    violations = page.evaluate("window.__violations")
    context.close()
    assert outside == [] and errors == [] and violations == []
