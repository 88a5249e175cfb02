"""Tags for many items in one call: ``POST /api/v1/tags/lookup`` answers each id sent (ours
or the platform's) with the tag the single look-up gives, or null, and names unknown ids."""

from __future__ import annotations

from tests.conftest import bearer
from tests.guide.test_tags import ELECTION_TEXT, OTHER_TEXT, post_content


def test_a_feed_page_of_ids_gets_its_tags_in_one_call(client, world, editors):
    service = world.key("service")
    tagged = post_content(client, service, "vid-21", ELECTION_TEXT, region="32.73", election="pilkada-2024")
    plain = post_content(client, service, "vid-22", OTHER_TEXT, region="33.72")
    removed = post_content(client, service, "vid-23", "Video biasa", region="35", election="pilkada-2024")
    moderator = bearer(world.key("moderator"))
    for item in (tagged, removed):
        assert client.post(f"/api/v1/content/{item['id']}/tag", headers=moderator, json={}).status_code == 200
    assert client.delete(f"/api/v1/content/{removed['id']}/tag", headers=moderator).status_code == 204

    ids = [tagged["id"], "vid-21", plain["id"], removed["id"], "no-such-item", tagged["id"]]
    r = client.post("/api/v1/tags/lookup?lang=en", headers=bearer(service), json={"content_ids": ids})
    assert r.status_code == 200, r.text
    body = r.json()
    single = client.get(f"/api/v1/content/{tagged['id']}/tag?lang=en", headers=bearer(service)).json()
    assert body["tags"][tagged["id"]] == body["tags"]["vid-21"] == single
    assert body["tags"][plain["id"]] is None and body["tags"][removed["id"]] is None
    assert body["tags"]["no-such-item"] is None and body["unknown"] == ["no-such-item"]
    assert list(body["tags"]) == [tagged["id"], "vid-21", plain["id"], removed["id"], "no-such-item"]


def test_a_lookup_is_bounded_and_needs_the_tag_permission(client, world):
    service = bearer(world.key("service"))
    ids = [f"vid-{i}" for i in range(1000)]
    r = client.post("/api/v1/tags/lookup", headers=service, json={"content_ids": ids})
    assert r.status_code == 200 and r.json()["unknown"] == ids
    assert client.post("/api/v1/tags/lookup", headers=service, json={"content_ids": [*ids, "x"]}).status_code == 422
    assert client.post("/api/v1/tags/lookup", headers=service, json={"content_ids": []}).status_code == 422
    partner = bearer(world.key("partner_reporter", world.partner()))
    assert client.post("/api/v1/tags/lookup", headers=partner, json={"content_ids": ids[:1]}).status_code == 403
    assert client.post("/api/v1/tags/lookup", json={"content_ids": ids[:1]}).status_code == 401
