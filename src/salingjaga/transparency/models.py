"""The daily rollup that keeps reports fast over millions of decisions.

One row per WIB day and combination of the dimensions a report filters or groups by, with
the number of decisions. It is derived data: ``queries.refresh_rollup`` rebuilds exactly
the days whose raw decision count no longer matches (decisions are append-only, so a
changed count is the sign of new rows, including back-dated ones), and a report refreshes
its own period first. No foreign keys: the moderation tables stay theirs to change.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from salingjaga.db import Base, UTCDateTime
from salingjaga.timeutil import utcnow


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
