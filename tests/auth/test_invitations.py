"""Invitations by e-mail: the one-time, expiring link, setting a password with a TOTP second
factor and recovery codes, the second factor required at sign-in once enrolled, and every
step in the audit log. Through the pages, as a browser uses them."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from typing import Any

import pyotp
from sqlalchemy import select

from salingjaga.audit.models import AuditEvent
from salingjaga.auth.models import Invitation, User
from salingjaga.core.mail import read_outbox
from salingjaga.core.timeutil import utcnow
from tests.web.helpers import csrf_from, make_user, sign_in

PASSWORD = "kata-sandi-rahasia-2024"


def _invite(client: Any, world: Any, email: str = "sari@bandung.bawaslu.example") -> str:
    office = world.partner("Bawaslu Kota Bandung", region="32.73")
    make_user(world, "partner_admin", "admin@bandung.bawaslu.example", office)
    sign_in(client, "admin@bandung.bawaslu.example")
    page = client.get("/team")
    assert page.status_code == 200, page.text
    r = client.post("/team/invitations", data={"csrf_token": csrf_from(page.text), "email": email, "name": "Sari",
                                               "role": "partner_reporter", "language": "id"},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    assert email in client.get("/team").text
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/team").text)})
    client.cookies.clear()
    return office


def _link(settings: Any) -> str:
    mails = read_outbox(settings)
    assert len(mails) == 1
    mail = mails[-1]
    assert mail["To"] == "sari@bandung.bawaslu.example"
    assert mail["Subject"] == "Undangan Anda ke SalingJaga"
    body = mail.get_content()
    assert "Bawaslu Kota Bandung" in body and "72 jam" in body
    match = re.search(r"http://127\.0\.0\.1:8000(/invite/[A-Za-z0-9_-]+)", body)
    assert match, body
    return match.group(1)


def _accept(client: Any, link: str, code: str) -> Any:
    page = client.get(link)
    assert page.status_code == 200, page.text
    return client.post(link, data={"csrf_token": csrf_from(page.text), "password": PASSWORD,
                                   "password_again": PASSWORD, "code": code})


def _secret(client: Any, link: str) -> str:
    match = re.search(r'data-secret="([A-Z2-7]+)"', client.get(link).text)
    assert match
    return match.group(1)


def test_invitation_link_sets_up_the_account_once_with_a_second_factor(client: Any, world: Any, db: Any,
                                                                       settings: Any) -> None:
    _invite(client, world)
    link = _link(settings)
    secret = _secret(client, link)

    wrong = _accept(client, link, "000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    assert wrong.status_code == 422
    # said in the page's language with what to do next (the error's reason), not the API's English
    assert "Itu bukan kode terbaru dari aplikasi autentikator Anda." in wrong.text
    assert "pastikan jam ponsel sudah benar" in wrong.text
    with db.session() as s:
        assert s.scalar(select(User).where(User.email == "sari@bandung.bawaslu.example")) is None

    done = _accept(client, link, pyotp.TOTP(secret).now())
    assert done.status_code == 200, done.text
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", done.text)
    assert len(codes) == 10

    again = client.get(link)
    assert again.status_code == 410
    assert _accept_status(client, link) == 410
    with db.session() as s:
        user = s.scalar(select(User).where(User.email == "sari@bandung.bawaslu.example"))
        assert user is not None and user.role == "partner_reporter"
        actions = list(s.scalars(select(AuditEvent.action)))
    assert {"invitation.sent", "invitation.accepted", "second_factor.enrolled", "user.created"} <= set(actions)


def _accept_status(client: Any, link: str) -> int:
    token = csrf_from(client.get("/login").text)
    r = client.post(link, data={"csrf_token": token, "password": PASSWORD, "password_again": PASSWORD, "code": "1"})
    return int(r.status_code)


def test_an_expired_link_is_refused(client: Any, world: Any, db: Any, settings: Any) -> None:
    _invite(client, world)
    link = _link(settings)
    with db.session() as s:
        invitation = s.scalar(select(Invitation))
        assert invitation is not None
        invitation.expires_at = utcnow() - timedelta(seconds=1)
    page = client.get(link)
    assert page.status_code == 410
    assert "already used or has expired" in page.text or "sudah dipakai" in page.text


def test_second_factor_is_required_at_sign_in_once_enrolled(client: Any, world: Any, db: Any,
                                                             settings: Any) -> None:
    _invite(client, world)
    link = _link(settings)
    secret = _secret(client, link)
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", _accept(client, link, pyotp.TOTP(secret).now()).text)

    # the password alone opens no session
    first = sign_in(client, "sari@bandung.bawaslu.example", PASSWORD)
    assert first.status_code == 200 and 'name="challenge"' in first.text
    assert "sj_session" not in first.cookies
    assert client.get("/portal", follow_redirects=False).status_code == 303  # still signed out
    challenge = re.search(r'name="challenge" value="([^"]+)"', first.text)
    assert challenge
    bad = client.post("/login/code", data={"csrf_token": csrf_from(first.text), "challenge": challenge.group(1),
                                           "code": "12345x"}, follow_redirects=False)
    assert bad.status_code == 401

    # a forged challenge is refused whatever the code
    forged = challenge.group(1).rsplit("|", 1)[0] + "|" + "0" * 64
    assert client.post("/login/code", data={"csrf_token": csrf_from(first.text), "challenge": forged,
                                            "code": pyotp.TOTP(secret).now()}).status_code == 401

    next_code = pyotp.TOTP(secret).at(time.time() + 30)  # the enrolment's step is spent
    ok = client.post("/login/code", data={"csrf_token": csrf_from(first.text), "challenge": challenge.group(1),
                                          "code": next_code}, follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"] == "/portal"
    assert client.get("/portal").status_code == 200
    client.cookies.clear()

    # the same code again is a replay; a recovery code works once
    again = sign_in(client, "sari@bandung.bawaslu.example", PASSWORD)
    ch = re.search(r'name="challenge" value="([^"]+)"', again.text)
    assert ch
    replay = client.post("/login/code", data={"csrf_token": csrf_from(again.text), "challenge": ch.group(1),
                                              "code": next_code}, follow_redirects=False)
    assert replay.status_code == 401
    rec = client.post("/login/code", data={"csrf_token": csrf_from(again.text), "challenge": ch.group(1),
                                           "code": codes[0]}, follow_redirects=False)
    assert rec.status_code == 303
    client.cookies.clear()
    third = sign_in(client, "sari@bandung.bawaslu.example", PASSWORD)
    ch3 = re.search(r'name="challenge" value="([^"]+)"', third.text)
    assert ch3
    assert client.post("/login/code", data={"csrf_token": csrf_from(third.text), "challenge": ch3.group(1),
                                            "code": codes[0]}, follow_redirects=False).status_code == 401
    with db.session() as s:
        actions = list(s.scalars(select(AuditEvent.action)))
    assert "second_factor.recovery_code_used" in actions and "login.code_failed" in actions


def test_partner_admin_cannot_probe_addresses_of_other_offices(client: Any, world: Any, db: Any,
                                                               settings: Any) -> None:
    make_user(world, "moderator", "dewi@mod.example")
    _invite(client, world, email="dewi@mod.example")
    assert read_outbox(settings) == []  # nothing sent, the inviter saw the usual answer
    with db.session() as s:
        assert "invitation.withheld" in set(s.scalars(select(AuditEvent.action)))


def test_reset_link_replaces_password_and_second_factor(client: Any, world: Any, db: Any, settings: Any) -> None:
    from typer.testing import CliRunner

    from salingjaga.cli import app as cli_app

    office = world.partner("Bawaslu Provinsi Bali", region="51")
    user_id = make_user(world, "partner_reporter", "made@bali.bawaslu.example", office)
    r = CliRunner().invoke(cli_app, ["users", "reset-access", user_id, "--json", "--database-url",
                                     settings.database_url], env={"SALINGJAGA_DATA_DIR": str(settings.data_dir)})
    assert r.exit_code == 0, r.output
    mail = read_outbox(settings)[-1]
    assert mail["Subject"] == "Atur ulang akses SalingJaga Anda"
    link = re.search(r"(/invite/[A-Za-z0-9_-]+)", mail.get_content())
    assert link
    secret = _secret(client, link.group(1))
    assert _accept(client, link.group(1), pyotp.TOTP(secret).now()).status_code == 200
    assert 'name="challenge"' in sign_in(client, "made@bali.bawaslu.example", PASSWORD).text
    with db.session() as s:
        actions = set(s.scalars(select(AuditEvent.action)))
    assert {"second_factor.reset", "invitation.reset_sent", "invitation.accepted"} <= actions


def test_invitation_through_the_api(client: Any, world: Any, settings: Any) -> None:
    from tests.conftest import bearer

    office = world.partner("Bawaslu Provinsi Aceh", region="11")
    other = world.partner("Bawaslu Provinsi Bali", region="51")
    _uid, key = world.user("partner_admin", office, email="admin@aceh.bawaslu.example")
    r = client.post(f"/api/v1/partners/{office}/invitations", headers=bearer(key),
                    json={"email": "Teuku@Aceh.Bawaslu.example", "name": "Teuku", "language": "en"})
    assert r.status_code == 201, r.text
    assert r.json()["email"] == "teuku@aceh.bawaslu.example"
    mail = read_outbox(settings)[-1]
    assert mail["Subject"] == "Your invitation to SalingJaga" and "/invite/" in mail.get_content()
    assert client.post(f"/api/v1/partners/{other}/invitations", headers=bearer(key),
                       json={"email": "x@bali.example"}).status_code == 404
    assert client.post(f"/api/v1/partners/{office}/invitations", headers=bearer(key),
                       json={"email": "x@aceh.example", "role": "admin"}).status_code == 422
