"""Reach of the guide and its notice tags, counted per WIB day, election and region.

Privacy: the platform's user ids are never stored. A guide view is reduced to an HMAC of
the user id under a random salt for that day; the hash only dedupes visitors within the
day, and once the salt and hashes are purged nothing links back to a person. Unique
visitors are counted exactly as they arrive (a counter bumped when a hash is new), so the
purge loses no totals.
"""

from __future__ import annotations

import hmac
import json
import secrets
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Date, Table, and_, bindparam, delete, func, or_, select, text
from sqlalchemy.orm import Session

from salingjaga.core.errors import Invalid
from salingjaga.guide.models import (
    DailySalt,
    EventBatch,
    ReachCounter,
    TagAssignment,
    VisitorHash,
)
from salingjaga.guide.schemas import EventColumns, EventIn, EventsResult
from salingjaga.guide.service import today_wib, wib_day
from salingjaga.guide.tagcache import TagCache, dialect_insert
from salingjaga.regions.elections import all_elections
from salingjaga.regions.service import all_regions, province_of

MAX_BATCH = 5000
# Events older than this are refused: their day's salt may already be purged, and a
# re-created salt would count the same people twice.
MAX_EVENT_AGE_DAYS = 7
MIN_KEEP_DAYS = MAX_EVENT_AGE_DAYS + 1
MAX_RANGE_DAYS = 731
ALL = "*"
NONE = ""

METRIC_OF = {"tag_impression": "tag_impressions", "tag_click": "tag_clicks",
             "guide_view": "guide_views", "content_view": "tagged_item_views"}
METRICS = ("tagged_items", "tag_impressions", "tag_clicks", "tagged_item_views", "guide_views",
           "unique_visitors")


class Batch:
    """A batch as columns, whichever form it came in (``EventIn`` objects or
    ``EventColumns``): the per-event work is a few list reads."""

    def __init__(self, body: list[EventIn] | EventColumns) -> None:
        if isinstance(body, EventColumns):
            n = len(body.type)
            self.type, self.user, self.at = body.type, body.user, body.at
            self.election = body.election or [None] * n
            self.region = body.region or [None] * n
            self.content_id = body.content_id or [None] * n
        else:
            self.type = [e.type for e in body]
            self.user = [e.user for e in body]
            self.at = [e.at for e in body]
            self.election = [e.election for e in body]
            self.region = [e.region for e in body]
            self.content_id = [e.content_id for e in body]

    def __len__(self) -> int:
        return len(self.type)


def _salt(session: Session, day: date, known: dict[date, bytes]) -> bytes:
    """The day's salt, created by the first batch of the day. A salt this process saw
    committed is kept in ``known`` (a salt never changes once committed); one this batch
    just inserted is not, since the batch may yet be refused and roll it back."""
    held = known.get(day)
    if held is not None:
        return held
    stmt = dialect_insert(session, DailySalt).values(day=day, salt=secrets.token_hex(32))
    inserted = getattr(session.execute(stmt.on_conflict_do_nothing(index_elements=["day"])), "rowcount", 1)
    salt = session.scalar(select(DailySalt.salt).where(DailySalt.day == day))
    assert salt is not None
    if not inserted:
        for old in [d for d in known if d < day - timedelta(days=MIN_KEEP_DAYS)]:
            del known[old]
        known[day] = bytes.fromhex(salt)
    return bytes.fromhex(salt)


def visitor_hash(salt: bytes, user: str) -> str:
    """The day's pseudonym of a user id: HMAC-SHA256 under the day's salt."""
    return hmac.digest(salt, user.encode("utf-8"), "sha256").hex()


def _unique_scopes(election: str, region: str | None) -> list[tuple[str, str]]:
    """Where one guide view counts a visitor: the election overall, every election
    together, and the region and its province when given."""
    scopes = [(election, ALL), (ALL, ALL)]
    if region:
        scopes.append((election, region))
        if "." in region:
            scopes.append((election, province_of(region)))
    return scopes


def _tagged(session: Session, ids: list[str], cache: TagCache) -> dict[str, tuple[str, str | None]]:
    """(election, region) of the live tags of the items named (by our id or the
    platform's), from the tag cache (exact across servers, see ``tagcache``)."""
    if not ids:
        return {}
    entries, _versions = cache.entries(session, ids)
    return {ref: (e.row[2], e.row[3]) for ref, e in entries.items() if e.row[2] is not None}


