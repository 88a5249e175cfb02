"""Reach: a batch of events from the app gives exact counts per day, election and region;
visitors are counted from salted hashes and their ids are never stored."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, text
from typer.testing import CliRunner

from salingjaga.cli import app as cli_app
from salingjaga.guide.models import DailySalt, VisitorHash
from salingjaga.guide.reach import reach_summary
from salingjaga.guide.service import today_wib
from tests.conftest import bearer
from tests.guide.test_tags import post_content

EVENTS = "/api/v1/guide/events"


def ev(type_: str, user: str, **extra: Any) -> dict[str, Any]:
    return {"type": type_, "user": user, "at": datetime.now(UTC).isoformat(), **extra}


def setup_items(client: Any, world: Any) -> tuple[str, dict[str, Any], dict[str, Any]]:
    service = world.key("service")
    tagged = post_content(client, service, "vid-r1", "Video", region="32.73", election="pilkada-2024")
    untagged = post_content(client, service, "vid-r2", "Video lain", region="33.72")
    r = client.post(f"/api/v1/content/{tagged['id']}/tag", headers=bearer(world.key("moderator")), json={})
    assert r.status_code == 200
    client.delete(f"/api/v1/content/{untagged['id']}/tag", headers=bearer(world.key("moderator")))
    return service, tagged, untagged


def batch(tagged: dict[str, Any], untagged: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        *[ev("tag_impression", u, content_id="vid-r1") for u in ("user-alpha", "user-beta", "user-gamma")],
        ev("tag_click", "user-alpha", content_id=tagged["id"]),
        ev("tag_click", "user-beta", content_id="vid-r1"),
        *[ev("content_view", u, content_id=tagged["id"]) for u in ("user-alpha", "user-beta", "x", "y")],
        ev("content_view", "user-alpha", content_id=untagged["id"]),
        ev("guide_view", "user-alpha", election="pilkada-2024", region="32.73"),
        ev("guide_view", "user-alpha", election="pilkada-2024", region="32.73"),
        ev("guide_view", "user-beta", election="pilkada-2024", region="32"),
        ev("guide_view", "user-gamma", election="pilkada-2024"),
        ev("guide_view", "user-alpha", election="pemilu-2024", region="35"),
    ]


def test_a_batch_gives_exact_counts_and_unique_visitors(client, world, db):
    service, tagged, untagged = setup_items(client, world)
    r = client.post(EVENTS, json=batch(tagged, untagged), headers=bearer(service))
    assert r.status_code == 200, r.text
    result = r.json()
    assert (result["received"], result["counted"]) == (15, 14)
    assert result["ignored"] == [{"index": 9, "reason": "the content item carries no notice tag"}]

    today = today_wib()
    editor = bearer(world.key("guide_editor"))
    r = client.get(f"/api/v1/guide/pilkada-2024/reach?from={today}&to={today}", headers=editor)
    assert r.status_code == 200, r.text
    assert r.json()["totals"] == {"tagged_items": 1, "tag_impressions": 3, "tag_clicks": 2,
                                  "tagged_item_views": 4, "guide_views": 4, "unique_visitors": 3}
    assert r.json()["by_day"][0]["day"] == today.isoformat()

    with db.session() as s:
        jabar = reach_summary(s, today, today, "pilkada-2024", "32")
        bandung = reach_summary(s, today, today, "pilkada-2024", "32.73")
        everything = reach_summary(s, today, today)
        pemilu = reach_summary(s, today, today, "pemilu-2024")
        yesterday = reach_summary(s, today - timedelta(days=1), today - timedelta(days=1))
    # A province includes its regencies/cities; uniques are exact at each level.
    assert (jabar["totals"]["guide_views"], jabar["totals"]["unique_visitors"]) == (3, 2)
    assert jabar["totals"]["tagged_items"] == 1 and jabar["totals"]["tag_clicks"] == 2
    assert (bandung["totals"]["guide_views"], bandung["totals"]["unique_visitors"]) == (2, 1)
    assert (everything["totals"]["guide_views"], everything["totals"]["unique_visitors"]) == (5, 3)
    assert (pemilu["totals"]["guide_views"], pemilu["totals"]["unique_visitors"]) == (1, 1)
    assert yesterday["totals"] == dict.fromkeys(yesterday["totals"], 0)

    # A second batch the same day: a known visitor is not counted twice, a new one is.
    r = client.post(EVENTS, headers=bearer(service), json=[
        ev("guide_view", "user-beta", election="pilkada-2024"),
        ev("guide_view", "user-delta", election="pilkada-2024")])
    assert r.json()["counted"] == 2
    with db.session() as s:
        totals = reach_summary(s, today, today, "pilkada-2024")["totals"]
    assert (totals["guide_views"], totals["unique_visitors"]) == (6, 4)


def test_user_ids_are_never_stored(client, world, db):
    service, tagged, untagged = setup_items(client, world)
    client.post(EVENTS, json=batch(tagged, untagged), headers=bearer(service))
    tables = ["guide_visitor_hashes", "guide_reach_daily", "guide_salts", "guide_tag_assignments",
              "guide_event_batches", "audit_events"]
    with db.session() as s:
        dump = json.dumps([[list(map(str, row)) for row in s.execute(text(f"SELECT * FROM {t}"))]
                           for t in tables])
        hashes = s.scalars(select(VisitorHash.user_hash)).all()
        salts = s.scalars(select(DailySalt.salt)).all()
    for raw in ("user-alpha", "user-beta", "user-gamma"):
        assert raw not in dump
    assert len(hashes) > 0 and all(len(h) == 64 for h in hashes)
    assert len(salts) == 1  # one salt for today


def test_a_resent_batch_is_not_counted_twice_and_a_bad_batch_counts_nothing(client, world, db):
    service, tagged, untagged = setup_items(client, world)
    headers = {**bearer(service), "Idempotency-Key": "batch-2024-11-27-0001"}
    first = client.post(EVENTS, json=batch(tagged, untagged), headers=headers)
    again = client.post(EVENTS, json=batch(tagged, untagged), headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.json()["replayed"] is True and again.json()["counted"] == first.json()["counted"]
    today = today_wib()
    with db.session() as s:
        before = reach_summary(s, today, today)["totals"]
    assert before["guide_views"] == 5

    bad = [ev("guide_view", "u1", election="pilkada-2024"), ev("guide_view", "u2", election="pilkada-2099"),
           ev("guide_view", "u3"), ev("content_view", "u4")]
    r = client.post(EVENTS, json=bad, headers=bearer(service))
    assert r.status_code == 422
    message = r.json()["error"]["message"]
    assert "[1] election: unknown election 'pilkada-2099'" in message and "[2] election" in message
    assert "[3] content_id" in message
    r = client.post(EVENTS, json=[{"type": "share", "user": "u", "at": "2024-11-27T10:00:00Z"}],
                    headers=bearer(service))
    assert r.status_code == 422
    old = ev("guide_view", "u5", election="pilkada-2024")
    old["at"] = (datetime.now(UTC) - timedelta(days=30)).isoformat()
    r = client.post(EVENTS, json=[old], headers=bearer(service))
    assert r.status_code == 200 and r.json()["counted"] == 0 and "last 7 days" in r.json()["ignored"][0]["reason"]
    with db.session() as s:
        assert reach_summary(s, today, today)["totals"] == before
        assert reach_summary(s, today - timedelta(days=31), today)["totals"] == before


def test_who_may_send_events_and_read_reach(client, world):
    body = [ev("guide_view", "u", election="pemilu-2024")]
    assert client.post(EVENTS, json=body, headers=bearer(world.key("moderator"))).status_code == 403
    assert client.post(EVENTS, json=body).status_code == 401
    url = "/api/v1/guide/pemilu-2024/reach?from=2024-02-01&to=2024-02-29"
    for role, status in (("admin", 200), ("policy_lead", 200), ("auditor", 200),
                         ("guide_editor", 200), ("moderator", 403), ("service", 403)):
        assert client.get(url, headers=bearer(world.key(role))).status_code == status, role
    admin = bearer(world.key("admin"))
    assert client.get("/api/v1/guide/all/reach?from=2024-02-01&to=2024-02-29", headers=admin).status_code == 200
    assert client.get("/api/v1/guide/pemilu-2024/reach?from=2024-03-01&to=2024-02-01",
                      headers=admin).status_code == 422


def test_purge_removes_old_hashes_and_salts_but_keeps_counts(client, world, db, settings):
    service, tagged, untagged = setup_items(client, world)
    client.post(EVENTS, json=batch(tagged, untagged), headers=bearer(service))
    old_day = today_wib() - timedelta(days=45)
    with db.session() as s:
        s.add(DailySalt(day=old_day, salt="ab" * 32))
        s.add(VisitorHash(day=old_day, election="pilkada-2024", region="*", user_hash="cd" * 32))
    runner = CliRunner()
    result = runner.invoke(cli_app, ["guide", "purge", "--keep-days", "3",
                                     "--database-url", settings.database_url])
    assert result.exit_code != 0 and "keep at least" in result.output
    result = runner.invoke(cli_app, ["guide", "purge", "--keep-days", "30", "--json",
                                     "--database-url", settings.database_url])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output.strip().splitlines()[-1])["salts"] == 1
    with db.session() as s:
        assert s.scalars(select(DailySalt.day)).all() == [today_wib()]
        assert old_day not in set(s.scalars(select(VisitorHash.day)).all())
        assert reach_summary(s, today_wib(), today_wib(), "pilkada-2024")["totals"]["unique_visitors"] == 3
    result = runner.invoke(cli_app, ["guide", "reach", "--from", str(today_wib() - timedelta(days=60)), "--to",
                                     str(today_wib()), "--election", "pilkada-2024", "--json",
                                     "--database-url", settings.database_url])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output.strip().splitlines()[-1])["totals"]["guide_views"] == 4


def test_a_full_batch_of_guide_views_counts_exact_uniques(client, world, db):
    """5,000 guide views over many regencies, 1,500 distinct visitors: the visitor hashes and
    counters go in as multi-row statements, split below the databases' parameter limits."""
    service = world.key("service")
    regencies = ["32.73", "32.04", "35.78", "31.71", "33.74", "51.71"]
    events = [ev("guide_view", f"visitor-{i % 1500}", election="pemilu-2024", region=regencies[i % 1500 % 6])
              for i in range(5000)]
    r = client.post(EVENTS, json=events, headers=bearer(service))
    assert r.status_code == 200, r.text
    assert r.json()["counted"] == 5000
    today = today_wib()
    with db.session() as s:
        overall = reach_summary(s, today, today, "pemilu-2024")["totals"]
        bandung = reach_summary(s, today, today, "pemilu-2024", "32.73")["totals"]
        jabar = reach_summary(s, today, today, "pemilu-2024", "32")["totals"]
    assert (overall["guide_views"], overall["unique_visitors"]) == (5000, 1500)
    assert bandung["unique_visitors"] == 250 and jabar["unique_visitors"] == 500
    # resending the same visitors the same day adds views, not visitors
    assert client.post(EVENTS, json=events[:100], headers=bearer(service)).json()["counted"] == 100
    with db.session() as s:
        assert reach_summary(s, today, today, "pemilu-2024")["totals"]["unique_visitors"] == 1500
