"""An exact PDQ index that stays fast at 10 million hashes, loads from disk memory-mapped,
and takes additions and removals without a rebuild.

The index is a few immutable segments plus a small unindexed tail. Each segment holds its
hashes (32 bytes each) and, per chunk of the hash, the row numbers sorted by that chunk's
key with a bucket offset table (multi-index hashing; see index_plan for why probing is
exact). At 10 million rows that is 32 + 12 x 4 + ~13 = ~94 bytes a hash. Additions land
in the tail, which is scanned by brute force and frozen into a new segment when it fills;
segments of similar size are merged, so there are O(log n) of them. Removals clear a
row's live flag. Row numbers never change: they are the order in which hashes were added.

The inner loops are compiled (index_kernels) and release the GIL, so a batch is split
across threads and uses every core. Every answer is exactly what a brute-force scan at
the same radius returns (tests check this at every distance up to 31).
"""

from __future__ import annotations

import json
import mmap
import os
import shutil
import threading
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from salingjaga.detection.media import index_kernels as kernels
from salingjaga.detection.media.index_plan import layout_arrays, layout_for, plan_for

MAX_RADIUS = 47  # bank thresholds are validated to 0..47
TAIL_ROWS = 32768  # unindexed additions scanned by brute force before they are frozen
FORMAT = "salingjaga-pdq-index"
_pool: ThreadPoolExecutor | None = None


def hex_to_rows(hashes: Sequence[str]) -> np.ndarray:
    """Hex PDQ hashes as an (n, 32) uint8 array."""
    if not hashes:
        return np.zeros((0, 32), dtype=np.uint8)
    return np.frombuffer(bytes.fromhex("".join(hashes)), dtype=np.uint8).reshape(-1, 32).copy()


def _as_words(hashes: np.ndarray | Sequence[str]) -> np.ndarray:
    rows = hashes if isinstance(hashes, np.ndarray) else hex_to_rows(list(hashes))
    if rows.dtype == np.uint64 and rows.ndim == 2 and rows.shape[1] == 4:
        return np.ascontiguousarray(rows)
    return np.ascontiguousarray(rows, dtype=np.uint8).reshape(-1, 32).view(np.uint64)


def threads() -> int:
    """Threads a batch is split over: SALINGJAGA_PDQ_THREADS, else every core."""
    return max(1, int(os.environ.get("SALINGJAGA_PDQ_THREADS") or os.cpu_count() or 1))


