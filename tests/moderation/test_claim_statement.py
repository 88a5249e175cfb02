"""The queue claim's tests again on its one-statement path (PostgreSQL with deferred audit,
as a cluster runs: ``moderation/claim_statement.py``), and what only that path does."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from salingjaga.audit.models import AuditEvent, PendingAuditEvent
from salingjaga.audit.service import chain_all
from salingjaga.core.settings import Settings
from salingjaga.core.timeutil import utcnow
from salingjaga.moderation.claim_statement import one_statement
from salingjaga.moderation.models import Case
from salingjaga.moderation.service import expire_stale_leases
from tests.conftest import use_postgres
from tests.moderation.test_claim import (  # noqa: F401 (collected here, with this module's settings)
    _cases,
    _claim,
    test_a_case_whose_lease_ran_out_is_claimed_again_in_its_place,
    test_claim_answers_the_case_and_its_lease_and_links_the_details,
    test_claims_follow_level_then_priority_then_age,
    test_concurrent_moderators_each_get_a_different_case,
    test_within_a_priority_the_nearest_deadline_goes_first,
)


@pytest.fixture
def settings(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    if not use_postgres(request.config):
        pytest.skip("the one-statement claim runs on PostgreSQL (make test-postgres / CI)")
    return settings.model_copy(update={"audit_deferred": True})


def test_the_claim_takes_the_one_statement_path(app):
    assert one_statement(app.state.db)


def test_a_claim_queues_its_audit_event_with_the_lease(client, world, db, settings):
    (case_id,) = _cases(client, world, db, settings, [{"priority": 40}])
    moderator_id, moderator = world.user("moderator")
    before = utcnow()
    assert _claim(client, moderator) == case_id
    with db.session() as s:
        pending = s.scalars(select(PendingAuditEvent).where(PendingAuditEvent.entity_id == case_id,
                                                            PendingAuditEvent.action == "case.claimed")).all()
        case = s.get(Case, case_id)
        assert case.status == "leased" and case.lease_owner == moderator_id
        assert case.updated_at >= before  # as the ORM's onupdate would have set it
    chain_all(db)
    with db.session() as s:
        (claimed,) = s.scalars(select(AuditEvent).where(AuditEvent.entity_id == case_id,
                                                        AuditEvent.action == "case.claimed")).all()
    assert len(pending) <= 1  # the chainer thread may have moved it already
    assert claimed.actor == f"user:{moderator_id}"
    assert claimed.data["expired_lease_of"] is None
    assert claimed.data["lease_expires_at"] == case.lease_expires_at.isoformat()


def test_lapsed_leases_the_claim_does_not_take_wait_for_the_maintenance_thread(client, world, db, settings):
    first, second = _cases(client, world, db, settings, [{"priority": 90}, {"priority": 80}])
    a = world.key("moderator")
    assert [_claim(client, a), _claim(client, a)] == [first, second]
    with db.session() as s:
        for case_id in (first, second):
            s.get(Case, case_id).lease_expires_at = utcnow() - timedelta(seconds=1)
    assert _claim(client, world.key("moderator")) == first
    with db.session() as s:
        assert s.get(Case, second).status == "leased"  # lapsed, still claimable in its place
        assert expire_stale_leases(s) == [second]
    with db.session() as s:
        assert s.get(Case, second).status == "open" and s.get(Case, second).lease_owner is None


def test_the_claim_statement_keeps_one_generic_plan(client, world, db, settings):
    """Its connections prepare it at once and never re-plan it per run (planning was half
    of the claim's time in PostgreSQL); the ORM's connections are left as they were."""
    from sqlalchemy import text

    from salingjaga.moderation.claim_statement import statement

    _cases(client, world, db, settings, [{"priority": 10}, {"priority": 20}, {"priority": 30}])
    moderator_id, _ = world.user("moderator")
    now = utcnow()
    params = {"user_id": moderator_id, "actor": f"user:{moderator_id}", "now": now,
              "until": now + timedelta(minutes=15), "until_text": "", "at": now, "level": "moderator"}
    with db.generic_plan_engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        assert conn.execute(text("SHOW plan_cache_mode")).scalar() == "force_generic_plan"
        taken = [conn.execute(statement(), params).first() for _ in range(3)]
        assert all(row is not None for row in taken) and len({row.id for row in taken}) == 3
        plans = conn.execute(text("SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE "
                                  "statement LIKE '%WITH waiting AS%' AND statement NOT LIKE '%pg_prepared%'")).one()
    assert plans.generic_plans == 3 and plans.custom_plans == 0
    with db.engine.connect() as conn:
        assert conn.execute(text("SHOW plan_cache_mode")).scalar() == "auto"
