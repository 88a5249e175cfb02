"""A partner admin adding a member cannot learn whether an e-mail address belongs to staff
or to another partner: the answer is the same as for a free address."""

from __future__ import annotations

from sqlalchemy import select

from salingjaga.audit.models import AuditEvent
from salingjaga.auth.models import User
from salingjaga.auth.service import authenticate_password
from tests.conftest import bearer


def _add(client, admin_key, partner, email, name="Nina"):
    return client.post(f"/api/v1/partners/{partner}/users", headers=bearer(admin_key), json={
        "name": name, "role": "partner_reporter", "email": email, "password": "a-long-password-1"})


def _shape(response):
    body = response.json()
    return response.status_code, sorted(body), body["email"], body["role"], body["partner_id"]


def test_staff_and_other_partners_addresses_answer_like_free_ones(client, world, db):
    own = world.partner("Bawaslu Jabar", region="32", organisation="bawaslu")
    other = world.partner("Perludem", kind="civil_society", organisation="perludem", trusted=False)
    world.user("moderator", email="dewi@salingjaga.example", password="moderator-password")
    world.user("partner_reporter", other, email="agus@perludem.example", password="perludem-password")
    padmin = world.key("partner_admin", own)

    fresh = _add(client, padmin, own, "baru@bawaslu.example")
    staff = _add(client, padmin, own, "dewi@salingjaga.example")
    tenant = _add(client, padmin, own, "agus@perludem.example")
    assert fresh.status_code == 201, fresh.text
    for probe, email in ((staff, "dewi@salingjaga.example"), (tenant, "agus@perludem.example")):
        assert probe.status_code == 201, probe.text  # was 409 "already exists"
        assert _shape(probe)[:2] == _shape(fresh)[:2]
        assert _shape(probe)[2:] == (email, "partner_reporter", own)
        assert "exist" not in probe.text
        # the new member works like any other...
        me = client.get("/api/v1/me", headers=bearer(probe.json()["api_key"])).json()
        assert me["partner_id"] == own and me["role"] == "partner_reporter"

    with db.session() as s:
        # ...but the other accounts keep their addresses, and their sign-in, to themselves
        assert authenticate_password(s, "dewi@salingjaga.example", "moderator-password").role == "moderator"
        assert authenticate_password(s, "agus@perludem.example", "perludem-password").partner_id == other
        assert authenticate_password(s, "agus@perludem.example", "a-long-password-1") is None
        for probe in (staff, tenant):
            member = s.get(User, probe.json()["id"])
            assert member.email is None
        withheld = s.scalars(select(AuditEvent).where(AuditEvent.action == "user.email_withheld")).all()
        assert sorted(e.entity_id for e in withheld) == sorted([staff.json()["id"], tenant.json()["id"]])
        assert s.scalar(select(User.email).where(User.id == fresh.json()["id"])) == "baru@bawaslu.example"


def test_an_address_already_used_in_the_admins_own_organisation_is_a_conflict(client, world):
    own = world.partner()
    world.user("partner_reporter", own, email="rina@bawaslu.example")
    padmin = world.key("partner_admin", own)
    r = _add(client, padmin, own, "rina@bawaslu.example")
    assert r.status_code == 409
    assert r.json()["error"]["message"] == "a member of this organisation already uses this e-mail address"


def test_staff_still_see_the_conflict(client, world):
    own = world.partner()
    world.user("moderator", email="dewi@salingjaga.example")
    admin = world.key("admin")
    r = _add(client, admin, own, "dewi@salingjaga.example")
    assert r.status_code == 409
