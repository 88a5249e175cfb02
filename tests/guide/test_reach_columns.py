"""Reach events as columns (``POST /api/v1/guide/events/columns``): the same batch counts
the same as in the object form, a bad batch is a 422 with nothing counted, and the tags
the events refer to are read exactly even when another server changed them."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from salingjaga.app import create_app
from salingjaga.guide.reach import reach_summary
from salingjaga.guide.service import today_wib
from tests.conftest import bearer
from tests.guide.test_reach import EVENTS, batch, ev, setup_items

COLUMNS = EVENTS + "/columns"


def as_columns(events: list[dict[str, Any]]) -> dict[str, list[Any]]:
    return {name: [e.get(name) for e in events]
            for name in ("type", "user", "at", "election", "region", "content_id")}


def test_columns_count_what_objects_count(client, world, db):
    service, tagged, untagged = setup_items(client, world)
    events = batch(tagged, untagged)
    objects = client.post(EVENTS, json=events, headers=bearer(service))
    today = today_wib()
    with db.session() as s:
        once = reach_summary(s, today, today)["totals"]
    columns = client.post(COLUMNS, json=as_columns(events), headers=bearer(service))
    assert objects.status_code == columns.status_code == 200, columns.text
    assert objects.json() == columns.json()
    assert columns.json()["ignored"] == [{"index": 9, "reason": "the content item carries no notice tag"}]
    with db.session() as s:
        twice = reach_summary(s, today, today)["totals"]
    for metric in ("tag_impressions", "tag_clicks", "tagged_item_views", "guide_views"):
        assert twice[metric] == 2 * once[metric], metric
    assert twice["unique_visitors"] == once["unique_visitors"] == 3  # the same visitors
    # columns without the optional lists; a resent batch under its key counts once
    only_views = {"type": ["guide_view"], "user": ["user-new"], "at": [ev("guide_view", "x")["at"]]}
    assert client.post(COLUMNS, json=only_views, headers=bearer(service)).status_code == 422  # no election
    only_views["election"] = ["pemilu-2024"]
    headers = {**bearer(service), "Idempotency-Key": "cols-1"}
    assert client.post(COLUMNS, json=only_views, headers=headers).json()["counted"] == 1
    assert client.post(COLUMNS, json=only_views, headers=headers).json()["replayed"] is True
    with db.session() as s:
        assert reach_summary(s, today, today, "pemilu-2024")["totals"]["guide_views"] == 3  # 2 + 1


def test_a_bad_column_batch_counts_nothing(client, world, db):
    service, tagged, untagged = setup_items(client, world)
    today = today_wib()
    good = as_columns(batch(tagged, untagged))
    uneven = {**good, "user": good["user"][:-1]}
    r = client.post(COLUMNS, json=uneven, headers=bearer(service))
    assert r.status_code == 422 and "'user' has 14 entries" in r.text
    wrong = as_columns([ev("guide_view", "u1", election="pilkada-2024"), ev("guide_view", "u2", election="x"),
                        ev("content_view", "u3")])
    r = client.post(COLUMNS, json=wrong, headers=bearer(service))
    assert r.status_code == 422
    assert "[1] election: unknown election 'x'" in r.json()["error"]["message"]
    assert "[2] content_id" in r.json()["error"]["message"]
    assert client.post(COLUMNS, json={**good, "type": ["share"] * 15}, headers=bearer(service)).status_code == 422
    assert client.post(COLUMNS, json={**good, "extra": []}, headers=bearer(service)).status_code == 422
    as_json = {**bearer(service), "Content-Type": "application/json"}
    malformed = client.post(COLUMNS, content=b'{"type": [', headers=as_json)
    assert malformed.status_code == 422 and malformed.json()["error"]
    assert client.post(COLUMNS, json=good, headers=bearer(world.key("moderator"))).status_code == 403
    with db.session() as s:
        assert set(reach_summary(s, today, today)["totals"].values()) <= {0, 1}  # the tag only
    assert client.get("/openapi.json").json()["paths"][COLUMNS]["post"]["requestBody"]


def test_events_follow_a_tag_removed_on_another_server(client, settings, world, db):
    service, tagged, _untagged = setup_items(client, world)
    view = as_columns([ev("content_view", "u1", content_id=tagged["id"])])
    assert client.post(COLUMNS, json=view, headers=bearer(service)).json()["counted"] == 1
    with TestClient(create_app(settings)) as other:
        assert other.delete(f"/api/v1/content/{tagged['id']}/tag",
                            headers=bearer(world.key("moderator"))).status_code == 204
    again = client.post(COLUMNS, json=view, headers=bearer(service)).json()
    assert again["counted"] == 0 and again["ignored"][0]["reason"] == "the content item carries no notice tag"
