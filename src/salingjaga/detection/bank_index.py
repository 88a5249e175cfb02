"""The server's hash banks held as arrays: the PDQ index plus, per row, the entry's database
id and its bank's slot (8 + 4 bytes), and the MD5 entries as 16-byte values. No Python
object per entry, so 10 million entries take about the index's own ~95 bytes a hash plus
~13, and the whole bank can be saved and mapped back from disk instead of rebuilt.

Labels and hash text are not held: a match looks them up for the few entries it found
(``BoundBanks``), which also drops an entry removed since the index last caught up. A
bank's name, action, policy and threshold live in a small per-bank table (``set_banks``),
so changing a bank's settings touches no row.

Database ids only grow (bank writes are serialised, see ``detection.bank_store``), so the
id columns are sorted and a removal by id is a binary search.
"""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from salingjaga.detection.banks import BankEntry, BankMatch, entry_id, flatten
from salingjaga.detection.media.index import MAX_RADIUS, PDQIndex, hex_to_rows
from salingjaga.detection.media.orientations import copy_orientation

FORMAT = "salingjaga-bank-index"


@dataclass(frozen=True)
class BankInfo:
    """What a match needs to know about its bank."""

    name: str
    action: str
    policy: str
    threshold: int


class Column:
    """An append-only array over an optional read-only (memory-mapped) base: additions go
    to a growable part, so the base is never copied."""

    def __init__(self, dtype: type, base: np.ndarray | None = None) -> None:
        # a plain view of a memory map: indexing an np.memmap costs a subclass wrapper each time
        self.base = np.asarray(base) if base is not None else np.zeros(0, dtype)
        self._extra: np.ndarray = np.zeros(1024, dtype)
        self._n = 0

    def __len__(self) -> int:
        return len(self.base) + self._n

    @property
    def extra(self) -> np.ndarray:
        return self._extra[: self._n]

    def append(self, values: np.ndarray) -> None:
        need = self._n + len(values)
        if need > len(self._extra):
            grown = np.zeros(max(2 * len(self._extra), need), self._extra.dtype)
            grown[: self._n] = self._extra[: self._n]
            self._extra = grown
        self._extra[self._n: need] = values  # beyond what readers look at until _n moves
        self._n = need

    def take(self, rows: np.ndarray) -> np.ndarray:
        b = len(self.base)
        if not self._n:
            return self.base[rows]
        out = np.empty(len(rows), self._extra.dtype)
        low = rows < b
        out[low] = self.base[rows[low]]
        out[~low] = self._extra[rows[~low] - b]
        return out

    def whole(self) -> np.ndarray:
        return np.concatenate([self.base, self.extra]) if self._n else np.asarray(self.base)

    def find(self, values: np.ndarray) -> np.ndarray:
        """Positions of ``values`` in a sorted column (-1 where absent)."""
        out = np.full(len(values), -1, np.int64)
        offset = 0
        for part in (self.base, self.extra):
            if len(part):
                pos = np.minimum(np.searchsorted(part, values), len(part) - 1)
                hit = part[pos] == values
                out[hit] = pos[hit] + offset
            offset += len(part)
        return out


