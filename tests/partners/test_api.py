"""Partner organisations, members and keys through HTTP, with every role boundary."""

import pytest

from tests.conftest import bearer

PARTNER = {"name": "Bawaslu Provinsi Jawa Barat", "kind": "election_supervisor",
           "organisation": "bawaslu", "region": "32", "trusted": True,
           "policies": ["misinformation", "campaign_rules"]}


def test_admin_creates_partner_and_its_key_works(client, world):
    admin = world.key("admin")
    r = client.post("/api/v1/partners", json=PARTNER, headers=bearer(admin))
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["jurisdiction"] == "32" and body["trusted"] is True
    assert body["policies"] == ["misinformation", "campaign_rules"]
    me = client.get("/api/v1/me", headers=bearer(body["api_key"])).json()
    assert me["role"] == "partner_reporter" and me["partner_id"] == body["id"]
    listed = client.get("/api/v1/partners", headers=bearer(admin)).json()
    assert [p["id"] for p in listed] == [body["id"]]
    assert "api_key" not in listed[0]


def test_no_key_is_401_and_bad_key_is_401(client):
    r = client.post("/api/v1/partners", json=PARTNER)
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "unauthorized"
    r = client.post("/api/v1/partners", json=PARTNER, headers=bearer("sj_not-a-key"))
    assert r.status_code == 401


@pytest.mark.parametrize("role", ["moderator", "service", "auditor", "fact_checker", "guide_editor"])
def test_other_roles_may_not_create_partners(client, world, role):
    r = client.post("/api/v1/partners", json=PARTNER, headers=bearer(world.key(role)))
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "forbidden"


def test_partner_staff_see_only_their_own_partner(client, world):
    own = world.partner("Bawaslu Kota Bandung", region="32.73")
    other = world.partner("Perludem", kind="civil_society", organisation="perludem")
    key = world.key("partner_reporter", own)
    assert client.get(f"/api/v1/partners/{own}", headers=bearer(key)).status_code == 200
    r = client.get(f"/api/v1/partners/{other}", headers=bearer(key))
    assert r.status_code == 404  # not 403: we do not confirm it exists
    assert client.get("/api/v1/partners", headers=bearer(key)).status_code == 403


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"kind": "political_party"}, "kind"),
        ({"region": "99"}, "region"),
        ({"policies": ["not_a_policy"]}, "policy"),
        ({"trusted": True, "policies": []}, "policy"),
        ({"name": ""}, "name"),
        ({"unexpected": 1}, "unexpected"),
    ],
)
def test_bad_partner_fields_are_422_and_create_nothing(client, world, patch, field):
    admin = world.key("admin")
    r = client.post("/api/v1/partners", json={**PARTNER, **patch}, headers=bearer(admin))
    assert r.status_code == 422, r.text
    assert field in r.json()["error"]["message"]
    assert client.get("/api/v1/partners", headers=bearer(admin)).json() == []


def test_malformed_json_is_400(client, world):
    r = client.post("/api/v1/partners", content=b'{"name": ', headers={
        **bearer(world.key("admin")), "content-type": "application/json"})
    assert r.status_code in (400, 422)
    assert "error" in r.json()


def test_partner_admin_adds_reporters_to_own_partner_only(client, world):
    own = world.partner("Bawaslu RI")
    other = world.partner("KPU RI", kind="election_commission", organisation="kpu")
    padmin = world.key("partner_admin", own)
    r = client.post(f"/api/v1/partners/{own}/users", headers=bearer(padmin),
                    json={"name": "Nina", "role": "partner_reporter"})
    assert r.status_code == 201, r.text
    assert r.json()["partner_id"] == own and r.json()["api_key"].startswith("sj_")
    r = client.post(f"/api/v1/partners/{own}/users", headers=bearer(padmin),
                    json={"name": "Sneaky", "role": "admin"})
    assert r.status_code == 403
    r = client.post(f"/api/v1/partners/{other}/users", headers=bearer(padmin),
                    json={"name": "Nina", "role": "partner_reporter"})
    assert r.status_code == 404


def test_admin_creates_users_with_roles(client, world):
    admin = world.key("admin")
    r = client.post("/api/v1/users", headers=bearer(admin),
                    json={"name": "Dewi", "role": "moderator", "email": "dewi@example.org",
                          "password": "a-long-password"})
    assert r.status_code == 201
    key = r.json()["api_key"]
    assert client.get("/api/v1/me", headers=bearer(key)).json()["role"] == "moderator"
    r = client.post("/api/v1/users", headers=bearer(admin),
                    json={"name": "X", "role": "partner_reporter"})
    assert r.status_code == 422 and "partner" in r.json()["error"]["message"]
    r = client.post("/api/v1/users", headers=bearer(admin), json={"name": "X", "role": "emperor"})
    assert r.status_code == 422
    r = client.post("/api/v1/users", headers=bearer(admin),
                    json={"name": "Dup", "role": "moderator", "email": "dewi@example.org"})
    assert r.status_code == 409


def test_key_revoked_elsewhere_stops_working_when_the_cache_entry_expires(app, client, world, db):
    """A revocation this server did not make (another server, the database) is seen once the
    key's cached look-up expires: ``auth_cache_seconds`` is the promise."""
    from sqlalchemy import select

    from salingjaga.auth.models import ApiKey
    from salingjaga.auth.service import revoke_api_key

    now = [1000.0]
    app.state.auth_cache.clock = lambda: now[0]
    user_id, key = world.user("moderator")
    assert client.get("/api/v1/me", headers=bearer(key)).status_code == 200
    with db.session() as s:
        key_id = s.scalar(select(ApiKey.id).where(ApiKey.user_id == user_id))
        revoke_api_key(s, key_id)
    assert client.get("/api/v1/me", headers=bearer(key)).status_code == 200  # still cached
    now[0] += app.state.settings.auth_cache_seconds
    r = client.get("/api/v1/me", headers=bearer(key))
    assert r.status_code == 401
    assert r.json()["error"]["message"] == "the API key is unknown or revoked"


def test_without_the_cache_a_revoked_key_stops_at_once(app, client, world, db):
    from sqlalchemy import select

    from salingjaga.auth.cache import AuthCache
    from salingjaga.auth.models import ApiKey
    from salingjaga.auth.service import revoke_api_key

    app.state.auth_cache = AuthCache(0)
    user_id, key = world.user("moderator")
    assert client.get("/api/v1/me", headers=bearer(key)).status_code == 200
    with db.session() as s:
        revoke_api_key(s, s.scalar(select(ApiKey.id).where(ApiKey.user_id == user_id)))
    assert client.get("/api/v1/me", headers=bearer(key)).status_code == 401


def test_keys_are_stored_hashed(world, db):
    from sqlalchemy import select

    from salingjaga.auth.models import ApiKey

    _, key = world.user("service")
    with db.session() as s:
        stored = s.scalars(select(ApiKey.key_hash)).all()
    assert key not in stored and all(len(h) == 64 for h in stored)
