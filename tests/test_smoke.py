from tests.conftest import bearer


def test_health_and_me(client, world):
    assert client.get("/healthz").json()["status"] == "ok"
    assert client.get("/readyz").json()["status"] == "ready"
    key = world.key("admin")
    r = client.get("/api/v1/me", headers=bearer(key))
    assert r.status_code == 200, r.text
    assert r.json()["role"] == "admin"


def test_home_page_in_both_languages(client):
    r = client.get("/?lang=id")
    assert r.status_code == 200
    assert "Panduan Pemilu" in r.text
    r = client.get("/?lang=en")
    assert "Election Guide" in r.text
    assert client.get("/static/app.css").status_code == 200
    assert client.get("/static/../web.py").status_code == 404
