"""Where behaviour detectors look for earlier items: the database in the worker, memory in
``salingjaga scan``. Both store fingerprint bands and return items sharing a band."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Stored:
    """An earlier item's fingerprint under one band."""

    content_id: str
    account_id: str
    posted_at: datetime
    value: str


class History(Protocol):
    """Fingerprint storage for near-duplicate and coordination look-ups."""

    def near(self, bands: Sequence[str], since: datetime, exclude: str) -> list[Stored]:
        """Items posted since ``since`` sharing any band (other than ``exclude``)."""

    def remember(self, content_id: str, account_id: str, posted_at: datetime,
                 bands: Sequence[tuple[str, str]]) -> None:
        """Store an item's (band, value) pairs; storing twice changes nothing."""


class MemoryHistory:
    """In-process history for a file scanned without a database."""

    def __init__(self) -> None:
        self._by_band: dict[str, dict[str, Stored]] = {}

    def near(self, bands: Sequence[str], since: datetime, exclude: str) -> list[Stored]:
        """Items sharing a band, posted since ``since``."""
        out: dict[tuple[str, str], Stored] = {}
        for band in bands:
            for cid, s in self._by_band.get(band, {}).items():
                if cid != exclude and s.posted_at >= since:
                    out[(cid, s.value)] = s
        return list(out.values())

    def remember(self, content_id: str, account_id: str, posted_at: datetime,
                 bands: Sequence[tuple[str, str]]) -> None:
        """Keep the item's bands."""
        for band, value in bands:
            self._by_band.setdefault(band, {})[content_id] = Stored(content_id, account_id,
                                                                    posted_at, value)


class DatabaseHistory:
    """Fingerprints in ``detection_fingerprints``; look-ups use the (band, posted_at) index."""

    LIMIT = 2000  # a viral copypasta must not turn one scan into an unbounded read

    def __init__(self, session: Session) -> None:
        self.session = session

    def near(self, bands: Sequence[str], since: datetime, exclude: str) -> list[Stored]:
        """Items sharing a band, posted since ``since``, newest first."""
        from salingjaga.detection.models import Fingerprint

        if not bands:
            return []
        rows = self.session.execute(
            select(Fingerprint.content_id, Fingerprint.account_id, Fingerprint.posted_at,
                   Fingerprint.value)
            .where(Fingerprint.band.in_(list(bands)), Fingerprint.posted_at >= since,
                   Fingerprint.content_id != exclude)
            .order_by(Fingerprint.posted_at.desc())
            .limit(self.LIMIT)
        ).all()
        seen: dict[tuple[str, str], Stored] = {}
        for cid, acc, at, value in rows:
            seen[(cid, value)] = Stored(cid, acc, at, value)
        return list(seen.values())

    def remember(self, content_id: str, account_id: str, posted_at: datetime,
                 bands: Sequence[tuple[str, str]]) -> None:
        """Insert the bands, ignoring those already stored (redelivery)."""
        from salingjaga.detection.models import Fingerprint

        if not bands:
            return
        rows = [{"content_id": content_id, "account_id": account_id, "posted_at": posted_at,
                 "band": b, "value": v} for b, v in bands]
        dialect = self.session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        stmt = insert(Fingerprint).values(rows).on_conflict_do_nothing(
            index_elements=["content_id", "band"])
        self.session.execute(stmt)
