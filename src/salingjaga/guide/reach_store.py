"""Reach events into the database: the batches of one transaction, written together.

``write_group`` takes validated batches (several requests' when the server's writer
gathered them, see ``reach_writer``) and, on a Core connection inside the caller's
transaction, answers a resent ``Idempotency-Key`` from its record, reads the items' tags
once for all of them, adds every batch to one tally and writes that tally with a fixed
number of statements, whatever the number of batches and events:

- PostgreSQL: one statement for the visitor hashes and every counter. The rows travel as
  one JSON array per column, zipped back into rows by ``ROWS FROM`` (one statement text
  for any count, prepared once by psycopg; the arrays are encoded at C speed, where
  psycopg's own array parameters quote each element in Python). A visit expands into its
  scopes in SQL, the new visitors come back from the hash insert counted per scope
  inside the statement, and hashes and counters are written in key order, so two servers'
  transactions never wait on each other's rows in opposite orders.
- SQLite: the hashes as one multi-row ``INSERT .. ON CONFLICT DO NOTHING RETURNING`` and the
  counters as one multi-row upsert.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import date
from itertools import chain
from typing import Any, cast

from sqlalchemy import Connection, Table, insert, select, text

from salingjaga.guide.models import DailySalt, EventBatch, ReachCounter, VisitorHash
from salingjaga.guide.reach_batch import (
    Batch,
    CounterKey,
    Tally,
    VisitorHasher,
    classify,
    unique_scopes,
)
from salingjaga.guide.schemas import EventsResult
from salingjaga.guide.service import today_wib
from salingjaga.guide.tagcache import TagCache, dialect_insert, dialect_name
from salingjaga.regions.service import province_of

_SALTS = cast(Table, DailySalt.__table__)
_BATCHES = cast(Table, EventBatch.__table__)
_HASHES = cast(Table, VisitorHash.__table__)
_COUNTERS = cast(Table, ReachCounter.__table__)


@dataclass
class ReachJob:
    """One request's batch, validated, with the WIB day of each event; ``key`` is its
    ``Idempotency-Key`` (None without one)."""

    batch: Batch
    days: list[date]
    key: str | None = None


@dataclass
class Written:
    """Each job's answer, in order, and the day salts this transaction read or created
    (the caller keeps them in memory once the transaction committed)."""

    results: list[EventsResult]
    salts: dict[date, bytes]


# The rows of each JSON array parameter come out as text (JSON null as NULL).
_PG_WRITE = text("""
WITH visit AS (
  SELECT CAST(d AS date) AS day, e AS election, r AS region, p AS province, h AS user_hash
  FROM ROWS FROM (json_array_elements_text(CAST(:v_days AS json)),
                  json_array_elements_text(CAST(:v_elections AS json)),
                  json_array_elements_text(CAST(:v_regions AS json)),
                  json_array_elements_text(CAST(:v_provinces AS json)),
                  json_array_elements_text(CAST(:v_hashes AS json))) AS t(d, e, r, p, h)),
scope AS (
  SELECT DISTINCT v.day, s.election, s.region, v.user_hash FROM visit AS v CROSS JOIN LATERAL
    (VALUES (v.election, '*'), ('*', '*'), (v.election, v.region), (v.election, v.province))
    AS s(election, region)
  WHERE s.region IS NOT NULL),
new AS (
  INSERT INTO guide_visitor_hashes (day, election, region, user_hash)
  SELECT day, election, region, user_hash FROM scope ORDER BY day, election, region, user_hash
  ON CONFLICT DO NOTHING RETURNING day, election, region),
tally AS (
  SELECT CAST(d AS date) AS day, e AS election, r AS region, m AS metric, CAST(c AS bigint) AS count
  FROM ROWS FROM (json_array_elements_text(CAST(:c_days AS json)),
                  json_array_elements_text(CAST(:c_elections AS json)),
                  json_array_elements_text(CAST(:c_regions AS json)),
                  json_array_elements_text(CAST(:c_metrics AS json)),
                  json_array_elements_text(CAST(:c_counts AS json))) AS t(d, e, r, m, c)
  UNION ALL
  SELECT day, election, region, 'unique_visitors', count(*) FROM new GROUP BY day, election, region)
INSERT INTO guide_reach_daily (day, election, region, metric, count)
SELECT day, election, region, metric, count FROM tally ORDER BY day, election, region, metric
ON CONFLICT (day, election, region, metric) DO UPDATE SET count = guide_reach_daily.count + EXCLUDED.count
""")


def _json(values: list[Any]) -> str:
    return json.dumps(values, separators=(",", ":"))


def salt_of(conn: Connection, day: date) -> bytes:
    """The day's salt, created by the first transaction that needs it (two creating it at
    once: one insert wins and both read the winner's)."""
    stmt = dialect_insert(conn, _SALTS).values(day=day, salt=secrets.token_hex(32))
    conn.execute(stmt.on_conflict_do_nothing(index_elements=["day"]))
    salt = conn.scalar(select(_SALTS.c.salt).where(_SALTS.c.day == day))
    assert salt is not None
    return bytes.fromhex(salt)