def huge_zeros(shape: tuple[int, ...], dtype: type) -> np.ndarray:
    """A zeroed array in anonymous memory the kernel may back with 2 MB pages: the index
    reads it at random, and with 4 kB pages nearly every read would also miss the TLB."""
    count = int(np.prod(shape))
    nbytes = max(1, count * np.dtype(dtype).itemsize)
    if nbytes < (4 << 20) or not hasattr(mmap, "MADV_HUGEPAGE"):
        return np.zeros(shape, dtype)
    buf = mmap.mmap(-1, nbytes, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    buf.madvise(mmap.MADV_HUGEPAGE)
    return np.frombuffer(buf, dtype, count).reshape(shape)


@dataclass
class Segment:
    """Rows ``start .. start + len(words)`` indexed under one layout (or none: scanned)."""

    words: np.ndarray  # (n, 4) uint64
    start: int
    layout: str | None = None
    offsets: np.ndarray | None = None  # uint32, every chunk's offset table concatenated
    ids: np.ndarray | None = None  # uint32, chunk c's rows at [c*n, (c+1)*n)

    @classmethod
    def build(cls, words: np.ndarray, start: int) -> Segment:
        n = len(words)
        layout = layout_for(n)
        word, shift, width = layout.arrays()
        if not isinstance(words.base, mmap.mmap):
            copy = huge_zeros(words.shape, np.uint64)
            copy[:] = words
            words = copy
        offsets = huge_zeros((layout.offsets_size(),), np.uint32)
        ids = huge_zeros((len(width) * n,), np.uint32)
        bases = layout.offset_bases()
        for c in range(len(width)):
            kernels.build_chunk(words, int(word[c]), shift[c], width[c],
                                offsets[bases[c]: bases[c] + (1 << int(width[c])) + 1],
                                ids[c * n: (c + 1) * n])
        return cls(words, start, layout.name, offsets, ids)

    def search(self, q: np.ndarray, alive: np.ndarray, radius: int
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        live = alive[self.start: self.start + len(self.words)]
        plan = plan_for(self.layout, len(self.words), radius) if self.layout else None
        if plan is None or plan.scan or self.offsets is None or self.ids is None:
            return kernels.scan(q, self.words, live, radius, self.start)
        word, shift, width, bases = layout_arrays(self.layout)
        return kernels.mih_search(q, self.words, live, self.offsets, self.ids, word, shift, width,
                                  bases, plan.chunk, plan.depth, plan.mask_start,
                                  plan.masks, radius, self.start)

    def nbytes(self) -> int:
        return sum(int(a.nbytes) for a in (self.words, self.offsets, self.ids) if a is not None)


@dataclass(frozen=True)
class _View:
    """What a search reads. Changes publish a new view in one assignment, so a search
    running in another thread sees the index before or after a change, never between."""

    segments: tuple[Segment, ...]
    tail: np.ndarray  # (capacity, 4) uint64; rows beyond tail_n are unused
    tail_n: int
    rows: int
    alive: np.ndarray  # uint8 per row number (capacity may exceed rows)


class PDQIndex:
    """Exact range search over PDQ hashes. Rows are numbered in the order they were added;
    a removed row keeps its number and is never returned again. Safe to search from many
    threads while one thread adds or removes."""

    def __init__(self, hashes: np.ndarray | Sequence[str] = ()) -> None:
        words = _as_words(hashes)
        segments = (Segment.build(words, 0),) if len(words) else ()
        self._view = _View(segments, np.zeros((0, 4), np.uint64), 0, len(words),
                           np.ones(max(16, len(words)), np.uint8))
        self._live = len(words)
        self._write = threading.Lock()

    # ------------------------------------------------------------------ size and changes
    def __len__(self) -> int:
        """Live (not removed) hashes."""
        return self._live

    @property
    def rows(self) -> int:
        """Row numbers handed out so far (removed rows included)."""
        return self._view.rows

    @property
    def segments(self) -> tuple[Segment, ...]:
        return self._view.segments

    def nbytes(self) -> int:
        """Bytes the index's arrays take (mapped or in memory)."""
        v = self._view
        return sum(s.nbytes() for s in v.segments) + int(v.tail.nbytes) + int(v.alive.nbytes)

    def add(self, hashes: np.ndarray | Sequence[str]) -> np.ndarray:
        """Add hashes; returns their new row numbers."""
        words = _as_words(hashes)
        n = len(words)
        if not n:
            return np.zeros(0, np.int64)
        with self._write:
            v = self._view
            tail, alive = v.tail, v.alive
            if v.tail_n + n > len(tail):
                tail = np.zeros((max(2 * len(tail), v.tail_n + n, 1024), 4), np.uint64)
                tail[: v.tail_n] = v.tail[: v.tail_n]
            tail[v.tail_n: v.tail_n + n] = words  # beyond what current readers look at
            if v.rows + n > len(alive):
                alive = np.zeros(max(2 * len(alive), v.rows + n), np.uint8)
                alive[: v.rows] = v.alive[: v.rows]
            alive[v.rows: v.rows + n] = 1
            self._view = _View(v.segments, tail, v.tail_n + n, v.rows + n, alive)
            self._live += n
            if v.tail_n + n >= TAIL_ROWS:
                self._freeze()
            return np.arange(v.rows, v.rows + n, dtype=np.int64)

    def remove(self, rows: Iterable[int]) -> int:
        """Remove rows by number; returns how many were live."""
        with self._write:
            v = self._view
            r = np.fromiter(rows, dtype=np.int64)
            r = np.unique(r[(r >= 0) & (r < v.rows)])
            removed = int(v.alive[r].sum())
            v.alive[r] = 0
            self._live -= removed
            return removed

    def _freeze(self) -> None:
        """Index the tail as a segment, then merge the last two segments while the older
        is no more than twice the newer (a binary counter: O(log n) segments). Called with
        the write lock held."""
        v = self._view
        if v.tail_n == 0:
            return
        segments = [*v.segments, Segment.build(v.tail[: v.tail_n].copy(), v.rows - v.tail_n)]
        while len(segments) >= 2 and len(segments[-2].words) <= 2 * len(segments[-1].words):
            b = segments.pop()
            a = segments.pop()
            segments.append(Segment.build(np.concatenate([a.words, b.words]), a.start))
        self._view = _View(tuple(segments), np.zeros((0, 4), np.uint64), 0, v.rows, v.alive)

    # ------------------------------------------------------------------ search
    def search(self, queries: np.ndarray | Sequence[str], radius: int = 31
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every (query number, row, distance) with distance <= radius, sorted by query."""
        if not 0 <= radius <= MAX_RADIUS:
            raise ValueError(f"radius must be between 0 and {MAX_RADIUS}")
        q = _as_words(queries)
        view = self._view
        parts = threads() if len(q) >= 64 else 1
        if parts == 1:
            return _search(view, q, radius, 0)
        global _pool
        if _pool is None or _pool._max_workers < parts:
            _pool = ThreadPoolExecutor(parts, thread_name_prefix="pdq")
        bounds = np.linspace(0, len(q), parts + 1).astype(int)
        results = list(_pool.map(lambda i: _search(view, q[bounds[i]: bounds[i + 1]], radius, int(bounds[i])),
                                 range(parts)))
        return tuple(np.concatenate([r[k] for r in results]) for k in range(3))  # type: ignore[return-value]

    def scan(self, queries: np.ndarray | Sequence[str], radius: int = 31
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The same answer as ``search`` by brute force over every row (the reference)."""
        q = _as_words(queries)
        v = self._view
        found = [kernels.scan(q, s.words, v.alive[s.start: s.start + len(s.words)], radius, s.start)
                 for s in v.segments]
        found.append(kernels.scan(q, v.tail[: v.tail_n], v.alive[v.rows - v.tail_n: v.rows],
                                  radius, v.rows - v.tail_n))
        qi, rows, dist = (np.concatenate([f[k] for f in found]) for k in range(3))
        order = np.lexsort((rows, qi))
        return qi[order], rows[order], dist[order]

    def search_one(self, query: str, radius: int = 31) -> list[tuple[int, int]]:
        """(row, distance) pairs for one hex hash, nearest first."""
        _, rows, dist = self.search([query], radius)
        return sorted(zip(rows.tolist(), dist.tolist(), strict=True), key=lambda x: (x[1], x[0]))

    # ------------------------------------------------------------------ disk
    def save(self, path: Path) -> None:
        """Write the index as a directory of .npy files and a manifest, replacing any
        index there only once the new one is complete."""
        with self._write:
            self._freeze()
            v = self._view
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        manifest = {"format": FORMAT, "version": 1, "rows": v.rows, "segments": []}
        for k, s in enumerate(v.segments):
            np.save(tmp / f"seg{k}-words.npy", s.words)
            if s.layout and s.offsets is not None and s.ids is not None:
                np.save(tmp / f"seg{k}-offsets.npy", s.offsets)
                np.save(tmp / f"seg{k}-ids.npy", s.ids)
            manifest["segments"].append({"start": s.start, "rows": len(s.words), "layout": s.layout})  # type: ignore[attr-defined]
        np.save(tmp / "alive.npy", v.alive[: v.rows])
        (tmp / "manifest.json").write_text(json.dumps(manifest), "utf-8")
        old = path.with_name(path.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if path.exists():
            path.rename(old)
        tmp.rename(path)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, path: Path) -> PDQIndex:
        """Open a saved index memory-mapped: nothing is rebuilt, pages are read as used
        (and shared by every process that maps the same files)."""
        path = Path(path)
        manifest = json.loads((path / "manifest.json").read_text("utf-8"))
        if manifest.get("format") != FORMAT or manifest.get("version") != 1:
            raise ValueError(f"{path} is not a saved PDQ index")
        segments = []
        for k, s in enumerate(manifest["segments"]):
            words = _mapped(path / f"seg{k}-words.npy")
            if s["layout"]:
                segments.append(Segment(words, s["start"], s["layout"],
                                        _mapped(path / f"seg{k}-offsets.npy"),
                                        _mapped(path / f"seg{k}-ids.npy")))
            else:
                segments.append(Segment(words, s["start"]))
        alive = np.array(np.load(path / "alive.npy"), np.uint8)  # small, and written to
        rows = int(manifest["rows"])
        if len(alive) != rows or sum(len(s.words) for s in segments) != rows:
            raise ValueError(f"{path}: the saved index is incomplete")
        index = cls()
        index._view = _View(tuple(segments), np.zeros((0, 4), np.uint64), 0, rows, alive)
        index._live = int(alive.sum())
        return index


def _search(v: _View, q: np.ndarray, radius: int, q_base: int
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    found = [s.search(q, v.alive, radius) for s in v.segments]
    if v.tail_n:
        found.append(kernels.scan(q, v.tail[: v.tail_n], v.alive[v.rows - v.tail_n: v.rows],
                                  radius, v.rows - v.tail_n))
    if not found:
        empty = np.zeros(0, np.int64)
        return empty, empty.copy(), empty.copy()
    if len(found) == 1:
        qi, rows, dist = found[0]
        return (qi + q_base if q_base else qi), rows, dist
    qi, rows, dist = (np.concatenate([f[k] for f in found]) for k in range(3))
    if len(found) > 1:
        order = np.argsort(qi, kind="stable")
        qi, rows, dist = qi[order], rows[order], dist[order]
    return qi + q_base, rows, dist


def _mapped(path: Path) -> np.ndarray:
    """A read-only memory map of an .npy file, with the kernel asked to read it ahead."""
    array = np.load(path, mmap_mode="r")
    raw = getattr(array, "_mmap", None)
    if raw is not None and hasattr(mmap, "MADV_WILLNEED"):
        raw.madvise(mmap.MADV_WILLNEED)
    return np.asarray(array)  # a plain ndarray view of the map (what the kernels take)
