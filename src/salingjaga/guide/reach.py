"""Reach of the guide and its notice tags, counted per WIB day, election and region.

Privacy: the platform's user ids are never stored. A guide view is reduced to an HMAC of
the user id under a random salt for that day; the hash only dedupes visitors within the
day, and once the salt and hashes are purged nothing links back to a person. Unique
visitors are counted exactly as they arrive (a counter bumped when a hash is new), so the
purge loses no totals.

The per-event work is in ``reach_batch``, the writes in ``reach_store``, and the API's
group commit (several requests' batches in one transaction) in ``reach_writer``; this
module holds the figures read back and the purge.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import Session

from salingjaga.core.errors import Invalid
from salingjaga.guide.models import DailySalt, ReachCounter, TagAssignment, VisitorHash
from salingjaga.guide.reach_batch import (
    ALL,
    MAX_BATCH,
    MAX_EVENT_AGE_DAYS,
    MIN_KEEP_DAYS,
    NONE,
    Batch,
    check_size,
    validate,
    wib_days,
)
from salingjaga.guide.reach_store import ReachJob, replays, write_group
from salingjaga.guide.schemas import EventColumns, EventIn, EventsResult
from salingjaga.guide.service import today_wib
from salingjaga.guide.tagcache import TagCache
from salingjaga.regions.elections import all_elections
from salingjaga.regions.service import all_regions

__all__ = ["ALL", "MAX_BATCH", "MAX_EVENT_AGE_DAYS", "MAX_RANGE_DAYS", "METRICS", "MIN_KEEP_DAYS", "NONE",
           "purge", "reach_summary", "record_events"]

MAX_RANGE_DAYS = 731
METRICS = ("tagged_items", "tag_impressions", "tag_clicks", "tagged_item_views", "guide_views",
           "unique_visitors")


def record_events(session: Session, events: list[EventIn] | EventColumns, idempotency_key: str | None = None,
                  tags: TagCache | None = None) -> EventsResult:
    """Count a batch of events in the session's transaction, all or nothing; a batch resent
    under the same ``Idempotency-Key`` is answered again without counting twice. The API
    counts through the server's writer instead (``reach_writer``: several requests'
    batches in one transaction); this is the same work for one batch, for callers that
    hold a session (the demo)."""
    batch = Batch(events)
    check_size(batch)
    conn = session.connection()
    if idempotency_key:
        done = replays(conn, [idempotency_key])
        if done:
            return done[idempotency_key]
    validate(batch)
    job = ReachJob(batch, wib_days(batch.at), idempotency_key or None)
    return write_group(conn, [job], tags or TagCache(0), {}).results[0]


def _region_filter(column: Any, region: str | None) -> Any:
    if region is None:
        return None
    if "." in region:
        return column == region
    return or_(column == region, column.like(region + ".%"))


def reach_summary(session: Session, start: date, end: date, election: str | None = None,
                  region: str | None = None) -> dict[str, Any]:
    """Totals and per-day figures of guide reach between two WIB days (inclusive).

    ``unique_visitors`` per day is exact; the total is the sum of daily uniques (visitor
    days), because hashes are salted per day and cannot be linked across days by design.
    A region filter includes the regencies/cities of a province.
    """
    if end < start:
        raise Invalid("'to' is before 'from'", reason="period.reversed")
    if (end - start).days > MAX_RANGE_DAYS:
        raise Invalid(f"a period spans at most {MAX_RANGE_DAYS} days", reason="period.too_long",
                      params={"n": MAX_RANGE_DAYS})
    if election is not None and election not in all_elections():
        raise Invalid(f"unknown election {election!r}", reason="election.unknown", params={"code": election})
    if region is not None and region not in all_regions():
        raise Invalid(f"unknown region code {region!r}", reason="region.unknown", params={"code": region})
    by_day: dict[date, dict[str, int]] = {}

    def bump(day: date, metric: str, n: int) -> None:
        by_day.setdefault(day, dict.fromkeys(METRICS, 0))[metric] += int(n)

    counts = (
        select(ReachCounter.day, ReachCounter.metric, func.sum(ReachCounter.count))
        .where(ReachCounter.day >= start, ReachCounter.day <= end,
               ReachCounter.metric != "unique_visitors", ReachCounter.election != ALL,
               ReachCounter.region != ALL)
        .group_by(ReachCounter.day, ReachCounter.metric))
    if election is not None:
        counts = counts.where(ReachCounter.election == election)
    if region is not None:
        counts = counts.where(_region_filter(ReachCounter.region, region))
    for day, metric, n in session.execute(counts).all():
        bump(day, metric, n)
    uniques = (select(ReachCounter.day, ReachCounter.count)
               .where(ReachCounter.day >= start, ReachCounter.day <= end,
                      ReachCounter.metric == "unique_visitors",
                      ReachCounter.election == (election or ALL),
                      ReachCounter.region == (region or ALL)))
    for day, n in session.execute(uniques).all():
        bump(day, "unique_visitors", n)
    tagged = (select(TagAssignment.day, func.count())
              .where(and_(TagAssignment.day >= start, TagAssignment.day <= end,
                          TagAssignment.removed_at.is_(None)))
              .group_by(TagAssignment.day))
    if election is not None:
        tagged = tagged.where(TagAssignment.election == election)
    if region is not None:
        tagged = tagged.where(_region_filter(TagAssignment.region_code, region))
    for day, n in session.execute(tagged).all():
        bump(day, "tagged_items", n)
    totals = dict.fromkeys(METRICS, 0)
    for values in by_day.values():
        for metric, n in values.items():
            totals[metric] += n
    return {
        "from": start.isoformat(), "to": end.isoformat(), "election": election, "region": region,
        "totals": totals,
        "by_day": [{"day": d.isoformat(), **v} for d, v in sorted(by_day.items())],
        "notes": {"unique_visitors": "exact per day; the total sums the days, since visitor "
                                     "hashes are salted per day and never linked across days",
                  "days": "calendar days in WIB (UTC+7)"},
    }


def purge(session: Session, keep_days: int) -> dict[str, Any]:
    """Delete salts and visitor hashes of days older than ``keep_days``; counts stay."""
    if keep_days < MIN_KEEP_DAYS:
        raise Invalid(f"keep at least {MIN_KEEP_DAYS} days: events up to {MAX_EVENT_AGE_DAYS} "
                      "days old are still accepted and need their day's salt", reason="guide.keep_too_short",
                      params={"n": MIN_KEEP_DAYS})
    cutoff = today_wib() - timedelta(days=keep_days)
    hashes = session.execute(delete(VisitorHash).where(VisitorHash.day < cutoff))
    salts = session.execute(delete(DailySalt).where(DailySalt.day < cutoff))
    return {"hashes": int(getattr(hashes, "rowcount", 0) or 0),
            "salts": int(getattr(salts, "rowcount", 0) or 0), "before": cutoff.isoformat()}
