"""Group commit of reach events: batches that arrive while the server's writer is busy are
counted together in one transaction, each exactly once and each answered as if alone; a
bad batch among them is refused on its own, and a group whose writes fail is written
again batch by batch, so the good ones are counted and the failing one leaves nothing."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from salingjaga.guide import reach_writer as writer_module
from salingjaga.guide.models import EventBatch
from salingjaga.guide.reach import reach_summary
from salingjaga.guide.service import today_wib
from salingjaga.guide.tagcache import tag_cache
from tests.conftest import bearer
from tests.guide.test_reach import EVENTS, ev, setup_items
from tests.guide.test_reach_columns import COLUMNS, as_columns
from tests.support.locks import table_locked


def _views(prefix: str, n: int, region: str = "32.73") -> list[dict[str, Any]]:
    return [ev("guide_view", f"{prefix}-{i}", election="pemilu-2024", region=region) for i in range(n)]


def _totals(db: Any, election: str | None = "pemilu-2024", region: str | None = None) -> dict[str, int]:
    today = today_wib()
    with db.session() as s:
        return reach_summary(s, today, today, election, region)["totals"]


def _wait(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 20
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.01)


@contextmanager
def writer_held(app: Any, db: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """The writer's first group waits until the event is set: on PostgreSQL (the group
    runs on the event loop) behind a lock another transaction holds on the counters, as
    behind a long transaction; on SQLite (a worker thread) the group itself waits."""
    release = threading.Event()
    on_loop = app.state.loop_sessions.on_loop
    real = writer_module.write_group
    calls: list[int] = []

    def first_waits(conn: Any, jobs: list[Any], *args: Any) -> Any:
        calls.append(len(jobs))
        if len(calls) == 1 and not on_loop:
            release.wait(30)
        return real(conn, jobs, *args)

    monkeypatch.setattr(writer_module, "write_group", first_waits)
    with table_locked(db, "guide_reach_daily", release) if on_loop else nullcontext():
        try:
            yield release
        finally:
            release.set()


def test_batches_that_wait_for_the_writer_are_counted_together_each_once(client, app, world, db, monkeypatch):
    """While the first batch is being written, six more arrive: one is invalid (a 422 of
    its own, never queued), two carry the same Idempotency-Key. The five valid ones go
    in one transaction; each is counted once and answered with its own counts."""
    service = world.key("service")
    headers = bearer(service)
    bodies = [_views("first", 3), _views("a", 4), _views("b", 5, "35.78"), _views("c", 2)]
    bad = [ev("guide_view", "z", election="pemilu-2099")]
    with writer_held(app, db, monkeypatch) as release, ThreadPoolExecutor(max_workers=7) as pool:
        first = pool.submit(client.post, EVENTS, json=bodies[0], headers=headers)
        _wait(lambda: getattr(app.state, "reach_writer", None) is not None and app.state.reach_writer.groups == 1,
              "the first batch never reached the writer")
        writer = app.state.reach_writer
        later = [pool.submit(client.post, EVENTS, json=bodies[1], headers=headers),
                 pool.submit(client.post, COLUMNS, json=as_columns(bodies[2]), headers=headers),
                 pool.submit(client.post, EVENTS, json=bodies[3], headers={**headers, "Idempotency-Key": "k-1"}),
                 pool.submit(client.post, EVENTS, json=bodies[3], headers={**headers, "Idempotency-Key": "k-1"}),
                 pool.submit(client.post, EVENTS, json=bad, headers=headers)]
        refused = later[-1].result(timeout=20)  # refused by its own request, before the writer
        assert refused.status_code == 422 and "unknown election 'pemilu-2099'" in refused.text
        _wait(lambda: writer.queued_events() == 4 + 5 + 2 + 2, "the batches never queued")
        assert writer.groups == 1
        release.set()
        answers = [first.result(timeout=30)] + [f.result(timeout=30) for f in later[:-1]]
    assert [r.status_code for r in answers] == [200] * 5, [r.text for r in answers]
    assert [r.json()["counted"] for r in answers] == [3, 4, 5, 2, 2]
    assert sorted(r.json()["replayed"] for r in answers[3:]) == [False, True]  # one key, counted once
    assert (writer.groups, writer.batches) == (2, 5)  # the first alone, the four that waited together
    totals = _totals(db)
    assert (totals["guide_views"], totals["unique_visitors"]) == (3 + 4 + 5 + 2, 3 + 4 + 5 + 2)
    assert _totals(db, region="35.78")["guide_views"] == 5
    assert _totals(db, region="32")["unique_visitors"] == 3 + 4 + 2  # Kota Bandung's province
    # sent again after the group committed: answered from the record, counted nothing
    again = client.post(EVENTS, json=bodies[3], headers={**headers, "Idempotency-Key": "k-1"})
    assert again.json()["replayed"] is True and _totals(db)["guide_views"] == 14
    metrics = {ln.split(" ")[0]: float(ln.rsplit(" ", 1)[1]) for ln in client.get("/metrics", headers=headers).text
               .splitlines() if ln.startswith("salingjaga_reach_")}
    assert metrics == {"salingjaga_reach_queued_events": 0, "salingjaga_reach_events_total": 3 + 4 + 5 + 2 + 2 + 2,
                       "salingjaga_reach_batches_total": 6, "salingjaga_reach_transactions_total": 3}


def _poison(db: Any, key: str) -> None:
    """Make the database refuse to record the batch sent under ``key`` (a trigger), so
    that batch's writes fail inside whatever transaction holds it."""
    with db.engine.begin() as conn:
        if db.dialect == "postgresql":
            conn.execute(text(
                "CREATE FUNCTION refuse_batch() RETURNS trigger AS $$ BEGIN "
                f"IF NEW.key = '{key}' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql"))
            conn.execute(text("CREATE TRIGGER refuse_batch BEFORE INSERT ON guide_event_batches "
                              "FOR EACH ROW EXECUTE FUNCTION refuse_batch()"))
        else:
            conn.execute(text("CREATE TRIGGER refuse_batch BEFORE INSERT ON guide_event_batches "
                              f"WHEN NEW.key = '{key}' BEGIN SELECT RAISE(ABORT, 'refused'); END"))


