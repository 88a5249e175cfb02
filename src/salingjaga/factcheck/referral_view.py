"""Referrals and fact-checks as the lists of the desk and the console count them: a page of
referrals by state, their total, what a fact-checking organisation answered or added this
week, and how long it takes to answer. The lists and the home panels read these same
queries, so a figure on a home is the total of the list it links to.

Who sees what is the fact-check domain's rule (``service.visible_referrals``): a
fact-checker the referrals sent to its organisation, staff every referral.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, false, func, select
from sqlalchemy.orm import Session

from salingjaga.auth.principal import Principal
from salingjaga.core.timeutil import wib_week_began as week_began
from salingjaga.factcheck.models import FactCheck, Referral

STATES = ("sent", "done")
PERIODS = ("week",)  # "answered / added this week" filters


def _referrals(who: Principal, state: str, period: str, now: datetime | None, *columns: Any) -> Select[Any]:
    q: Select[Any] = select(*columns).select_from(Referral) if columns else select(Referral)
    if who.role == "fact_checker":
        q = q.where(Referral.partner_id == who.partner_id) if who.partner_id else q.where(false())
    if state in STATES:
        q = q.where(Referral.status == state)
    if period == "week":
        q = q.where(Referral.status == "done", Referral.completed_at >= week_began(now))
    return q


def referral_count(session: Session, who: Principal, state: str = "", period: str = "",
                   now: datetime | None = None) -> int:
    """How many referrals a list of this state ("" any) and period ("week": answered this
    week) holds over all its pages."""
    return int(session.scalar(_referrals(who, state, period, now, func.count())) or 0)


def referral_page(session: Session, who: Principal, state: str = "", period: str = "",
                  limit: int = 200, offset: int = 0, now: datetime | None = None) -> list[Referral]:
    """One page of those referrals, newest first (``ix_referrals_created``)."""
    q = _referrals(who, state, period, now).order_by(Referral.created_at.desc(), Referral.id)
    return list(session.scalars(q.limit(limit).offset(offset)))


def state_counts(session: Session, who: Principal) -> dict[str, int]:
    """The referrals this person may see, counted by state."""
    rows = session.execute(_referrals(who, "", "", None, Referral.status, func.count()).group_by(Referral.status))
    counts = dict.fromkeys(STATES, 0)
    for state, n in rows:
        counts[str(state)] = counts.get(str(state), 0) + int(n)
    return counts


def median_seconds_to_answer(session: Session, who: Principal) -> float | None:
    """The median time from a referral being sent to its verdict (None before any)."""
    rows = session.execute(_referrals(who, "done", "", None, Referral.created_at, Referral.completed_at)
                           .where(Referral.completed_at.is_not(None)))
    waits = sorted((done - sent).total_seconds() for sent, done in rows)
    return waits[len(waits) // 2] if waits else None


def _claims(who: Principal, period: str, now: datetime | None, *columns: Any) -> Select[Any]:
    q: Select[Any] = select(*columns).select_from(FactCheck) if columns else select(FactCheck)
    q = q.where(FactCheck.partner_id == who.partner_id) if who.partner_id else q.where(false())
    if period == "week":
        q = q.where(FactCheck.created_at >= week_began(now))
    return q


def claim_count(session: Session, who: Principal, period: str = "", now: datetime | None = None) -> int:
    """How many fact-checks this person's organisation added (``period`` "week": this week)."""
    return int(session.scalar(_claims(who, period, now, func.count())) or 0)


def claim_page(session: Session, who: Principal, period: str = "", limit: int = 200, offset: int = 0,
               now: datetime | None = None) -> list[FactCheck]:
    """One page of those fact-checks, newest first."""
    q = _claims(who, period, now).order_by(FactCheck.created_at.desc(), FactCheck.id)
    return list(session.scalars(q.limit(limit).offset(offset)))
