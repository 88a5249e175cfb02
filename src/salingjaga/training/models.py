"""Tables of the training domain: practice notices with their grades, and completions.

Practice notices live here and nowhere else: they are never written to ``notices``, open
no case and so never reach a queue, a partner's feedback or a transparency figure."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from salingjaga.core.db import Base, JSONType, UTCDateTime
from salingjaga.core.timeutil import utcnow


class PracticeAttempt(Base):
    """One practice notice a trainee filed about a module's post, and its grade."""

    __tablename__ = "training_attempts"
    __table_args__ = (Index("ix_training_attempts_user_scenario", "user_id", "scenario"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    partner_id: Mapped[str | None] = mapped_column(ForeignKey("partners.id", ondelete="SET NULL"), index=True)
    scenario: Mapped[str] = mapped_column(String(60))
    policy: Mapped[str] = mapped_column(String(60))
    legal_ground: Mapped[str | None] = mapped_column(String(500))
    explanation: Mapped[str] = mapped_column(Text, default="")
    # what was attached: SHA-256, type and size of each file (the bytes are not kept)
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    checks: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    score: Mapped[int] = mapped_column(Integer)
    passed: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Completion(Base):
    """A trainee who passed every module; the certificate number is theirs for good. The
    office and its region are kept as they were at completion, for the figures per region."""

    __tablename__ = "training_completions"

    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    partner_id: Mapped[str | None] = mapped_column(ForeignKey("partners.id", ondelete="SET NULL"), index=True)
    certificate: Mapped[str] = mapped_column(String(40), unique=True)
    score: Mapped[int] = mapped_column(Integer)
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
