"""Two API processes on one PostgreSQL (and one Redis stream) serve one consistent state."""

from __future__ import annotations

import httpx
import pytest

from salingjaga.auth.service import create_api_key, create_user
from salingjaga.core.db import Database
from salingjaga.dev.servers import free_port, stop_pid
from salingjaga.partners.service import create_partner
from salingjaga.stream.cluster import spawn_api, wait_healthy
from salingjaga.stream.redis_streams import Keys, connect
from tests.stream.helpers import env_for, pg_settings

pytestmark = [pytest.mark.redis, pytest.mark.postgres]


def test_two_api_processes_share_one_state(pg_server, redis_server, tmp_path):
    settings = pg_settings(pg_server, redis_server, tmp_path, "sj_two_apis")
    settings.metrics_token = "scrape-token-for-the-test"
    db = Database(settings.database_url)
    with db.session() as s:
        service = create_user(s, name="platform", role="service")
        service_key = create_api_key(s, service.id)
        partner = create_partner(s, name="Bawaslu RI", kind="election_supervisor", region=None,
                                 organisation="bawaslu", trusted=True, policies=["misinformation"])
        reporter = create_user(s, name="analyst", role="partner_reporter", partner_id=partner.id)
        reporter_key = create_api_key(s, reporter.id)
    ports = [free_port(), free_port()]
    pids = [spawn_api(p, env_for(settings), tmp_path / f"api-{p}.log") for p in ports]
    try:
        a, b = (f"http://127.0.0.1:{p}" for p in ports)
        for url in (a, b):
            wait_healthy(url, timeout=180)
        http = httpx.Client(timeout=60)  # generous: the test machine may be busy
        svc = {"Authorization": f"Bearer {service_key}"}
        item = {"platform_id": "vid-1", "url": "https://video.example/v/1", "kind": "video",
                "caption": "Pencoblosan diundur ke 15 Februari",
                "account": {"platform_id": "acct-1", "handle": "warga"}}
        created = http.post(f"{a}/api/v1/content", json=item, headers=svc)
        assert created.status_code == 201, created.text
        content_id = created.json()["id"]
        # B sees what A stored, and knows the item already: one state, not two.
        seen = http.get(f"{b}/api/v1/content/{content_id}", headers=svc)
        assert seen.status_code == 200 and seen.json()["platform_id"] == "vid-1"
        again = http.post(f"{b}/api/v1/content", json={**item, "views": 900}, headers=svc)
        assert again.status_code == 200 and again.json()["id"] == content_id
        assert http.get(f"{a}/api/v1/content/{content_id}", headers=svc).json()["views"] == 900

        # A notice retried against the other server returns the same receipt.
        rep = {"Authorization": f"Bearer {reporter_key}", "Idempotency-Key": "bawaslu-2024-0001"}
        notice = {"content": [{"url": "https://video.example/v/1"}], "policy": "misinformation",
                  "explanation": "Tanggal pemungutan suara yang salah.", "good_faith": True}
        first = http.post(f"{a}/api/v1/notices", json=notice, headers=rep)
        assert first.status_code == 201, first.text
        retry = http.post(f"{b}/api/v1/notices", json=notice, headers=rep)
        assert retry.status_code in (200, 201) and retry.json()["id"] == first.json()["id"]
        assert retry.headers.get("Idempotent-Replayed") == "true"

        # The new item went onto the shared stream once, from whichever server took it.
        client = connect(settings)
        topics = [f["topic"] for _, f in client.xrange(Keys(settings).stream)]
        client.close()
        assert topics.count("content") == 1

        # Metrics: a scraper with the configured token reads them; nobody else, not even a
        # direct loopback connection (a local proxy would make the internet look local).
        metrics = http.get(f"{a}/metrics", headers={"Authorization": f"Bearer {settings.metrics_token}"})
        assert metrics.status_code == 200
        assert 'salingjaga_http_requests_total{method="POST",route="/api/v1/content",status="201"} 1.0' \
            in metrics.text
        assert "salingjaga_stream_lag" in metrics.text
        assert http.get(f"{a}/metrics").status_code == 401
        http.close()
    finally:
        for pid in pids:
            stop_pid(pid)
        db.dispose()
