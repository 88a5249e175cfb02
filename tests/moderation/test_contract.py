"""The service contracts other domains call, and the queue mechanics (leases, escalation,
holds, repeat offenders)."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select
from typer.testing import CliRunner

from salingjaga.audit.models import AuditEvent
from salingjaga.moderation.models import Case, Decision
from salingjaga.moderation.service import apply_automated_action, open_case
from tests.conftest import bearer
from tests.moderation.helpers import make_content


def test_open_case_joins_raises_priority_and_is_idempotent(client, world, db, settings):
    service = world.key("service")
    item = make_content(client, service, region="32.73")
    bawaslu = world.partner("Bawaslu Kota Bandung", region="32.73")
    with db.session() as s:
        c1 = open_case(s, content_id=item["id"], policy="misinformation", source="proactive",
                       reason="claim match", signal_refs=["sig_1"], settings=settings)
        first_priority = c1.priority
        events = s.scalar(select(AuditEvent.position).order_by(AuditEvent.position.desc()).limit(1))
        again = open_case(s, content_id=item["id"], policy="misinformation", source="proactive",
                          reason="claim match", signal_refs=["sig_1"], settings=settings)
        assert again.id == c1.id
        assert s.scalar(select(AuditEvent.position).order_by(AuditEvent.position.desc()).limit(1)) == events
        joined = open_case(s, content_id=item["id"], policy="campaign_rules", source="rules",
                           reason="quiet period campaign", notify_partner_id=bawaslu, settings=settings)
        assert joined.id == c1.id and joined.priority > first_priority
        assert joined.source == "rules" and joined.notify_partner_ids == [bawaslu]
        assert len(s.scalars(select(Case)).all()) == 1


def test_tight_deadline_in_the_quiet_period(client, world, db, settings):
    from salingjaga.moderation.priority import compute_deadline

    service = world.key("service")
    item = make_content(client, service)
    with db.session() as s:
        case = open_case(s, content_id=item["id"], policy="misinformation", source="user_report",
                         reason="r", settings=settings)
        hours = (case.deadline - case.created_at).total_seconds() / 3600
        assert hours == (settings.deadline_hours_tight if case.tight else settings.deadline_hours_default)
        assert compute_deadline(case.created_at, True, 24, 2) - case.created_at == timedelta(hours=2)


def test_automated_action_shadow_and_idempotence(client, world, db):
    service = world.key("service")
    item = make_content(client, service)
    with db.session() as s:
        assert apply_automated_action(s, content_id=item["id"], action="remove", policy="misinformation",
                                      facts="Hash match", rule="hash-bank", shadow=True) is None
        assert s.scalar(select(Decision).where(Decision.rule == "hash-bank")) is None
        assert s.scalar(select(AuditEvent).where(AuditEvent.action == "decision.shadow")) is not None
    assert client.get(f"/api/v1/content/{item['id']}", headers=bearer(service)).json()["status"] == "active"
    labels_before = client.get(f"/api/v1/content/{item['id']}", headers=bearer(service)).json()["labels"]
    with db.session() as s:
        d1 = apply_automated_action(s, content_id=item["id"], action="label_unverified",
                                    policy="misinformation", facts="Awaiting fact-check", rule="claim-match")
        d2 = apply_automated_action(s, content_id=item["id"], action="label_unverified",
                                    policy="misinformation", facts="Awaiting fact-check", rule="claim-match")
        assert d1 is not None and d2 is not None and d1.id == d2.id
        assert d1.automated_decision and d1.automated_detection and d1.source == "proactive"
        sid = d1.statement_id
    st = client.get(f"/api/v1/statements/{sid}", headers=bearer(service)).json()
    assert st["automated_decision"] == "AUTOMATED_DECISION_FULLY"
    assert st["source_type"] == "SOURCE_VOLUNTARY"
    content = client.get(f"/api/v1/content/{item['id']}", headers=bearer(service)).json()
    assert "unverified" in content["labels"] and "unverified" not in labels_before
    inbox = client.get("/api/v1/notifications", params={"account_id": item["account_id"]},
                       headers=bearer(service)).json()
    assert any(n["payload"]["decision_id"] == d1.id and n["payload"]["automated"] for n in inbox)


def test_expired_lease_goes_back_to_the_queue(client, world, db):
    service = world.key("service")
    user = world.key("user")
    a, b = world.key("moderator"), world.key("moderator")
    item = make_content(client, service)
    client.post("/api/v1/notices", json={"content": [{"url": item["url"]}], "policy": "misinformation",
                                         "explanation": "x", "good_faith": True}, headers=bearer(user))
    case = client.post("/api/v1/queue/claim", headers=bearer(a)).json()
    assert client.post("/api/v1/queue/claim", headers=bearer(b)).status_code == 204
    with db.session() as s:
        row = s.get(Case, case["id"])
        row.lease_expires_at = row.created_at - timedelta(seconds=1)
    taken = client.post("/api/v1/queue/claim", headers=bearer(b))
    assert taken.status_code == 200 and taken.json()["id"] == case["id"]
    late = client.post(f"/api/v1/cases/{case['id']}/decisions", headers=bearer(a),
                       json={"action": "remove", "policy": "misinformation", "facts": "x"})
    assert late.status_code == 409


def test_escalation_and_holds(client, world):
    service = world.key("service")
    user = world.key("user")
    mod, senior = world.key("moderator"), world.key("senior_moderator")
    item = make_content(client, service)
    client.post("/api/v1/notices", json={"content": [{"url": item["url"]}], "policy": "hate_speech_sara",
                                         "explanation": "x", "good_faith": True}, headers=bearer(user))
    case = client.post("/api/v1/queue/claim", headers=bearer(mod)).json()
    r = client.post(f"/api/v1/cases/{case['id']}/escalate", headers=bearer(mod), json={"note": "SARA nuance"})
    assert r.status_code == 200 and r.json()["level"] == "senior_moderator"
    assert client.post("/api/v1/queue/claim", headers=bearer(mod)).status_code == 204
    claimed = client.post("/api/v1/queue/claim", headers=bearer(senior)).json()
    assert claimed["id"] == case["id"] and claimed["escalation_note"] == "SARA nuance"
    held = client.post(f"/api/v1/cases/{case['id']}/hold", headers=bearer(senior), json={"note": "fact-check"})
    assert held.json()["status"] == "on_hold"
    assert client.post("/api/v1/queue/claim", headers=bearer(senior)).status_code == 204
    client.post(f"/api/v1/cases/{case['id']}/unhold", headers=bearer(senior))
    assert client.post("/api/v1/queue/claim", headers=bearer(senior)).json()["id"] == case["id"]


def test_repeat_offender_escalates_to_suspension(client, world):
    service = world.key("service")
    user = world.key("user")
    mod = world.key("moderator")
    applied = []
    for _ in range(3):
        item = make_content(client, service, account="acc-repeat")
        client.post("/api/v1/notices", json={"content": [{"url": item["url"]}], "policy": "misinformation",
                                             "explanation": "x", "good_faith": True}, headers=bearer(user))
        case = client.post("/api/v1/queue/claim", headers=bearer(mod)).json()
        out = client.post(f"/api/v1/cases/{case['id']}/decisions", headers=bearer(mod), json={
            "action": "remove", "policy": "misinformation", "facts": "Again.", "account_action": "strike"}).json()
        applied.append(out["account_decision"]["action"])
    assert applied == ["strike", "restrict_feature", "suspend"]
    account = client.get(f"/api/v1/accounts/{item['account_id']}", headers=bearer(service)).json()
    assert account["strikes"] == 3 and account["suspended_until"] is not None
    assert account["restricted_features"] == ["live"]


def test_queue_stats_cli(client, world, settings):
    service = world.key("service")
    user = world.key("user")
    item = make_content(client, service)
    client.post("/api/v1/notices", json={"content": [{"url": item["url"]}], "policy": "misinformation",
                                         "explanation": "x", "good_faith": True}, headers=bearer(user))
    from salingjaga.cli import app as cli_app

    result = CliRunner().invoke(cli_app, ["queue", "stats", "--json", "--database-url", settings.database_url])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["waiting"] == 1
