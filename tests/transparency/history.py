"""A known history of notices, decisions and appeals, built through the real HTTP API (and
the moderation service for automated actions), then moved to fixed past times.

Moving to the past is the one place these tests write into another domain's tables: the
moderation service stamps every event with ``utcnow()`` and offers no way to record a
historical time, so after each step the timestamps of the rows it created (notice, case,
decision, statement, appeal) are set through the moderation models. Everything else
(sources, actions, policies, statements, reversal links) is what the service produced.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update

from salingjaga.core.db import Database
from salingjaga.moderation.models import Appeal, Case, Decision, Statement
from salingjaga.notices.models import Notice
from tests.conftest import World, bearer

_seq = itertools.count(1)
PERIOD = ("2024-02-10", "2024-02-14")


def at(text: str) -> datetime:
    """A UTC instant from 'MM-DD HH:MM[:SS]' in February 2024."""
    day, clock = text.split(" ")
    parts = [int(p) for p in clock.split(":")]
    return datetime(2024, int(day[:2]), int(day[3:]), parts[0], parts[1],
                    parts[2] if len(parts) > 2 else 0, tzinfo=UTC)


@dataclass
class History:
    """Ids of what was built, for assertions."""

    decisions: dict[str, str] = field(default_factory=dict)
    notices: dict[str, str] = field(default_factory=dict)
    partners: dict[str, str] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)


def _content(client: Any, service_key: str, region: str = "32.73",
             election: str | None = "pemilu-2024", account_kind: str = "personal") -> dict[str, Any]:
    n = next(_seq)
    body: dict[str, Any] = {
        "platform_id": f"tr-{n}", "kind": "video", "url": f"https://video.example/@t/{n}",
        "caption": f"Rekaman kegiatan warga nomor {n}", "region": region, "views": 10,
        "account": {"platform_id": f"tracc-{n}", "handle": f"tr{n}", "kind": account_kind},
    }
    if election:
        body["election"] = election
    r = client.post("/api/v1/content", json=body, headers=bearer(service_key))
    assert r.status_code in (200, 201), r.text
    return dict(r.json())


def _backdate_notice(db: Database, notice_id: str, received: datetime, decided: datetime | None) -> None:
    with db.session() as s:
        notice = s.get(Notice, notice_id)
        assert notice is not None
        notice.received_at = received
        case = s.get(Case, notice.case_id)
        assert case is not None
        case.created_at = received
        if decided is not None:
            case.decided_at = decided
            notice.decided_at = decided
            s.execute(update(Decision).where(Decision.case_id == case.id).values(decided_at=decided))
            ids = list(s.scalars(select(Decision.id).where(Decision.case_id == case.id)))
            s.execute(update(Statement).where(Statement.decision_id.in_(ids)).values(created_at=decided))


def _backdate_decision(db: Database, decision_id: str, decided: datetime) -> None:
    with db.session() as s:
        s.execute(update(Decision).where(Decision.id == decision_id).values(decided_at=decided))
        s.execute(update(Statement).where(Statement.decision_id == decision_id).values(created_at=decided))


def build(client: Any, world: World, db: Database) -> History:
    """The history the report tests count. Times are UTC; WIB is 7 hours ahead."""
    h = History()
    service = world.key("service")
    moderator = world.key("moderator")
    second = world.key("moderator")
    h.keys.update(service=service, moderator=moderator)
    bawaslu = world.partner("Bawaslu Jawa Barat", region="32")
    cso = world.partner("Perludem", kind="civil_society", organisation="perludem", trusted=False)
    h.partners.update(bawaslu=bawaslu, cso=cso)
    keys = {"bawaslu": world.key("partner_reporter", bawaslu),
            "cso": world.key("partner_reporter", cso), "user": world.key("user")}
    h.keys.update(keys)

    def notice(name: str, who: str, policy: str, action: str | None, received: str,
               decided: str | None, facts: str = "The video states a false voting procedure.",
               region: str = "32.73") -> None:
        item = _content(client, service, region=region)
        r = client.post("/api/v1/notices", headers=bearer(keys[who]), json={
            "content": [{"url": item["url"]}], "policy": policy, "region": region,
            "election": "pemilu-2024", "explanation": "Klaim keliru tentang tata cara pemungutan suara.",
            "good_faith": True})
        assert r.status_code == 201, r.text
        h.notices[name] = r.json()["id"]
        if action is not None:
            case = client.post("/api/v1/queue/claim", headers=bearer(moderator))
            assert case.status_code == 200, case.text
            assert case.json()["id"] == r.json()["case_id"]
            d = client.post(f"/api/v1/cases/{case.json()['id']}/decisions", headers=bearer(moderator),
                            json={"action": action, "policy": policy, "facts": facts})
            assert d.status_code == 201, d.text
            h.decisions[name] = d.json()["id"]
        _backdate_notice(db, h.notices[name], at(received), at(decided) if decided else None)

    # Trusted flagger (Bawaslu): 1 h, 2 h, 4 h, 10 h from notice to decision.
    notice("T1", "bawaslu", "civic_election_integrity", "remove", "02-10 01:00", "02-10 02:00")
    notice("T2", "bawaslu", "civic_election_integrity", "remove", "02-10 03:00", "02-10 05:00")
    notice("T3", "bawaslu", "misinformation", "fyp_exclude", "02-11 01:00", "02-11 05:00")
    notice("T4", "bawaslu", "misinformation", "no_violation", "02-11 02:00", "02-11 12:00")
    # Others: a civil-society partner (30 h) and users (50 h, 20 h).
    notice("O1", "cso", "misinformation", "label_unverified", "02-11 00:00", "02-12 06:00",
           region="31.71")
    notice("O2", "user", "synthetic_media", "label_ai_generated", "02-11 00:00", "02-13 02:00")
    # Decided at 20:00 UTC on 12 Feb = 03:00 WIB on 13 Feb: counts on the 13th.
    notice("O3", "user", "misinformation", "remove", "02-12 00:00", "02-12 20:00")
    # One whose facts carry personal data: the export must leave its statement out.
    notice("P1", "user", "misinformation", "remove", "02-12 01:00", "02-12 02:00",
           facts="Pelapor bisa dihubungi di budi.santoso@gmail.com atau 0812-3456-7890.")
    # Outside the period.
    notice("X1", "bawaslu", "civic_election_integrity", "remove", "02-20 00:00", "02-20 01:00")

    # Appeals: T1 reversed after 3 h, O3 upheld after 5 h, lodged on 14 Feb.
    from salingjaga.moderation.service import apply_automated_action

    for name, outcome, lodged, decided in (("T1", "reverse", "02-14 02:00", "02-14 05:00"),
                                           ("O3", "uphold", "02-14 03:00", "02-14 08:00")):
        a = client.post(f"/api/v1/decisions/{h.decisions[name]}/appeals", headers=bearer(service),
                        json={"reason": "Saya keberatan."})
        assert a.status_code == 201, a.text
        claimed = client.post("/api/v1/queue/claim", headers=bearer(second))
        assert claimed.status_code == 200 and claimed.json()["id"] == a.json()["case_id"], claimed.text
        out = client.post(f"/api/v1/cases/{a.json()['case_id']}/decisions", headers=bearer(second),
                          json={"action": outcome, "policy": "misinformation", "facts": "Reviewed again."})
        assert out.status_code == 201, out.text
        with db.session() as s:
            appeal = s.get(Appeal, a.json()["id"])
            assert appeal is not None
            appeal.created_at, appeal.decided_at = at(lodged), at(decided)
            s.execute(update(Decision).where(Decision.id == out.json()["id"]).values(decided_at=at(decided)))
            s.execute(update(Case).where(Case.id == a.json()["case_id"]).values(
                created_at=at(lodged), decided_at=at(decided)))

    # Automated actions (proactive detection, automated decision), the last two on the WIB
    # day boundary: 16:59:59 UTC is 23:59:59 WIB on the 14th (in), 17:00 UTC is the 15th (out).
    autos = {
        "A1": ("remove", "synthetic_media", "02-13 04:00"),
        "A2": ("label_unverified", "misinformation", "02-14 04:00"),
        "A3": ("remove", "misinformation", "02-14 16:59:59"),
        "A4": ("remove", "misinformation", "02-14 17:00:00"),
    }
    items = {name: _content(client, service, election=None if name == "A2" else "pemilu-2024")
             for name in autos}
    pending = []
    with db.session() as s:
        for name, (action, policy, when) in autos.items():
            item = items[name]
            d = apply_automated_action(s, content_id=item["id"], action=action, policy=policy,
                                       facts="Exact match of a known manipulated video.", rule=f"hash-{name}")
            assert d is not None
            h.decisions[name] = d.id
            pending.append((d.id, at(when)))
    for decision_id, when in pending:
        _backdate_decision(db, decision_id, when)

    # Still waiting: received, never decided.
    notice("O4", "user", "misinformation", None, "02-12 05:00", None)
    return h