def _validate(batch: Batch) -> None:
    elections = all_elections()
    regions = all_regions()
    problems: list[tuple[int, int, str, str]] = []
    for i, election in enumerate(batch.election):
        if election is not None and election not in elections:
            problems.append((i, 0, "election", f"unknown election {election!r}"))
    for i, region in enumerate(batch.region):
        if region is not None and region not in regions:
            problems.append((i, 1, "region", f"unknown region code {region!r}"))
    for i, (kind, election, content_id) in enumerate(zip(batch.type, batch.election, batch.content_id,
                                                         strict=True)):
        if kind == "guide_view" and election is None:
            problems.append((i, 2, "election", "a guide_view names the election whose guide was seen"))
        elif kind == "content_view" and content_id is None:
            problems.append((i, 3, "content_id", "a content_view names the content item"))
    if problems:
        problems.sort()
        details = [{"index": i, "field": field, "message": message} for i, _o, field, message in problems]
        raise Invalid(f"{len(details)} event(s) are invalid; nothing was counted: "
                      + "; ".join(f"[{p['index']}] {p['field']}: {p['message']}" for p in details[:5]),
                      details=details, reason="guide.events_invalid", params={"n": len(details)})


# On PostgreSQL a batch's rows travel as one JSON array per column, zipped back into rows
# by ROWS FROM: one statement text whatever their number, encoded at C speed (psycopg's
# own array parameters quote each element through a regular expression, ~10 ms a batch).
# The new visitors come back counted per scope (a row per scope, not one per visitor).
_PG_VISITORS = text(
    "WITH new AS (INSERT INTO guide_visitor_hashes (day, election, region, user_hash) "
    "SELECT :day, e, r, h FROM ROWS FROM (json_array_elements_text(CAST(:elections AS json)), "
    "json_array_elements_text(CAST(:regions AS json)), json_array_elements_text(CAST(:hashes AS json))) "
    "AS t(e, r, h) ON CONFLICT DO NOTHING RETURNING election, region) "
    "SELECT election, region, count(*) FROM new GROUP BY election, region"
).bindparams(bindparam("day", type_=Date))
_PG_COUNTERS = text(
    "INSERT INTO guide_reach_daily (day, election, region, metric, count) "
    "SELECT CAST(d AS date), e, r, m, CAST(c AS bigint) FROM ROWS FROM ("
    "json_array_elements_text(CAST(:days AS json)), json_array_elements_text(CAST(:elections AS json)), "
    "json_array_elements_text(CAST(:regions AS json)), json_array_elements_text(CAST(:metrics AS json)), "
    "json_array_elements_text(CAST(:counts AS json))) AS t(d, e, r, m, c) "
    "ON CONFLICT (day, election, region, metric) DO UPDATE SET count = guide_reach_daily.count + EXCLUDED.count")


def _column(values: list[Any]) -> str:
    return json.dumps(values, separators=(",", ":"))


def _count_visitors(session: Session, day: date, seen: list[tuple[str, str | None, str]],
                    counts: Counter[tuple[date, str, str, str]], salts: dict[date, bytes]) -> None:
    """Count the visitors of one day's guide views who are new in each scope: their
    hashes go in with ``INSERT .. ON CONFLICT DO NOTHING RETURNING``, which returns only
    the rows that were new (both backends), one statement for the whole batch (on
    PostgreSQL the rows travel as JSON columns and come back counted per scope)."""
    salt = _salt(session, day, salts)
    digests: dict[str, str] = {}
    rows: dict[tuple[str, str, str], None] = {}
    for election, region, user in seen:
        digest = digests.get(user)
        if digest is None:
            digest = digests[user] = visitor_hash(salt, user)
        for scope_election, scope_region in _unique_scopes(election, region):
            rows[(scope_election, scope_region, digest)] = None
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        counted = session.execute(_PG_VISITORS, {"day": day, "elections": _column([e for e, _r, _h in rows]),
                                                 "regions": _column([r for _e, r, _h in rows]),
                                                 "hashes": _column([h for _e, _r, h in rows])}).all()
        for scope_election, scope_region, n in counted:
            counts[(day, scope_election, scope_region, "unique_visitors")] += n
        return
    table = cast(Table, VisitorHash.__table__)
    stmt = dialect_insert(session, table).on_conflict_do_nothing().returning(table.c.election, table.c.region)
    # executemany with RETURNING: sent as multi-row statements ("insertmanyvalues")
    result = session.execute(stmt, [{"day": day, "election": e, "region": r, "user_hash": h} for e, r, h in rows])
    for scope_election, scope_region in result:
        counts[(day, scope_election, scope_region, "unique_visitors")] += 1


