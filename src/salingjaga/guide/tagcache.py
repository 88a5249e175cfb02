"""Notice tags in each API process's memory, exact across processes.

At election-day load the app asks for the tags of whole feed pages (``POST
/api/v1/tags/lookup``) and reports views of tagged items (reach events): the same popular
items again and again, while only a few tags change (detection tags new items, moderators
retarget or remove some, editors publish a new tag text). Each process keeps the items it
has looked up, and the database keeps a change counter per bucket of content items
(``guide_tag_versions``; bucket ``TEXTS`` counts publications of tag texts):

- every change of a tag bumps its item's bucket counter in the same transaction: the
  flush of any inserted, updated or deleted ``TagAssignment`` does so itself (mapper
  events, ``_count_change``), so no writer can forget it; a published tag text is counted
  by its writer (``bump(session, None)``);
- a look-up reads the counters first (one small read; all of them only when their sum
  moved), then answers from memory every entry stored under its bucket's current count and
  reads the rest from the database.

A bucket's counter is bumped under its row's lock, so counts become visible in the order
their transactions commit: a process that reads count ``n`` sees every change counted up
to ``n``, and an entry read after the counters is at least that recent. No time-to-live,
no message between servers; a change costs its bucket's entries one read each.
"""

from __future__ import annotations

import threading
import zlib
from collections import OrderedDict
from typing import Any, cast

from sqlalchemy import Connection, String, Table, any_, bindparam, event, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from salingjaga.content.models import ContentItem
from salingjaga.guide.models import TagAssignment, TagVersion

BUCKETS = 256
TEXTS = BUCKETS  # the counter of tag texts (a publication of a "tag" page)

# (content_id, platform_id, election, region, source, tagged_at as ISO text); the election
# is None for an item without a live tag.
TagRow = tuple[str, str, str | None, str | None, str | None, str | None]
# A session, or a Core connection (reach events are written without the ORM).
Bind = Session | Connection


def bucket_of(content_id: str) -> int:
    """The bucket of a content item: the same in every process (no salted ``hash``)."""
    return zlib.crc32(content_id.encode("utf-8")) % BUCKETS


def dialect_name(bind: Bind) -> str:
    """``postgresql`` or ``sqlite``: the database a session or connection talks to."""
    if isinstance(bind, Connection):
        return bind.dialect.name
    return bind.get_bind().dialect.name


def dialect_insert(bind: Bind, table: Any) -> Any:
    """An INSERT that knows ON CONFLICT on both backends."""
    if dialect_name(bind) == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def _counted(bind: Bind, bucket: int) -> Any:
    """The upsert that adds one to ``bucket``'s counter."""
    table = cast(Table, TagVersion.__table__)
    return dialect_insert(bind, table).values(bucket=bucket, version=1).on_conflict_do_update(
        index_elements=["bucket"], set_={"version": table.c.version + 1})


def bump(session: Session, content_id: str | None) -> None:
    """Count a change of ``content_id``'s tag (None: of a tag text) in the session's
    transaction, so every process's entries of that bucket are read again."""
    bucket = TEXTS if content_id is None else bucket_of(content_id)
    session.execute(_counted(session, bucket))


def _count_change(_mapper: Any, connection: Connection, target: TagAssignment) -> None:
    """A tag row written by a flush counts its bucket on the flush's own connection, in the
    same transaction (a mapper event may emit SQL on that connection)."""
    connection.execute(_counted(connection, bucket_of(target.content_id)))


for _change in ("after_insert", "after_update", "after_delete"):
    event.listen(TagAssignment, _change, _count_change)


_SUM = select(func.coalesce(func.sum(TagVersion.version), 0))
_ALL = select(TagVersion.bucket, TagVersion.version)
_COLUMNS = (ContentItem.id, ContentItem.platform_id, TagAssignment.election, TagAssignment.region_code,
            TagAssignment.source, TagAssignment.created_at)
_JOINED = select(*_COLUMNS).outerjoin(
    TagAssignment, (TagAssignment.content_id == ContentItem.id) & TagAssignment.removed_at.is_(None))


def _where_in(bind: Bind, column: Any, values: list[str]) -> Any:
    """``column = ANY(:array)`` on PostgreSQL (one parameter, one statement text whatever
    the count, so the server parses it once), an IN list on SQLite."""
    if dialect_name(bind) == "postgresql":
        return _JOINED.where(column == any_(bindparam("refs", values, type_=postgresql.ARRAY(String))))
    return _JOINED.where(column.in_(values))