class BankIndex:
    """Every bank's PDQ and MD5 entries as arrays. Safe to match from many threads while
    one thread adds or removes (the PDQ index publishes whole views; the columns grow
    before the index does, so a row a reader sees always has its id and bank)."""

    def __init__(self, pdq: PDQIndex | None = None, pdq_ids: np.ndarray | None = None,
                 pdq_bank: np.ndarray | None = None) -> None:
        self.pdq = pdq if pdq is not None else PDQIndex()
        self.pdq_ids = Column(np.int64, pdq_ids)
        self.pdq_bank = Column(np.int32, pdq_bank)
        if len(self.pdq_ids) != self.pdq.rows or len(self.pdq_bank) != self.pdq.rows:
            raise ValueError("the PDQ index does not hold the bank's entries")
        # sorted values with their ids and banks, replaced as one tuple (readers take it whole)
        self.md5: tuple[np.ndarray, np.ndarray, np.ndarray] = (
            np.zeros(0, "S16"), np.zeros(0, np.int64), np.zeros(0, np.int32))
        self.slots: list[str] = []  # slot -> bank id
        self._slot: dict[str, int] = {}
        self.info: dict[int, BankInfo] = {}
        self.thresholds = np.zeros(0, np.int64)
        self.radius = 0
        self.max_id = 0
        self._write = threading.Lock()

    # ------------------------------------------------------------------ size and changes
    def __len__(self) -> int:
        return len(self.pdq) + len(self.md5[1])

    def nbytes(self) -> int:
        """Bytes the arrays take (mapped or in memory)."""
        cols = (self.pdq_ids.base, self.pdq_ids.extra, self.pdq_bank.base, self.pdq_bank.extra,
                *self.md5)
        return self.pdq.nbytes() + sum(int(c.nbytes) for c in cols)

    def slot(self, bank_id: str) -> int:
        """The slot of a bank, given one on first sight."""
        if bank_id not in self._slot:
            self._slot[bank_id] = len(self.slots)
            self.slots.append(bank_id)
            self.thresholds = np.append(self.thresholds, 0)
        return self._slot[bank_id]

    def set_banks(self, banks: Mapping[str, BankInfo]) -> None:
        """Every bank's settings (bank id -> info); banks not named keep no matches."""
        with self._write:
            for bank_id in banks:
                self.slot(bank_id)
            info = {self._slot[b]: i for b, i in banks.items()}
            thresholds = np.array([info[s].threshold if s in info else -1 for s in range(len(self.slots))],
                                  np.int64)
            self.info, self.thresholds = info, thresholds
            self.radius = min(MAX_RADIUS, max(0, int(thresholds.max(initial=0))))

    def add(self, ids: Sequence[int], bank_ids: Sequence[str], kinds: Sequence[str],
            values: Sequence[str]) -> int:
        """Add entries given column-wise, in increasing id order; ids not above the highest
        held are skipped (already added). Returns how many were added."""
        with self._write:
            idv = np.asarray(ids, np.int64)
            keep = idv > self.max_id
            if not keep.any():
                return 0
            if np.any(np.diff(idv[keep]) <= 0):
                raise ValueError("entries must be added in increasing id order")
            slots = np.array([self.slot(b) for b in bank_ids], np.int32)
            is_pdq = np.array([k == "pdq" for k in kinds], bool) & keep
            is_md5 = np.array([k == "md5" for k in kinds], bool) & keep
            if is_pdq.any():
                pdq_values = [v for v, p in zip(values, is_pdq, strict=True) if p]
                self.pdq_ids.append(idv[is_pdq])
                self.pdq_bank.append(slots[is_pdq])
                self.pdq.add(hex_to_rows(pdq_values))
            if is_md5.any():
                md5 = np.array([bytes.fromhex(v) for v, m in zip(values, is_md5, strict=True) if m], "S16")
                self._add_md5(md5, idv[is_md5], slots[is_md5])
            self.max_id = int(idv[keep].max())
            return int(keep.sum())

    def _add_md5(self, values: np.ndarray, ids: np.ndarray, slots: np.ndarray) -> None:
        old_values, old_ids, old_bank = self.md5
        allv = np.concatenate([old_values, values])
        order = np.argsort(allv, kind="stable")
        self.md5 = (allv[order], np.concatenate([old_ids, ids])[order],
                    np.concatenate([old_bank, slots])[order])

    def remove(self, ids: Sequence[int]) -> int:
        """Remove entries by database id; returns how many were held."""
        idv = np.unique(np.asarray(ids, np.int64))
        if not len(idv):
            return 0
        with self._write:
            rows = self.pdq_ids.find(idv)
            removed = self.pdq.remove(rows[rows >= 0].tolist())
            gone = np.isin(self.md5[1], idv)
            if gone.any():
                self.md5 = tuple(a[~gone] for a in self.md5)  # type: ignore[assignment]
                removed += int(gone.sum())
            return removed

    # ------------------------------------------------------------------ matching
    def match_md5(self, md5: str) -> list[tuple[int, int]]:
        """(entry id, bank slot) of every entry with this file hash."""
        key = np.array([bytes.fromhex(md5.lower())], "S16")
        values, ids, banks = self.md5
        lo, hi = np.searchsorted(values, key[0], "left"), np.searchsorted(values, key[0], "right")
        return [(int(ids[i]), int(banks[i])) for i in range(int(lo), int(hi)) if int(banks[i]) in self.info]

    def match_pdq_dihedral(self, hash_sets: Sequence[Sequence[str]]
                           ) -> list[list[tuple[int, int, int, int]]]:
        """For each image (its orientation hashes, the plain one first), every entry within
        its bank's threshold as (entry id, bank slot, distance, orientation index): one per
        entry, at its nearest orientation (the plain one on a tie)."""
        out: list[list[tuple[int, int, int, int]]] = [[] for _ in hash_sets]
        flat, owner = flatten(hash_sets)
        if not flat or not len(self.pdq):
            return out
        thresholds = self.thresholds
        qi, rows, dist = self.pdq.search(flat, self.radius)
        slots = self.pdq_bank.take(rows)
        keep = dist <= thresholds[slots]
        ids = self.pdq_ids.take(rows[keep])
        best: dict[tuple[int, int], tuple[int, int, int]] = {}  # (image, id) -> (distance, k, slot)
        for q, e, s, d in zip(qi[keep].tolist(), ids.tolist(), slots[keep].tolist(), dist[keep].tolist(),
                              strict=True):
            image, k = owner[q]
            current = best.get((image, e))
            if current is None or (d, k) < current[:2]:
                best[(image, e)] = (d, k, s)
        for (image, e), (d, k, s) in best.items():
            out[image].append((e, s, d, k))
        return out

    # ------------------------------------------------------------------ disk
    def save(self, path: Path, meta: Mapping[str, object]) -> None:
        """Write the bank (its PDQ index, id and bank columns, MD5 entries) with ``meta``
        (what database state it reflects), replacing any bank there only once complete."""
        path = Path(path)
        tmp = path.with_name(f"{path.name}.tmp-{threading.get_ident()}-{id(self)}")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        with self._write:
            self.pdq.save(tmp / "pdq")
            rows = self.pdq.rows
            np.save(tmp / "pdq_ids.npy", self.pdq_ids.whole()[:rows])
            np.save(tmp / "pdq_bank.npy", self.pdq_bank.whole()[:rows])
            for name, array in zip(("values", "ids", "bank"), self.md5, strict=True):
                np.save(tmp / f"md5_{name}.npy", array)
            manifest = {"format": FORMAT, "version": 1, "slots": self.slots, "max_id": self.max_id,
                        "meta": dict(meta)}
        (tmp / "manifest.json").write_text(json.dumps(manifest), "utf-8")
        old = path.with_name(f"{path.name}.old-{threading.get_ident()}-{id(self)}")
        if path.exists():
            path.rename(old)
        tmp.rename(path)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, path: Path) -> tuple[BankIndex, dict[str, object]]:
        """A saved bank, memory-mapped, and the meta it was saved with."""
        path = Path(path)
        manifest = json.loads((path / "manifest.json").read_text("utf-8"))
        if manifest.get("format") != FORMAT or manifest.get("version") != 1:
            raise ValueError(f"{path} is not a saved bank index")
        bank = cls(PDQIndex.load(path / "pdq"), np.load(path / "pdq_ids.npy", mmap_mode="r"),
                   np.load(path / "pdq_bank.npy", mmap_mode="r"))
        bank.md5 = tuple(np.load(path / f"md5_{n}.npy") for n in ("values", "ids", "bank"))
        for bank_id in manifest["slots"]:
            bank.slot(str(bank_id))
        bank.max_id = int(manifest["max_id"])
        return bank, dict(manifest["meta"])


