"""Tag look-ups are answered from each server's memory and stay exact when a tag changes
on another server: two apps on one database (two API processes: each its own cache), the
changes made through one, the look-ups through the other, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from salingjaga.app import create_app
from salingjaga.guide.tagcache import tag_cache
from tests.conftest import bearer
from tests.guide.conftest import publish
from tests.guide.test_tags import ELECTION_TEXT, OTHER_TEXT, post_content


@pytest.fixture
def other(settings) -> Iterator[TestClient]:
    """A second API server on the same database."""
    with TestClient(create_app(settings)) as c:
        yield c


def _lookup(client: TestClient, key: str, ids: list[str], lang: str = "id") -> dict:
    r = client.post(f"/api/v1/tags/lookup?lang={lang}", headers=bearer(key), json={"content_ids": ids})
    assert r.status_code == 200, r.text
    return r.json()


def test_a_tag_changed_on_another_server_is_answered_at_once(client, other, world, editors):
    service = world.key("service")
    moderator = bearer(world.key("moderator"))
    a = post_content(other, service, "vid-a", OTHER_TEXT, region="32.73")
    b = post_content(other, service, "vid-b", OTHER_TEXT, region="33.72")
    ids = [a["id"], "vid-b", "vid-c"]
    first = _lookup(client, service, ids)
    assert first["tags"] == {a["id"]: None, "vid-b": None, "vid-c": None} and first["unknown"] == ["vid-c"]
    assert _lookup(client, service, ids) == first  # now from memory

    # tagged by hand on the other server
    assert other.post(f"/api/v1/content/{a['id']}/tag", headers=moderator,
                      json={"election": "pilkada-2024"}).status_code == 200
    # a new item, tagged by the scan on the other server (detection finds it election-related)
    c = post_content(other, service, "vid-c", ELECTION_TEXT, region="32.73", election="pemilu-2024")
    now = _lookup(client, service, ids)
    assert now["tags"][a["id"]]["election"] == "pilkada-2024"
    assert now["tags"]["vid-c"] is not None and now["tags"]["vid-c"]["content_id"] == c["id"]
    assert now["tags"]["vid-b"] is None and now["unknown"] == []
    single = client.get(f"/api/v1/content/{a['id']}/tag", headers=bearer(service)).json()
    assert now["tags"][a["id"]] == single

    # retargeted, then removed, on the other server
    assert other.post(f"/api/v1/content/{a['id']}/tag", headers=moderator,
                      json={"election": "pemilu-2024"}).status_code == 200
    assert _lookup(client, service, ids)["tags"][a["id"]]["election"] == "pemilu-2024"
    assert other.delete(f"/api/v1/content/{a['id']}/tag", headers=moderator).status_code == 204
    assert _lookup(client, service, ids)["tags"][a["id"]] is None

    # a new tag text published through the other server reaches every cached answer
    assert other.post(f"/api/v1/content/{b['id']}/tag", headers=moderator,
                      json={"election": "pemilu-2024"}).status_code == 200
    before = _lookup(client, service, ids)["tags"]["vid-b"]
    publish(other, editors.kpu, editors.bawaslu, kind="tag", key="notice-tag", title="Info resmi KPU", body="")
    after = _lookup(client, service, ids)["tags"]
    assert before["text"] != "Info resmi KPU"
    assert after["vid-b"]["text"] == after["vid-c"]["text"] == "Info resmi KPU"
    # the English answer is its own, and the cache held what it answered
    assert _lookup(client, service, ids, "en")["tags"]["vid-b"]["lang"] == "en"
    assert len(tag_cache(client.app)._entries) >= 3


def test_a_server_without_a_cache_answers_the_same(settings, client, world):
    service = world.key("service")
    moderator = bearer(world.key("moderator"))
    item = post_content(client, service, "vid-n", OTHER_TEXT, region="32.73")
    assert client.post(f"/api/v1/content/{item['id']}/tag", headers=moderator,
                       json={"election": "pemilu-2024"}).status_code == 200
    with TestClient(create_app(settings.model_copy(update={"tag_cache_items": 0}))) as bare:
        ids = [item["id"], "vid-n", "nothing"]
        assert _lookup(bare, service, ids) == _lookup(client, service, ids)
        assert len(tag_cache(bare.app)._entries) == 0


def test_a_tag_written_by_any_code_path_is_counted(client, world, db):
    """The counter is kept by the tag rows' own flush, not by each writer remembering it: a
    tag inserted, changed and deleted straight through the ORM still reaches a server
    that had the item's answer in memory."""
    from sqlalchemy import select

    from salingjaga.core.ids import new_id
    from salingjaga.core.timeutil import utcnow
    from salingjaga.guide.models import TagAssignment
    from salingjaga.guide.service import wib_day

    service = world.key("service")
    item = post_content(client, service, "vid-orm", OTHER_TEXT, region="32.73")
    assert _lookup(client, service, [item["id"]])["tags"][item["id"]] is None  # now in memory
    with db.session() as session:
        now = utcnow()
        session.add(TagAssignment(id=new_id("tag"), content_id=item["id"], election="pilkada-2024",
                                  region_code="32.73", source="moderator", day=wib_day(now), created_at=now,
                                  created_by="test"))
        session.commit()
    assert _lookup(client, service, [item["id"]])["tags"][item["id"]]["election"] == "pilkada-2024"
    with db.session() as session:
        row = session.scalars(select(TagAssignment).where(TagAssignment.content_id == item["id"])).one()
        row.election = "pemilu-2024"
        session.commit()
    assert _lookup(client, service, [item["id"]])["tags"][item["id"]]["election"] == "pemilu-2024"
    with db.session() as session:
        session.delete(session.scalars(select(TagAssignment).where(TagAssignment.content_id == item["id"])).one())
        session.commit()
    assert _lookup(client, service, [item["id"]])["tags"][item["id"]] is None
