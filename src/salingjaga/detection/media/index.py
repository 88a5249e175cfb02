"""An exact PDQ index for Hamming radius up to 47, built on multi-index hashing (MIH).

The 256 bits are cut into 16 chunks of 16 bits. Two hashes within distance r differ in
at most floor(r/16) bits in at least one chunk (pigeonhole), so probing every chunk's
bucket and its neighbours within that many flipped bits finds every true match: for the
default r=31 that is 16 x 17 bucket probes per query. Candidates are pre-filtered on a
128-bit sketch stored beside each bucket entry (contiguous, cache-friendly), and only the
few survivors are checked on all 256 bits. Everything is vectorised across a batch.

Memory is about 350 bytes per hash (16 sorted copies of a 16-byte sketch plus a row id),
so 10 million hashes take ~3.5 GB; lookups cost grows with bucket size (N / 65536).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

import numpy as np

CHUNKS = 16
BUCKETS = 1 << 16
MAX_RADIUS = 47  # 16 chunks x 3 bits - 1: the flip tables below stop at 2 bits per chunk


def _flip_masks(radius: int) -> np.ndarray:
    masks = [0]
    for k in range(1, radius + 1):
        for bits in combinations(range(16), k):
            m = 0
            for b in bits:
                m |= 1 << b
            masks.append(m)
    return np.array(masks, dtype=np.int64)


def hex_to_rows(hashes: Sequence[str]) -> np.ndarray:
    """Hex PDQ hashes as an (n, 32) uint8 array."""
    if not hashes:
        return np.zeros((0, 32), dtype=np.uint8)
    return np.frombuffer(bytes.fromhex("".join(hashes)), dtype=np.uint8).reshape(-1, 32).copy()


class PDQIndex:
    """Exact range search over PDQ hashes. Rows are numbered in the order they were added."""

    SLICE_CANDIDATES = 32768  # queries per slice x bucket size (rows/65536) x 16, roughly

    def __init__(self, hashes: np.ndarray | Sequence[str]) -> None:
        rows = hashes if isinstance(hashes, np.ndarray) else hex_to_rows(list(hashes))
        self.rows = np.ascontiguousarray(rows, dtype=np.uint8).reshape(-1, 32)
        n = len(self.rows)
        self.words = self.rows.view(np.uint64)  # (n, 4)
        keys = self.rows.view(np.uint16)  # (n, 16), chunk c = 16-bit word c
        # the sketch of chunk c: the two 64-bit words after the one holding chunk c
        self._sketch_words = np.array([[((c // 4) + 1) % 4, ((c // 4) + 2) % 4]
                                       for c in range(CHUNKS)], dtype=np.int64)
        self.offsets = np.zeros(CHUNKS * BUCKETS + 1, dtype=np.int64)
        self.order = np.empty(CHUNKS * n, dtype=np.int32)
        self.sketch = np.empty((CHUNKS * n, 2), dtype=np.uint64)
        for c in range(CHUNKS):
            k = keys[:, c]
            order = np.argsort(k, kind="stable").astype(np.int32)
            counts = np.bincount(k, minlength=BUCKETS)
            base = c * n
            np.cumsum(counts, out=self.offsets[c * BUCKETS + 1 : (c + 1) * BUCKETS + 1])
            self.offsets[c * BUCKETS + 1 : (c + 1) * BUCKETS + 1] += base
            self.order[base : base + n] = order
            self.sketch[base : base + n] = self.words[order][:, self._sketch_words[c]]
        self._masks: dict[int, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self.rows)

    def search(self, queries: np.ndarray | Sequence[str], radius: int = 31
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every (query number, row, distance) with distance <= radius, sorted by query."""
        if not 0 <= radius <= MAX_RADIUS:
            raise ValueError(f"radius must be between 0 and {MAX_RADIUS}")
        q = queries if isinstance(queries, np.ndarray) else hex_to_rows(list(queries))
        q = np.ascontiguousarray(q, dtype=np.uint8).reshape(-1, 32)
        # small slices keep the candidate arrays in cache; big batches thrash it
        step = max(1, self.SLICE_CANDIDATES // max(1, len(self.rows) // 4096))
        if len(q) <= step:
            return self._search(q, radius)
        parts = [self._search(q[i : i + step], radius) for i in range(0, len(q), step)]
        offsets = [i for i in range(0, len(q), step)]
        return (np.concatenate([p[0] + off for p, off in zip(parts, offsets, strict=True)]),
                np.concatenate([p[1] for p in parts]), np.concatenate([p[2] for p in parts]))

    def _search(self, q: np.ndarray, radius: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        empty = np.zeros(0, dtype=np.int64)
        if len(q) == 0 or len(self.rows) == 0:
            return empty, empty, empty
        per_chunk = radius // CHUNKS
        masks = self._masks.get(per_chunk)
        if masks is None:
            masks = self._masks[per_chunk] = _flip_masks(per_chunk)
        nm = len(masks)
        q16 = q.view(np.uint16).astype(np.int64)  # (nq, 16)
        q64 = q.view(np.uint64)  # (nq, 4)
        chunk_base = (np.arange(CHUNKS, dtype=np.int64) * BUCKETS)[None, :, None]
        keys = ((q16[:, :, None] ^ masks[None, None, :]) + chunk_base).ravel()  # (nq*16*nm)
        starts = self.offsets[keys]
        lengths = self.offsets[keys + 1] - starts
        total = int(lengths.sum())
        if total == 0:
            return empty, empty, empty
        ends = np.cumsum(lengths)
        pos = np.arange(total, dtype=np.int64) + np.repeat(starts - (ends - lengths), lengths)
        # the query's sketch per probe, repeated over that probe's bucket entries
        q_sketch = q64[:, self._sketch_words]  # (nq, 16, 2)
        probe_sketch = np.repeat(q_sketch, nm, axis=1).reshape(-1, 2)  # (nq*16*nm, 2)
        cand_p = np.repeat(np.arange(len(keys), dtype=np.int64), lengths)
        xored = self.sketch[pos] ^ np.repeat(probe_sketch, lengths, axis=0)
        near = np.bitwise_count(xored).sum(axis=1, dtype=np.int64) <= radius
        cand_q = cand_p[near] // (CHUNKS * nm)
        cand_r = self.order[pos[near]].astype(np.int64)
        dist = np.bitwise_count(self.words[cand_r] ^ q64[cand_q]).sum(axis=1, dtype=np.int64)
        hit = dist <= radius
        cand_q, cand_r, dist = cand_q[hit], cand_r[hit], dist[hit]
        # a true match near in several chunks is found once per chunk: keep one
        pair = cand_q * len(self.rows) + cand_r
        _, first = np.unique(pair, return_index=True)
        return cand_q[first], cand_r[first], dist[first]

    def search_one(self, query: str, radius: int = 31) -> list[tuple[int, int]]:
        """(row, distance) pairs for one hex hash, nearest first."""
        _, rows, dist = self.search([query], radius)
        return sorted(zip(rows.tolist(), dist.tolist(), strict=True), key=lambda x: x[1])
