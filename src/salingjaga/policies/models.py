"""The policy library's versions: the text of one policy's page in one language, written by
a policy lead and published only when a second one approves it (four eyes)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from salingjaga.core.db import Base, JSONType, UTCDateTime
from salingjaga.core.timeutil import utcnow

LIBRARY_SECTIONS = ("covers", "breaks", "allowed", "good_notice")


class LibraryVersion(Base):
    """``status``: ``draft`` (waiting for a second policy lead), ``published`` (the page's
    text; at most one per policy and language), ``superseded`` or ``rejected``."""

    __tablename__ = "policy_library_versions"
    __table_args__ = (Index("ix_policy_library_versions_page", "policy", "language", "status"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    policy: Mapped[str] = mapped_column(String(60))
    language: Mapped[str] = mapped_column(String(5))
    number: Mapped[int] = mapped_column(Integer)
    sections: Mapped[dict[str, str]] = mapped_column(JSONType)
    note: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(20), default="draft")
    author_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    approver_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
