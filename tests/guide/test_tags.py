"""Notice tags: attached to election content (by detection or by hand), absent from other
content, with text and link from the guide, idempotent through re-scans."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from salingjaga.guide.models import TagAssignment
from salingjaga.stream.handlers import dispatch
from tests.conftest import bearer
from tests.guide.conftest import publish

ELECTION_TEXT = ("Jangan lupa cek DPT kamu di cekdptonline.kpu.go.id sebelum pencoblosan "
                 "Pemilu 2024 di TPS tanggal 14 Februari! #pemilu2024")
OTHER_TEXT = "Diskon batik 20% minggu ini, mampir ke toko kami di Solo. Resep rendang juga ada."


def post_content(client: Any, key: str, platform_id: str, caption: str, **extra: Any) -> dict[str, Any]:
    body = {"platform_id": platform_id, "kind": "video", "caption": caption,
            "account": {"platform_id": "acc-" + platform_id, "handle": "h" + platform_id},
            **extra}
    r = client.post("/api/v1/content", json=body, headers=bearer(key))
    assert r.status_code == 201, r.text
    return r.json()


def tag_count(db: Any) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(TagAssignment)) or 0)


def test_moderator_tags_content_and_the_app_fetches_the_tag_from_the_guide(client, world, editors, db):
    service = world.key("service")
    item = post_content(client, service, "vid-1", "Video tanpa kata kunci apa pun", region="32.73",
                        election="pilkada-2024")
    other = post_content(client, service, "vid-2", OTHER_TEXT, region="33.72")
    untouched = tag_count(db)

    # Default text until the guide publishes its own.
    moderator = bearer(world.key("moderator"))
    r = client.post(f"/api/v1/content/{item['id']}/tag", headers=moderator, json={})
    assert r.status_code == 200, r.text
    assert r.json()["text"] == "Dapatkan info resmi tentang Pilkada Serentak 2024"
    assert (r.json()["election"], r.json()["region"], r.json()["url"]) == (
        "pilkada-2024", "32.73", "/panduan/pilkada-2024")

    publish(client, editors.kpu, editors.bawaslu, "pilkada-2024", lang="en", kind="tag",
            key="notice-tag", title="Get official info about Pilkada 2024", body="")
    r = client.get(f"/api/v1/content/{item['id']}/tag?lang=en", headers=bearer(service))
    assert r.status_code == 200
    assert (r.json()["text"], r.json()["url"]) == ("Get official info about Pilkada 2024",
                                                   "/guide/pilkada-2024")
    # By the platform's id too.
    assert client.get("/api/v1/content/vid-1/tag?lang=en", headers=bearer(service)).json()["election"] == "pilkada-2024"

    assert tag_count(db) == untouched + 1
    # Tagging again changes nothing in the counts.
    client.post(f"/api/v1/content/{item['id']}/tag", headers=moderator, json={})
    assert tag_count(db) == untouched + 1

    assert client.get("/api/v1/content/nope/tag", headers=bearer(service)).status_code == 404
    assert client.get(f"/api/v1/content/{item['id']}/tag",
                      headers=bearer(world.key("fact_checker"))).status_code == 403
    r = client.post(f"/api/v1/content/{other['id']}/tag", headers=bearer(world.key("guide_editor")), json={})
    assert r.status_code == 403


def test_election_is_resolved_from_region_and_time_when_content_names_none(client, world):
    service = world.key("service")
    pilkada_day = post_content(client, service, "vid-3", "Video", region="35",
                               posted_at="2024-11-20T10:00:00+07:00")
    pemilu_day = post_content(client, service, "vid-4", "Video", region="35",
                              posted_at="2024-02-12T10:00:00+07:00")
    jogja = post_content(client, service, "vid-5", "Video", region="34",
                         posted_at="2024-11-20T10:00:00+07:00")
    moderator = bearer(world.key("moderator"))
    elections = [client.post(f"/api/v1/content/{c['id']}/tag", headers=moderator, json={}).json()["election"]
                 for c in (pilkada_day, pemilu_day)]
    assert elections == ["pilkada-2024", "pemilu-2024"]
    # DI Yogyakarta has no governor race: the nearest election held there is Pemilu 2024.
    assert client.post(f"/api/v1/content/{jogja['id']}/tag", headers=moderator,
                       json={}).json()["election"] == "pemilu-2024"
    r = client.post(f"/api/v1/content/{jogja['id']}/tag", headers=moderator,
                    json={"election": "pilkada-2024", "region": "34"})
    assert r.status_code == 422 and "holds no pilkada-2024" in r.json()["error"]["message"]


def test_a_removed_tag_stays_removed_through_rescans(client, world, db, settings):
    service = world.key("service")
    item = post_content(client, service, "vid-6", "Video", region="32", election="pemilu-2024")
    moderator = bearer(world.key("senior_moderator"))
    assert client.post(f"/api/v1/content/{item['id']}/tag", headers=moderator, json={}).status_code == 200
    assert client.delete(f"/api/v1/content/{item['id']}/tag", headers=moderator).status_code == 204
    assert client.get(f"/api/v1/content/{item['id']}/tag", headers=bearer(service)).status_code == 204
    dispatch(db, settings, "content", {"content_id": item["id"]})
    assert client.get(f"/api/v1/content/{item['id']}/tag", headers=bearer(service)).status_code == 204
    assert client.delete(f"/api/v1/content/{item['id']}/tag", headers=moderator).status_code == 404
    # Put back by hand, it counts again.
    assert client.post(f"/api/v1/content/{item['id']}/tag", headers=moderator, json={}).status_code == 200
    assert client.get(f"/api/v1/content/{item['id']}/tag", headers=bearer(service)).status_code == 200


def test_detection_tags_election_content_on_scan_and_not_other_content(client, world, db, settings):
    try:
        from salingjaga.detection.service import is_election_related  # noqa: F401
    except ImportError:
        pytest.skip("the detection domain does not provide is_election_related in this build")
    service = world.key("service")
    election_item = post_content(client, service, "vid-7", ELECTION_TEXT, region="32.73",
                                 posted_at="2024-02-01T10:00:00+07:00")
    other_item = post_content(client, service, "vid-8", OTHER_TEXT, region="33.72")

    r = client.get(f"/api/v1/content/{election_item['id']}/tag", headers=bearer(service))
    assert r.status_code == 200, r.text
    assert r.json()["election"] == "pemilu-2024" and r.json()["source"] == "detection"
    assert client.get(f"/api/v1/content/{other_item['id']}/tag", headers=bearer(service)).status_code == 204

    # A redelivered scan does not tag twice.
    before = tag_count(db)
    dispatch(db, settings, "content", {"content_id": election_item["id"]})
    dispatch(db, settings, "content", {"content_id": election_item["id"]})
    assert tag_count(db) == before == 1
