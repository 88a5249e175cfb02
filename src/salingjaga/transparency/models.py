"""The daily rollups that keep reports fast over millions of decisions and notices.

One row per WIB day and combination of the dimensions a report filters or groups by. They
are derived data: database triggers on ``decisions``, ``notices`` and ``appeals`` (installed
by the transparency migration) note every day a write touches in ``DirtyDay``, back-dated
and updated rows included, and ``rollup.refresh_rollup`` rebuilds exactly those days before
a report. No foreign keys: the moderation tables stay theirs to change.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from salingjaga.core.db import Base, UTCDateTime
from salingjaga.core.timeutil import utcnow


class DailyActions(Base):
    """Decisions per WIB day and dimension combination. Appeal outcomes (``uphold``,
    ``reverse``) are kept so that the freshness check can count raw decisions from the
    timestamp index alone; reports leave them out of the action counts.

    ``election`` and ``region`` are the decided content item's, or ``""`` when it has none
    (the empty string rather than NULL keeps the composite primary key usable everywhere).
    """

    __tablename__ = "transparency_daily_actions"
    __table_args__ = (
        Index("ix_transparency_daily_election_day", "election", "day"),
        Index("ix_transparency_daily_region_day", "region", "day"),
    )

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    election: Mapped[str] = mapped_column(String(60), primary_key=True, default="")
    region: Mapped[str] = mapped_column(String(16), primary_key=True, default="")
    policy: Mapped[str] = mapped_column(String(60), primary_key=True)
    action: Mapped[str] = mapped_column(String(30), primary_key=True)
    source: Mapped[str] = mapped_column(String(20), primary_key=True)
    automated_detection: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    automated_decision: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    decisions: Mapped[int] = mapped_column(BigInteger, default=0)


class DailyNotices(Base):
    """Notices per WIB day of receipt and dimension combination.

    ``outcome`` is the action on the notice (its case's first decision; ``""`` while
    undecided) and ``bucket`` the index in ``report.TTD_BUCKETS`` of its time to decision
    (-1 while undecided). ``partner_id`` is ``""`` for people without a partner; the
    partner's kind is looked up when reporting, so a re-classified partner needs no rebuild.
    """

    __tablename__ = "transparency_daily_notices"
    __table_args__ = (Index("ix_transparency_notices_partner_day", "partner_id", "day"),)

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    election: Mapped[str] = mapped_column(String(60), primary_key=True, default="")
    region: Mapped[str] = mapped_column(String(16), primary_key=True, default="")
    partner_id: Mapped[str] = mapped_column(String(40), primary_key=True, default="")
    source: Mapped[str] = mapped_column(String(20), primary_key=True)
    policy: Mapped[str] = mapped_column(String(60), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(30), primary_key=True, default="")
    bucket: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    notices: Mapped[int] = mapped_column(BigInteger, default=0)


class DailyTimes(Base):
    """Histogram of notice-to-decision seconds per WIB day of receipt (see ``histogram``).

    Few dimensions on purpose (election and trusted flagger or not): with a region too the
    one-minute buckets would be nearly as many rows as notices. Reports filtered by region
    compute exact percentiles from raw rows instead.
    """

    __tablename__ = "transparency_daily_times"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    election: Mapped[str] = mapped_column(String(60), primary_key=True, default="")
    trusted: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    lower: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    notices: Mapped[int] = mapped_column(BigInteger, default=0)
    low: Mapped[int] = mapped_column(BigInteger)
    high: Mapped[int] = mapped_column(BigInteger)


class DirtyDay(Base):
    """A WIB day whose rollup (``actions`` or ``notices``) a write may have changed.

    Written by triggers only. ``tx`` is the writing transaction's id on PostgreSQL (0 on
    SQLite, which has one writer at a time): each transaction adds its own row instead of
    updating a shared one, so concurrent writers never wait on each other, and a refresh
    deletes exactly the rows it read, never a mark committed after it looked.
    """

    __tablename__ = "transparency_dirty_days"

    rollup: Mapped[str] = mapped_column(String(10), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    tx: Mapped[int] = mapped_column(BigInteger, primary_key=True, default=0)


class RollupRun(Base):
    """When each refresh ran and what it rebuilt: the rollup's own small history."""

    __tablename__ = "transparency_rollup_runs"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    first_day: Mapped[date | None] = mapped_column(Date)
    last_day: Mapped[date | None] = mapped_column(Date)
    days_checked: Mapped[int] = mapped_column(BigInteger, default=0)
    days_rebuilt: Mapped[int] = mapped_column(BigInteger, default=0)
    rows_written: Mapped[int] = mapped_column(BigInteger, default=0)
