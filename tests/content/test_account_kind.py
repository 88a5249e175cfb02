"""``content.service.set_account_kind``: the one writer of an account's kind, called by the
election rules (classification review, the kind endpoint)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from salingjaga.audit.models import AuditEvent
from salingjaga.audit.service import chain_all
from salingjaga.content.service import set_account_kind
from salingjaga.core.errors import Invalid
from tests.conftest import bearer

ACCOUNT = {"platform_id": "acc-kind", "handle": "pemkot_contoh", "display_name": "Pemkot Contoh",
           "kind": "personal"}


def _kind_events(db, account_id: str) -> list[dict]:
    chain_all(db)  # in deferred audit mode the events wait for the chainer
    with db.session() as s:
        return [e.data for e in s.scalars(
            select(AuditEvent).where(AuditEvent.entity_id == account_id, AuditEvent.action == "account.kind_changed")
            .order_by(AuditEvent.position))]


def test_set_account_kind_records_each_change_once(client, world, db):
    account_id = client.post("/api/v1/accounts", json=ACCOUNT, headers=bearer(world.key("service"))).json()["id"]
    with db.session() as s:
        # By the platform's id, as the kind endpoint may be called.
        account = set_account_kind(s, "acc-kind", "government", "user:reviewer", source="reviewer")
        assert (account.id, account.kind, account.kind_source) == (account_id, "government", "reviewer")
        set_account_kind(s, account_id, "government", "user:reviewer", source="reviewer")  # no change
        s.commit()
    assert _kind_events(db, account_id) == [{"from": "personal", "to": "government", "source": "reviewer"}]
    # A reviewer's kind is pinned: platform intake no longer overwrites it.
    service = bearer(world.key("service"))
    client.post("/api/v1/accounts", json=ACCOUNT, headers=service)
    got = client.get("/api/v1/accounts/acc-kind", headers=service).json()
    assert got["kind"] == "government"


def test_set_account_kind_refuses_an_unknown_kind(client, world, db):
    client.post("/api/v1/accounts", json=ACCOUNT, headers=bearer(world.key("service")))
    with db.session() as s, pytest.raises(Invalid, match="unknown account kind 'alien'"):
        set_account_kind(s, "acc-kind", "alien", "system", source="reviewer")
