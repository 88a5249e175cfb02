"""Detection tables: signals, hash banks and their entries, and the fingerprints that
near-duplicate and coordination look-ups search. Unique keys make redelivery idempotent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from salingjaga.core.db import Base, JSONType, UTCDateTime
from salingjaga.core.timeutil import utcnow

# BIGINT on PostgreSQL (banks reach 10 million rows), INTEGER for SQLite's rowid key.
BigIntPK = BigInteger().with_variant(Integer(), "sqlite")


class Signal(Base):
    """One detector's finding about one content item, with its readable explanation."""

    __tablename__ = "detection_signals"
    __table_args__ = (
        UniqueConstraint("content_id", "type", "key", name="uq_detection_signals_content_type_key"),
        Index("ix_detection_signals_type_created", "type", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    content_id: Mapped[str] = mapped_column(ForeignKey("content_items.id", ondelete="CASCADE"),
                                            index=True)
    type: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(120), default="")
    policy: Mapped[str] = mapped_column(String(60))
    score: Mapped[float] = mapped_column(Float)
    explanation: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class HashBank(Base):
    """A named bank of known media hashes; ``action`` "remove" marks media already removed,
    whose exact match may be acted on automatically."""

    __tablename__ = "detection_hash_banks"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    policy: Mapped[str] = mapped_column(String(60), default="misinformation")
    action: Mapped[str] = mapped_column(String(30), default="review")  # review | remove
    pdq_threshold: Mapped[int] = mapped_column(Integer, default=31)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class HashBankEntry(Base):
    """One hash in a bank: ``kind`` pdq (perceptual) or md5 (exact file)."""

    __tablename__ = "detection_bank_entries"
    __table_args__ = (
        UniqueConstraint("bank_id", "kind", "value", name="uq_detection_bank_entries_bank_kind_value"),
        Index("ix_detection_bank_entries_kind_value", "kind", "value"),
        Index("ix_detection_bank_entries_bank_source", "bank_id", "source"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    bank_id: Mapped[str] = mapped_column(ForeignKey("detection_hash_banks.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    value: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(300), default="")
    # where the hash came from (a feed, a file), so a source's entries can be removed together
    source: Mapped[str] = mapped_column(String(120), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class VpdqVideo(Base):
    """One banked video's vPDQ hash (the ThreatExchange signal string: every sampled
    frame's PDQ hash, quality and time)."""

    __tablename__ = "detection_vpdq_videos"
    __table_args__ = (
        UniqueConstraint("bank_id", "video_id", name="uq_detection_vpdq_videos_bank_video"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    bank_id: Mapped[str] = mapped_column(ForeignKey("detection_hash_banks.id", ondelete="CASCADE"))
    video_id: Mapped[str] = mapped_column(String(200))
    label: Mapped[str] = mapped_column(String(300), default="")
    source: Mapped[str] = mapped_column(String(120), default="")
    signal: Mapped[str] = mapped_column(Text)
    frames: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BankState(Base):
    """One row: the banks' version, bumped in the transaction of every change to entries,
    videos or bank settings, so a worker learns of a change from one primary-key read.
    ``epoch`` is new whenever the row is created (a fresh or restored database)."""

    __tablename__ = "detection_bank_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    epoch: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(BigInteger, default=0)


class BankRemoval(Base):
    """A removed bank entry or video, so workers remove it from their index in place."""

    __tablename__ = "detection_bank_removals"

    seq: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(10))  # "entry" or "video"
    item_id: Mapped[int] = mapped_column(BigInteger)
    removed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Fingerprint(Base):
    """A band of an item's text SimHash or media PDQ hash, so near-duplicates are found
    with an indexed equality look-up instead of a scan."""

    __tablename__ = "detection_fingerprints"
    __table_args__ = (
        UniqueConstraint("content_id", "band", name="uq_detection_fingerprints_content_band"),
        Index("ix_detection_fingerprints_band_posted", "band", "posted_at"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    content_id: Mapped[str] = mapped_column(ForeignKey("content_items.id", ondelete="CASCADE"))
    account_id: Mapped[str] = mapped_column(String(40))
    band: Mapped[str] = mapped_column(String(24))
    value: Mapped[str] = mapped_column(String(64))
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OcrText(Base):
    """The text OCR read from one media file, kept by the file's SHA-256 so a repost of
    the same image or video is not read again."""

    __tablename__ = "detection_ocr_texts"

    media_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    engine: Mapped[str] = mapped_column(String(80))
    frames: Mapped[list[Any]] = mapped_column(JSONType, default=list)  # [[seconds or null, text]]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
