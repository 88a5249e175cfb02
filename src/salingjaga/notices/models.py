"""Notice tables: a DSA Art. 16 notice, the cases it joined and its evidence files. This
domain alone writes them; moderation's case events (``moderation.events``) move a notice
along with its cases (``notices.case_events``).

Which migrations made them (ownership in a migration history already applied cannot be
rewritten): ``notices``, ``notice_cases`` and ``notice_evidence`` were created by
``0200_moderation`` (the moderation branch, when notices lived beside the cases),
``ix_notice_cases_case`` by ``0206_claim_index``, and ``notices.priority_note`` by
``partners_0001``, which is now the first script of the ``notices`` branch. New notice
migrations chain from the ``notices`` branch head.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from salingjaga.core.db import Base, JSONType, UTCDateTime
from salingjaga.core.timeutil import utcnow

NOTICE_STATUSES = ("received", "in_review", "decided", "appealed")


class Notice(Base):
    """A notice from a partner (trusted flagger or not) or an ordinary user.

    ``submitter`` is the partner id (partner keys) or the user id (users, services): the
    idempotency key is unique per submitter.
    """

    __tablename__ = "notices"
    __table_args__ = (
        UniqueConstraint("submitter", "idempotency_key", name="uq_notices_submitter_key"),
        Index("ix_notices_received_at", "received_at"),
        Index("ix_notices_partner_received", "partner_id", "received_at"),
        Index("ix_notices_policy", "policy"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    partner_id: Mapped[str | None] = mapped_column(ForeignKey("partners.id", ondelete="RESTRICT"))
    reporter_user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    submitter: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(20))  # trusted_flagger | partner | user_report
    # Why a trusted flagger's notice is handled at a partner's priority (outside its policy
    # areas or its jurisdiction); None otherwise.
    priority_note: Mapped[str | None] = mapped_column(String(400))
    content_refs: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    content_ids: Mapped[list[str]] = mapped_column(JSONType, default=list)
    content_id: Mapped[str] = mapped_column(ForeignKey("content_items.id", ondelete="RESTRICT"), index=True)
    policy: Mapped[str] = mapped_column(String(60))
    legal_ground: Mapped[str | None] = mapped_column(String(500))
    explanation: Mapped[str] = mapped_column(Text, default="")
    region: Mapped[str | None] = mapped_column(String(16))
    election: Mapped[str | None] = mapped_column(String(60))
    contact: Mapped[str | None] = mapped_column(String(320))
    good_faith: Mapped[bool] = mapped_column(Boolean, default=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[str] = mapped_column(String(20), default="received", index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id", ondelete="RESTRICT"), index=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_id: Mapped[str | None] = mapped_column(String(40))
    outcome: Mapped[str | None] = mapped_column(String(30))  # the decision's action


class NoticeCase(Base):
    """Which case each content item of a notice joined (a notice may name several items)."""

    __tablename__ = "notice_cases"

    notice_id: Mapped[str] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="RESTRICT"), primary_key=True)
    content_id: Mapped[str] = mapped_column(String(40))


# The notices of a case (claim, decision, appeal): the primary key starts with notice_id.
Index("ix_notice_cases_case", NoticeCase.case_id)


class NoticeEvidence(Base):
    """An evidence file of a notice, stored content-addressed with its SHA-256."""

    __tablename__ = "notice_evidence"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    notice_id: Mapped[str] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200), default="")
    mime: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