def replays(conn: Connection, keys: list[str]) -> dict[str, EventsResult]:
    """The recorded answers of the batches counted under these keys (as replays)."""
    rows = conn.execute(select(_BATCHES.c.key, _BATCHES.c.result).where(_BATCHES.c.key.in_(keys)))
    return {key: EventsResult.model_validate({**result, "replayed": True}) for key, result in rows}


def _hashed(conn: Connection, tally: Tally, salts: dict[date, bytes]) -> tuple[list[tuple[date, str, str | None, str]],
                                                                           dict[date, bytes]]:
    """The tally's visits with the user id replaced by its day's HMAC (a user seen twice
    in a day's visits is hashed once), and the salts read for them."""
    read: dict[date, bytes] = {}
    hashers: dict[date, VisitorHasher] = {}
    digests: dict[tuple[date, str], str] = {}
    out = []
    for day, election, region, user in tally.visits:
        digest = digests.get((day, user))
        if digest is None:
            hasher = hashers.get(day)
            if hasher is None:
                salt = salts.get(day)
                if salt is None:
                    salt = read[day] = salt_of(conn, day)
                hasher = hashers[day] = VisitorHasher(salt)
            digest = digests[(day, user)] = hasher(user)
        out.append((day, election, region or None, digest))
    return out, read


def _write_postgres(conn: Connection, counts: dict[CounterKey, int],
                    visits: list[tuple[date, str, str | None, str]]) -> None:
    keys = sorted(counts)
    provinces: dict[str | None, str | None] = {}
    for _d, _e, region, _h in visits:
        if region not in provinces:
            provinces[region] = province_of(region) if region and "." in region else None
    conn.execute(_PG_WRITE, {
        "v_days": _json([v[0].isoformat() for v in visits]), "v_elections": _json([v[1] for v in visits]),
        "v_regions": _json([v[2] for v in visits]), "v_provinces": _json([provinces[v[2]] for v in visits]),
        "v_hashes": _json([v[3] for v in visits]),
        "c_days": _json([k[0].isoformat() for k in keys]), "c_elections": _json([k[1] for k in keys]),
        "c_regions": _json([k[2] for k in keys]), "c_metrics": _json([k[3] for k in keys]),
        "c_counts": _json([counts[k] for k in keys])})


def _write_sqlite(conn: Connection, counts: dict[CounterKey, int],
                  visits: list[tuple[date, str, str | None, str]]) -> None:
    rows = sorted({(day, scope_election, scope_region, digest)
                   for day, election, region, digest in visits
                   for scope_election, scope_region in unique_scopes(election, region)})
    totals = dict(counts)
    if rows:
        # executemany with RETURNING: sent as multi-row statements ("insertmanyvalues")
        stmt = dialect_insert(conn, _HASHES).on_conflict_do_nothing().returning(
            _HASHES.c.day, _HASHES.c.election, _HASHES.c.region)
        new = conn.execute(stmt, [{"day": d, "election": e, "region": r, "user_hash": h} for d, e, r, h in rows])
        for day, election, region in new:
            key = (day, election, region, "unique_visitors")
            totals[key] = totals.get(key, 0) + 1
    if totals:
        stmt = dialect_insert(conn, _COUNTERS)
        conn.execute(stmt.on_conflict_do_update(
            index_elements=["day", "election", "region", "metric"],
            set_={"count": _COUNTERS.c.count + stmt.excluded.count}), [
            {"day": key[0], "election": key[1], "region": key[2], "metric": key[3], "count": totals[key]}
            for key in sorted(totals)])


def write_group(conn: Connection, jobs: list[ReachJob], tags: TagCache, salts: dict[date, bytes]) -> Written:
    """Count ``jobs`` in the connection's transaction (the caller commits). A key already
    recorded is answered as a replay and counts nothing; a key that comes twice in
    ``jobs`` counts its first batch and answers the second as a replay of it."""
    done = replays(conn, sorted({job.key for job in jobs if job.key})) if any(job.key for job in jobs) else {}
    results: list[EventsResult | None] = [None] * len(jobs)
    first: dict[str, int] = {}
    counted: list[int] = []
    for i, job in enumerate(jobs):
        if job.key:
            if job.key in done:
                results[i] = done[job.key]
                continue
            if job.key in first:
                continue
            first[job.key] = i
        counted.append(i)
    ids = dict.fromkeys(chain.from_iterable(jobs[i].batch.content_id for i in counted))
    ids.pop(None, None)
    ids.pop("", None)
    tagged = tags.placements(conn, cast(list[str], list(ids))) if ids else {}
    today = today_wib()
    tally = Tally()
    for i in counted:
        results[i] = classify(jobs[i].batch, jobs[i].days, tagged, today, tally)
    visits, read = _hashed(conn, tally, salts)
    if tally.counts or visits:
        if dialect_name(conn) == "postgresql":
            _write_postgres(conn, tally.counts, visits)
        else:
            _write_sqlite(conn, tally.counts, visits)
    if first:
        conn.execute(insert(_BATCHES), [{"key": key, "result": cast(EventsResult, results[i]).model_dump(mode="json")}
                                        for key, i in sorted(first.items())])
    for i, job in enumerate(jobs):
        if results[i] is None and job.key:
            results[i] = cast(EventsResult, results[first[job.key]]).model_copy(update={"replayed": True})
    return Written(cast(list[EventsResult], results), read)

