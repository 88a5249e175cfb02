"""The PDQ index must find exactly what a brute-force scan finds, up to its radius, after
additions and removals and when loaded from disk."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from salingjaga.detection.media import index as index_mod
from salingjaga.detection.media import index_plan
from salingjaga.detection.media.index import PDQIndex


def _flip(row: np.ndarray, bits: int, rng: np.random.Generator) -> np.ndarray:
    out = row.copy()
    for b in rng.choice(256, bits, replace=False):
        out[b // 8] ^= np.uint8(1 << (b % 8))
    return out


def _brute(db: np.ndarray, q: np.ndarray, radius: int, live: np.ndarray | None = None
           ) -> set[tuple[int, int, int]]:
    """Reference answer in plain numpy: every (query, row, distance) within the radius."""
    out = set()
    for i, row in enumerate(q):
        d = np.unpackbits(db ^ row[None, :], axis=1).sum(axis=1)
        hit = d <= radius
        if live is not None:
            hit &= live
        out |= {(i, int(r), int(d[r])) for r in np.nonzero(hit)[0]}
    return out


def _got(index: PDQIndex, q: np.ndarray, radius: int) -> set[tuple[int, int, int]]:
    qi, rows, dist = index.search(q, radius)
    got = {(int(a), int(b), int(c)) for a, b, c in zip(qi, rows, dist, strict=True)}
    assert len(got) == len(qi)  # no pair reported twice
    assert np.all(np.diff(qi) >= 0)  # ordered by query
    return got


def _planted(db: np.ndarray, rng: np.random.Generator, per_distance: int = 4) -> np.ndarray:
    """Queries planted at every distance 0..33 from stored rows, plus random ones."""
    planted = [_flip(db[int(rng.integers(len(db)))], d, rng)
               for d in range(34) for _ in range(per_distance)]
    random = [rng.integers(0, 256, 32, dtype=np.uint8) for _ in range(20)]
    return np.stack(planted + random)


@pytest.mark.parametrize("layout", ["16x16", "12x21"])
def test_index_is_exact_at_every_distance_to_31(layout: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index_plan, "WIDE_FROM", 0 if layout == "12x21" else 10**12)
    rng = np.random.default_rng(7)
    db = rng.integers(0, 256, (30_000, 32), dtype=np.uint8)
    db[100:110] = db[5]  # duplicates: each must be reported once
    index = PDQIndex(db)
    assert index.segments[0].layout == layout
    assert not index_plan.plan_for(layout, len(db), 31).scan  # the index path, not a scan
    q = np.concatenate([_planted(db, rng), db[5:6]])
    got = _got(index, q, 31)
    assert got == _brute(db, q, 31)
    assert {d for *_, d in got} >= set(range(32))  # every distance 0..31 was found
    assert sum(1 for g in got if g[0] == len(q) - 1 and g[2] == 0) == 11


@pytest.mark.parametrize("radius", [0, 8, 16, 40, 47])
def test_index_is_exact_at_other_radii(radius: int) -> None:
    rng = np.random.default_rng(radius)
    db = rng.integers(0, 256, (20_000, 32), dtype=np.uint8)
    q = np.stack([_flip(db[int(rng.integers(len(db)))], max(0, radius + k), rng)
                  for k in (-3, -1, 0, 1, 2) for _ in range(8)])
    index = PDQIndex(db)
    assert _got(index, q, radius) == _brute(db, q, radius)
    assert _got(index, q, radius) == {(int(a), int(b), int(c)) for a, b, c in zip(*index.scan(q, radius), strict=True)}


def test_batches_split_across_threads_match_one_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SALINGJAGA_PDQ_THREADS", "3")
    rng = np.random.default_rng(1)
    db = rng.integers(0, 256, (20_000, 32), dtype=np.uint8)
    q = _planted(db, rng, 3)
    index = PDQIndex(db)
    batch = _got(index, q, 31)
    single = set().union(*({(i, r, d) for _, r, d in _got(index, q[i:i + 1], 31)} for i in range(len(q))))
    assert batch == single == _brute(db, q, 31)


def test_additions_and_removals_without_rebuild(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index_mod, "TAIL_ROWS", 2000)  # freeze and merge segments often
    rng = np.random.default_rng(2)
    db = rng.integers(0, 256, (25_000, 32), dtype=np.uint8)
    index = PDQIndex(db[:8000])
    for start in range(8000, 25_000, 1700):
        rows = index.add(db[start:start + 1700])
        assert rows.tolist() == list(range(start, min(start + 1700, 25_000)))
    assert len(index.segments) >= 2 or index.segments[0].start == 0
    live = np.ones(len(db), bool)
    gone = rng.choice(len(db), 3000, replace=False)
    assert index.remove(gone.tolist()) == 3000
    assert index.remove(gone[:10].tolist()) == 0  # already removed
    live[gone] = False
    assert len(index) == int(live.sum()) and index.rows == len(db)
    q = np.concatenate([_planted(db, rng, 2), db[gone[:5]]])
    assert _got(index, q, 31) == _brute(db, q, 31, live)
    # removed rows are not found even at distance 0; re-adding the hash gives a new row
    again = index.add(db[gone[:1]])
    assert again.tolist() == [len(db)]
    assert index.search_one(db[gone[0]].tobytes().hex(), 0) == [(len(db), 0)]


def test_saved_index_loads_memory_mapped_and_keeps_changing(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index_mod, "TAIL_ROWS", 3000)
    rng = np.random.default_rng(4)
    db = rng.integers(0, 256, (12_000, 32), dtype=np.uint8)
    index = PDQIndex(db[:9000])
    index.add(db[9000:])  # part frozen, part in the tail: both are saved
    index.remove([3, 9500])
    path = tmp_path / "bank-index"
    index.save(path)
    loaded = PDQIndex.load(path)
    assert loaded.rows == 12_000 and len(loaded) == 11_998
    assert all(isinstance(s.words.base, np.memmap) and isinstance(s.ids.base, np.memmap)
               for s in loaded.segments)  # mapped from the files, not read or rebuilt
    q = _planted(db, rng, 2)
    live = np.ones(len(db), bool)
    live[[3, 9500]] = False
    assert _got(loaded, q, 31) == _got(index, q, 31) == _brute(db, q, 31, live)
    # a loaded index takes changes too, and saving again replaces the files whole
    loaded.remove([4])
    loaded.add(db[:1])
    live[4] = False
    loaded.save(path)
    again = PDQIndex.load(path)
    assert again.rows == 12_001 and again.search_one(db[4].tobytes().hex(), 0) == []
    (path / "manifest.json").write_text('{"format": "other"}')
    with pytest.raises(ValueError, match="not a saved PDQ index"):
        PDQIndex.load(path)


def test_searches_during_additions_see_whole_states() -> None:
    rng = np.random.default_rng(5)
    db = rng.integers(0, 256, (20_000, 32), dtype=np.uint8)
    index = PDQIndex(db[:10_000])
    q = db[:50]
    errors: list[str] = []

    def reader() -> None:
        for _ in range(30):
            qi, rows, _ = index.search(q, 0)
            if len(set(zip(qi.tolist(), rows.tolist(), strict=True))) != len(qi) or len(qi) < 50:
                errors.append("duplicate or missing rows")

    t = threading.Thread(target=reader)
    t.start()
    for start in range(10_000, 20_000, 500):
        index.add(db[start:start + 500])
    t.join()
    assert not errors


def test_index_from_hex_and_single_lookup() -> None:
    a = "f" * 64
    b = "f" * 63 + "0"  # 4 bits away
    index = PDQIndex([a, "0" * 64])
    assert index.search_one(b, 31) == [(0, 4)]
    assert index.search_one(b, 3) == []
    with pytest.raises(ValueError):
        index.search([a], 48)
    assert PDQIndex().search([a], 31)[0].tolist() == []
