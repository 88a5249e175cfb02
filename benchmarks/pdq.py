"""PDQ lookup: our multi-index-hashing index beside ThreatExchange's PDQ index (faiss
IndexBinaryMultiHash, the index PdqSignal uses), on the same random hashes with planted
near matches, checking both return the same matches.

    python -m benchmarks.run --only pdq [--quick]
    python -m benchmarks.pdq [--size 1000000] [--queries 2000] [--out var/bench-pdq.json]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from salingjaga.detection.media.index import PDQIndex

RADIUS = 31


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


def measure(size: int, queries: int, single: int) -> dict[str, Any]:
    """Build both indexes, time batch and one-at-a-time lookups, compare the matches."""
    import faiss
    from threatexchange.signal_type.pdq.pdq_index import PDQIndex as TEIndex

    faiss.omp_set_num_threads(1)  # one core each: the figure is per-core throughput
    db, q, _ = make_data(size, queries)
    hexes = [r.tobytes().hex() for r in db]
    qhex = [r.tobytes().hex() for r in q]

    t = time.perf_counter()
    ours = PDQIndex(db)
    ours_build = time.perf_counter() - t
    t = time.perf_counter()
    te = TEIndex(entries=((h, i) for i, h in enumerate(hexes)))
    te_build = time.perf_counter() - t

    t = time.perf_counter()
    qi, rows, _ = ours.search(q, RADIUS)
    ours_batch = queries / (time.perf_counter() - t)
    ours_pairs = set(zip(qi.tolist(), rows.tolist(), strict=True))

    # ThreatExchange's public API answers one hash per call (PDQIndex.query)
    t = time.perf_counter()
    te_pairs = set()
    for i, h in enumerate(qhex):
        for m in te.query(h):
            te_pairs.add((i, int(m.metadata)))
    te_single = queries / (time.perf_counter() - t)
    # and its underlying faiss index in one batch call, for the fairest batch figure
    t = time.perf_counter()
    te.index.search_with_distance_in_result(qhex, RADIUS)
    te_batch = queries / (time.perf_counter() - t)

    t = time.perf_counter()
    for i in range(single):
        ours.search(q[i : i + 1], RADIUS)
    ours_single = single / (time.perf_counter() - t)

    return {
        "size": size, "queries": queries, "radius": RADIUS,
        "same_matches": ours_pairs == te_pairs, "matches": len(ours_pairs),
        "ours_build_s": round(ours_build, 2), "threatexchange_build_s": round(te_build, 2),
        "ours_batch_qps": round(ours_batch), "threatexchange_batch_qps": round(te_batch),
        "ours_single_qps": round(ours_single), "threatexchange_single_qps": round(te_single),
        "ratio_batch": round(ours_batch / te_batch, 2),
        "ratio_single": round(ours_single / te_single, 2),
    }


def run(ctx: Any) -> list[dict[str, Any]]:
    """Suite entry point: 1 million hashes (50,000 with ``--quick``); skipped when faiss or
    ThreatExchange (the baseline) is not installed."""
    from benchmarks.run import Skip

    try:
        import faiss  # noqa: F401
        import threatexchange  # noqa: F401
    except ImportError as exc:
        raise Skip(f"the baseline needs faiss-cpu and threatexchange: {exc}") from exc
    size = ctx.scale(1_000_000, 50_000)
    r = measure(size, ctx.scale(2000, 500), ctx.scale(500, 200))
    same = {"same_matches": r["same_matches"], "matches": r["matches"]}
    label = f"{size:,} hashes, radius {RADIUS}"
    return [
        ctx.figure(f"PDQ lookups/s, batch, {label}", r["ours_batch_qps"], "/s",
                   "ThreatExchange PDQ index (faiss multi-hash), batch", r["threatexchange_batch_qps"], **same),
        ctx.figure(f"PDQ lookups/s, one at a time, {label}", r["ours_single_qps"], "/s",
                   "ThreatExchange PDQIndex.query, one at a time", r["threatexchange_single_qps"], **same),
        ctx.figure(f"PDQ index build, {label}", r["ours_build_s"], "s",
                   "ThreatExchange PDQ index build", r["threatexchange_build_s"]),
    ]


def main() -> None:
    """Run and print the figures with ratios; write the JSON summary."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--single", type=int, default=500)
    parser.add_argument("--out", type=Path, default=Path("var/bench-pdq.json"))
    args = parser.parse_args()
    result = measure(args.size, args.queries, args.single)
    for k, v in result.items():
        print(f"{k:28} {v}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2), "utf-8")


if __name__ == "__main__":
    main()