def _add_counts(session: Session, counts: Counter[tuple[date, str, str, str]]) -> None:
    """One upsert for every counter the batch touched, in key order (two batches never wait
    on each other's rows in opposite orders)."""
    keys = sorted(counts)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_PG_COUNTERS, {"days": _column([k[0].isoformat() for k in keys]),
                                       "elections": _column([k[1] for k in keys]),
                                       "regions": _column([k[2] for k in keys]),
                                       "metrics": _column([k[3] for k in keys]),
                                       "counts": _column([counts[k] for k in keys])})
        return
    table = cast(Table, ReachCounter.__table__)
    stmt = dialect_insert(session, table)
    session.execute(stmt.on_conflict_do_update(
        index_elements=["day", "election", "region", "metric"],
        set_={"count": table.c.count + stmt.excluded.count}), [
        {"day": day, "election": election, "region": region, "metric": metric, "count": counts[(day, election,
                                                                                                region, metric)]}
        for day, election, region, metric in keys])


def _wib_days(instants: list[datetime]) -> list[date]:
    """The WIB day of each instant. Converting one costs microseconds (its zone's offset,
    then the arithmetic); the instants of one minute in one zone share their day, so each
    minute is converted once."""
    memo: dict[tuple[int, int, int, int, int, Any], date] = {}
    out = []
    for at in instants:
        key = (at.year, at.month, at.day, at.hour, at.minute, at.tzinfo)
        day = memo.get(key)
        if day is None:
            day = memo[key] = wib_day(at)
        out.append(day)
    return out


def record_events(session: Session, events: list[EventIn] | EventColumns, idempotency_key: str | None = None,
                  tags: TagCache | None = None, salts: dict[date, bytes] | None = None) -> EventsResult:
    """Count a batch of events from the app, all or nothing; a batch resent under the same
    ``Idempotency-Key`` is answered again without counting twice. ``tags`` and ``salts``
    are the server's memory of notice tags and of committed day salts (none: read here)."""
    batch = Batch(events)
    if len(batch) > MAX_BATCH:
        raise Invalid(f"a batch holds at most {MAX_BATCH} events; got {len(batch)}",
                      status=413, code="payload_too_large", reason="guide.batch_too_large", params={"n": MAX_BATCH})
    if idempotency_key:
        done = session.get(EventBatch, idempotency_key)
        if done is not None:
            return EventsResult.model_validate({**done.result, "replayed": True})
    _validate(batch)
    today = today_wib()
    earliest, latest = today - timedelta(days=MAX_EVENT_AGE_DAYS), today + timedelta(days=1)
    tagged = _tagged(session, list(dict.fromkeys(c for c in batch.content_id if c)), tags or TagCache(0))
    counts: Counter[tuple[date, str, str, str]] = Counter()
    visitors: dict[date, list[tuple[str, str | None, str]]] = {}
    ignored: list[dict[str, Any]] = []
    days = _wib_days(batch.at)
    for i, kind in enumerate(batch.type):
        day = days[i]
        if day < earliest or day > latest:
            ignored.append({"index": i, "reason": f"'at' is not within the last {MAX_EVENT_AGE_DAYS} days"})
            continue
        content_id = batch.content_id[i]
        tag = tagged.get(content_id) if content_id else None
        if kind == "content_view" and tag is None:
            ignored.append({"index": i, "reason": "the content item carries no notice tag"})
            continue
        election = batch.election[i] or (tag[0] if tag else None)
        if election is None:
            ignored.append({"index": i, "reason": "no election: name one or send a tagged content_id"})
            continue
        region = batch.region[i] or (tag[1] if tag else None)
        counts[(day, election, region or NONE, METRIC_OF[kind])] += 1
        if kind == "guide_view":
            visitors.setdefault(day, []).append((election, region, batch.user[i]))
    for day, seen in sorted(visitors.items()):
        _count_visitors(session, day, seen, counts, salts if salts is not None else {})
    if counts:
        _add_counts(session, counts)
    result = EventsResult(received=len(batch), counted=len(batch) - len(ignored), ignored=ignored)
    if idempotency_key:
        session.add(EventBatch(key=idempotency_key, result=result.model_dump(mode="json")))
        session.flush()
    return result


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
