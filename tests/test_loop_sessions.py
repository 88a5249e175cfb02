"""Transactions run from the event loop (``salingjaga.core.loop_sessions``), on either database."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from salingjaga.core.loop_sessions import LoopSessions
from salingjaga.partners.models import Partner
from salingjaga.partners.service import create_partner


def _partners(db) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(Partner)) or 0)


def test_work_is_committed_or_rolled_back_as_one_transaction(db):
    sessions = LoopSessions(db)
    assert sessions.on_loop == (db.dialect == "postgresql")

    def add(session: Session, name: str) -> str:
        return create_partner(session, name=name, kind="fact_checker", region=None, organisation=name.lower(),
                              trusted=True, policies=["misinformation"]).id

    def add_then_fail(session: Session) -> None:
        add(session, "Gagal")
        raise RuntimeError("the work failed after writing")

    async def scenario() -> str:
        try:
            made = await sessions.run(add, "Cek Fakta")
            with pytest.raises(RuntimeError):
                await sessions.run(add_then_fail)
            return made
        finally:
            await sessions.aclose()

    made = asyncio.run(scenario())
    assert made.startswith("prt") and _partners(db) == 1
    # A second event loop gets its own connections.
    assert asyncio.run(_count_on_new_loop(sessions)) == 1


async def _count_on_new_loop(sessions: LoopSessions) -> int:
    try:
        return await sessions.run(lambda s: int(s.scalar(select(func.count()).select_from(Partner)) or 0))
    finally:
        await sessions.aclose()
