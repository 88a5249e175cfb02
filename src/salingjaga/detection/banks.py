"""Matching media against hash banks: an exact MD5 table and the PDQ index, with each
bank's own PDQ threshold. Pure over the entries it is built from (no database)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from salingjaga.detection.media.index import MAX_RADIUS, PDQIndex


@dataclass(frozen=True)
class BankEntry:
    """One bank entry with what a match needs to explain and route itself."""

    entry_id: int
    bank: str
    bank_action: str  # "remove" (known removed media) or "review"
    policy: str
    kind: str  # "pdq" or "md5"
    value: str
    label: str
    threshold: int = 31


@dataclass(frozen=True)
class BankMatch:
    """A media hash that matched an entry, at a distance (0 for MD5)."""

    entry: BankEntry
    distance: int
    query: str


class BankMatcher:
    """Every bank's entries, indexed for look-up."""

    def __init__(self, entries: Sequence[BankEntry]) -> None:
        self.md5: dict[str, list[BankEntry]] = {}
        pdq = [e for e in entries if e.kind == "pdq"]
        for e in entries:
            if e.kind == "md5":
                self.md5.setdefault(e.value, []).append(e)
        self.pdq_entries = pdq
        self.thresholds = np.array([e.threshold for e in pdq], dtype=np.int64)
        self.radius = min(MAX_RADIUS, int(self.thresholds.max())) if pdq else 0
        self.index = PDQIndex([e.value for e in pdq]) if pdq else None

    def __len__(self) -> int:
        return len(self.pdq_entries) + sum(len(v) for v in self.md5.values())

    def match_md5(self, md5: str) -> list[BankMatch]:
        """Entries whose file is byte-identical."""
        return [BankMatch(e, 0, md5) for e in self.md5.get(md5.lower(), [])]

    def match_pdq(self, hashes: Sequence[str]) -> list[list[BankMatch]]:
        """For each PDQ hash, the entries within their bank's threshold, nearest first."""
        out: list[list[BankMatch]] = [[] for _ in hashes]
        if self.index is None or not hashes:
            return out
        qi, rows, dist = self.index.search(list(hashes), self.radius)
        keep = dist <= self.thresholds[rows]
        for q, r, d in zip(qi[keep].tolist(), rows[keep].tolist(), dist[keep].tolist(), strict=True):
            out[q].append(BankMatch(self.pdq_entries[r], int(d), hashes[q]))
        for matches in out:
            matches.sort(key=lambda m: m.distance)
        return out
