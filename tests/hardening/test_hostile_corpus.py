"""Every payload of the hostile-input corpus against every write endpoint, through HTTP.

API routes are called with a key whose role holds the route's permission, so the payload
reaches the body handling; page routes are called signed in, with the session's CSRF
token. No answer may be a 5xx. An API route that takes a body must refuse every
``reject`` payload with a 4xx in the one error shape."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from salingjaga.app import create_app
from salingjaga.auth.permissions import roles_for
from salingjaga.auth.roles import PARTNER_ROLES
from tests.conftest import bearer
from tests.hardening.hostile_corpus import BODY_LIMIT, CORPUS, Payload
from tests.hardening.routes import route_table
from tests.web.helpers import csrf_from, make_user, sign_in

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
# Roles tried first when several hold a permission: the widest reach, then the usual caller.
PREFERRED = ("admin", "partner_reporter", "service", "moderator", "fact_checker", "guide_editor")


def pick_role(permission: str) -> str:
    roles = roles_for(permission)
    return next((r for r in PREFERRED if r in roles), sorted(roles)[0])


def concrete(path: str) -> str:
    """A path with every parameter filled: ids that do not exist, an election that does."""
    path = path.replace("{election}", "pilkada-2024").replace("{slug}", "pilkada-2024")
    path = path.replace("{glang}", "id").replace("{name}", "pdq")
    return re.sub(r"\{[^}]+\}", "hostile-id", path)


def send(client: TestClient, method: str, path: str, payload: Payload, headers: dict[str, str]) -> Any:
    if payload.files or payload.form:
        return client.request(method, path, headers=headers, data=payload.form or None,
                              files=payload.files or None)
    if payload.content_type is not None:
        headers = {**headers, "Content-Type": payload.content_type}
    return client.request(method, path, headers=headers, content=payload.body)


def refused(r: Any) -> bool:
    """A 4xx, or a batch answer (a result per row) in which every row was refused."""
    if 400 <= r.status_code < 500:
        return True
    if r.status_code >= 300 or not r.headers.get("content-type", "").startswith("application/json"):
        return False
    body = r.json()
    results = body.get("results") if isinstance(body, dict) else None
    return bool(results) and all(isinstance(x, dict) and x.get("status") == "error" for x in results)


@pytest.fixture
def corpus_client(settings: Any) -> Iterator[TestClient]:
    settings.max_body_bytes = BODY_LIMIT
    with TestClient(create_app(settings, start_workers=False), raise_server_exceptions=False) as c:
        yield c


def test_no_hostile_payload_causes_a_server_error(corpus_client, world):
    client = corpus_client
    app: Any = client.app
    openapi = app.openapi()["paths"]
    partner = world.partner()
    keys: dict[str, str] = {}
    csrf: dict[str, tuple[dict[str, str], str]] = {}

    def api_headers(role: str) -> dict[str, str]:
        if role not in keys:
            keys[role] = world.key(role, partner if role in PARTNER_ROLES else None)
        return bearer(keys[role])

    def page_session(role: str) -> tuple[dict[str, str], str]:
        """Cookies and CSRF token of a signed-in browser with this role."""
        if role not in csrf:
            email = f"{role}@corpus.example"
            make_user(world, role, email, partner if role in PARTNER_ROLES else None)
            client.cookies.clear()
            sign_in(client, email)
            token = csrf_from(client.get("/").text)
            csrf[role] = (dict(client.cookies), token)
        return csrf[role]

    routes = {r: p[0] for r, p in route_table(app).items() if r.startswith(WRITE_METHODS)}
    assert len(routes) > 40
    failures: list[str] = []
    checked = 0
    for route, permission in sorted(routes.items()):
        method, path = route.split(" ", 1)
        url = concrete(path)
        is_api = path.startswith("/api/")
        takes_body = "requestBody" in openapi.get(path, {}).get(method.lower(), {})
        for payload in CORPUS:
            if is_api:
                client.cookies.clear()
                headers = api_headers(pick_role(permission)) if permission != "public" else {}
            else:
                if permission == "public":
                    client.cookies.clear()
                    headers = {}
                else:
                    cookies, token = page_session(pick_role(permission))
                    client.cookies.clear()
                    client.cookies.update(cookies)
                    headers = {"X-CSRF-Token": token}
            r = send(client, method, url, payload, headers)
            checked += 1
            where = f"{route} <- {payload.name}: {r.status_code}"
            if r.status_code >= 500:
                failures.append(f"{where} {r.text[:200]}")
                continue
            if is_api and r.status_code >= 400:
                body = r.json() if r.headers.get("content-type", "").startswith("application/json") else {}
                error = body.get("error") if isinstance(body, dict) else None
                if not (isinstance(error, dict) and {"code", "message"} <= set(error)):
                    failures.append(f"{where} without the error shape: {r.text[:200]}")
            if is_api and takes_body and payload.reject and not refused(r):
                failures.append(f"{where} (a hostile body was taken)")
    assert checked == len(routes) * len(CORPUS)
    assert failures == [], "\n".join(failures)
