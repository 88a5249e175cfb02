"""Matching media against hash banks: an exact MD5 table and the PDQ index, with each
bank's own PDQ threshold. Pure over the entries it is built from (no database).

An entry's id carries its bank (``"<bank>:<number>"``): numbers alone repeat across banks
(two bank files each have a line 1), and a match in one bank must never stand in for, or
hide, the match in another. Every bank that matches is reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

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


def flatten(hash_sets: Sequence[Sequence[str]]) -> tuple[list[str], list[tuple[int, int]]]:
    """Every image's orientation hashes in one list, with (image, orientation index) for
    each: one index search answers them all."""
    flat: list[str] = []
    owner: list[tuple[int, int]] = []
    for i, hashes in enumerate(hash_sets):
        if len(hashes) > len(ORIENTATIONS):
            raise ValueError(f"at most {len(ORIENTATIONS)} orientation hashes per image")
        for k, h in enumerate(hashes):
            flat.append(h)
            owner.append((i, k))
    return flat, owner


class Banks(Protocol):
    """What a scan matches media against: ``BankMatcher`` (entries in memory, bank files)
    or the server's ``bank_index.BoundBanks`` (arrays)."""

    def __len__(self) -> int: ...

    def match_md5(self, md5: str) -> list[BankMatch]: ...

    def match_pdq(self, hashes: Sequence[str]) -> list[list[BankMatch]]: ...

    def match_pdq_dihedral(self, hash_sets: Sequence[Sequence[str]]) -> list[list[BankMatch]]: ...


class BankMatcher:
    """Every bank's entries, indexed for look-up. Entries can be added and removed in
    place (a bank refresh) without re-indexing the rest."""

    def __init__(self, entries: Sequence[BankEntry], index: PDQIndex | None = None) -> None:
        """``index``, when given, already holds the PDQ entries' hashes in order (a saved
        index loaded from disk), so it is not rebuilt."""
        self.md5: dict[str, list[BankEntry]] = {}
        pdq = [e for e in entries if e.kind == "pdq"]
        for e in entries:
            if e.kind == "md5":
                self.md5.setdefault(e.value, []).append(e)
        self.pdq_entries = pdq
        self.thresholds = np.array([e.threshold for e in pdq], dtype=np.int64)
        self._live: dict[str, int] = {e.entry_id: row for row, e in enumerate(pdq)}
        if index is not None and index.rows != len(pdq):
            raise ValueError("the index does not hold the bank's PDQ entries")
        self.index: PDQIndex | None = index if index is not None else PDQIndex([e.value for e in pdq])
        self._set_radius()

    def _set_radius(self) -> None:
        live = self.thresholds[list(self._live.values())] if self._live else self.thresholds[:0]
        self.radius = min(MAX_RADIUS, int(live.max())) if len(live) else 0

    def __len__(self) -> int:
        return len(self._live) + sum(len(v) for v in self.md5.values())

    def add(self, entries: Sequence[BankEntry]) -> None:
        """Add entries (a PDQ entry whose id is already live is skipped)."""
        pdq = [e for e in entries if e.kind == "pdq" and e.entry_id not in self._live]
        for e in entries:
            if e.kind == "md5" and e not in self.md5.get(e.value, []):
                self.md5.setdefault(e.value, []).append(e)
        if pdq and self.index is not None:
            # entries and thresholds first: a search in another thread may see the new
            # rows as soon as the index has them
            self.pdq_entries.extend(pdq)
            self.thresholds = np.concatenate([self.thresholds,
                                              np.array([e.threshold for e in pdq], np.int64)])
            rows = self.index.add([e.value for e in pdq])
            self._live.update({e.entry_id: int(r) for e, r in zip(pdq, rows, strict=True)})
            self._set_radius()

    def remove(self, entry_ids: Sequence[str]) -> int:
        """Remove entries by id; returns how many were held."""
        gone = set(entry_ids)
        rows = [self._live.pop(i) for i in gone if i in self._live]
        if rows and self.index is not None:
            self.index.remove(rows)
        removed = len(rows)
        for value in list(self.md5):
            kept = [e for e in self.md5[value] if e.entry_id not in gone]
            removed += len(self.md5[value]) - len(kept)
            if kept:
                self.md5[value] = kept
            else:
                del self.md5[value]
        self._set_radius()
        return removed

    def live_pdq_entries(self) -> list[BankEntry]:
        """The PDQ entries held (removed ones left out), in the order they were added."""
        return [self.pdq_entries[r] for r in sorted(self._live.values())]

    def entry_ids(self) -> set[str]:
        """Ids of every entry held."""
        return set(self._live) | {e.entry_id for es in self.md5.values() for e in es}

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
        if self.index is None or not self._live or not hash_sets:
            return out
        flat, owner = flatten(hash_sets)
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
