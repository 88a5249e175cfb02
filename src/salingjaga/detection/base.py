"""The shapes every detector shares: a signal result, a media file, an earlier item.

Kept free of I/O so ``scan_item`` runs the same in the worker (database-backed context)
and in ``salingjaga scan`` (in-memory context).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Verdicts that say little by themselves: the moderator needs the publisher's own rating.
UNCLEAR_VERDICTS = frozenset({"unrated", "other", ""})


def describe_verdict(verdict: str, rating: str = "") -> str:
    """A verdict for an explanation; for one the fact-check vocabulary could not place,
    with the publisher's own words, so the moderator can read what it said."""
    words = " ".join((rating or "").split())
    if verdict.lower() in UNCLEAR_VERDICTS and words and words.lower() != verdict.lower():
        words = words if len(words) <= 120 else words[:117] + "..."
        return f"{verdict or 'unrated'}, publisher's rating: \"{words}\""
    return verdict


@dataclass
class SignalResult:
    """One signal: a score in 0..1 and an explanation a moderator can read.

    ``key`` makes the signal unique per content and type (a bank entry, a fact-check, a
    policy), so a redelivered message stores the same row again instead of a second one.
    ``exact`` marks evidence that may drive an automatic action (a hash match to removed
    media, a cryptographically bound credential).
    """

    type: str
    policy: str
    score: float
    explanation: str
    key: str = ""
    exact: bool = False
    data: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # a ``SignalType`` member is stored as its plain string, as the database holds it
        self.type = str(self.type)

    def as_dict(self) -> dict[str, Any]:
        """JSON shape used by the CLI and the API."""
        return {
            "type": self.type,
            "policy": self.policy,
            "score": round(float(self.score), 4),
            "explanation": self.explanation,
            "key": self.key,
            "exact": self.exact,
            "data": self.data,
        }


@dataclass(frozen=True)
class MediaBlob:
    """A media file to scan: its bytes (read lazily by the caller) and what was declared."""

    kind: str
    mime: str | None
    data: bytes
    md5: str | None = None
    index: int = 0


@dataclass
class PriorItem:
    """An earlier item a behaviour detector compares against."""

    content_id: str
    account_id: str
    posted_at: datetime
    distance: int
    via: str  # "text" or "media"
