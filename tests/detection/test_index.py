"""The PDQ index must find exactly what a brute-force scan finds, up to its radius."""

from __future__ import annotations

import numpy as np
import pytest

from salingjaga.detection.media.index import PDQIndex


def _flip(row: np.ndarray, bits: int, rng: np.random.Generator) -> np.ndarray:
    out = row.copy()
    for b in rng.choice(256, bits, replace=False):
        out[b // 8] ^= np.uint8(1 << (b % 8))
    return out


def _brute(db: np.ndarray, q: np.ndarray, radius: int) -> set[tuple[int, int, int]]:
    d = np.unpackbits(db[None, :, :] ^ q[:, None, :], axis=2).sum(axis=2)
    qi, ri = np.nonzero(d <= radius)
    return {(int(a), int(b), int(d[a, b])) for a, b in zip(qi, ri, strict=True)}


@pytest.mark.parametrize("radius", [0, 15, 31, 40])
def test_index_is_exact_against_brute_force(radius: int) -> None:
    rng = np.random.default_rng(radius)
    db = rng.integers(0, 256, (3000, 32), dtype=np.uint8)
    # planted near matches straddling the radius, plus unrelated random queries
    targets = rng.integers(0, len(db), 60)
    dists = [max(0, radius + k) for k in (-3, -1, 0, 1, 2, 5)] * 10
    queries = np.stack([_flip(db[t], d, rng) for t, d in zip(targets, dists, strict=True)]
                       + [rng.integers(0, 256, 32, dtype=np.uint8) for _ in range(20)])
    index = PDQIndex(db)
    qi, rows, dist = index.search(queries, radius)
    got = {(int(a), int(b), int(c)) for a, b, c in zip(qi, rows, dist, strict=True)}
    assert got == _brute(db, queries, radius)
    assert any(d == radius for *_, d in got)  # the boundary itself is included


def test_index_from_hex_and_single_lookup() -> None:
    a = "f" * 64
    b = "f" * 63 + "0"  # 4 bits away
    index = PDQIndex([a, "0" * 64])
    assert index.search_one(b, 31) == [(0, 4)]
    assert index.search_one(b, 3) == []
    with pytest.raises(ValueError):
        index.search([a], 48)
