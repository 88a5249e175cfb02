"""Bank refreshes reach a worker's index in place: entries added or removed in the
database are added to or removed from the cached index, never rebuilt."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import delete

from salingjaga.detection import service
from salingjaga.detection.banks import BankEntry, BankMatcher, entry_id
from salingjaga.detection.models import HashBankEntry


def _hashes(n: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    return [rng.integers(0, 256, 32, dtype=np.uint8).tobytes().hex() for _ in range(n)]


def test_worker_index_follows_additions_and_removals_in_place(db) -> None:
    first, later = _hashes(50, 1), _hashes(5, 2)
    with db.session() as s:
        bank = service.get_or_create_bank(s, "refresh", policy="civic_election_integrity")
        service.import_bank_entries(s, bank, [("pdq", h, "x") for h in first])
        s.commit()
    with db.session() as s:
        matcher = service.bank_matcher(s)
        index = matcher.index
        assert matcher.match_pdq([first[3]])[0][0].distance == 0
        assert matcher.match_pdq([later[0]]) == [[]]
    with db.session() as s:  # another process refreshes the bank
        bank = service.get_or_create_bank(s, "refresh", policy="civic_election_integrity")
        service.import_bank_entries(s, bank, [("pdq", h, "y") for h in later])
        s.execute(delete(HashBankEntry).where(HashBankEntry.value.in_(first[:10])))
        s.commit()
    with db.session() as s:
        again = service.bank_matcher(s)
        assert again is matcher and again.index is index  # updated in place
        assert again.match_pdq([later[0]])[0][0].entry.label == "y"
        assert again.match_pdq([first[3]]) == [[]]
        assert again.match_pdq([first[20]])[0][0].distance == 0
        assert len(again) == 45
        assert {e.value for e in again.live_pdq_entries()} == set(first[10:]) | set(later)


def test_matcher_add_and_remove_keep_thresholds_per_bank() -> None:
    [a, b] = _hashes(2, 3)
    near_b = format(int(b, 16) ^ 0xFFFFF, "064x")  # 20 bits from b
    m = BankMatcher([BankEntry(entry_id("one", 1), "one", "review", "p", "pdq", a, "", 31)])
    m.add([BankEntry(entry_id("two", 1), "two", "review", "p", "pdq", b, "", 10),
           BankEntry(entry_id("two", 2), "two", "review", "p", "md5", "0" * 32, "", 31)])
    assert m.match_pdq([near_b]) == [[]]  # bank two's threshold is 10
    assert len(m.match_md5("0" * 32)) == 1
    m.add([BankEntry(entry_id("three", 1), "three", "review", "p", "pdq", b, "", 31)])
    assert [x.entry.bank for x in m.match_pdq([near_b])[0]] == ["three"]
    assert m.remove([entry_id("three", 1), entry_id("two", 2)]) == 2
    assert m.match_pdq([near_b]) == [[]] and m.match_md5("0" * 32) == []
    assert m.match_pdq([a])[0][0].entry.bank == "one"


def test_matcher_over_an_index_loaded_from_disk(tmp_path) -> None:
    from salingjaga.detection.media.index import PDQIndex

    hashes = _hashes(20, 4)
    entries = [BankEntry(entry_id("disk", i), "disk", "remove", "p", "pdq", h, f"#{i}") for i, h in enumerate(hashes)]
    PDQIndex(hashes).save(tmp_path / "idx")
    m = BankMatcher(entries, index=PDQIndex.load(tmp_path / "idx"))
    assert m.match_pdq([hashes[7]])[0][0].entry.label == "#7"
    m.remove([entry_id("disk", 7)])
    assert m.match_pdq([hashes[7]]) == [[]]
    with pytest.raises(ValueError, match="does not hold"):
        BankMatcher(entries[:5], index=PDQIndex.load(tmp_path / "idx"))
