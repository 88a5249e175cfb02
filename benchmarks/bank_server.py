"""The server's hash banks end to end: N random PDQ entries imported into a database, the
worker's banks built from it and saved, then mapped back as a restarted worker would, and
looked up through the same object a scan uses (``BoundBanks``: index, per-bank threshold,
the matched entries' labels read from the database). Matches are checked against a
brute-force scan of the same hashes.

    python -m benchmarks.run --only bank_server [--quick]
    python -m benchmarks.bank_server [--size 1000000] [--database-url URL] [--out var/bench-banks.json]

Figures: build (read + index + save), load of the saved bank (memory-mapped), bytes a
entry the arrays take, lookups/s in batches of 1,000 and one at a time, and the time for
a removal of 1,000 entries to reach the worker's index in place. Half the queries are
planted near a stored hash, so half read their entry's label from the database (what a
scan does once per media file that matches); the other half match nothing.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.pdq import RADIUS, make_data
from salingjaga.core.db import Database
from salingjaga.core.settings import Settings
from salingjaga.detection import bank_cache, bank_store
from salingjaga.detection.media.index import PDQIndex

BATCH = 1000


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _import(db: Database, hashes: list[str]) -> None:
    with db.session() as s:
        bank = bank_store.get_or_create_bank(s, "bench", pdq_threshold=RADIUS)
        bank_store.import_bank_entries(s, bank, [("pdq", h, "") for h in hashes], chunk=20_000)
        s.commit()


def measure(size: int, queries: int, single: int, brute: int, database_url: str | None,
            workdir: Path) -> dict[str, Any]:
    """Every figure for a bank of ``size`` entries."""
    from salingjaga.migrate import upgrade

    url = database_url or f"sqlite:///{workdir / 'banks.db'}"
    upgrade(Settings(database_url=url, data_dir=workdir))
    rows, q, _ = make_data(size, queries)
    hashes = [r.tobytes().hex() for r in rows]
    qhex = [r.tobytes().hex() for r in q]
    db = Database(url)
    t = time.perf_counter()
    _import(db, hashes)
    import_s = time.perf_counter() - t
    del hashes
    index_dir = workdir / "indexes"
    rss0 = _rss_mb()
    with db.session() as s:
        t = time.perf_counter()
        wb = bank_cache.worker_banks(s, index_dir)
        build_s = time.perf_counter() - t
    bank_cache.forget()
    with db.session() as s:
        t = time.perf_counter()
        wb = bank_cache.worker_banks(s, index_dir)
        load_s = time.perf_counter() - t
        banks = wb.bound(s)
        t = time.perf_counter()
        found: list[set[str]] = []
        for start in range(0, queries, BATCH):
            found.extend({m.entry.entry_id for m in ms} for ms in banks.match_pdq(qhex[start: start + BATCH]))
        batch_qps = queries / (time.perf_counter() - t)
        t = time.perf_counter()
        for h in qhex[:single]:
            banks.match_pdq([h])
        single_qps = single / (time.perf_counter() - t)
        # the common case: a post matching nothing (the odd queries are random hashes)
        t = time.perf_counter()
        for h in qhex[1::2][:single]:
            banks.match_pdq([h])
        single_no_match_qps = single / (time.perf_counter() - t)
        # the same lookups on the bare PDQ index, under the same machine load
        t = time.perf_counter()
        for h in qhex[1::2][:single]:
            wb.index.pdq.search([h], RADIUS)
        index_no_match_qps = single / (time.perf_counter() - t)
        rss1 = _rss_mb()
    qi, r, _ = PDQIndex(rows).scan(q[:brute], RADIUS)
    expected: list[set[str]] = [set() for _ in range(brute)]
    for a, b in zip(qi.tolist(), r.tolist(), strict=True):
        expected[a].add(f"bench:{b + 1}")  # ids start at 1, in import order
    with db.session() as s:
        bank = bank_store.bank_by_name(s, "bench")
        bank_store.remove_entries(s, bank, ids=list(range(1, 1001)))
        s.commit()
    with db.session() as s:
        t = time.perf_counter()
        again = bank_cache.worker_banks(s, index_dir)
        remove_s = time.perf_counter() - t
        assert again is wb and len(again.index) == size - 1000
    db.dispose()
    return {"size": size, "database": url.split(":", 1)[0], "import_s": round(import_s, 1),
            "build_s": round(build_s, 2), "load_s": round(load_s, 3),
            "bytes_per_entry": round(wb.index.nbytes() / size, 1),
            "rss_growth_mb": round(rss1 - rss0, 1),
            "batch_qps": round(batch_qps), "single_qps": round(single_qps),
            "single_no_match_qps": round(single_no_match_qps), "bare_index_no_match_qps": round(index_no_match_qps),
            "same_as_brute_force": found[:brute] == expected,
            "matches": sum(len(f) for f in found), "remove_1000_visible_s": round(remove_s, 3)}


def run(ctx: Any) -> list[dict[str, Any]]:
    """Suite entry point: 1 million entries (50,000 with ``--quick``) in SQLite."""
    size = ctx.scale(1_000_000, 50_000)
    r = measure(size, 2000, 500, 200, None, ctx.workdir)
    label = f"{size:,} entries"
    same = {"same_as_brute_force": r["same_as_brute_force"]}
    return [
        ctx.figure(f"bank lookups/s through the scan's banks, batches of 1,000, {label}", r["batch_qps"], "/s",
                   "one at a time", r["single_qps"], **same),
        ctx.figure(f"bank lookups/s matching nothing, one at a time, {label}", r["single_no_match_qps"], "/s",
                   "the bare PDQ index, same lookups", r["bare_index_no_match_qps"]),
        ctx.figure(f"bank load from its saved file, {label}", r["load_s"], "s", "build from the database",
                   r["build_s"]),
        ctx.figure(f"bank bytes an entry, {label}", r["bytes_per_entry"], "B", "the hash itself", 32),
    ]


def main() -> None:
    """Run and print the figures; write the JSON summary."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--single", type=int, default=500)
    parser.add_argument("--brute", type=int, default=200)
    parser.add_argument("--database-url", default=None, help="a migrated-or-empty database (default: SQLite)")
    parser.add_argument("--out", type=Path, default=Path("var/bench-banks.json"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-banks-") as tmp:
        result = measure(args.size, args.queries, args.single, args.brute, args.database_url, Path(tmp))
    for k, v in result.items():
        print(f"{k:28} {v}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2), "utf-8")


if __name__ == "__main__":
    main()
