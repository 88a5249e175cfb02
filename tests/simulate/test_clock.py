"""The virtual clock drives the services as wall time does: deadlines from the election
calendar, leases that run out, and the times written, all follow the installed clock."""

from __future__ import annotations

import time
from contextlib import nullcontext
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from salingjaga.audit.models import AuditEvent
from salingjaga.auth.service import create_user, principal_for_user
from salingjaga.content.schemas import AccountIn, ContentIn
from salingjaga.content.service import ingest_content, upsert_account
from salingjaga.core.db import Database
from salingjaga.core.errors import Conflict
from salingjaga.core.settings import Settings
from salingjaga.core.timeutil import WIB, VirtualClock, as_utc, use_clock, utcnow
from salingjaga.moderation.service import claim_next, decide, open_case

QUIET = datetime(2024, 2, 12, 10, 0, tzinfo=WIB)  # Pemilu 2024 quiet period
CAMPAIGN = datetime(2024, 1, 20, 10, 0, tzinfo=WIB)


def _item(session, n: int, settings: Settings):  # type: ignore[no-untyped-def]
    upsert_account(session, AccountIn(platform_id="acc-clock", handle="clock", kind="personal", region="32"))
    item, _ = ingest_content(session, ContentIn(platform_id=f"clock-{n}", kind="video", account_id="acc-clock",
                                                caption="x", region="32", posted_at=utcnow()), settings.data_dir)
    return item


def test_without_a_clock_time_is_wall_time() -> None:
    before = datetime.now(UTC)
    assert before <= utcnow() <= datetime.now(UTC)


@pytest.mark.parametrize(("start", "hours"), [(QUIET, 2.0), (CAMPAIGN, 24.0)])
def test_deadlines_follow_the_virtual_day_of_the_calendar(db: Database, settings: Settings,
                                                          start: datetime, hours: float) -> None:
    clock = VirtualClock(start)
    with use_clock(clock), db.session() as s:
        case = open_case(s, content_id=_item(s, 1, settings).id, policy="misinformation", source="user_report",
                         reason="r", settings=settings)
        assert as_utc(case.deadline) == as_utc(start) + timedelta(hours=hours)
        assert as_utc(case.created_at) == as_utc(start)


@pytest.mark.parametrize("time_kind", ["virtual", "wall"])
def test_a_lease_runs_out_in_virtual_time_as_on_the_wall(db: Database, settings: Settings, time_kind: str) -> None:
    """The same steps on the virtual clock and on the wall clock (a lease of a few real
    seconds, slept through) give the same refusals and hand-overs."""
    virtual = time_kind == "virtual"
    cfg = settings if virtual else settings.model_copy(update={"lease_seconds": 3})
    clock = VirtualClock(QUIET)

    def advance(seconds: float) -> None:
        clock.advance(seconds) if virtual else time.sleep(seconds)

    with use_clock(clock) if virtual else nullcontext():
        start = utcnow()
        with db.session() as s:
            case_id = open_case(s, content_id=_item(s, 2, cfg).id, policy="misinformation", source="user_report",
                                reason="r", settings=cfg).id
            first = principal_for_user(create_user(s, name="first", role="moderator"))
            second = principal_for_user(create_user(s, name="second", role="moderator"))
        with db.session() as s:
            leased = claim_next(s, first, cfg)
            assert leased is not None and leased.id == case_id
            lease_end = as_utc(leased.lease_expires_at)
            late = lease_end - as_utc(start) - timedelta(seconds=cfg.lease_seconds)
            assert late == timedelta(0) if virtual else timedelta(0) <= late < timedelta(seconds=1.5)
        advance(cfg.lease_seconds - (1 if virtual else 2))
        with db.session() as s:  # still within the lease: nobody else gets it
            assert claim_next(s, second, cfg) is None
        advance(2 if virtual else 2.5)
        with db.session() as s, pytest.raises(Conflict, match=r"lease on case .* expired"):
            decide(s, case_id, first, action="remove", policy="misinformation", facts="late")
        with db.session() as s:
            again = claim_next(s, second, cfg)
            assert again is not None and again.id == case_id and again.lease_owner == second.user_id
        with db.session() as s:
            decide(s, case_id, second, action="remove", policy="misinformation", facts="false voting procedure")
    with db.session() as s:
        expired = s.scalar(select(AuditEvent).where(AuditEvent.action == "case.lease_expired"))
        assert expired is not None
        if virtual:
            assert as_utc(expired.at) == (as_utc(QUIET) + timedelta(seconds=cfg.lease_seconds + 1)).replace(
                microsecond=0)
        else:
            assert as_utc(expired.at) >= lease_end.replace(microsecond=0)


def test_the_clock_never_goes_back() -> None:
    clock = VirtualClock(QUIET)
    clock.advance_to(as_utc(QUIET) - timedelta(hours=1))
    assert clock.now() == as_utc(QUIET)
