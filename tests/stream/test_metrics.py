"""/metrics: who may read it, and that requests are labelled by route template."""

from __future__ import annotations

import json
import logging

from salingjaga.core.logging_setup import JsonFormatter
from tests.conftest import bearer


def test_metrics_need_a_key_off_loopback_and_the_right_role(client, world):
    assert client.get("/metrics").status_code == 401  # the test client is not on loopback
    assert client.get("/metrics", headers=bearer(world.key("moderator"))).status_code == 403
    r = client.get("/metrics", headers=bearer(world.key("service")))
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")


def test_metrics_are_closed_to_loopback_unless_allowed_and_open_to_the_scrape_token(settings):
    """The defect: /metrics answered anyone reaching it through a proxy on the same host
    (every request looked local). Now: the configured token or a key, and loopback only
    when an operator opens it."""
    from fastapi.testclient import TestClient

    from salingjaga.app import create_app

    settings.metrics_token = "s3cret-scrape-token"
    with TestClient(create_app(settings), client=("127.0.0.1", 50000)) as local:
        assert local.get("/metrics").status_code == 401
        assert local.get("/metrics", headers=bearer("not-the-token")).status_code == 401
        r = local.get("/metrics", headers=bearer("s3cret-scrape-token"))
        assert r.status_code == 200 and "salingjaga_http_requests_total" in r.text
    opened = settings.model_copy(update={"metrics_loopback_open": True, "metrics_token": ""})
    with TestClient(create_app(opened), client=("127.0.0.1", 50000)) as local:
        assert local.get("/metrics").status_code == 200
        assert local.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 401


def test_metrics_are_rate_limited_like_any_route(settings, world):
    """Each scrape runs queries: /metrics was exempt from the limit, so a key holder (or
    anyone on loopback) could make the server run them without end."""
    import time

    from fastapi.testclient import TestClient

    from salingjaga.app import create_app

    settings.rate_limit_per_minute = 3
    service = bearer(world.key("service"))
    if time.time() % 60 > 55:  # keep the whole test inside one one-minute window
        time.sleep(61 - time.time() % 60)
    with TestClient(create_app(settings)) as c:
        codes = [c.get("/metrics", headers=service).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]


def test_requests_are_counted_by_route_template_not_raw_path(client, world):
    admin = bearer(world.key("admin"))
    for n in range(3):
        client.get(f"/api/v1/content/no-such-{n}", headers=admin)
    client.get("/definitely/not/a/route")
    text = client.get("/metrics", headers=admin).text
    line = next(ln for ln in text.splitlines()
                if ln.startswith("salingjaga_http_requests_total{") and 'route="/api/v1/content/{content_id}"' in ln
                and 'status="404"' in ln)
    assert float(line.rsplit(" ", 1)[1]) >= 3
    assert "no-such-" not in text and "/definitely/not/a/route" not in text
    assert 'route="unmatched"' in text
    assert "salingjaga_http_request_duration_seconds_bucket" in text


def test_notice_intake_shows_its_queue_and_batches(client, world):
    from tests.moderation.helpers import make_content, notice_body

    service = world.key("service")
    flagger = world.key("partner_reporter", world.partner())
    for _ in range(2):
        item = make_content(client, service)
        assert client.post("/api/v1/notices", json=notice_body(item), headers=bearer(flagger)).status_code == 201
    text = client.get("/metrics", headers=bearer(service)).text
    values = {ln.split(" ")[0]: float(ln.rsplit(" ", 1)[1]) for ln in text.splitlines()
              if ln.startswith("salingjaga_intake_")}
    assert values["salingjaga_intake_notices_total"] == 2
    assert 1 <= values["salingjaga_intake_batches_total"] <= 2
    assert values["salingjaga_intake_queued_notices"] == 0


def test_json_logs_are_one_object_per_line_with_extras():
    record = logging.LogRecord("salingjaga.stream.worker", logging.WARNING, __file__, 1,
                               "handler failed", None, None)
    record.entry = "1700000000000-0"
    record.topic = "content"
    out = json.loads(JsonFormatter().format(record))
    assert out["level"] == "warning" and out["msg"] == "handler failed"
    assert out["entry"] == "1700000000000-0" and out["topic"] == "content"
    assert out["logger"] == "salingjaga.stream.worker"
