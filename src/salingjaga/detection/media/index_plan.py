"""How the PDQ index cuts a hash into chunks, and which chunks a search probes how deep.

Multi-index hashing rests on a pigeonhole argument. Cut the 256 bits into chunks and give
each probed chunk i a depth t_i (buckets within t_i flipped bits of the query's key are
read). If two hashes are within distance r and every probed chunk differed in more than
t_i bits, the probed chunks alone would differ in at least sum(t_i + 1) bits; so when
sum(t_i + 1) > r, some probed chunk is within its depth and the row is found. Any choice
of depths meeting that sum is exact; the planner picks the cheapest for the segment's size.

Two layouts: 16 chunks of 16 bits (small offset tables, for segments up to a few million
rows) and 12 chunks of 22/21/21 bits per 64-bit word (buckets stay small at 10 million
rows while the offset tables cost ~13 bytes a hash).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import combinations
from math import comb

import numpy as np

MAX_DEPTH = 4  # deeper probing is never cheaper than a scan at the sizes the index serves
RANDOM_COST = 4.0  # a bucket probe or candidate (random memory) against one scanned row


@dataclass(frozen=True)
class Layout:
    """Chunks as (64-bit word, shift, width), in a fixed order."""

    name: str
    word: tuple[int, ...]
    shift: tuple[int, ...]
    width: tuple[int, ...]

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return (np.array(self.word, np.int64), np.array(self.shift, np.uint64),
                np.array(self.width, np.uint64))

    def offset_bases(self) -> np.ndarray:
        """Where each chunk's offset table starts in the concatenated tables."""
        sizes = [(1 << w) + 1 for w in self.width]
        return np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)

    def offsets_size(self) -> int:
        return sum((1 << w) + 1 for w in self.width)


LAYOUTS = {
    "16x16": Layout("16x16", tuple(w for w in range(4) for _ in range(4)),
                    (48, 32, 16, 0) * 4, (16,) * 16),
    "12x21": Layout("12x21", tuple(w for w in range(4) for _ in range(3)),
                    (42, 21, 0) * 4, (22, 21, 21) * 4),
}
WIDE_FROM = 2_000_000  # rows from which the 12-chunk layout is used


@cache
def layout_arrays(name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A layout's (word, shift, width, offset base) arrays as the kernels take them, made once."""
    layout = LAYOUTS[name]
    return (*layout.arrays(), layout.offset_bases())


def layout_for(rows: int) -> Layout:
    """The layout for a segment of ``rows`` hashes."""
    return LAYOUTS["12x21" if rows >= WIDE_FROM else "16x16"]


@cache
def flip_masks(width: int, depth: int) -> np.ndarray:
    """Every key mask of at most ``depth`` set bits within ``width`` bits, fewest first."""
    out = [0]
    for k in range(1, depth + 1):
        for bits in combinations(range(width), k):
            m = 0
            for b in bits:
                m |= 1 << b
            out.append(m)
    return np.array(out, dtype=np.uint64)


@dataclass(frozen=True)
class Plan:
    """Probed chunks with their depths and the concatenated flip masks (or a scan)."""

    scan: bool
    chunk: np.ndarray
    depth: np.ndarray
    mask_start: np.ndarray
    masks: np.ndarray


def _probes(width: int, depth: int) -> int:
    return sum(comb(width, k) for k in range(depth + 1))


@lru_cache(maxsize=512)  # keyed by segment size too; sizes are few but not bounded
def plan_for(layout_name: str, rows: int, radius: int) -> Plan:
    """The cheapest exact probe plan for a segment (greedy: deepen whichever chunk adds
    the least expected work until the pigeonhole sum exceeds the radius), or a scan when
    that is cheaper or no plan within MAX_DEPTH exists."""
    layout = LAYOUTS[layout_name]
    m = len(layout.width)
    depth = [-1] * m
    bucket = [rows / (1 << w) for w in layout.width]
    cost = 0.0
    while sum(d + 1 for d in depth) <= radius:
        best, best_cost = -1, float("inf")
        for i in range(m):
            if depth[i] >= MAX_DEPTH:
                continue
            extra = comb(layout.width[i], depth[i] + 1) * (1 + bucket[i]) * RANDOM_COST
            if extra < best_cost:
                best, best_cost = i, extra
        if best < 0:
            return Plan(True, *(np.zeros(0, np.int64),) * 3, np.zeros(0, np.uint64))
        depth[best] += 1
        cost += best_cost
    if cost >= rows:
        return Plan(True, *(np.zeros(0, np.int64),) * 3, np.zeros(0, np.uint64))
    chunks = [i for i in range(m) if depth[i] >= 0]
    mask_list = [flip_masks(layout.width[i], depth[i]) for i in chunks]
    starts = np.concatenate([[0], np.cumsum([len(x) for x in mask_list])]).astype(np.int64)
    assert sum(_probes(layout.width[i], depth[i]) for i in chunks) == starts[-1]
    return Plan(False, np.array(chunks, np.int64), np.array([depth[i] for i in chunks], np.int64),
                starts, np.concatenate(mask_list))
