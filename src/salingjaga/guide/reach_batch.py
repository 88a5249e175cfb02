"""The per-event work on a batch of reach events, in memory and without I/O.

At election-day load a server counts tens of thousands of events a second, so this is the
loop that decides the cost: each event is a few list reads, one dict read for its item's
tag and one counter bump. Checks that refuse a batch (``validate``) run before anything is
written; what is left (``classify``) adds the batch's counts and distinct guide views to
a ``Tally`` that several batches committed together share.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from salingjaga.core.errors import Invalid
from salingjaga.guide.schemas import EventColumns, EventIn, EventsResult
from salingjaga.guide.service import wib_day
from salingjaga.regions.elections import all_elections
from salingjaga.regions.service import all_regions, province_of

MAX_BATCH = 5000
# Events older than this are refused: their day's salt may already be purged, and a
# re-created salt would count the same people twice.
MAX_EVENT_AGE_DAYS = 7
MIN_KEEP_DAYS = MAX_EVENT_AGE_DAYS + 1  # days of salts and hashes a purge must keep
ALL = "*"
NONE = ""

METRIC_OF = {"tag_impression": "tag_impressions", "tag_click": "tag_clicks",
             "guide_view": "guide_views", "content_view": "tagged_item_views"}

CounterKey = tuple[date, str, str, str]  # day, election, region ("" none, "*" all), metric
Visit = tuple[date, str, str | None, str]  # day, election, region, the platform's user id
Placement = tuple[str, str | None]  # election and region of an item's live notice tag


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


def check_size(batch: Batch) -> None:
    """A batch larger than ``MAX_BATCH`` is refused whole (413)."""
    if len(batch) > MAX_BATCH:
        raise Invalid(f"a batch holds at most {MAX_BATCH} events; got {len(batch)}",
                      status=413, code="payload_too_large")


def validate(batch: Batch) -> None:
    """Refuse the batch (422, every problem listed) when an event names an unknown election
    or region or lacks what its type needs: then nothing of it is counted."""
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
                      details=details)


def wib_days(instants: list[datetime]) -> list[date]:
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


@dataclass
class Tally:
    """What the batches of one transaction add up to: counters, and each distinct guide
    view (day, election, region, user) whose visitor is counted once the day's salt is
    known."""

    counts: Counter[CounterKey] = field(default_factory=Counter)
    visits: dict[Visit, None] = field(default_factory=dict)


def accepted_days(today: date) -> tuple[date, date]:
    """The first and last WIB day an event may fall on when counted on ``today``."""
    return today - timedelta(days=MAX_EVENT_AGE_DAYS), today + timedelta(days=1)


def classify(batch: Batch, days: list[date], tagged: dict[str, Placement], today: date,
             tally: Tally) -> EventsResult:
    """Add a validated batch to ``tally``; the answer lists the events left out and why
    (too old, an untagged item, no election to count under)."""
    earliest, latest = accepted_days(today)
    counts = tally.counts
    visits = tally.visits
    metric_of = METRIC_OF
    ignored: list[dict[str, Any]] = []
    for i, (kind, day, content_id, election, region, user) in enumerate(zip(
            batch.type, days, batch.content_id, batch.election, batch.region, batch.user, strict=True)):
        if day < earliest or day > latest:
            ignored.append({"index": i, "reason": f"'at' is not within the last {MAX_EVENT_AGE_DAYS} days"})
            continue
        tag = tagged.get(content_id) if content_id else None
        if tag is None:
            if kind == "content_view":
                ignored.append({"index": i, "reason": "the content item carries no notice tag"})
                continue
            if election is None:
                ignored.append({"index": i, "reason": "no election: name one or send a tagged content_id"})
                continue
        else:
            election = election or tag[0]
            region = region or tag[1]
        assert election is not None
        counts[(day, election, region or NONE, metric_of[kind])] += 1
        if kind == "guide_view":
            visits[(day, election, region, user)] = None
    return EventsResult(received=len(batch), counted=len(batch) - len(ignored), ignored=ignored)


def unique_scopes(election: str, region: str | None) -> list[tuple[str, str]]:
    """Where one guide view counts a visitor: the election overall, every election
    together, and the region and its province when given."""
    scopes = [(election, ALL), (ALL, ALL)]
    if region:
        scopes.append((election, region))
        if "." in region:
            scopes.append((election, province_of(region)))
    return scopes


class VisitorHasher:
    """HMAC-SHA256 of user ids under one day's salt (RFC 2104), with the keyed inner and
    outer hash states computed once: a hash then costs two ``copy``/``update`` pairs,
    under half of ``hmac.digest`` (which sets the key up again on every call)."""

    BLOCK = 64  # SHA-256's block size

    def __init__(self, salt: bytes) -> None:
        key = hashlib.sha256(salt).digest() if len(salt) > self.BLOCK else salt
        key = key.ljust(self.BLOCK, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))

    def __call__(self, user: str) -> str:
        inner = self._inner.copy()
        inner.update(user.encode("utf-8"))
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()
