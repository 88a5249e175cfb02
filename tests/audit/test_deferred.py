"""Deferred audit mode: requests only queue events; the chainer links them in order."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from salingjaga.app import create_app
from salingjaga.audit.models import AuditEvent, PendingAuditEvent
from salingjaga.audit.service import chain_all, record, verify
from salingjaga.core.db import Database
from tests.conftest import bearer


def test_events_wait_then_join_the_chain_in_order(database_url):
    db = Database(database_url, audit_deferred=True)
    with db.session() as s:
        for i in range(5):
            record(s, "test", "thing.done", "thing", f"t{i}", {"n": i})
    try:
        with db.session() as s:
            record(s, "test", "thing.done", "thing", "rolled-back", {})
            raise RuntimeError("the request failed")
    except RuntimeError:
        pass
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == 0
        assert s.scalar(select(func.count()).select_from(PendingAuditEvent)) == 5
    assert chain_all(db) == 5
    with db.session() as s:
        events = s.scalars(select(AuditEvent).order_by(AuditEvent.position)).all()
        assert [e.entity_id for e in events] == [f"t{i}" for i in range(5)]
        assert s.scalar(select(func.count()).select_from(PendingAuditEvent)) == 0
        assert verify(s).ok
    assert chain_all(db) == 0
    db.dispose()


def test_app_in_deferred_mode_chains_in_the_background(settings, world):
    settings.audit_deferred = True
    settings.stream = "memory"  # the embedded default, whose lifespan starts background work
    admin = world.key("admin")  # made directly (chained at once)
    app = create_app(settings)
    with TestClient(app) as client:
        for name in ("Perludem", "JPPR", "KIPP"):
            r = client.post("/api/v1/partners", headers=bearer(admin),
                            json={"name": name, "kind": "civil_society"})
            assert r.status_code == 201
        db: Database = app.state.db
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with db.session() as s:
                if s.scalar(select(func.count()).select_from(PendingAuditEvent)) == 0:
                    break
            time.sleep(0.2)
        with db.session() as s:
            assert s.scalar(select(func.count()).select_from(PendingAuditEvent)) == 0
            created = s.scalars(select(AuditEvent.entity_id)
                                .where(AuditEvent.action == "partner.created")).all()
            assert len(created) == 3
            assert verify(s).ok


def test_held_events_follow_savepoints_and_are_written_once_at_commit(database_url):
    """A transaction's events are held until it commits and then written in one statement;
    a rolled-back savepoint takes its own events with it, a released one keeps them."""
    from sqlalchemy import event

    db = Database(database_url, audit_deferred=True)
    inserts: list[bool] = []

    def count(_conn, _cursor, statement, _params, _context, many):
        if "audit_pending" in statement and statement.lstrip().upper().startswith("INSERT"):
            inserts.append(many)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        with db.session() as s:
            record(s, "test", "thing.done", "thing", "before", {})
            with s.begin_nested():
                record(s, "test", "thing.done", "thing", "kept", {})
            try:
                with s.begin_nested():
                    record(s, "test", "thing.done", "thing", "dropped", {})
                    raise LookupError("the step failed")
            except LookupError:
                pass
            record(s, "test", "thing.done", "thing", "after", {"n": 1})
            assert s.scalar(select(func.count()).select_from(PendingAuditEvent)) == 0  # held, not written
        assert len(inserts) == 1  # the whole transaction's events in one statement
        with db.session() as s:
            held = s.scalars(select(PendingAuditEvent.entity_id).order_by(PendingAuditEvent.id)).all()
            assert held == ["before", "kept", "after"]
        assert chain_all(db) == 3
        with db.session() as s:
            assert verify(s).ok
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
        db.dispose()
