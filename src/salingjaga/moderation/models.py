"""Tables of the moderation workflow: cases, decisions, statements, appeals, notifications
and webhook deliveries. The notice tables are the ``notices`` domain's (``notices.models``);
they point at cases, never the other way round."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Boolean, ColumnElement, ForeignKey, Index, Integer, String, Table, Text, literal_column, text
from sqlalchemy.orm import Mapped, mapped_column

from salingjaga.core.db import Base, JSONType, UTCDateTime
from salingjaga.core.timeutil import utcnow

__all__ = [
    "Appeal", "Case", "Decision", "Notification", "Statement", "WebhookDelivery",
]

CASE_STATUSES = ("open", "leased", "on_hold", "escalated", "decided")
CASE_LEVELS = ("moderator", "senior_moderator", "policy_lead")


class Case(Base):
    """One piece of content under review (or one appeal). ``open_content_id`` equals
    ``content_id`` while a review case is undecided and is NULL otherwise: its unique
    constraint makes "one open case per content" hold even under concurrent notices."""

    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_content", "content_id"),
        Index("ix_cases_lease", "lease_expires_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    content_id: Mapped[str] = mapped_column(ForeignKey("content_items.id", ondelete="RESTRICT"))
    open_content_id: Mapped[str | None] = mapped_column(String(40), unique=True)
    account_id: Mapped[str | None] = mapped_column(String(40), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="review")  # review | appeal | second_review
    status: Mapped[str] = mapped_column(String(12), default="open")
    level: Mapped[str] = mapped_column(String(20), default="moderator")
    priority: Mapped[int] = mapped_column(Integer, default=0)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    policy: Mapped[str] = mapped_column(String(60))
    source: Mapped[str] = mapped_column(String(20))  # the most urgent source so far
    sources: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    reasons: Mapped[list[str]] = mapped_column(JSONType, default=list)
    signal_refs: Mapped[list[str]] = mapped_column(JSONType, default=list)
    notify_partner_ids: Mapped[list[str]] = mapped_column(JSONType, default=list)
    tight: Mapped[bool] = mapped_column(Boolean, default=False)
    lease_owner: Mapped[str | None] = mapped_column(String(40))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hold_reason: Mapped[str | None] = mapped_column(String(500))
    escalation_note: Mapped[str | None] = mapped_column(String(2000))
    appeal_id: Mapped[str | None] = mapped_column(String(40))
    excluded_user_id: Mapped[str | None] = mapped_column(String(40))  # who may not decide it
    # A second_review case: the (main) decision it confirms or overturns.
    review_of_decision_id: Mapped[str | None] = mapped_column(String(40), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# Cases a claim may take. Index and query spell the statuses as literal SQL, not bound
# parameters: PostgreSQL uses a partial index only when it can prove the query's WHERE
# implies the index's, which it cannot do for a parameter in a generic prepared plan.
WAITING_STATUSES = ("open", "escalated")
WAITING_SQL = "status IN ({})".format(", ".join(f"'{s}'" for s in WAITING_STATUSES))


def waiting() -> ColumnElement[bool]:
    """``cases.status IN ('open', 'escalated')`` with the statuses inlined (see WAITING_SQL).
    On the table's column, not the mapped attribute, so a Core statement using it stays
    Core (an ORM-annotated column makes the whole statement ORM-enabled)."""
    return cast(Table, Case.__table__).c.status.in_([literal_column(f"'{s}'") for s in WAITING_STATUSES])


# The walk of claim_next: the waiting cases of one level in claim order (priority
# descending, then nearest deadline, then oldest, then id: the console's order), so the
# first unlocked entry is the answer. Only waiting
# rows are in it: leased and decided cases (most of the table over time) cost it nothing,
# and a claim leaves it instead of moving to another place in it.
Index("ix_cases_waiting", Case.level, Case.priority.desc(), Case.deadline, Case.created_at, Case.id,
      postgresql_where=text(WAITING_SQL), sqlite_where=text(WAITING_SQL))


class Decision(Base):
    """What was done about a content item or account, by whom or by which rule, and why."""

    __tablename__ = "decisions"
    __table_args__ = (
        Index("ix_decisions_decided_at", "decided_at"),
        Index("ix_decisions_policy", "policy"),
        Index("ix_decisions_action", "action"),
        Index("ix_decisions_content", "content_id"),
        Index("ix_decisions_account", "account_id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id", ondelete="RESTRICT"), index=True)
    content_id: Mapped[str | None] = mapped_column(String(40))
    account_id: Mapped[str | None] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(10), default="content")  # content | account | appeal | review
    action: Mapped[str] = mapped_column(String(30))
    policy: Mapped[str] = mapped_column(String(60))
    legal_ground: Mapped[str | None] = mapped_column(String(500))
    facts: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str | None] = mapped_column(String(40))
    automated_detection: Mapped[bool] = mapped_column(Boolean, default=False)
    automated_decision: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(20))
    rule: Mapped[str | None] = mapped_column(String(200))
    details: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    previous_state: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    statement_id: Mapped[str | None] = mapped_column(String(40))
    reverses_id: Mapped[str | None] = mapped_column(String(40))
    appeal_id: Mapped[str | None] = mapped_column(String(40))
    reversed_by_id: Mapped[str | None] = mapped_column(String(40))
    # None when no second review is due; else pending | confirmed | overturned | superseded.
    second_review: Mapped[str | None] = mapped_column(String(12))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Statement(Base):
    """A statement of reasons as DSA Transparency Database JSON (``data``)."""

    __tablename__ = "statements"
    __table_args__ = (Index("ix_statements_created_at", "created_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    decision_id: Mapped[str] = mapped_column(ForeignKey("decisions.id", ondelete="RESTRICT"), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Appeal(Base):
    """An appeal against a decision, by its creator or by a notifier when nothing was done."""

    __tablename__ = "appeals"
    __table_args__ = (Index("ix_appeals_created_at", "created_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    decision_id: Mapped[str] = mapped_column(ForeignKey("decisions.id", ondelete="RESTRICT"), index=True)
    case_id: Mapped[str | None] = mapped_column(String(40), index=True)
    appellant: Mapped[str] = mapped_column(String(10))  # creator | notifier
    appellant_partner_id: Mapped[str | None] = mapped_column(String(40))
    appellant_user_id: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default="open")  # open | upheld | reversed | changed
    outcome_decision_id: Mapped[str | None] = mapped_column(String(40))
    decided_by: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Notification(Base):
    """A message to a creator (an account) or a notifier (a partner or a user)."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_recipient", "recipient_type", "recipient_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    recipient_type: Mapped[str] = mapped_column(String(10))  # account | partner | user
    recipient_id: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(30))
    decision_id: Mapped[str | None] = mapped_column(String(40), index=True)
    notice_id: Mapped[str | None] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WebhookDelivery(Base):
    """One notification on its way to a partner's webhook, retried with backoff."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_due", "status", "next_attempt_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    partner_id: Mapped[str] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"), index=True)
    notification_id: Mapped[str] = mapped_column(String(40))
    url: Mapped[str] = mapped_column(String(2000))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending | delivered | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(500))
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
