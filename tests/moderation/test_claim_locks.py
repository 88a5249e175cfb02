"""A claim locks the case it takes without blocking the foreign-key checks of others: a
notice that joins a claimed case checks the case row (``FOR KEY SHARE``) while the claim's
transaction still holds it. With ``FOR UPDATE`` that check waited for the claim, and a claim
waiting in its turn for the audit chain's lock, which the notice's intake held, deadlocked
the two (seen as a 500 under a burst on two servers)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from salingjaga.auth.principal import Principal
from salingjaga.core.ids import new_id
from salingjaga.moderation import claim_statement
from salingjaga.moderation.queue import claim_next
from tests.conftest import use_postgres
from tests.moderation.test_claim import _cases


@pytest.fixture
def settings(settings, request):
    if not use_postgres(request.config):
        pytest.skip("row lock modes are PostgreSQL's (make test-postgres / CI)")
    return settings


def test_a_claimed_case_can_still_be_referred_to(client, world, db, settings):
    (case_id,) = _cases(client, world, db, settings, [{"priority": 50}])
    who = Principal(user_id=new_id("usr"), role="moderator", name="m")
    with db.session() as claiming:
        claimed = claim_next(claiming, who, settings, overdue_first=False)
        assert claimed is not None and claimed.id == case_id  # its row is locked until commit
        with db.engine.connect() as other:
            other.execute(text("SET lock_timeout = '3s'"))
            # what PostgreSQL runs for a new notice_cases row: it must not wait for the claim
            found = other.execute(text("SELECT 1 FROM cases WHERE id = :id FOR KEY SHARE"), {"id": case_id})
            assert found.scalar() == 1
            other.rollback()


def test_the_one_statement_claim_takes_the_same_lock() -> None:
    sql = str(claim_statement.statement())
    assert "FOR NO KEY UPDATE SKIP LOCKED" in sql and "FOR UPDATE SKIP LOCKED" not in sql
