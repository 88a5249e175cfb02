from tests.conftest import bearer


def test_health_and_me(client, world):
    assert client.get("/healthz").json()["status"] == "ok"
    assert client.get("/readyz").json()["status"] == "ready"
    key = world.key("admin")
    r = client.get("/api/v1/me", headers=bearer(key))
    assert r.status_code == 200, r.text
    assert r.json()["role"] == "admin"
