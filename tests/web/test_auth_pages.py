"""Signing in and out, sessions, CSRF refusal, the login throttle and role navigation."""

from __future__ import annotations

from sqlalchemy import select, text

from salingjaga.partners.models import Partner
from salingjaga.web.models import WebSession
from tests.web.helpers import csrf_from, make_user, sign_in


def test_pages_redirect_to_login_but_api_keeps_json_401(client):
    r = client.get("/admin/users?x=1", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=%2Fadmin%2Fusers%3Fx%3D1"
    api = client.get("/api/v1/me")
    assert api.status_code == 401
    assert api.json()["error"]["code"] == "unauthorized"


def test_sign_in_sets_a_safe_cookie_and_returns_to_next(client, world):
    make_user(world, "admin", "boss@example.id")
    page = client.get("/login?next=/admin/users")
    assert 'name="next" value="/admin/users"' in page.text
    r = client.post("/login", data={"email": "boss@example.id", "password": "salingjaga-demo-2024",
                                    "csrf_token": csrf_from(page.text), "next": "/admin/users"},
                    follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/admin/users"
    cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("sj_session="))
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "SameSite=Lax" in cookie
    assert "Secure" not in cookie
    assert client.get("/admin/users").status_code == 200


def test_next_never_leaves_the_site(client, world):
    make_user(world, "admin", "boss@example.id")
    page = client.get("/login")
    r = client.post("/login", data={"email": "boss@example.id", "password": "salingjaga-demo-2024",
                                    "csrf_token": csrf_from(page.text), "next": "//evil.example/x"},
                    follow_redirects=False)
    assert r.headers["location"] == "/admin"


def test_secure_cookie_when_configured(app, world):
    from fastapi.testclient import TestClient

    app.state.settings.cookie_secure = True
    make_user(world, "admin", "boss@example.id")
    with TestClient(app, base_url="https://testserver") as c:
        r = sign_in(c, "boss@example.id")
        cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("sj_session="))
        assert "Secure" in cookie


def test_session_works_for_the_api_but_unsafe_calls_need_the_token(client, world):
    make_user(world, "admin", "boss@example.id")
    sign_in(client, "boss@example.id")
    me = client.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["role"] == "admin"
    body = {"name": "Bawaslu X", "kind": "election_supervisor"}
    assert client.post("/api/v1/partners", json=body).status_code == 401
    token = csrf_from(client.get("/admin").text)
    r = client.post("/api/v1/partners", json=body, headers={"X-CSRF-Token": token})
    assert r.status_code == 201, r.text


def test_wrong_password_then_throttle_locks_the_pair(client, world, db):
    make_user(world, "moderator", "dewi@example.id")
    make_user(world, "moderator", "rizky@example.id")
    r = sign_in(client, "dewi@example.id", password="wrong-password")
    assert r.status_code == 401
    assert "The email or password is wrong." in r.text
    for _ in range(4):
        r = sign_in(client, "dewi@example.id", password="wrong-password")
    assert r.status_code == 429
    # even the right password is refused while locked, and nothing says whether it was right
    r = sign_in(client, "dewi@example.id")
    assert r.status_code == 429
    assert "Too many failed attempts" in r.text
    assert "sj_session" not in r.headers.get("set-cookie", "")
    # another account from the same address is not locked
    assert sign_in(client, "rizky@example.id").status_code == 303
    with db.session() as s:
        assert s.execute(text("SELECT failures FROM web_login_throttle")).scalar_one() == 5


def test_forms_refuse_missing_or_wrong_csrf_tokens(client, world, db):
    make_user(world, "admin", "boss@example.id")
    # login itself is protected (login CSRF)
    r = client.post("/login", data={"email": "boss@example.id", "password": "salingjaga-demo-2024"})
    assert r.status_code == 403
    assert "This form has expired" in r.text or "Formulir" in r.text
    sign_in(client, "boss@example.id")
    form = {"name": "Evil Org", "kind": "civil_society"}
    assert client.post("/admin/partners", data=form).status_code == 403
    assert client.post("/admin/partners", data={**form, "csrf_token": "forged"}).status_code == 403
    with db.session() as s:
        assert s.scalar(select(Partner).where(Partner.name == "Evil Org")) is None
    good = csrf_from(client.get("/admin").text)
    assert client.post("/admin/partners", data={**form, "csrf_token": good}).status_code == 201


def test_logout_ends_the_session_server_side(client, world, db):
    make_user(world, "admin", "boss@example.id")
    sign_in(client, "boss@example.id")
    cookie = client.cookies.get("sj_session")
    token = csrf_from(client.get("/admin").text)
    r = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    with db.session() as s:
        assert s.scalars(select(WebSession)).all() == []
    client.cookies.set("sj_session", cookie)
    assert client.get("/admin", follow_redirects=False).status_code == 303


def test_navigation_follows_the_role(client, world):
    p = world.partner()
    make_user(world, "moderator", "dewi@example.id")
    make_user(world, "partner_reporter", "agus@example.id", partner_id=p)
    r = sign_in(client, "dewi@example.id")
    assert r.headers["location"] == "/console"
    home = client.get("/?lang=en").text
    assert 'href="/console"' in home
    assert 'href="/admin"' not in home
    assert 'href="/portal"' not in home
    denied = client.get("/admin")
    assert denied.status_code == 403
    assert "You may not do this" in denied.text
    client.cookies.clear()
    r = sign_in(client, "agus@example.id")
    assert r.headers["location"] == "/portal"
    home = client.get("/?lang=en").text
    assert 'href="/portal/new"' in home
    assert 'href="/console"' not in home


def test_login_page_in_both_languages(client):
    assert "Sign in" in client.get("/login?lang=en").text
    page = client.get("/login?lang=id").text
    assert "Masuk" in page
    assert "Kata sandi" in page