# entry ids -> (hash, label) of those still in the database
Details = Callable[[Sequence[int]], Mapping[int, tuple[str, str]]]


class BoundBanks:
    """A ``BankIndex`` with a way to read matched entries' hash and label: what a scan
    matches against (the same answers as ``BankMatcher``)."""

    def __init__(self, index: BankIndex, details: Details) -> None:
        self.index = index
        self._details = details

    def __len__(self) -> int:
        return len(self.index)

    def _entry(self, e: int, slot: int, kind: str, found: Mapping[int, tuple[str, str]]) -> BankEntry | None:
        info = self.index.info.get(slot)
        if info is None or e not in found:
            return None  # removed since the index caught up, or its bank is gone
        value, label = found[e]
        return BankEntry(entry_id(info.name, e), info.name, info.action, info.policy, kind, value,
                         label, info.threshold)

    def match_md5(self, md5: str) -> list[BankMatch]:
        hits = self.index.match_md5(md5)
        found = self._details([e for e, _ in hits]) if hits else {}
        entries = [self._entry(e, s, "md5", found) for e, s in hits]
        return [BankMatch(x, 0, md5) for x in entries if x is not None]

    def match_pdq(self, hashes: Sequence[str]) -> list[list[BankMatch]]:
        return self.match_pdq_dihedral([[h] for h in hashes])

    def match_pdq_dihedral(self, hash_sets: Sequence[Sequence[str]]) -> list[list[BankMatch]]:
        hits = self.index.match_pdq_dihedral(hash_sets)
        wanted = sorted({e for image in hits for e, *_ in image})
        found = self._details(wanted) if wanted else {}
        out: list[list[BankMatch]] = []
        for image, matches in zip(hash_sets, hits, strict=True):
            row = []
            for e, s, d, k in matches:
                entry = self._entry(e, s, "pdq", found)
                if entry is not None:
                    row.append(BankMatch(entry, d, image[0], copy_orientation(k)))
            row.sort(key=lambda m: (m.distance, m.entry.entry_id))
            out.append(row)
        return out
