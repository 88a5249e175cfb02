"""Claim matching against the fact-check database: the interface detection uses.

``get_matcher(session_or_db)`` returns a ``ClaimMatcher`` over the ``factchecks`` table,
kept in an explicit ``MatcherCache``: a new fact-check is appended to the live index, an
edited one triggers a rebuild, and nothing is rebuilt while the table is unchanged.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from salingjaga.core.db import Database
from salingjaga.detection.base import describe_verdict
from salingjaga.detection.text.index import ClaimIndex, Scored


@dataclass
class ClaimMatch:
    """A fact-check that a text matches, with a score in 0..1 and a readable reason."""

    factcheck_id: str
    score: float
    claim: str
    verdict: str
    explanation: str
    rating: str = ""


@dataclass(frozen=True)
class FactCheckEntry:
    """What the matcher keeps of a fact-check besides its indexed text."""

    id: str
    claim: str
    verdict: str
    rating: str = ""
    headline: str = ""  # the review's headline when it words the claim differently

    @property
    def indexed(self) -> str:
        """What is matched: the claim in the fact-checker's words, and the headline."""
        return f"{self.claim}\n{self.headline}" if self.headline else self.claim


class ClaimMatcher:
    """Finds the fact-checks a text repeats, in Indonesian or English, also across the two."""

    def __init__(self, entries: Sequence[FactCheckEntry] = (), semantic: str = "auto",
                 embeddings: np.ndarray | None = None) -> None:
        self.index = ClaimIndex(semantic=semantic)
        self.entries: list[FactCheckEntry] = []
        self._positions: dict[str, int] = {}
        self.add(entries, embeddings)

    def __len__(self) -> int:
        return len(self.entries)

    def add(self, entries: Sequence[FactCheckEntry], embeddings: np.ndarray | None = None) -> None:
        """Index more fact-checks."""
        entries = list(entries)
        if not entries:
            return
        for e in entries:
            self._positions[e.id] = len(self.entries)
            self.entries.append(e)
        self.index.add([e.indexed for e in entries], embeddings)

    def position(self, factcheck_id: str) -> int | None:
        """Where a fact-check sits in the index, if indexed."""
        return self._positions.get(factcheck_id)

    def _match(self, hit: Scored) -> ClaimMatch:
        entry = self.entries[hit.position]
        score = float(min(1.0, max(0.0, hit.score)))
        claim = entry.claim if len(entry.claim) <= 140 else entry.claim[:137] + "..."
        parts = f"char {hit.char:.2f}, word {hit.word:.2f}"
        if hit.semantic is not None:
            parts += f", semantic {hit.semantic:.2f}"
        return ClaimMatch(
            factcheck_id=entry.id, score=score, claim=entry.claim, verdict=entry.verdict,
            rating=entry.rating,
            explanation=f"matches fact-check {entry.id} "
                        f"({describe_verdict(entry.verdict, entry.rating)}): '{claim}', "
                        f"{score:.2f} ({parts})",
        )

    def match(self, texts: list[str], k: int = 5) -> list[list[ClaimMatch]]:
        """The ``k`` best-matching fact-checks for each text, best first."""
        return [[self._match(h) for h in hits] for hits in self.index.search(texts, k)]

    def score_against(self, texts: list[str], factcheck_id: str, semantic: bool = False) -> list[float]:
        """How well each text matches one fact-check (for retroactive matching)."""
        pos = self.position(factcheck_id)
        if pos is None:
            return [0.0] * len(texts)
        return [float(s) for s in self.index.score_against(texts, pos, semantic)]


def _entries(session: Session, since: datetime | None = None) -> list[tuple[FactCheckEntry, datetime]]:
    from salingjaga.factcheck.models import FactCheck

    query = select(FactCheck.id, FactCheck.claim, FactCheck.verdict, FactCheck.updated_at,
                   FactCheck.rating, FactCheck.headline)
    if since is not None:
        query = query.where(FactCheck.updated_at >= since)
    rows = session.execute(query.order_by(FactCheck.created_at, FactCheck.id)).all()
    return [(FactCheckEntry(r[0], r[1], r[2], r[4] or "", r[5] or ""), r[3]) for r in rows]


class MatcherCache:
    """One matcher per database, refreshed from the ``factchecks`` table when it changes."""

    def __init__(self, semantic: str = "auto") -> None:
        self.semantic = semantic
        self._lock = threading.Lock()
        self._state: dict[str, tuple[ClaimMatcher, tuple[int, Any]]] = {}

    @staticmethod
    def _version(session: Session) -> tuple[int, Any]:
        from salingjaga.factcheck.models import FactCheck

        row = session.execute(select(func.count(FactCheck.id), func.max(FactCheck.updated_at))).one()
        return int(row[0]), row[1]

    def get(self, session: Session) -> ClaimMatcher:
        """The matcher for this session's database, up to date with its fact-checks."""
        key = str(session.get_bind().engine.url)
        version = self._version(session)
        with self._lock:
            cached = self._state.get(key)
            if cached is not None and cached[1] == version:
                return cached[0]
            matcher = self._refresh(session, cached, version[0])
            self._state[key] = (matcher, version)
            return matcher

    def _refresh(self, session: Session, cached: tuple[ClaimMatcher, tuple[int, Any]] | None,
                 count: int) -> ClaimMatcher:
        if cached is not None and cached[1][1] is not None:
            matcher, (_, last_update) = cached
            changed = [e for e, _ in _entries(session, since=last_update)]
            known = [e for e in changed if matcher.position(e.id) is not None]
            edited = [e for e in known if matcher.entries[matcher.position(e.id) or 0] != e]
            new = [e for e in changed if matcher.position(e.id) is None]
            # Adding in place is right only if nothing was edited or deleted meanwhile.
            if not edited and len(matcher.entries) + len(new) == count:
                matcher.add(new)
                return matcher
        return ClaimMatcher([e for e, _ in _entries(session)], semantic=self.semantic)

    def clear(self) -> None:
        """Forget every cached matcher."""
        with self._lock:
            self._state.clear()


DEFAULT_CACHE = MatcherCache()


def get_matcher(session_or_db: Session | Database, cache: MatcherCache = DEFAULT_CACHE) -> ClaimMatcher:
    """The claim matcher over the fact-check table of this session or database."""
    if isinstance(session_or_db, Database):
        with session_or_db.session() as session:
            return cache.get(session)
    return cache.get(session_or_db)
