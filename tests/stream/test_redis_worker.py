"""The Redis Streams worker against real Redis and PostgreSQL: at-least-once delivery with
effects exactly once, reclaiming a dead worker's entries, and dead-lettering poison."""

from __future__ import annotations

import json
import signal

import pytest
from sqlalchemy import func, select

from salingjaga.core.db import Database
from salingjaga.core.ids import new_id
from salingjaga.stream.handlers import dispatch
from salingjaga.stream.models import StreamProbe
from salingjaga.stream.redis_streams import Keys, RedisTransport, connect, stream_stats
from salingjaga.stream.worker import Worker, receipt_guard
from tests.stream.helpers import pg_settings, start_worker, stop, wait_for

pytestmark = [pytest.mark.redis, pytest.mark.postgres]


def _probes(db: Database, n: int) -> list[str]:
    ids = [new_id("prb") for _ in range(n)]
    with db.session() as s:
        s.add_all(StreamProbe(id=i, handled_count=0) for i in ids)
    return ids


def _handled(db: Database, ids: list[str]) -> dict[str, tuple[int, str | None]]:
    with db.session() as s:
        rows = s.execute(select(StreamProbe.id, StreamProbe.handled_count, StreamProbe.handled_by)
                         .where(StreamProbe.id.in_(ids))).all()
    return {r[0]: (r[1], r[2]) for r in rows}


def test_killed_worker_entries_are_finished_by_another_once(pg_server, redis_server, tmp_path):
    settings = pg_settings(pg_server, redis_server, tmp_path, "sj_stream_kill")
    db = Database(settings.database_url)
    transport = RedisTransport(db, settings)
    ids = _probes(db, 120)
    for i in ids:
        transport.publish("probe", {"probe_id": i, "work_ms": 15})
    client = connect(settings)
    keys = Keys(settings)
    a = start_worker(settings, "worker-a", tmp_path / "a.log")
    b = None
    try:
        # Let A take a batch and finish a few of it, then kill it without warning.
        wait_for(lambda: sum(c for c, _ in _handled(db, ids).values()) >= 5, what="worker A to start")
        held = client.xpending_range(keys.stream, keys.group, "-", "+", 1000, consumername="worker-a")
        assert held, "worker A should hold unacknowledged entries when killed"
        a.send_signal(signal.SIGKILL)
        a.wait()
        held_probes = set()
        for p in held:
            entry = client.xrange(keys.stream, min=p["message_id"], max=p["message_id"])
            held_probes.add(json.loads(entry[0][1]["payload"])["probe_id"])

        b = start_worker(settings, "worker-b", tmp_path / "b.log")
        wait_for(lambda: all(c >= 1 for c, _ in _handled(db, ids).values()), what="every probe handled")
        wait_for(lambda: stream_stats(client, settings)["pending"] == 0, what="nothing pending")
    finally:
        stop(a)
        if b is not None:
            stop(b)
    handled = _handled(db, ids)
    assert sorted(handled) == sorted(ids)
    assert {c for c, _ in handled.values()} == {1}, "a probe's effect was applied twice"
    by_b = {i for i, (_, who) in handled.items() if who and who.endswith(f":{b.pid}")}
    unfinished_by_a = {i for i in held_probes if handled[i][1] and not handled[i][1].endswith(f":{a.pid}")}
    assert unfinished_by_a, "some entries A held unfinished should have been reclaimed"
    assert unfinished_by_a <= by_b
    stats = stream_stats(client, settings)
    assert stats["lag"] == 0 and stats["pending"] == 0 and stats["dead_letters"] == 0
    client.close()
    transport.stop()
    db.dispose()


def test_poison_entry_is_dead_lettered_with_its_error_and_others_flow(pg_server, redis_server, tmp_path):
    settings = pg_settings(pg_server, redis_server, tmp_path, "sj_stream_poison",
                           stream_max_attempts=3, stream_claim_idle_ms=50)
    db = Database(settings.database_url)
    transport = RedisTransport(db, settings)
    bad, good = _probes(db, 2)
    transport.publish("probe", {"probe_id": bad, "fail": "corrupt media"})
    transport.publish("probe", {"probe_id": good})
    transport.publish("no-such-topic", {"x": 1})
    worker = Worker(db, settings, consumer="solo")
    client = connect(settings)
    keys = Keys(settings)
    wait_for(lambda: worker.step() >= 0 and client.xlen(keys.dead) == 2, timeout=60, what="dead letters")
    dead = {f["topic"]: f for _, f in client.xrange(keys.dead)}
    assert dead["probe"]["attempts"] == "3"
    assert "corrupt media" in dead["probe"]["error"]
    assert json.loads(dead["probe"]["payload"])["probe_id"] == bad
    assert dead["no-such-topic"]["attempts"] == "1"  # never retried: no handler can take it
    assert "unknown topic" in dead["no-such-topic"]["error"]
    assert _handled(db, [good])[good][0] == 1
    assert _handled(db, [bad])[bad][0] == 0
    stats = stream_stats(client, settings)
    assert stats["pending"] == 0 and stats["lag"] == 0 and stats["dead_letters"] == 2
    assert client.hlen(keys.attempts) == 0 and client.hlen(keys.errors) == 0
    client.close()
    transport.stop()
    db.dispose()


