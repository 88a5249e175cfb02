"""Case events: moderation announces, subscribers write their own rows in the same
transaction, and the one-statement claim runs only when every claim subscriber gave SQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from salingjaga.moderation import events
from salingjaga.moderation.events import CaseClaimed, CaseDecided, CaseOpened
from salingjaga.moderation.models import Case
from salingjaga.notices.models import Notice
from tests.conftest import bearer
from tests.moderation.helpers import make_content, notice_body


@pytest.fixture
def isolated_events(monkeypatch):
    """Subscriptions of this test only (the wired ones come back afterwards)."""
    monkeypatch.setattr(events, "_handlers", {})
    monkeypatch.setattr(events, "_claim_sql", {})
    monkeypatch.setattr(events, "_reader", [])


def test_announce_calls_subscribers_in_order_with_the_event(isolated_events):
    seen: list[tuple[str, object]] = []
    events.subscribe(CaseOpened, lambda s, e: seen.append(("first", e)))
    events.subscribe(CaseOpened, lambda s, e: seen.append(("second", e)))
    events.subscribe(CaseDecided, lambda s, e: seen.append(("decided", e)))
    opened = CaseOpened(case_id="case_1", content_id="cnt_1", policy="misinformation", source="partner")
    events.announce(None, opened)  # type: ignore[arg-type]
    assert seen == [("first", opened), ("second", opened)]


def test_claim_sql_is_for_claims_only_and_a_handler_without_it_turns_the_statement_off(isolated_events):
    with pytest.raises(ValueError):
        events.subscribe(CaseDecided, lambda s, e: None, claim_sql="UPDATE x SET y = 1")
    assert events.claim_sql_parts() == ()
    events.subscribe(CaseClaimed, lambda s, e: None, claim_sql="  UPDATE t SET a = 1")
    assert events.claim_sql_parts() == ("  UPDATE t SET a = 1",)
    events.subscribe(CaseClaimed, lambda s, e: None)
    assert events.claim_sql_parts() is None


def test_without_a_reader_a_case_has_no_notices(isolated_events):
    assert events.notices_of_case(None, "case_1") == []  # type: ignore[arg-type]


def test_a_failing_subscriber_rolls_the_decision_back(client, world, db, monkeypatch):
    """Synchronous, in the announcing transaction: when a subscriber fails, the case stays
    undecided and its notice unchanged."""
    service = world.key("service")
    flagger = world.key("partner_reporter", world.partner("Bawaslu Jabar", region="32"))
    moderator = world.key("moderator")
    item = make_content(client, service)
    notice = client.post("/api/v1/notices", json=notice_body(item), headers=bearer(flagger)).json()
    case = client.post("/api/v1/queue/claim", headers=bearer(moderator)).json()
    assert case["id"] == notice["case_id"]

    def boom(session, event):
        raise RuntimeError("subscriber failed")

    handlers = {k: list(v) for k, v in events._handlers.items()}
    handlers[CaseDecided] = [*handlers.get(CaseDecided, []), boom]
    monkeypatch.setattr(events, "_handlers", handlers)
    with pytest.raises(RuntimeError, match="subscriber failed"):
        client.post(f"/api/v1/cases/{case['id']}/decisions", headers=bearer(moderator), json={
            "action": "remove", "policy": "misinformation", "facts": "A false voting procedure."})
    with db.session() as s:
        stored = s.get(Notice, notice["id"])
        assert stored is not None and (stored.status, stored.decision_id) == ("in_review", None)
        assert s.scalar(select(Case.status).where(Case.id == case["id"])) == "leased"


def test_decided_event_carries_the_standing_decision():
    when = datetime(2024, 2, 14, tzinfo=UTC)
    e = CaseDecided(case_id="c", decision_id="d2", action="uphold", decided_at=when,
                    standing_decision_id="d1", standing_action="remove")
    assert (e.standing_decision_id, e.standing_action) == ("d1", "remove")


def test_a_decision_reads_its_notices_once_and_writes_its_row_once(client, world, db):
    """The notices follow the decision and their notifiers are told from one read of them;
    the decision row goes in with its statement id and previous state (no UPDATE after)."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    service = world.key("service")
    moderator = world.key("moderator")
    item = make_content(client, service)
    notices = [client.post("/api/v1/notices", json=notice_body(item), headers=bearer(world.key(
        "partner_reporter", world.partner(f"Bawaslu {name}", region="32")))).json() for name in ("Jabar", "Bogor")]
    case = client.post("/api/v1/queue/claim", headers=bearer(moderator)).json()
    seen: list[str] = []

    def note(_conn, _cursor, statement, _params, _context, _many):
        seen.append(" ".join(statement.split()))

    event.listen(Engine, "before_cursor_execute", note)  # the app's engine is its own
    try:
        r = client.post(f"/api/v1/cases/{case['id']}/decisions", headers=bearer(moderator), json={
            "action": "remove", "policy": "misinformation", "facts": "A false voting procedure."})
    finally:
        event.remove(Engine, "before_cursor_execute", note)
    assert r.status_code == 201, r.text
    assert len([s for s in seen if s.startswith("SELECT notices.")]) == 1
    assert not [s for s in seen if s.startswith("UPDATE decisions")]
    for notice in notices:
        got = client.get(f"/api/v1/notices/{notice['id']}", headers=bearer(world.key("admin"))).json()
        assert got["status"] == "decided"
    with db.session() as s:
        from salingjaga.moderation.models import Notification

        told = s.scalars(select(Notification).where(Notification.recipient_type == "partner")).all()
        assert len(told) == 2 and all(n.payload["status"] == "decided" for n in told)
