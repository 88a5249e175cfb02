"""Guide pages and their versions, notice-tag assignments, and reach counters.

A page is one slot of the guide (a section, a region's candidate list, or the notice-tag
text) for one election and language; its versions are never deleted or changed once
approved, so any earlier published version can be made current again.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from salingjaga.core.db import Base, JSONType, UTCDateTime
from salingjaga.core.timeutil import utcnow

PAGE_KINDS = ("section", "region", "tag")
VERSION_STATUSES = ("draft", "published", "rejected")


class GuidePage(Base):
    """One slot of the guide; ``current_version_id`` is what the public sees (None: nothing
    published yet)."""

    __tablename__ = "guide_pages"
    __table_args__ = (
        UniqueConstraint("election", "lang", "kind", "key", name="uq_guide_pages_slot"),
        Index("ix_guide_pages_election_lang", "election", "lang"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    election: Mapped[str] = mapped_column(String(60))
    lang: Mapped[str] = mapped_column(String(5))
    kind: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(60))
    current_version_id: Mapped[str | None] = mapped_column(String(40))
    current_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GuideVersion(Base):
    """A version of a page: a draft until a second editor approves it, then published and
    immutable."""

    __tablename__ = "guide_versions"
    __table_args__ = (
        UniqueConstraint("page_id", "number", name="uq_guide_versions_page_number"),
        Index("ix_guide_versions_page_status", "page_id", "status"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    page_id: Mapped[str] = mapped_column(ForeignKey("guide_pages.id", ondelete="RESTRICT"))
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    title: Mapped[str] = mapped_column(String(300))
    body_md: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    author_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(40))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text, default="")


class TagAssignment(Base):
    """That a content item carries the election notice tag; one row per item so counts of
    tagged items are exact. A removed tag stays as a row (``removed_at``) so a re-scan does
    not put back what a person took off."""

    __tablename__ = "guide_tag_assignments"
    __table_args__ = (Index("ix_guide_tags_election_day", "election", "day"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    content_id: Mapped[str] = mapped_column(
        ForeignKey("content_items.id", ondelete="CASCADE"), unique=True
    )
    election: Mapped[str] = mapped_column(String(60))
    region_code: Mapped[str | None] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(20))  # detection | moderator | service
    day: Mapped[date] = mapped_column(Date)  # WIB day the tag was applied
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(80))
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    removed_by: Mapped[str | None] = mapped_column(String(80))


class ReachCounter(Base):
    """A count per WIB day, election, region ("" when none given, "*" for all) and metric."""

    __tablename__ = "guide_reach_daily"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    election: Mapped[str] = mapped_column(String(60), primary_key=True)
    region: Mapped[str] = mapped_column(String(16), primary_key=True)
    metric: Mapped[str] = mapped_column(String(40), primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger, default=0)


class VisitorHash(Base):
    """A visitor seen on a day, as an HMAC of the platform's user id under that day's salt:
    it dedupes within the day and cannot be linked across days or reversed once the salt
    is purged."""

    __tablename__ = "guide_visitor_hashes"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    election: Mapped[str] = mapped_column(String(60), primary_key=True)
    region: Mapped[str] = mapped_column(String(16), primary_key=True)
    user_hash: Mapped[str] = mapped_column(String(64), primary_key=True)


class DailySalt(Base):
    """The random salt of one day's visitor hashes."""

    __tablename__ = "guide_salts"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    salt: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EventBatch(Base):
    """A batch of reach events already counted, by the sender's ``Idempotency-Key``: a
    retried batch is answered from here and not counted twice."""

    __tablename__ = "guide_event_batches"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    result: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class TagVersion(Base):
    """How often the notice tags of one bucket of content items (or, in bucket
    ``tagcache.TEXTS``, the tag texts) changed: each API process keeps tags in memory and
    reads these counters once per look-up to know which of its entries are still exact."""

    __tablename__ = "guide_tag_versions"

    bucket: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
