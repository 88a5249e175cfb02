"""Scam, fundraising, near-duplicate and coordination signals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from salingjaga.detection.history import MemoryHistory
from salingjaga.detection.pipeline import ScanContext, scan_item

T0 = datetime(2024, 2, 10, 8, 0, tzinfo=UTC)
COPYPASTA = ("Surat suara di gudang KPU Jawa Timur sudah dicoblos untuk paslon tertentu, "
             "sebarkan sebelum dihapus!")


def _types(caption: str) -> set[str]:
    return {s.type for s in scan_item({"platform_id": "x", "kind": "text", "caption": caption})}


def test_scam_and_fundraising_patterns() -> None:
    assert "scam_pattern" in _types("SELAMAT anda pemenang undian! transfer biaya admin 50rb dulu ya")
    assert "scam_pattern" in _types("Coblos bisa lewat WA, cukup kirim foto KTP ke nomor ini")
    assert "fundraising" in _types("Ayo donasi untuk kampanye caleg kita, transfer ke rek BCA 1234567890")
    assert _types("Jangan lupa datang ke TPS tanggal 14 Februari, bawa KTP dan undangan") == set()
    assert _types("Terima kasih atas donasi buku untuk perpustakaan desa") == set()


def _post(ctx: ScanContext, n: int, account: str, minutes: float, text: str = COPYPASTA) -> set[str]:
    item = {"id": f"c{n}", "platform_id": f"c{n}", "kind": "text", "account_id": account,
            "caption": text, "posted_at": T0 + timedelta(minutes=minutes)}
    return {s.type for s in scan_item(item, ctx)}


def test_coordinated_burst_attaches_the_account_cluster() -> None:
    ctx = ScanContext(history=MemoryHistory())
    for i in range(4):
        assert "coordinated_burst" not in _post(ctx, i, f"acc{i}", i * 5)
    item = {"id": "c4", "platform_id": "c4", "kind": "text", "account_id": "acc4",
            "caption": COPYPASTA + " !!", "posted_at": T0 + timedelta(minutes=20)}
    signals = scan_item(item, ctx)
    [burst] = [s for s in signals if s.type == "coordinated_burst"]
    assert burst.policy == "covert_influence"
    assert burst.data["accounts"] == ["acc0", "acc1", "acc2", "acc3", "acc4"]
    assert "5 accounts" in burst.explanation


def test_no_burst_when_spread_out_or_one_account() -> None:
    spread = ScanContext(history=MemoryHistory())
    results = [_post(spread, i, f"acc{i}", i * 90) for i in range(6)]  # one every 90 minutes
    assert all("coordinated_burst" not in r for r in results)
    same = ScanContext(history=MemoryHistory())
    results = [_post(same, i, "acc0", i) for i in range(6)]  # one account repeating itself
    assert all("coordinated_burst" not in r for r in results)
    assert all("near_duplicate" not in r for r in results)


def test_near_duplicate_repost_by_another_account() -> None:
    ctx = ScanContext(history=MemoryHistory())
    assert "near_duplicate" not in _post(ctx, 1, "orig", 0)
    assert "near_duplicate" in _post(ctx, 2, "copier", 600, COPYPASTA.replace("!", "."))
    assert "near_duplicate" not in _post(ctx, 3, "other", 601, "Cek DPT kamu di situs resmi KPU "
                                         "sebelum hari pemungutan suara tanggal 14 Februari")
