"""Intake of accounts and content through HTTP: single, batch, idempotent, bad input."""

import base64
import io

import pytest
from PIL import Image

from tests.conftest import bearer

ACCOUNT = {"platform_id": "acc-1", "handle": "caleg_budi", "display_name": "Budi",
           "kind": "politician", "region": "32", "verified": True, "followers": 5000}


def png_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (32, 32), (200, 30, 30)).save(buf, format="PNG")
    return buf.getvalue()


@pytest.fixture
def service(world):
    return bearer(world.key("service"))


def test_account_intake_is_idempotent_on_platform_id(client, service):
    r = client.post("/api/v1/accounts", json=ACCOUNT, headers=service)
    assert r.status_code == 201, r.text
    first = r.json()
    assert first["gpppa"] is True and first["kind"] == "politician"
    r = client.post("/api/v1/accounts", json={**ACCOUNT, "followers": 7000}, headers=service)
    assert r.status_code == 200
    assert r.json()["id"] == first["id"] and r.json()["followers"] == 7000
    got = client.get("/api/v1/accounts/acc-1", headers=service).json()
    assert got["id"] == first["id"]


@pytest.mark.parametrize("kind", ["government", "politician", "political_party"])
def test_gpppa_kinds(client, service, kind):
    r = client.post("/api/v1/accounts", json={**ACCOUNT, "platform_id": f"a-{kind}", "kind": kind},
                    headers=service)
    assert r.json()["gpppa"] is True


def test_personal_and_business_are_not_gpppa(client, service):
    for kind in ("personal", "business"):
        r = client.post("/api/v1/accounts", json={**ACCOUNT, "platform_id": kind, "kind": kind},
                        headers=service)
        assert r.json()["gpppa"] is False


def test_content_intake_single_with_inline_account_and_media(client, service, settings):
    body = {
        "platform_id": "vid-1", "kind": "video", "account": ACCOUNT,
        "url": "https://video.example/@caleg_budi/vid-1",
        "caption": "Coblos nomor 2! #pilkada2024", "transcript": "halo warga",
        "hashtags": ["#pilkada2024"], "region": "32.73", "election": "pilkada-2024",
        "views": 100, "shares": 5,
        "media": [{"kind": "image", "filename": "../../etc/passwd.png",
                   "data_base64": base64.b64encode(png_bytes()).decode()}],
    }
    r = client.post("/api/v1/content", json=body, headers=service)
    assert r.status_code == 201, r.text
    item = r.json()
    assert item["status"] == "active" and item["hashtags"] == ["pilkada2024"]
    media = item["media"][0]
    assert media["mime"] == "image/png" and len(media["sha256"]) == 64
    assert media["filename"] == "passwd.png"  # path parts stripped
    assert "path" not in media
    stored = list((settings.data_dir / "media").rglob(media["sha256"]))
    assert len(stored) == 1
    # retry: same platform id, same item, reach refreshed, no duplicate
    r = client.post("/api/v1/content", json={**body, "views": 900}, headers=service)
    assert r.status_code == 200 and r.json()["id"] == item["id"] and r.json()["views"] == 900
    assert client.get(f"/api/v1/content/{item['id']}", headers=service).json()["views"] == 900


def test_content_batch_reports_each_row(client, service):
    client.post("/api/v1/accounts", json=ACCOUNT, headers=service)
    rows = [
        {"platform_id": "p-1", "kind": "text", "account_id": "acc-1", "caption": "satu"},
        {"platform_id": "p-2", "kind": "hologram", "account_id": "acc-1"},
        {"platform_id": "p-3", "kind": "text", "account_id": "missing", "caption": "tiga"},
        {"platform_id": "p-1", "kind": "text", "account_id": "acc-1", "caption": "satu lagi"},
        {"platform_id": "p-4", "kind": "image", "account_id": "acc-1", "region": "99"},
        {"platform_id": "p-5", "kind": "video", "account_id": "acc-1", "caption": "lima"},
    ]
    r = client.post("/api/v1/content", json=rows, headers=service)
    assert r.status_code == 200, r.text
    out = r.json()
    assert [x["status"] for x in out["results"]] == [
        "created", "error", "error", "existing", "error", "created"]
    assert out["created"] == 2 and out["existing"] == 1 and out["errors"] == 3
    assert "kind" in out["results"][1]["error"]["message"]
    assert "missing" in out["results"][2]["error"]["message"]
    assert out["results"][3]["id"] == out["results"][0]["id"]
    assert client.get("/api/v1/content/p-5", headers=service).status_code == 200
    assert client.get("/api/v1/content/p-4", headers=service).status_code == 404


