"""Tables of the election rules: candidates, official campaign accounts, public-service ad
approvals, gate refusals (counted in transparency reports), escalations, classification
proposals, campaign findings and ad reviews."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from salingjaga.core.db import Base, JSONType, UTCDateTime
from salingjaga.core.timeutil import utcnow


class Candidate(Base):
    """A candidate or candidate pair registered by KPU for one race: an election and a region
    (None for a national race). ``number`` is the ballot number (nomor urut)."""

    __tablename__ = "rules_candidates"
    __table_args__ = (UniqueConstraint("election", "region_key", "number", name="uq_rules_candidates_number"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    election: Mapped[str] = mapped_column(String(60), index=True)
    region_code: Mapped[str | None] = mapped_column(String(16))
    # "national" or the region code: a unique key that NULL would not enforce.
    region_key: Mapped[str] = mapped_column(String(16))
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(300))
    members: Mapped[list[str]] = mapped_column(JSONType, default=list)
    parties: Mapped[list[str]] = mapped_column(JSONType, default=list)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CampaignAccount(Base):
    """An official campaign account registered with KPU. Its status follows from the date:
    active only between ``valid_from`` and ``valid_to`` (at most the campaign period)."""

    __tablename__ = "rules_campaign_accounts"
    __table_args__ = (
        UniqueConstraint("election", "platform", "platform_account", name="uq_rules_campaign_accounts_account"),
        Index("ix_rules_campaign_accounts_count", "candidate_id", "platform"),
        Index("ix_rules_campaign_accounts_platform_account", "platform_account"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    election: Mapped[str] = mapped_column(String(60))
    region_code: Mapped[str | None] = mapped_column(String(16))
    candidate_id: Mapped[str] = mapped_column(ForeignKey("rules_candidates.id", ondelete="RESTRICT"))
    platform: Mapped[str] = mapped_column(String(80))
    platform_account: Mapped[str] = mapped_column(String(200))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)
    registered_by: Mapped[str] = mapped_column(String(80))
    registered_by_partner: Mapped[str | None] = mapped_column(String(40))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PsaApproval(Base):
    """An approval on record that lets a government account run public-service ads."""

    __tablename__ = "rules_psa_approvals"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    reference: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    approved_by: Mapped[str] = mapped_column(String(80))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GateRefusal(Base):
    """One refused feature attempt; counted for transparency reports and escalation."""

    __tablename__ = "rules_gate_refusals"
    __table_args__ = (
        Index("ix_rules_gate_refusals_at", "at"),
        Index("ix_rules_gate_refusals_account_at", "account_id", "at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    account_kind: Mapped[str] = mapped_column(String(30))
    feature: Mapped[str] = mapped_column(String(40))
    rule: Mapped[str] = mapped_column(String(80))
    source: Mapped[str] = mapped_column(String(20), default="gate")  # gate | ad_review
    escalates: Mapped[bool] = mapped_column(default=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GateEscalation(Base):
    """A case opened because an account kept trying refused features."""

    __tablename__ = "rules_gate_escalations"
    __table_args__ = (Index("ix_rules_gate_escalations_account_at", "account_id", "at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    refusals: Mapped[int] = mapped_column(Integer)
    case_id: Mapped[str | None] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ClassificationProposal(Base):
    """A proposed GPPPA kind for an account, waiting for a person to confirm or reject."""

    __tablename__ = "rules_classification_proposals"
    __table_args__ = (
        UniqueConstraint("account_id", "proposed_kind", name="uq_rules_classification_proposals_account"),
        Index("ix_rules_classification_proposals_status", "status"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    proposed_kind: Mapped[str] = mapped_column(String(30))
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending|confirmed|rejected
    decided_kind: Mapped[str | None] = mapped_column(String(30))
    decided_by: Mapped[str | None] = mapped_column(String(80))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CampaignFinding(Base):
    """What the campaign rules found in one content item; one row per item makes the stream
    handler idempotent (a redelivered message opens no second case)."""

    __tablename__ = "rules_campaign_findings"

    content_id: Mapped[str] = mapped_column(ForeignKey("content_items.id", ondelete="CASCADE"), primary_key=True)
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    region_code: Mapped[str | None] = mapped_column(String(16))
    notify_partner_id: Mapped[str | None] = mapped_column(String(40))
    case_id: Mapped[str | None] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class AdReview(Base):
    """The outcome of one ad review, kept for transparency (political ads rejected)."""

    __tablename__ = "rules_ad_reviews"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    ad_id: Mapped[str | None] = mapped_column(String(200))
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(30))
    decision: Mapped[str] = mapped_column(String(20))
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