def fetch(session: Bind, refs: list[str]) -> dict[str, TagRow]:
    """The tag rows of the items ``refs`` name, by our id, then by the platform's for the
    rest (two index reads); refs naming no item are absent."""
    found: dict[str, TagRow] = {}
    for content_id, platform_id, election, region, source, at in session.execute(
            _where_in(session, ContentItem.id, refs)):
        found[content_id] = (content_id, platform_id, election, region, source, at.isoformat() if at else None)
    rest = [r for r in refs if r not in found]
    if rest:
        for content_id, platform_id, election, region, source, at in session.execute(
                _where_in(session, ContentItem.platform_id, rest)):
            found.setdefault(platform_id, (content_id, platform_id, election, region, source,
                                           at.isoformat() if at else None))
    return found


class _Entry:
    """An item's tag row as read under its bucket's count, with its encoded answers."""

    __slots__ = ("bucket", "encoded", "placed", "row", "version")

    def __init__(self, bucket: int, version: int, row: TagRow) -> None:
        self.bucket = bucket
        self.version = version
        self.row = row
        # (election, region) of a live tag, what reach events count under; None untagged
        self.placed = None if row[2] is None else (row[2], row[3])
        self.encoded: dict[str, tuple[int, str]] = {}  # lang -> (texts' count, JSON member)


class TagCache:
    """The tags of the items this process looked up lately (least recently used first out)."""

    def __init__(self, maxsize: int = 100_000) -> None:
        self.maxsize = maxsize
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._lock = threading.Lock()
        self._versions: tuple[int, ...] = (0,) * (BUCKETS + 1)
        self._sum = -1
        self._texts: dict[tuple[str, str], tuple[int, dict[str, str]]] = {}

    def versions(self, session: Bind) -> tuple[int, ...]:
        """The counters now: one read of their sum, all of them when it moved."""
        total = int(session.scalar(_SUM) or 0)
        with self._lock:
            if total == self._sum:
                return self._versions
        found = [0] * (BUCKETS + 1)
        for bucket, version in session.execute(_ALL):
            if 0 <= bucket <= BUCKETS:
                found[bucket] = int(version)
        versions = tuple(found)
        with self._lock:
            if sum(versions) > self._sum:  # never replace newer counters read by another request
                self._versions, self._sum = versions, sum(versions)
        return versions

    def entries(self, session: Bind, refs: list[str]) -> tuple[dict[str, _Entry], tuple[int, ...]]:
        """Current entries of the refs that name an item (others are absent), and the
        counters they were checked against."""
        versions = self.versions(session)
        out, misses = self._current(refs, versions)
        if misses:
            out.update(self._read(session, misses, versions))
        return out, versions

    def placements(self, bind: Bind, refs: list[str]) -> dict[str, tuple[str, str | None]]:
        """(election, region) of the live notice tag of each item ``refs`` names (what
        reach events count under); items without one, and refs naming no item, are absent."""
        entries, _versions = self.entries(bind, refs)
        return {ref: placed for ref, entry in entries.items() if (placed := entry.placed) is not None}

    def _current(self, refs: list[str], versions: tuple[int, ...]) -> tuple[dict[str, _Entry], list[str]]:
        """The entries held under their bucket's current count (marked as just used), and
        the refs to read."""
        out: dict[str, _Entry] = {}
        misses: list[str] = []
        with self._lock:
            get, used = self._entries.get, self._entries.move_to_end
            for ref in refs:
                entry = get(ref)
                if entry is not None and entry.version == versions[entry.bucket]:
                    used(ref)
                    out[ref] = entry
                else:
                    misses.append(ref)
        return out, misses

    def _read(self, bind: Bind, refs: list[str], versions: tuple[int, ...]) -> dict[str, _Entry]:
        """Entries of ``refs`` read from the database under ``versions``, kept (the least
        recently used leave past ``maxsize``)."""
        fresh = {}
        for ref, row in fetch(bind, refs).items():
            bucket = bucket_of(row[0])
            fresh[ref] = _Entry(bucket, versions[bucket], row)
        if self.maxsize:
            with self._lock:
                entries = self._entries
                entries.update(fresh)
                while len(entries) > self.maxsize:
                    entries.popitem(last=False)
        return fresh

    def text(self, session: Session, slug: str, lang: str, versions: tuple[int, ...],
             read: Any) -> dict[str, str]:
        """The tag text of an election in a language (``read(session)`` when not current)."""
        key = (slug, lang)
        with self._lock:
            held = self._texts.get(key)
        if held is not None and held[0] == versions[TEXTS]:
            return held[1]
        value: dict[str, str] = read(session)
        with self._lock:
            self._texts[key] = (versions[TEXTS], value)
        return value


def tag_cache(app: Any) -> TagCache:
    """The tag cache of this app (one per app, as ``caching.app_cache``)."""
    cache = getattr(app.state, "tag_cache", None)
    if cache is None:
        settings = getattr(app.state, "settings", None)
        cache = TagCache(getattr(settings, "tag_cache_items", 100_000))
        app.state.tag_cache = cache
    return cache