def test_bad_single_content_is_422_and_stores_nothing(client, service):
    r = client.post("/api/v1/content", json={"platform_id": "x", "kind": "video"}, headers=service)
    assert r.status_code == 422 and "account" in r.json()["error"]["message"]
    r = client.post("/api/v1/content", json={"platform_id": "x", "kind": "video",
                                              "account": ACCOUNT, "election": "pemilu-1955"},
                    headers=service)
    assert r.status_code == 422
    assert client.get("/api/v1/accounts/acc-1", headers=service).status_code == 404  # rolled back


def test_media_type_must_match_bytes(client, service):
    body = {"platform_id": "m-1", "kind": "image", "account": ACCOUNT,
            "media": [{"kind": "image", "mime": "image/png",
                       "data_base64": base64.b64encode(b"MZ\x90\x00 not an image").decode()}]}
    r = client.post("/api/v1/content", json=body, headers=service)
    assert r.status_code == 415
    body["media"][0]["data_base64"] = "***not base64***"
    assert client.post("/api/v1/content", json=body, headers=service).status_code == 422


def test_only_service_and_admin_may_ingest(client, world):
    for role in ("moderator", "partner_reporter", "auditor"):
        partner = world.partner() if role == "partner_reporter" else None
        key = world.key(role, partner)
        r = client.post("/api/v1/content", json={"platform_id": "z", "kind": "text",
                                                  "account": ACCOUNT}, headers=bearer(key))
        assert r.status_code == 403, role
    assert client.post("/api/v1/content", json={}).status_code == 401


def test_oversized_body_is_413(client, service):
    big = {"platform_id": "big", "kind": "text", "account": ACCOUNT, "caption": "x" * (11 * 1024 * 1024)}
    r = client.post("/api/v1/content", json=big, headers=service)
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "payload_too_large"


def test_batch_over_limit_is_refused(client, service):
    rows = [{"platform_id": f"r{i}", "kind": "text", "account_id": "acc-1"} for i in range(1001)]
    r = client.post("/api/v1/content", json=rows, headers=service)
    assert r.status_code == 413


def test_a_large_batch_commits_in_chunks_and_scans_every_item(client, service):
    """450 rows are written in three transactions (SQLite's one writer is never held for the
    whole batch), the results keep their positions, and every new item is scanned."""
    from tests.support.writes import RowsPerCommit

    client.post("/api/v1/accounts", json=ACCOUNT, headers=service)
    rows = [{"platform_id": f"big-{i}", "kind": "text", "account_id": "acc-1", "caption": f"baris {i}"}
            for i in range(450)]
    rows[301]["kind"] = "hologram"
    stream = client.app.state.stream
    publish = stream.publish
    published: list[str] = []

    def counting_publish(topic, payload):
        if topic == "content":
            published.append(payload["content_id"])
        return publish(topic, payload)

    stream.publish = counting_publish
    try:
        with RowsPerCommit("content_items") as writes:
            r = client.post("/api/v1/content", json=rows, headers=service)
    finally:
        stream.publish = publish
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["created"] == 449 and out["errors"] == 1
    assert [x["index"] for x in out["results"]] == list(range(450))
    assert out["results"][301]["status"] == "error"
    assert sum(writes.committed) == 449 and len(writes.committed) == 3 and max(writes.committed) <= 200
    # Each chunk's scan messages were committed with it and handed to the stream.
    assert sorted(published) == sorted(x["id"] for x in out["results"] if x["status"] == "created")
