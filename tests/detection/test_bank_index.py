"""The server's array-held banks answer exactly as the reference matcher over the same
entries: per-bank thresholds, MD5, orientations, additions and removals, saved and mapped."""

from __future__ import annotations

import numpy as np

from salingjaga.detection.bank_index import BankIndex, BankInfo, BoundBanks
from salingjaga.detection.banks import BankEntry, BankMatcher, entry_id

BANKS = {"b-strict": BankInfo("strict", "remove", "p", 10), "b-mid": BankInfo("mid", "review", "p", 20),
         "b-loose": BankInfo("loose", "review", "q", 31)}


def _flip(h: str, bits: list[int]) -> str:
    v = int(h, 16)
    for b in bits:
        v ^= 1 << int(b)
    return format(v, "064x")


def _setup(seed: int) -> tuple[list[tuple[int, str, str, str]], list[str]]:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(1, 1501):
        bank = list(BANKS)[i % 3]
        if i % 50 == 0:
            rows.append((i, bank, "md5", rng.integers(0, 256, 16, dtype=np.uint8).tobytes().hex()))
        else:
            rows.append((i, bank, "pdq", rng.integers(0, 256, 32, dtype=np.uint8).tobytes().hex()))
    pdq = [r for r in rows if r[2] == "pdq"]
    queries = [_flip(pdq[k * 7][3], list(rng.choice(256, k % 40, replace=False))) for k in range(200)]
    return rows, queries


def _reference(rows: list[tuple[int, str, str, str]]) -> BankMatcher:
    return BankMatcher([BankEntry(entry_id(BANKS[b].name, i), BANKS[b].name, BANKS[b].action, BANKS[b].policy,
                                  k, v, f"#{i}", BANKS[b].threshold) for i, b, k, v in rows])


def _bound(index: BankIndex, rows: list[tuple[int, str, str, str]]) -> BoundBanks:
    held = {i: (v, f"#{i}") for i, _, _, v in rows}
    return BoundBanks(index, lambda ids: {i: held[i] for i in ids if i in held})


def test_same_answers_as_the_reference_matcher_through_changes(tmp_path) -> None:
    rows, queries = _setup(1)
    index = BankIndex()
    index.set_banks(BANKS)
    first, later = rows[:1000], rows[1000:]
    index.add(*zip(*[(i, b, k, v) for i, b, k, v in first], strict=True))
    ref = _reference(first)
    assert _bound(index, first).match_pdq(queries) == ref.match_pdq(queries)
    index.add(*zip(*later, strict=True))
    gone = [i for i, *_ in rows[::7]]
    index.remove(gone)
    kept = [r for r in rows if r[0] not in set(gone)]
    ref = _reference(kept)
    turned = [[q, _flip(q, [1]), _flip(q, [2, 3])] for q in queries]
    assert _bound(index, kept).match_pdq_dihedral(turned) == ref.match_pdq_dihedral(turned)
    md5 = [v for _, _, k, v in rows if k == "md5"]
    assert [_bound(index, kept).match_md5(m) for m in md5] == [ref.match_md5(m) for m in md5]
    index.save(tmp_path / "banks", {"epoch": "e"})
    loaded, meta = BankIndex.load(tmp_path / "banks")
    loaded.set_banks(BANKS)
    assert meta == {"epoch": "e"} and loaded.max_id == 1500
    assert _bound(loaded, kept).match_pdq(queries) == ref.match_pdq(queries)
    assert sum(len(m) for m in ref.match_pdq(queries)) > 50  # the comparison saw matches
