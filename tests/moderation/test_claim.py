"""The queue claim (``POST /api/v1/queue/claim``): its compact answer and the full one, the
order cases are handed out in, leases that run out, and moderators claiming at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from salingjaga.audit.models import AuditEvent
from salingjaga.audit.service import chain_all
from salingjaga.auth.principal import Principal
from salingjaga.core.ids import new_id
from salingjaga.core.timeutil import utcnow
from salingjaga.moderation.models import Case
from salingjaga.moderation.queue import overdue_turn
from salingjaga.moderation.service import open_case
from tests.conftest import bearer
from tests.moderation.helpers import make_content, notice_body


def _cases(client: Any, world: Any, db: Any, settings: Any, specs: list[dict[str, Any]]) -> list[str]:
    """One content item and one case per spec (priority, and optionally level, status, age
    in minutes and hours to the deadline, 24 by default); returns the case ids in the order
    of the specs."""
    service = world.key("service")
    now = utcnow()
    ids = []
    for spec in specs:
        item = make_content(client, service)
        with db.session() as s:
            case = open_case(s, content_id=item["id"], policy="misinformation", source="user_report",
                             reason="arranged", settings=settings)
            level = spec.get("level", "moderator")
            case.level = level
            case.status = spec.get("status", "open" if level == "moderator" else "escalated")
            case.priority = spec["priority"]
            case.created_at = now - timedelta(minutes=spec.get("age", 0))
            case.deadline = case.created_at + timedelta(hours=spec.get("hours", 24))
            ids.append(case.id)
    return ids


def _expire(db: Any, case_id: str) -> None:
    with db.session() as s:
        row = s.get(Case, case_id)
        row.lease_expires_at = utcnow() - timedelta(seconds=1)


def _claim(client: Any, key: str) -> str | None:
    r = client.post("/api/v1/queue/claim", headers=bearer(key))
    assert r.status_code in (200, 204), r.text
    return r.json()["id"] if r.status_code == 200 else None


def test_claim_answers_the_case_and_its_lease_and_links_the_details(client, world, settings):
    service = world.key("service")
    flagger = world.key("partner_reporter", world.partner())
    moderator_id, moderator = world.user("moderator")
    first, second = make_content(client, service), make_content(client, service)
    notice = client.post("/api/v1/notices", json=notice_body(first), headers=bearer(flagger)).json()
    client.post("/api/v1/notices", json=notice_body(second), headers=bearer(flagger))

    r = client.post("/api/v1/queue/claim", headers=bearer(moderator))
    assert r.status_code == 200, r.text
    claimed = r.json()
    assert claimed["status"] == "leased" and claimed["lease_owner"] == moderator_id
    lease_left = datetime.fromisoformat(claimed["lease_expires_at"]) - utcnow()
    assert timedelta(0) < lease_left <= timedelta(seconds=settings.lease_seconds)
    assert claimed["content_id"] in (first["id"], second["id"]) and claimed["source"] == "trusted_flagger"
    assert not {"content", "notices", "signals", "account_history", "decisions"} & set(claimed)
    assert claimed["case_url"] == f"/api/v1/cases/{claimed['id']}"

    detail = client.get(claimed["case_url"], headers=bearer(moderator))
    assert detail.status_code == 200
    body = detail.json()
    assert body["id"] == claimed["id"] and body["content"]["id"] == claimed["content_id"]
    assert [n["status"] for n in body["notices"]] == ["in_review"]
    if claimed["content_id"] == first["id"]:
        assert body["notices"][0]["id"] == notice["id"]

    full = client.post("/api/v1/queue/claim", params={"full": "true"}, headers=bearer(moderator))
    assert full.status_code == 200, full.text
    whole = full.json()
    assert whole["id"] != claimed["id"] and whole["status"] == "leased" and whole["lease_owner"] == moderator_id
    assert whole["content"]["id"] == whole["content_id"]
    assert [n["status"] for n in whole["notices"]] == ["in_review"]
    assert "account_history" in whole and "signals" in whole
    assert client.post("/api/v1/queue/claim", params={"full": "true"}, headers=bearer(moderator)).status_code == 204


def test_claims_follow_level_then_priority_then_age(client, world, db, settings):
    ids = _cases(client, world, db, settings, [
        {"priority": 50, "age": 30},                                        # 0
        {"priority": 80, "age": 0},                                         # 1
        {"priority": 80, "age": 5},                                         # 2: older than 1
        {"priority": 10, "level": "senior_moderator"},                      # 3: escalated
        {"priority": 10, "level": "senior_moderator", "status": "open",     # 4: e.g. a second
         "age": 1},                                                         #    review, older than 3
        {"priority": 99, "status": "on_hold"},                              # 5: out of the queue
        {"priority": 99, "level": "policy_lead"},                           # 6: above a senior
    ])
    moderator, senior = world.key("moderator"), world.key("senior_moderator")
    assert _claim(client, moderator) == ids[2]
    # A senior takes senior cases first, whatever their priority, then moderator cases.
    assert [_claim(client, senior) for _ in range(4)] == [ids[4], ids[3], ids[1], ids[0]]
    assert _claim(client, senior) is None and _claim(client, moderator) is None


def test_within_a_priority_the_nearest_deadline_goes_first(client, world, db, settings):
    """The order the console lists the queue in: priority, then deadline, then age. A case
    opened in the quiet period (2 h to decide) overtakes an older one with a day left."""
    ids = _cases(client, world, db, settings, [
        {"priority": 60, "age": 90},                 # 0: oldest, 22.5 h left
        {"priority": 60, "age": 5, "hours": 2},      # 1: tight deadline
        {"priority": 60, "age": 60},                 # 2: 23 h left
        {"priority": 70, "age": 0},                  # 3: higher priority beats any deadline
    ])
    moderator = world.key("moderator")
    assert [_claim(client, moderator) for _ in range(4)] == [ids[3], ids[1], ids[0], ids[2]]


def test_a_case_whose_lease_ran_out_is_claimed_again_in_its_place(client, world, db, settings):
    top, middle, low = _cases(client, world, db, settings, [{"priority": 90}, {"priority": 70}, {"priority": 50}])
    a_id, a = world.user("moderator")
    b, c = world.key("moderator"), world.key("moderator")
    assert [_claim(client, a), _claim(client, a)] == [top, middle]
    _expire(db, middle)
    # The expired lease (70) comes before the waiting case (50); the live one (90) stays with a.
    assert _claim(client, b) == middle
    chain_all(db)  # in deferred audit mode the events wait for the chainer
    with db.session() as s:
        events = {e.action: e.data for e in s.scalars(
            select(AuditEvent).where(AuditEvent.entity_id == middle).order_by(AuditEvent.position))}
    assert events["case.lease_expired"] == {"lease_owner": a_id}
    assert events["case.claimed"]["expired_lease_of"] == a_id
    late = client.post(f"/api/v1/cases/{middle}/decisions", headers=bearer(a),
                       json={"action": "remove", "policy": "misinformation", "facts": "x"})
    assert late.status_code == 409

    # An expired lease does not jump ahead of a more urgent waiting case either.
    assert _claim(client, c) == low
    _expire(db, low)
    (newer,) = _cases(client, world, db, settings, [{"priority": 60}])
    assert [_claim(client, c), _claim(client, c), _claim(client, c)] == [newer, low, None]


def test_concurrent_moderators_each_get_a_different_case(client, world, db, settings):
    ids = _cases(client, world, db, settings, [{"priority": p % 4 * 20, "age": p} for p in range(16)])
    moderators = [world.user("moderator") for _ in range(6)]

    def drain(who: tuple[str, str]) -> list[tuple[str, str]]:
        got = []
        while (case_id := _claim(client, who[1])) is not None:
            got.append((case_id, who[0]))
        return got

    with ThreadPoolExecutor(len(moderators)) as pool:
        handed = [pair for got in pool.map(drain, moderators) for pair in got]
    assert sorted(case_id for case_id, _ in handed) == sorted(ids)  # each case once, none left
    with db.session() as s:
        rows = s.execute(select(Case.id, Case.lease_owner).where(Case.id.in_(ids)))
        owners = {row.id: row.lease_owner for row in rows}
    assert owners == dict(handed)


def test_every_fourth_claim_takes_the_case_longest_past_its_deadline(client, world, db, settings):
    """Under a backlog the claim order alone would leave a low-priority case waiting as
    long as urgent ones keep coming: a share of each moderator's claims (every fourth by
    default) goes to the overdue case with the earliest deadline; the rest keep the order."""
    assert settings.queue_overdue_share == 0.25
    urgent = _cases(client, world, db, settings, [{"priority": 90, "age": n} for n in range(6)])
    late, later = _cases(client, world, db, settings, [
        {"priority": 10, "age": 26 * 60},    # 2 h past its 24 h deadline
        {"priority": 10, "age": 30 * 60},    # 6 h past: the first to go
    ])
    (waiting,) = _cases(client, world, db, settings, [{"priority": 5, "age": 60}])  # not overdue
    moderator = world.key("moderator")
    order = [_claim(client, moderator) for _ in range(9)]
    assert order == [urgent[5], urgent[4], urgent[3], later, urgent[2], urgent[1], urgent[0], late, waiting]


def test_the_overdue_turns_are_a_share_of_each_moderators_claims(settings):
    def turns(share: float, order: str = "priority", claims: int = 12) -> list[int]:
        who = Principal(user_id=new_id("usr"), role="moderator", name="m")
        cfg = settings.model_copy(update={"queue_overdue_share": share, "queue_order": order})
        return [n for n in range(1, claims + 1) if overdue_turn(who, cfg)]

    assert turns(0.25) == [4, 8, 12]
    assert turns(1 / 3) == [3, 6, 9, 12]
    assert turns(0.0) == [] and turns(0.25, "fifo") == []
    assert turns(1.0) == list(range(1, 13))