def test_redelivery_after_commit_before_ack_changes_nothing(pg_server, redis_server, tmp_path):
    settings = pg_settings(pg_server, redis_server, tmp_path, "sj_stream_redeliver")
    db = Database(settings.database_url)
    transport = RedisTransport(db, settings)
    [probe] = _probes(db, 1)
    transport.publish("probe", {"probe_id": probe})
    client = connect(settings)
    keys = Keys(settings)
    # A worker reads and commits the effect, then dies before XACK:
    reply = client.xreadgroup(keys.group, "doomed", {keys.stream: ">"}, count=1)
    entry_id, fields = reply[0][1][0]
    dispatch(db, settings, "probe", json.loads(fields["payload"]),
             guard=receipt_guard(f"{keys.stream}/{entry_id}"))
    assert _handled(db, [probe])[probe][0] == 1
    # ... another worker reclaims the entry after the idle timeout and handles it again.
    survivor = Worker(db, settings, consumer="survivor")
    wait_for(lambda: survivor.step() >= 0 and stream_stats(client, settings)["pending"] == 0,
             what="the entry to be reclaimed and acknowledged")
    assert _handled(db, [probe])[probe][0] == 1
    client.close()
    transport.stop()
    db.dispose()


def test_trim_drops_only_acknowledged_entries(pg_server, redis_server, tmp_path):
    settings = pg_settings(pg_server, redis_server, tmp_path, "sj_stream_trim")
    db = Database(settings.database_url)
    transport = RedisTransport(db, settings)
    ids = _probes(db, 5)
    for i in ids:
        transport.publish("probe", {"probe_id": i})
    client = connect(settings)
    keys = Keys(settings)
    worker = Worker(db, settings, consumer="w")
    # Another consumer holds the 1st entry unacknowledged; the worker handles the rest.
    client.xreadgroup(keys.group, "slow", {keys.stream: ">"}, count=1)
    worker.step()
    assert stream_stats(client, settings)["pending"] == 1
    worker.trim()
    remaining = client.xrange(keys.stream)
    assert len(remaining) == 5  # the pending first entry pins everything after it
    [held] = client.xpending_range(keys.stream, keys.group, "-", "+", 10)
    client.xack(keys.stream, keys.group, held["message_id"])
    worker.trim()
    assert len(client.xrange(keys.stream)) <= 1  # at most the last delivered entry is kept
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(StreamProbe).where(StreamProbe.handled_count == 1)) == 4
    client.close()
    transport.stop()
    db.dispose()


def test_database_outage_never_dead_letters_good_entries(redis_server, tmp_path):
    from sqlalchemy.exc import OperationalError

    from salingjaga.core.settings import Settings
    from salingjaga.dev.servers import free_port

    down = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nothing?connect_timeout=2"
    settings = Settings(database_url=down, redis_url=redis_server.url, stream="redis", data_dir=tmp_path,
                        stream_name="test:outage", stream_max_attempts=2, stream_claim_idle_ms=0,
                        stream_block_ms=100)
    db = Database(down)
    transport = RedisTransport(db, settings)
    transport.publish("probe", {"probe_id": "prb_waiting"})
    worker = Worker(db, settings, consumer="w")
    client = connect(settings)
    keys = Keys(settings)
    failures = 0
    for _ in range(200):
        try:
            worker.step()
        except OperationalError:
            failures += 1
            if failures == 4:  # twice as many tries as attempts allowed
                break
    assert failures == 4
    assert client.xlen(keys.dead) == 0
    assert stream_stats(client, settings)["pending"] == 1  # still there for when the database is back
    client.close()
    transport.stop()
    db.dispose()
