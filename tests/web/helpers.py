"""Helpers for page tests: read the CSRF token out of a page and sign in like a browser."""

from __future__ import annotations

import re
from typing import Any

DEMO_PASSWORD = "salingjaga-demo-2024"


def csrf_from(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no form with a CSRF token"
    return match.group(1)


def sign_in(client: Any, email: str, password: str = DEMO_PASSWORD, lang: str = "en") -> Any:
    """Open the login page, post the form with its token, and return the response."""
    page = client.get(f"/login?lang={lang}")
    assert page.status_code == 200, page.text
    return client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": csrf_from(page.text)}, follow_redirects=False)


def make_user(world: Any, role: str, email: str, partner_id: str | None = None,
              password: str = DEMO_PASSWORD, name: str | None = None) -> str:
    """A user who can sign in; returns the user id."""
    return str(world.user(role, partner_id, name=name, email=email, password=password)[0])