def test_a_failing_batch_in_a_group_leaves_the_others_counted(app, world, db, monkeypatch):
    """A group holding a batch the database refuses is rolled back whole, then written
    batch by batch: the others are counted exactly once, the failing one gets a 500 and
    leaves nothing behind, and the server goes on counting."""
    with TestClient(app, raise_server_exceptions=False) as client:
        service, tagged, _untagged = setup_items(client, world)
        headers = bearer(service)
        _poison(db, "poison")
        impressions = [ev("tag_impression", f"u{i}", content_id=tagged["id"]) for i in range(6)]
        with writer_held(app, db, monkeypatch) as release, ThreadPoolExecutor(max_workers=5) as pool:
            first = pool.submit(client.post, EVENTS, json=_views("first", 1), headers=headers)
            _wait(lambda: getattr(app.state, "reach_writer", None) is not None
                  and app.state.reach_writer.groups == 1, "the first batch never reached the writer")
            writer = app.state.reach_writer
            keyed = [{**headers, "Idempotency-Key": key} for key in ("g", "poison")]
            later = [pool.submit(client.post, EVENTS, json=_views("good", 3), headers=keyed[0]),
                     pool.submit(client.post, EVENTS, json=_views("bad", 4), headers=keyed[1]),
                     pool.submit(client.post, COLUMNS, json=as_columns(impressions), headers=headers)]
            _wait(lambda: writer.queued_events() == 3 + 4 + 6, "the batches never queued")
            release.set()
            answers = [first.result(timeout=30)] + [f.result(timeout=30) for f in later]
        assert [r.status_code for r in answers] == [200, 200, 500, 200], [r.text for r in answers]
        assert [answers[i].json()["counted"] for i in (0, 1, 3)] == [1, 3, 6]
        # the group (3 batches) failed, then each was written on its own
        assert (writer.groups, writer.batches) == (2, 4)
        totals = _totals(db, election=None)
        assert (totals["guide_views"], totals["unique_visitors"], totals["tag_impressions"]) == (1 + 3, 1 + 3, 6)
        with db.session() as s:
            assert s.scalars(select(EventBatch.key)).all() == ["g"]
        after = client.post(EVENTS, json=_views("after", 2), headers=headers)
        assert after.status_code == 200 and _totals(db)["guide_views"] == 1 + 3 + 2


def test_a_server_with_too_many_events_waiting_says_so(app, client, world, db, monkeypatch):
    """Past the events one server lets wait, a batch is refused with 503 and Retry-After
    (nothing of it taken) and counted when sent again later."""
    service = world.key("service")
    headers = bearer(service)
    writer = app.state.reach_writer = writer_module.ReachWriter(
        app.state.db, app.state.loop_sessions, tag_cache(app), max_queued_events=5)
    with writer_held(app, db, monkeypatch) as release, ThreadPoolExecutor(max_workers=3) as pool:
        first = pool.submit(client.post, EVENTS, json=_views("first", 2), headers=headers)
        _wait(lambda: writer.groups == 1, "the first batch never reached the writer")
        waiting = pool.submit(client.post, EVENTS, json=_views("waiting", 4), headers=headers)
        _wait(lambda: writer.queued_events() == 4, "the second batch never queued")
        refused = client.post(EVENTS, json=_views("late", 3), headers=headers)
        assert refused.status_code == 503 and refused.headers["Retry-After"] == "5"
        release.set()
        assert [first.result(timeout=30).status_code, waiting.result(timeout=30).status_code] == [200, 200]
    assert client.post(EVENTS, json=_views("late", 3), headers=headers).status_code == 200
    assert _totals(db)["guide_views"] == 2 + 4 + 3
