"""Matching media against hash banks: an exact MD5 table and the PDQ index, with each
bank's own PDQ threshold. Pure over the entries it is built from (no database).

An entry's id carries its bank (``"<bank>:<number>"``): numbers alone repeat across banks
(two bank files each have a line 1), and a match in one bank must never stand in for, or
hide, the match in another. Every bank that matches is reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from salingjaga.detection.media.index import MAX_RADIUS, PDQIndex
from salingjaga.detection.media.orientations import ORIENTATIONS, copy_orientation


def entry_id(bank: str, number: int | str) -> str:
    """The id of entry ``number`` of ``bank``: unique across banks."""
    return f"{bank}:{number}"


@dataclass(frozen=True)
class BankEntry:
    """One bank entry with what a match needs to explain and route itself."""

    entry_id: str  # "<bank>:<number>", see entry_id()
    bank: str
    bank_action: str  # "remove" (known removed media) or "review"
    policy: str
    kind: str  # "pdq" or "md5"
    value: str
    label: str
    threshold: int = 31


@dataclass(frozen=True)
class BankMatch:
    """A media hash that matched an entry, at a distance (0 for MD5).

    ``orientation`` says how the copy is turned relative to the banked original
    ("original" when it matched as posted); ``query`` is the copy's plain hash.
    """

    entry: BankEntry
    distance: int
    query: str
    orientation: str = "original"


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
        """For each PDQ hash as given (no other orientation), the entries within their
        bank's threshold, nearest first."""
        return self.match_pdq_dihedral([[h] for h in hashes])

    def match_pdq_dihedral(self, hash_sets: Sequence[Sequence[str]]) -> list[list[BankMatch]]:
        """For each image, given as its orientation hashes (``ORIENTATIONS`` order, the
        plain hash first), every entry that one of them matches within the entry's
        threshold: one match per entry, at its nearest orientation (the plain one on a
        tie), nearest first."""
        out: list[list[BankMatch]] = [[] for _ in hash_sets]
        if self.index is None or not hash_sets:
            return out
        flat: list[str] = []
        owner: list[tuple[int, int]] = []  # (image, orientation index) per flat query
        for i, hashes in enumerate(hash_sets):
            if len(hashes) > len(ORIENTATIONS):
                raise ValueError(f"at most {len(ORIENTATIONS)} orientation hashes per image")
            for k, h in enumerate(hashes):
                flat.append(h)
                owner.append((i, k))
        qi, rows, dist = self.index.search(flat, self.radius)
        keep = dist <= self.thresholds[rows]
        best: dict[tuple[int, int], tuple[int, int]] = {}  # (image, row) -> (distance, orientation)
        for q, r, d in zip(qi[keep].tolist(), rows[keep].tolist(), dist[keep].tolist(), strict=True):
            image, k = owner[q]
            current = best.get((image, r))
            if current is None or (d, k) < current:
                best[(image, r)] = (d, k)
        for (image, r), (d, k) in best.items():
            out[image].append(BankMatch(self.pdq_entries[r], int(d), hash_sets[image][0],
                                        copy_orientation(k)))
        for matches in out:
            matches.sort(key=lambda m: (m.distance, m.entry.entry_id))
        return out
