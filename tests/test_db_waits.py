"""Bounded waits for the database: requests get 503 with Retry-After instead of hanging, the
SQLite writer is handed over in arrival order, and a stuck pool shows in readiness."""

from __future__ import annotations

import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import anyio.to_thread
import pytest
from fastapi.testclient import TestClient

from salingjaga.app import create_app
from salingjaga.core.db import Database
from salingjaga.core.db_waits import WriterGate, request_budget
from salingjaga.core.errors import ServiceBusy
from salingjaga.core.settings import Settings
from tests.conftest import bearer

HANG_BOUND = 20.0  # seconds: far above a bounded wait, far below the 30 s hangs it replaced


def test_gate_hands_over_in_arrival_order() -> None:
    gate = WriterGate()
    first = object()
    gate.acquire(first)
    order: list[int] = []
    owners = [object() for _ in range(5)]

    def wait(i: int) -> None:
        gate.acquire(owners[i])
        order.append(i)
        gate.release(owners[i])

    threads = []
    for i in range(5):
        t = threading.Thread(target=wait, args=(i,))
        t.start()
        threads.append(t)
        while gate.state()["waiting"] < i + 1:  # each is queued before the next arrives
            time.sleep(0.001)
    gate.release(first)
    for t in threads:
        t.join(HANG_BOUND)
    assert order == [0, 1, 2, 3, 4]


def test_gate_wait_is_bounded_and_a_late_release_skips_the_waiter_that_left() -> None:
    gate = WriterGate()
    holder, quitter, patient = object(), object(), object()
    gate.acquire(holder)
    with request_budget(0.2), pytest.raises(ServiceBusy) as busy:
        gate.acquire(quitter)
    assert busy.value.status == 503 and busy.value.headers == {"Retry-After": "2"}
    assert gate.state()["waiting"] == 0
    got = threading.Event()
    t = threading.Thread(target=lambda: (gate.acquire(patient), got.set()))
    t.start()
    while gate.state()["waiting"] < 1:
        time.sleep(0.001)
    gate.release(quitter)  # not the holder: nothing happens
    assert not got.wait(0.1)
    gate.release(holder)
    assert got.wait(HANG_BOUND) and gate.holds(patient)
    t.join()


def test_health_reports_a_writer_held_too_long(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'h.db'}")
    assert db.health()["stuck"] is False
    assert db.gate is not None
    owner = object()
    db.gate.acquire(owner)
    time.sleep(0.05)
    assert db.health(stuck_after=0.01)["stuck"] is True
    db.gate.release(owner)
    assert db.health(stuck_after=0.01)["stuck"] is False
    db.dispose()


@pytest.fixture
def impatient(settings: Settings) -> Settings:
    return settings.model_copy(update={"request_db_wait_seconds": 0.5})


sqlite_only = pytest.mark.skipif("config.getoption('--postgres') or "
                                 "__import__('os').environ.get('SALINGJAGA_TEST_DB') == 'postgres'",
                                 reason="the writer gate and SQLite's lock are SQLite's")


@sqlite_only
def test_a_request_blocked_by_another_process_gets_503_with_retry_after(impatient, world):
    key = world.key("moderator")
    path = impatient.database_url.split("///", 1)[1]
    other = sqlite3.connect(path, isolation_level=None)  # another process's writer
    other.execute("BEGIN IMMEDIATE")
    try:
        with TestClient(create_app(impatient)) as client:
            began = time.monotonic()
            answer = client.get("/api/v1/queue/stats", headers=bearer(key))
            assert time.monotonic() - began < HANG_BOUND
            assert answer.status_code == 503, answer.text
            assert answer.headers["retry-after"].isdigit()
            assert answer.json()["error"]["code"] == "busy"
            assert answer.json()["error"]["reason"] == "service.busy"
            other.execute("ROLLBACK")
            assert client.get("/api/v1/queue/stats", headers=bearer(key)).status_code == 200
    finally:
        other.close()


@sqlite_only
def test_a_request_waiting_for_the_writer_in_this_process_gets_503(impatient, world):
    key = world.key("moderator")
    with TestClient(create_app(impatient)) as client:
        db: Database = client.app.state.db  # type: ignore[attr-defined]
        assert db.gate is not None
        owner = object()
        db.gate.acquire(owner)
        try:
            answer = client.get("/api/v1/queue/stats", headers=bearer(key))
            assert answer.status_code == 503 and "retry-after" in answer.headers
            ready = client.get("/readyz")
            assert ready.json()["pool"]["writer"]["held"] is True
        finally:
            db.gate.release(owner)
        assert client.get("/api/v1/queue/stats", headers=bearer(key)).status_code == 200
        assert client.get("/readyz").status_code == 200


def test_requests_finish_when_threads_are_scarcer_than_requests(settings, world):
    """With one worker thread for every route, concurrent requests all finish: a route's
    transaction ends in its own thread, so no request waits for a thread while holding the
    writer that the thread's request is waiting for."""
    key = world.key("moderator")
    with TestClient(create_app(settings.model_copy(update={"request_db_wait_seconds": 5.0}))) as client:
        limiter = anyio.to_thread.current_default_thread_limiter  # read on the app's loop
        client.portal.call(lambda: setattr(limiter(), "total_tokens", 1))  # type: ignore[union-attr]

        def stats(_: int) -> int:
            return client.get("/api/v1/queue/stats", headers=bearer(key)).status_code

        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(stats, range(16), timeout=HANG_BOUND * 3))
    assert statuses == [200] * 16


def test_a_request_waiting_on_a_held_advisory_lock_gets_503(impatient, world, database_url):
    """PostgreSQL: another session holds the audit chain's lock; an audited write waits its
    budget (lock_timeout), then 503, and succeeds once the lock is free."""
    if not database_url.startswith("postgresql"):
        pytest.skip("advisory locks are PostgreSQL's (make test-postgres / CI)")
    import psycopg

    from salingjaga.audit.service import _LOCK_KEY

    key = world.key("service")
    item = {"platform_id": "v-lock", "url": "https://video.example/v/lock", "kind": "video",
            "caption": "Rekapitulasi suara", "account": {"platform_id": "a-1", "handle": "warga"}}
    other = psycopg.connect(database_url.replace("postgresql+psycopg", "postgresql"), autocommit=True)
    other.execute("SELECT pg_advisory_lock(%s)", (_LOCK_KEY,))
    try:
        with TestClient(create_app(impatient)) as client:
            began = time.monotonic()
            answer = client.post("/api/v1/content", json=item, headers=bearer(key))
            assert time.monotonic() - began < HANG_BOUND
            assert answer.status_code == 503, answer.text
            assert answer.headers["retry-after"].isdigit()
            other.execute("SELECT pg_advisory_unlock(%s)", (_LOCK_KEY,))
            assert client.post("/api/v1/content", json=item, headers=bearer(key)).status_code == 201
    finally:
        other.close()
