"""The per-event work on a batch of reach events, in memory and without I/O.

At election-day load a server counts tens of thousands of events a second, so this is the
loop that decides the cost: each event is a few list reads, one dict read for its item's
tag and one counter bump. Checks that refuse a batch (``validate``) run before anything is
written; what is left (``classify``) adds the batch's counts and distinct guide views to
a ``Tally`` that several batches committed together share.
"""

from __future__ import annotations

import hashlib
import operator
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from itertools import compress
from typing import Any, cast

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
Combo = tuple[date, str, str | None, str | None, Placement | None]  # day, type, election, region, tag


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
                      status=413, code="payload_too_large", reason="guide.batch_too_large", params={"n": MAX_BATCH})


def validate(batch: Batch) -> None:
    """Refuse the batch (422, every problem listed) when an event names an unknown election
    or region or lacks what its type needs: then nothing of it is counted. The distinct
    values are checked first (at C speed); events are looked at one by one only when
    something is wrong."""
    elections = all_elections()
    regions = all_regions()
    named = set(batch.election)
    named.discard(None)
    places = set(batch.region)
    places.discard(None)
    needs = set(zip(batch.type, map(_is_none, batch.election), map(_is_none, batch.content_id), strict=True))
    if not named.difference(elections) and not places.difference(regions) and not needs & _INCOMPLETE:
        return
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
    problems.sort()
    details = [{"index": i, "field": field, "message": message} for i, _o, field, message in problems]
    raise Invalid(f"{len(details)} event(s) are invalid; nothing was counted: "
                  + "; ".join(f"[{p['index']}] {p['field']}: {p['message']}" for p in details[:5]),
                  details=details, reason="guide.events_invalid", params={"n": len(details)})


_is_none = partial(operator.is_, None)
# (type, no election, no content id) of events that lack what their type needs
_INCOMPLETE = {("guide_view", True, False), ("guide_view", True, True), ("content_view", False, True),
               ("content_view", True, True)}


def wib_days(instants: list[datetime]) -> list[date]:
    """The WIB day of each instant. A batch from the app nearly always falls on one WIB
    day: when its earliest and latest instants do (two passes at C speed), so does every
    instant between them. Otherwise each instant is converted (microseconds each: its
    zone's offset, then the arithmetic), once per minute and zone."""
    try:
        first, last = min(instants), max(instants)
    except (ValueError, TypeError):  # no events, or naive and aware instants mixed
        pass
    else:
        only = wib_day(first)
        if wib_day(last) == only:
            return [only] * len(instants)
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
    (too old, an untagged item, no election to count under).

    The rule is decided once per distinct (day, type, election, region, tag) of the batch,
    not once per event: a batch holds a few dozen of those, and grouping its events by
    them is done at C speed (``zip`` into a ``Counter``). Only guide views (their
    visitors) and ignored events are visited one by one."""
    earliest, latest = accepted_days(today)
    tag_of = cast(Callable[[str | None], Placement | None], tagged.get)  # None is never a key
    tags = list(map(tag_of, batch.content_id))
    combos = Counter(zip(days, batch.type, batch.election, batch.region, tags, strict=True))
    counts = tally.counts
    metric_of = METRIC_OF
    why: dict[Combo, str] = {}
    views: dict[Combo, tuple[str, str | None]] = {}
    for combo, n in combos.items():
        day, kind, election, region, tag = combo
        if day < earliest or day > latest:
            why[combo] = f"'at' is not within the last {MAX_EVENT_AGE_DAYS} days"
            continue
        if tag is None:
            if kind == "content_view":
                why[combo] = "the content item carries no notice tag"
                continue
            if election is None:
                why[combo] = "no election: name one or send a tagged content_id"
                continue
        else:
            election = election or tag[0]
            region = region or tag[1]
        assert election is not None
        counts[(day, election, region or NONE, metric_of[kind])] += n
        if kind == "guide_view":
            views[combo] = (election, region)
    if views:
        visits = tally.visits
        seen = [kind == "guide_view" for kind in batch.type]
        for day, kind, election, region, tag, user in zip(
                compress(days, seen), compress(batch.type, seen), compress(batch.election, seen),
                compress(batch.region, seen), compress(tags, seen), compress(batch.user, seen), strict=True):
            where = views.get((day, kind, election, region, tag))
            if where is not None:
                visits[(day, where[0], where[1], user)] = None
    ignored: list[dict[str, Any]] = []
    if why:
        for i, combo in enumerate(zip(days, batch.type, batch.election, batch.region, tags, strict=True)):
            reason = why.get(combo)
            if reason is not None:
                ignored.append({"index": i, "reason": reason})
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
