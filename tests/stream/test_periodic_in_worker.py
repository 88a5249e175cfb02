"""SALINGJAGA_PERIODIC=worker: the API processes only answer requests and a `salingjaga
worker` does the periodic work; here, chaining the audit events the API deferred."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from salingjaga.audit.models import AuditEvent, PendingAuditEvent
from salingjaga.auth.service import create_api_key, create_user
from salingjaga.core.db import Database
from salingjaga.core.settings import Settings
from salingjaga.dev.servers import free_port, stop_pid
from salingjaga.stream.cluster import spawn_api, wait_healthy
from tests.stream.helpers import env_for, pg_settings, start_worker, stop, wait_for

pytestmark = [pytest.mark.redis, pytest.mark.postgres]


def _counts(db: Database, entity_id: str) -> tuple[int, int]:
    with db.session() as s:
        pending = s.scalar(select(func.count()).select_from(PendingAuditEvent)
                           .where(PendingAuditEvent.entity_id == entity_id))
        chained = s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.entity_id == entity_id))
    return pending or 0, chained or 0


def _api_with_one_item(settings: Settings, tmp_path: Path, platform_id: str) -> tuple[int, str]:
    """A real API process on ``settings`` and one content item posted to it (which queues
    its audit event): the process's PID and the item's id. The caller stops the process."""
    db = Database(settings.database_url)
    with db.session() as s:
        key = create_api_key(s, create_user(s, name="platform", role="service").id)
    db.dispose()
    port = free_port()
    api = spawn_api(port, env_for(settings), tmp_path / "api.log")
    try:
        url = f"http://127.0.0.1:{port}"
        wait_healthy(url, timeout=180, pid=api, log=tmp_path / "api.log")
        item = {"platform_id": platform_id, "url": f"https://video.example/v/{platform_id}", "kind": "video",
                "caption": "Jadwal kampanye terbuka", "account": {"platform_id": "acct-p", "handle": "warga"}}
        created = httpx.post(f"{url}/api/v1/content", json=item, headers={"Authorization": f"Bearer {key}"},
                             timeout=60)
        assert created.status_code == 201, created.text
    except BaseException:
        stop_pid(api)
        raise
    return api, created.json()["id"]


def test_the_worker_chains_what_the_api_deferred(pg_server, redis_server, tmp_path):
    settings = pg_settings(pg_server, redis_server, tmp_path, "sj_periodic_worker",
                           audit_deferred=True, periodic="worker")
    db = Database(settings.database_url)
    api, content_id = _api_with_one_item(settings, tmp_path, "vid-periodic")
    worker = None
    try:
        # The API queued the event and, in this mode, has no chainer: several of the chainer's
        # one-second intervals later it is still waiting.
        time.sleep(3.5)
        pending, chained = _counts(db, content_id)
        assert pending >= 1 and chained == 0

        worker = start_worker(settings, "periodic-1", tmp_path / "worker.log")
        # (The worker also scans the item, which records events of its own about it.)
        wait_for(lambda: _counts(db, content_id)[0] == 0 and _counts(db, content_id)[1] >= pending, timeout=90,
                 what="the worker chaining the event")
    finally:
        if worker is not None:
            stop(worker)
        stop_pid(api)
        db.dispose()


def test_an_api_process_keeps_its_periodic_work_by_default(pg_server, redis_server, tmp_path):
    settings = pg_settings(pg_server, redis_server, tmp_path, "sj_periodic_server", audit_deferred=True)
    assert settings.periodic == "server"
    db = Database(settings.database_url)
    api, content_id = _api_with_one_item(settings, tmp_path, "vid-server")
    try:
        wait_for(lambda: _counts(db, content_id)[0] == 0 and _counts(db, content_id)[1] >= 1, timeout=90,
                 what="the API's own chainer chaining the event")
    finally:
        stop_pid(api)
        db.dispose()
