"""The transactional outbox: a stored content item always reaches the workers, even when
Redis refuses the publish or the server dies between commit and publish, and a message
sent twice is handled once."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from salingjaga.app import create_app
from salingjaga.core.db import Database
from salingjaga.core.ids import new_id
from salingjaga.core.settings import Settings
from salingjaga.core.timeutil import utcnow
from salingjaga.detection.models import Signal
from salingjaga.dev.servers import free_port
from salingjaga.stream.models import OutboxMessage, StreamProbe
from salingjaga.stream.outbox import commit_and_publish, relay, stage
from salingjaga.stream.redis_streams import RedisTransport, connect, stream_stats
from salingjaga.stream.worker import Worker
from tests.conftest import bearer
from tests.stream.helpers import pg_settings, wait_for

HOAX = "Coblos lewat WA! Pemilih bisa mencoblos lewat WhatsApp, tidak perlu datang ke TPS."


def _content(pid: str) -> dict[str, object]:
    return {"platform_id": pid, "kind": "video", "caption": HOAX, "url": f"https://v.example/{pid}",
            "account": {"platform_id": "acc-outbox", "handle": "warga"}}


def _outbox(db: Database) -> list[OutboxMessage]:
    with db.session() as s:
        return list(s.scalars(select(OutboxMessage)))


def _signals(db: Database, content_id: str) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(Signal).where(Signal.content_id == content_id)) or 0


def test_posted_content_leaves_no_outbox_row_once_delivered(client, world, db):
    key = world.key("service")
    r = client.post("/api/v1/content", json=_content("vid-ok"), headers=bearer(key))
    assert r.status_code == 201, r.text
    assert _outbox(db) == []
    assert _signals(db, r.json()["id"]) > 0  # scanned (inline transport)


@pytest.mark.redis
@pytest.mark.postgres
def test_content_stored_while_redis_is_down_is_scanned_once_it_is_back(pg_server, redis_server, tmp_path):
    live = pg_settings(pg_server, redis_server, tmp_path, "sj_outbox_down")
    down = live.model_copy(update={"redis_url": f"redis://127.0.0.1:{free_port()}/0"})  # nothing listens
    db = Database(live.database_url)
    from tests.conftest import World

    key = World(db).key("service")
    with TestClient(create_app(down, start_workers=False)) as api:
        r = api.post("/api/v1/content", json=_content("vid-down"), headers=bearer(key))
    assert r.status_code == 201, r.text  # stored: the item is durable whatever Redis does
    content_id = r.json()["id"]
    [row] = _outbox(db)
    assert row.topic == "content" and row.payload == {"content_id": content_id}
    assert _signals(db, content_id) == 0

    # Redis is back: the relay of any server sends what was left, and a worker scans it.
    transport = RedisTransport(db, live)
    assert relay(db, transport, older_than=utcnow()) == 1
    assert _outbox(db) == []
    worker = Worker(db, live, consumer="w1")
    client = connect(live)
    wait_for(lambda: worker.step() >= 0 and stream_stats(client, live)["pending"] == 0
             and _signals(db, content_id) > 0, what="the relayed item to be scanned")
    client.close()
    transport.stop()
    db.dispose()


@pytest.mark.redis
@pytest.mark.postgres
def test_a_message_published_twice_is_handled_once(pg_server, redis_server, tmp_path):
    """Delivered, then relayed again because the server died before deleting its row: the
    outbox key makes the second copy a duplicate for the workers' receipts."""
    settings = pg_settings(pg_server, redis_server, tmp_path, "sj_outbox_twice")
    db = Database(settings.database_url)
    transport = RedisTransport(db, settings)
    probe = new_id("prb")
    with db.session() as s:
        s.add(StreamProbe(id=probe, handled_count=0))
        staged = stage(s, "probe", {"probe_id": probe})
    transport.publish(staged.topic, staged.message())  # delivered; the row was never deleted
    assert relay(db, transport, older_than=utcnow()) == 1  # so the relay sends it again
    worker = Worker(db, settings, consumer="w1")
    client = connect(settings)
    wait_for(lambda: worker.step() >= 0 and stream_stats(client, settings)["pending"] == 0
             and stream_stats(client, settings)["lag"] == 0, what="both copies to be acknowledged")
    with db.session() as s:
        assert s.get(StreamProbe, probe).handled_count == 1
    client.close()
    transport.stop()
    db.dispose()


def test_memory_transport_relays_at_start_what_the_last_run_left(world, db, settings: Settings):
    """The embedded default's queue dies with its process: a message staged and committed by
    a server that died before handling it is sent again when the next one starts."""
    key = world.key("service")
    with TestClient(create_app(settings)) as api:  # inline: just to store the item
        content_id = api.post("/api/v1/content", json=_content("vid-crash"), headers=bearer(key)).json()["id"]
    with db.session() as s:
        s.execute(Signal.__table__.delete().where(Signal.content_id == content_id))
        left = stage(s, "content", {"content_id": content_id})  # the crash: never delivered
    assert [m.id for m in _outbox(db)] == [left.id]
    memory = settings.model_copy(update={"stream": "memory", "maintenance_interval_seconds": 0})
    with TestClient(create_app(memory)):
        wait_for(lambda: _signals(db, content_id) > 0 and _outbox(db) == [],
                 what="the left message to be relayed, scanned and cleared")


def test_commit_and_publish_rolls_back_nothing_when_the_transport_refuses(db, settings: Settings):
    class Refusing:
        durable = True

        def publish(self, topic: str, payload: dict[str, object]) -> None:
            raise ConnectionError("redis is down")

    with db.session() as s:
        probe = new_id("prb")
        s.add(StreamProbe(id=probe, handled_count=0))
        commit_and_publish(s, db, Refusing(), "probe", [{"probe_id": probe}])  # type: ignore[arg-type]
    with db.session() as s:
        assert s.get(StreamProbe, probe) is not None  # the change is committed
    assert [m.payload for m in _outbox(db)] == [{"probe_id": probe}]  # the message waits for the relay


def test_metrics_show_the_outbox_backlog(client, world, db):
    service = bearer(world.key("service"))

    def backlog() -> float:
        text = client.get("/metrics", headers=service).text
        return float(next(ln for ln in text.splitlines()
                          if ln.startswith("salingjaga_stream_outbox_messages ")).rsplit(" ", 1)[1])

    assert backlog() == 0
    with db.session() as s:
        stage(s, "probe", {"probe_id": "prb_left"})
    client.app.state.metrics_registry = None  # the gauge is cached for a few seconds
    assert backlog() == 1
