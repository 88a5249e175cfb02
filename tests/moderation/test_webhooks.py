"""Signed webhooks to a real HTTP receiver on 127.0.0.1, with retries."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from salingjaga.moderation.models import WebhookDelivery
from salingjaga.moderation.webhooks import SIGNATURE_HEADER, backoff, sign, verify
from tests.conftest import bearer
from tests.moderation.helpers import make_content, notice_body


class Receiver:
    """A local HTTP server that records requests and answers with a chosen status."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], str]] = []
        self.status = 200
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                outer.requests.append((dict(self.headers), body))
                self.send_response(outer.status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def settings(settings, monkeypatch):
    """The receiver listens on loopback, which webhooks refuse unless a deployment allows
    it: these tests allow exactly that address (the app's settings, and the environment the
    CLI reads its settings from)."""
    monkeypatch.setenv("SALINGJAGA_WEBHOOK_ALLOW_PRIVATE", "127.0.0.1/32")
    return settings.model_copy(update={"webhook_allow_private": "127.0.0.1/32"})


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def test_signature_round_trip_and_backoff():
    body = '{"a":1}'
    header = sign("whsec_x", body, 1_700_000_000)
    assert verify("whsec_x", body, header, now=1_700_000_010)
    assert not verify("whsec_y", body, header, now=1_700_000_010)
    assert not verify("whsec_x", body + " ", header, now=1_700_000_010)
    assert not verify("whsec_x", body, header, now=1_700_009_999)  # replayed long after
    assert backoff(1).total_seconds() == 30 and backoff(3).total_seconds() == 120
    assert backoff(40).total_seconds() == 6 * 3600


def _decided_notice(client, world, receiver, status=200):
    service = world.key("service")
    partner = world.partner()
    admin = world.key("partner_admin", partner)
    flagger = world.key("partner_reporter", partner)
    moderator = world.key("moderator")
    hook = client.put(f"/api/v1/partners/{partner}/webhook", json={"url": receiver.url}, headers=bearer(admin))
    assert hook.status_code == 200, hook.text
    secret = hook.json()["webhook_secret"]
    receiver.status = status
    item = make_content(client, service)
    notice = client.post("/api/v1/notices", json=notice_body(item), headers=bearer(flagger)).json()
    case = client.post("/api/v1/queue/claim", headers=bearer(moderator)).json()
    decision = client.post(f"/api/v1/cases/{case['id']}/decisions", headers=bearer(moderator), json={
        "action": "remove", "policy": "misinformation", "facts": "False voting procedure."}).json()
    return secret, notice, decision


def test_notifier_receives_a_signed_outcome(client, world, receiver):
    secret, notice, decision = _decided_notice(client, world, receiver)
    assert len(receiver.requests) == 1
    headers, body = receiver.requests[0]
    assert verify(secret, body, headers[SIGNATURE_HEADER])
    data = json.loads(body)
    assert data["type"] == "notice.decision"
    assert data["data"]["notice_ids"] == [notice["id"]]
    assert data["data"]["decision"]["action"] == "remove"
    assert data["data"]["decision"]["statement_id"] == decision["statement_id"]


def test_failed_delivery_is_kept_and_retried_by_the_command(client, world, receiver, db, settings):
    _decided_notice(client, world, receiver, status=503)
    assert len(receiver.requests) == 1
    with db.session() as s:
        d = s.scalar(select(WebhookDelivery))
        assert d.status == "pending" and d.attempts == 1 and d.last_status_code == 503
        d.next_attempt_at = d.created_at  # the backoff has passed
    receiver.status = 200
    from salingjaga.cli import app as cli_app

    result = CliRunner().invoke(cli_app, ["moderation", "deliver-webhooks", "--json",
                                          "--database-url", settings.database_url])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["delivered"] == 1
    assert len(receiver.requests) == 2
    with db.session() as s:
        d = s.scalar(select(WebhookDelivery))
        assert d.status == "delivered" and d.attempts == 2


def test_the_server_retries_a_failed_delivery_and_frees_stale_leases_on_its_own(world, receiver, db, settings):
    """The embedded default (memory stream) runs maintenance in the background: no request,
    no command, and the failed delivery arrives; an expired lease goes back to the queue."""
    import time
    from datetime import timedelta

    from fastapi.testclient import TestClient

    from salingjaga.app import create_app
    from salingjaga.moderation.models import Case

    embedded = settings.model_copy(update={"stream": "memory", "maintenance_interval_seconds": 0.2})
    with TestClient(create_app(embedded)) as client:
        _decided_notice(client, world, receiver, status=503)
        # The request's background task or the maintenance thread (whichever claims the
        # delivery first) makes the first attempt; the thread's may land just after.
        for _ in range(200):
            with db.session() as s:
                attempts = s.scalar(select(WebhookDelivery.attempts))
            if attempts:
                break
            time.sleep(0.05)
        assert len(receiver.requests) == 1
        user = world.key("user")
        moderator = world.key("moderator")
        item = make_content(client, world.key("service"))
        client.post("/api/v1/notices", json=notice_body(item), headers=bearer(user))
        leased = client.post("/api/v1/queue/claim", headers=bearer(moderator)).json()
        receiver.status = 200
        with db.session() as s:
            d = s.scalar(select(WebhookDelivery))
            assert d.status == "pending" and d.attempts == 1
            d.next_attempt_at = d.created_at  # the backoff has passed
            row = s.get(Case, leased["id"])
            row.lease_expires_at = row.created_at - timedelta(seconds=1)
        for _ in range(300):  # no request to the app from here on
            with db.session() as s:
                d = s.scalar(select(WebhookDelivery))
                case_status = s.get(Case, leased["id"]).status
            if d.status == "delivered" and case_status == "open":
                break
            time.sleep(0.1)
        assert d.status == "delivered" and d.attempts == 2
        assert case_status == "open"
    assert len(receiver.requests) == 2


def test_inline_stream_runs_no_background_maintenance(client):
    # Tests and scripts (inline stream) keep every effect inside the request.
    import threading

    assert "salingjaga-moderation-maintenance" not in {t.name for t in threading.enumerate()}
