"""PDQ lookup: our index beside ThreatExchange's PDQ index (faiss IndexBinaryMultiHash, the
index PdqSignal uses) in the same run, on the same random hashes with planted near matches,
checking both return the same matches, and ours the same as a brute-force scan.

    python -m benchmarks.run --only pdq [--quick]
    python -m benchmarks.pdq [--size 10000000] [--queries 2000] [--out var/bench-pdq.json]

Figures: lookups/s in batches of 1,000 on every core and on one, one at a time on one
core (both indexes), bytes a hash, build time, and the time to load the saved index
(memory-mapped) and answer its first batch.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks._cpu import one_core
from salingjaga.detection.media.index import PDQIndex

RADIUS = 31
BATCH = 1000


def make_data(size: int, queries: int, seed: int = 2024) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Random hashes, and queries: half planted 0..31 bits from a stored hash, half random."""
    rng = np.random.default_rng(seed)
    db = rng.integers(0, 256, (size, 32), dtype=np.uint8)
    src = rng.integers(0, size, queries)
    q = rng.integers(0, 256, (queries, 32), dtype=np.uint8)
    for i in range(0, queries, 2):
        row = db[src[i]].copy()
        for b in rng.choice(256, int(rng.integers(0, RADIUS + 1)), replace=False):
            row[b // 8] ^= np.uint8(1 << (b % 8))
        q[i] = row
    return db, q, src


def _pairs(qi: np.ndarray, rows: np.ndarray) -> set[tuple[int, int]]:
    return set(zip(qi.tolist(), rows.tolist(), strict=True))


def _batched(index: PDQIndex, q: np.ndarray, threads: int) -> tuple[float, set[tuple[int, int]]]:
    """Lookups/s over batches of BATCH, split over ``threads``; and the matched pairs."""
    os.environ["SALINGJAGA_PDQ_THREADS"] = str(threads)
    pairs: set[tuple[int, int]] = set()
    t = time.perf_counter()
    for start in range(0, len(q), BATCH):
        qi, rows, _ = index.search(q[start: start + BATCH], RADIUS)
        pairs |= _pairs(qi + start, rows)
    return len(q) / (time.perf_counter() - t), pairs


def measure_ours(db: np.ndarray, q: np.ndarray, single: int, brute: int) -> dict[str, Any]:
    """Our figures, and our matched pairs (under "pairs")."""
    size = len(db)
    t = time.perf_counter()
    built = PDQIndex(db)
    build_s = time.perf_counter() - t
    built.search(q[:10], RADIUS)  # compile (or load the compiled loops) before timing
    with tempfile.TemporaryDirectory(dir=os.environ.get("PDQ_BENCH_DIR")) as tmp:
        path = Path(tmp) / "index"
        built.save(path)
        nbytes = built.nbytes()
        del built
        gc.collect()
        t = time.perf_counter()
        index = PDQIndex.load(path)
        index.search(q[:BATCH], RADIUS)
        load_s = time.perf_counter() - t
        batch_all, pairs = _batched(index, q, os.cpu_count() or 1)
        batch_all, pairs = _batched(index, q, os.cpu_count() or 1)  # warm pages: the steady state
        before = one_core()
        try:
            cpu = time.process_time()
            batch_one, pairs_one = _batched(index, q, 1)
            batch_one_cpu = len(q) / (time.process_time() - cpu)
            t, cpu = time.perf_counter(), time.process_time()
            for i in range(single):
                index.search(q[i: i + 1], RADIUS)
            single_qps = single / (time.perf_counter() - t)
            single_cpu = single / (time.process_time() - cpu)
        finally:
            if before is not None:
                os.sched_setaffinity(0, before)
        # exactness: the same pairs as a brute-force scan, on the first ``brute`` queries
        sq, sr, _ = index.scan(q[:brute], RADIUS)
        brute_same = _pairs(sq, sr) == {p for p in pairs if p[0] < brute}
        del index
    return {"size": size, "build_s": round(build_s, 1), "load_and_first_batch_s": round(load_s, 2),
            "bytes_per_hash": round(nbytes / size, 1), "batch_qps_all_cores": round(batch_all),
            "batch_qps_one_core": round(batch_one), "single_qps_one_core": round(single_qps),
            # per CPU-second: what one core does when it is not shared (the machine may be)
            "batch_per_cpu_second": round(batch_one_cpu), "single_per_cpu_second": round(single_cpu),
            "same_as_brute_force": brute_same and pairs_one == pairs, "brute_checked": brute,
            "matches": len(pairs), "pairs": pairs}


def measure_threatexchange(db: np.ndarray, q: np.ndarray, single: int) -> dict[str, Any]:
    """ThreatExchange's PDQIndex on the same data: one hash per query() call (its public
    API) and its faiss index in batches, one thread."""
    import faiss
    from threatexchange.signal_type.pdq.pdq_index import PDQIndex as TEIndex

    faiss.omp_set_num_threads(1)
    t = time.perf_counter()
    te = TEIndex(entries=((r.tobytes().hex(), i) for i, r in enumerate(db)))
    build_s = time.perf_counter() - t
    qhex = [r.tobytes().hex() for r in q]
    pairs: set[tuple[int, int]] = set()
    t, cpu = time.perf_counter(), time.process_time()
    for i, h in enumerate(qhex[:single]):
        for m in te.query(h):
            pairs.add((i, int(m.metadata)))
    single_qps = single / (time.perf_counter() - t)
    single_cpu = single / (time.process_time() - cpu)
    t = time.perf_counter()
    for start in range(0, len(qhex), BATCH):
        te.index.search_with_distance_in_result(qhex[start: start + BATCH], RADIUS)
    batch_qps = len(qhex) / (time.perf_counter() - t)
    for i in range(single, len(qhex)):
        for m in te.query(qhex[i]):
            pairs.add((i, int(m.metadata)))
    return {"build_s": round(build_s, 1), "single_qps": round(single_qps),
            "single_per_cpu_second": round(single_cpu),
            "batch_qps_one_core": round(batch_qps), "pairs": pairs}


def measure(size: int, queries: int, single: int, brute: int = 200, baseline: bool = True) -> dict[str, Any]:
    """Both indexes on the same data; the matches compared."""
    db, q, _ = make_data(size, queries)
    ours = measure_ours(db, q, single, brute)
    out = {k: v for k, v in ours.items() if k != "pairs"}
    print(json.dumps(out), flush=True)  # ours first: the baseline's build can take long
    out.update({"queries": queries, "radius": RADIUS})
    if baseline:
        te = measure_threatexchange(db, q, min(single, queries))
        out.update({f"threatexchange_{k}": v for k, v in te.items() if k != "pairs"})
        out["same_as_threatexchange"] = te["pairs"] == ours["pairs"]
    return out


def run(ctx: Any) -> list[dict[str, Any]]:
    """Suite entry point: 1 million hashes (50,000 with ``--quick``); the 10-million run
    is ``python -m benchmarks.pdq --size 10000000``. Skipped when faiss or ThreatExchange
    (the baseline) is not installed."""
    from benchmarks.run import Skip

    try:
        import faiss  # noqa: F401
        import threatexchange  # noqa: F401
    except ImportError as exc:
        raise Skip(f"the baseline needs faiss-cpu and threatexchange: {exc}") from exc
    size = ctx.scale(1_000_000, 50_000)
    r = measure(size, ctx.scale(2000, 1000), ctx.scale(500, 200))
    same = {"same_as_threatexchange": r["same_as_threatexchange"],
            "same_as_brute_force": r["same_as_brute_force"], "matches": r["matches"]}
    label = f"{size:,} hashes, radius {RADIUS}"
    return [
        ctx.figure(f"PDQ lookups/s, batches of 1,000, every core, {label}", r["batch_qps_all_cores"], "/s",
                   "ThreatExchange PDQ index (faiss multi-hash), batches, one core",
                   r["threatexchange_batch_qps_one_core"], **same),
        ctx.figure(f"PDQ lookups/s, one at a time, one core, {label}", r["single_qps_one_core"], "/s",
                   "ThreatExchange PDQIndex.query, one at a time", r["threatexchange_single_qps"], **same),
        ctx.figure(f"PDQ index build, {label}", r["build_s"], "s",
                   "ThreatExchange PDQ index build", r["threatexchange_build_s"]),
        # the <= 100 B target is for 10 million hashes (offset tables are fixed-size)
        ctx.figure(f"PDQ index bytes a hash, {label}", r["bytes_per_hash"], "B", "the hash itself", 32),
    ]


def main() -> None:
    """Run and print the figures; write the JSON summary."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--single", type=int, default=500)
    parser.add_argument("--brute", type=int, default=200, help="queries also checked by brute force")
    parser.add_argument("--no-baseline", action="store_true", help="skip ThreatExchange's index")
    parser.add_argument("--out", type=Path, default=Path("var/bench-pdq.json"))
    args = parser.parse_args()
    result = measure(args.size, args.queries, args.single, args.brute, not args.no_baseline)
    for k, v in result.items():
        print(f"{k:40} {v}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2), "utf-8")


if __name__ == "__main__":
    main()
