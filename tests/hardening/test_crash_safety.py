"""Nothing acknowledged is ever lost: the server is killed with SIGKILL while a client sends
notices; after a restart the client retries what got no answer. Every notice that got a
receipt exists exactly once, none is duplicated, and the audit chain verifies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from salingjaga.core.db import Database
from salingjaga.core.settings import Settings
from salingjaga.migrate import upgrade
from tests.conftest import World, use_postgres
from tests.support.services import free_port

TOTAL = 120
KILL_AFTER = 40


def _serve(url: str, port: int, data_dir: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SALINGJAGA_DATABASE_URL": url, "SALINGJAGA_DATA_DIR": str(data_dir),
           "SALINGJAGA_STREAM": "inline", "SALINGJAGA_RATE_LIMIT_PER_MINUTE": "1000000"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "salingjaga", "serve", "--port", str(port), "--no-migrate"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start")


def _notice(i: int) -> dict[str, object]:
    return {"content": [{"url": f"https://video.example/v/{i}"}], "policy": "misinformation",
            "explanation": f"hoaks nomor {i}", "good_faith": True, "region": "32"}


def test_sigkill_mid_stream_loses_and_duplicates_nothing(request, pg_server, tmp_path):
    if not use_postgres(request.config):
        pytest.skip("runs in the PostgreSQL pass (make test-postgres / CI)")
    url = pg_server.create_database("crash_safety")
    settings = Settings(database_url=url, data_dir=tmp_path / "data")
    upgrade(settings)
    db = Database(url)
    world = World(db)
    key = world.key("partner_reporter", world.partner("Bawaslu Jawa Barat", region="32"))
    headers = {"Authorization": f"Bearer {key}"}
    # The content is already taken in (scanning it is not what this test is about).
    from salingjaga.content.schemas import AccountIn, ContentIn
    from salingjaga.content.service import ingest_content

    account = AccountIn(platform_id="acc-crash", handle="penyebar_hoaks", region="32")
    with db.session() as s:
        for i in range(TOTAL):
            ingest_content(s, ContentIn(platform_id=f"v-{i}", kind="video", account=account,
                                        url=f"https://video.example/v/{i}"), settings.data_dir)

    port = free_port()
    server = _serve(url, port, tmp_path / "data")
    receipts: dict[int, str] = {}
    sent = threading.Event()

    def client() -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) as c:
            for i in range(TOTAL):
                if i == KILL_AFTER:
                    sent.set()
                try:
                    r = c.post("/api/v1/notices", json=_notice(i),
                               headers={**headers, "Idempotency-Key": f"crash-{i}"})
                except httpx.HTTPError:
                    continue  # no answer: retried after the restart
                if r.status_code == 201:
                    receipts[i] = r.json()["id"]

    thread = threading.Thread(target=client)
    thread.start()
    sent.wait(timeout=120)
    os.kill(server.pid, signal.SIGKILL)
    server.wait()
    thread.join(timeout=300)
    assert KILL_AFTER <= len(receipts) < TOTAL  # the kill really cut the stream

    server = _serve(url, port, tmp_path / "data")
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as c:
            for i in range(TOTAL):
                r = c.post("/api/v1/notices", json=_notice(i),
                           headers={**headers, "Idempotency-Key": f"crash-{i}"})
                assert r.status_code in (200, 201), r.text
                if i in receipts:
                    assert r.json()["id"] == receipts[i]  # a retry returns the same notice
                receipts[i] = r.json()["id"]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT idempotency_key, count(*) FROM notices "
                                 "GROUP BY idempotency_key")).all()
    counts = dict(rows)
    assert len(counts) == TOTAL
    assert set(counts.values()) == {1}
    assert len(set(receipts.values())) == TOTAL

    from salingjaga.audit.service import verify

    with db.session() as s:
        report = verify(s)
    assert report.ok, report
    db.dispose()
