"""Tables of the fact-check database and of referrals to fact-checking partners."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from salingjaga.core.db import Base, JSONType, UTCDateTime
from salingjaga.core.timeutil import utcnow


class FactCheck(Base):
    """One reviewed claim (the shape of schema.org ClaimReview). ``dedup_key`` (the review
    URL, or publisher and claim text) makes a re-import update the row instead of adding a
    second one."""

    __tablename__ = "factchecks"
    __table_args__ = (Index("ix_factchecks_updated", "updated_at"),
                      Index("ix_factchecks_partner_created", "partner_id", "created_at"))

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    dedup_key: Mapped[str] = mapped_column(String(64), unique=True)
    claim: Mapped[str] = mapped_column(Text)
    claimant: Mapped[str | None] = mapped_column(String(500))
    claim_date: Mapped[datetime | None] = mapped_column(UTCDateTime)
    appearance_urls: Mapped[list[str]] = mapped_column(JSONType, default=list)
    verdict: Mapped[str] = mapped_column(String(20), index=True)
    rating: Mapped[str] = mapped_column(String(200), default="")
    publisher: Mapped[str] = mapped_column(String(300), default="")
    review_url: Mapped[str | None] = mapped_column(String(2000))
    review_date: Mapped[datetime | None] = mapped_column(UTCDateTime)
    language: Mapped[str | None] = mapped_column(String(10))
    # the review article's headline when it differs from the claim (matched beside it)
    headline: Mapped[str] = mapped_column(Text, default="", server_default="")
    source: Mapped[str] = mapped_column(String(20), default="import")  # import | api | referral
    partner_id: Mapped[str | None] = mapped_column(ForeignKey("partners.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Referral(Base):
    """A content item sent to a fact-checking partner; done when its verdict comes back."""

    __tablename__ = "factcheck_referrals"
    __table_args__ = (Index("ix_referrals_partner_status", "partner_id", "status"),
                      Index("ix_referrals_created", "created_at"))

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    content_id: Mapped[str] = mapped_column(ForeignKey("content_items.id", ondelete="RESTRICT"), index=True)
    partner_id: Mapped[str] = mapped_column(ForeignKey("partners.id", ondelete="RESTRICT"))
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="sent")  # sent | done
    referred_by: Mapped[str] = mapped_column(String(80))
    factcheck_id: Mapped[str | None] = mapped_column(ForeignKey("factchecks.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
