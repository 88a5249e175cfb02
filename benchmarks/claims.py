"""Claim-matching benchmark: quality on TurnBackHoax 2024 beside the character 3-5-gram
TF-IDF baseline measured in the same run, and lookup latency at 1 million synthetic
fact-checks.

    python -m benchmarks.claims --data ../shared/data/turnbackhoax-2024 [--scale 1000000]

The data is read from the path given and never copied. Writes a JSON summary
(``--out``, default ``var/bench-claims.json``).
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np

from salingjaga.detection.text.eval import evaluate, load_pairs
from salingjaga.detection.text.matcher import ClaimMatcher, FactCheckEntry


def turnbackhoax(folder: Path) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Fact-checks (id, TITLE) and queries (HOAX_TEXT, expected id) from others + scam.

    A headline that occurs twice is one fact-check: queries of the duplicate expect the
    first id, so an exact tie is not counted against any matcher."""
    factchecks: list[tuple[str, str]] = []
    queries: list[tuple[str, str]] = []
    first_id: dict[str, str] = {}
    for name in ("others.csv", "scam.csv"):
        with open(folder / name, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                fid = f"{name.split('.')[0]}-{row['ID']}"
                title = row["TITLE"].strip()
                if title not in first_id:
                    first_id[title] = fid
                    factchecks.append((fid, title))
                queries.append((row["HOAX_TEXT"], first_id[title]))
    return factchecks, queries


def baseline(factchecks: list[tuple[str, str]], queries: list[tuple[str, str]]) -> dict[str, float]:
    """Character 3-5-gram TF-IDF cosine (scikit-learn, fitted on the fact-checks)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
    facts = vec.fit_transform([t for _, t in factchecks])
    ids = [i for i, _ in factchecks]
    start = time.perf_counter()
    sims = (vec.transform([q for q, _ in queries]) @ facts.T).toarray()
    elapsed = time.perf_counter() - start
    ranks = []
    for row, (_, expected) in enumerate(queries):
        gold = ids.index(expected)
        ranks.append(1 + int(np.sum(sims[row] > sims[row, gold])))
    r = np.asarray(ranks)
    return {"recall_at_1": float(np.mean(r == 1)), "recall_at_5": float(np.mean(r <= 5)),
            "mrr": float(np.mean(1.0 / r)), "queries_per_second": len(queries) / elapsed}


def synthetic_claims(n: int, seed: int = 0) -> list[str]:
    """``n`` fact-check-like headlines from a generated vocabulary (Zipf-distributed words,
    5-12 words each), so posting lists have realistic skew."""
    rng = np.random.default_rng(seed)
    letters = np.array(list("abcdefghijklmnoprstuwy"))
    vocab = ["".join(rng.choice(letters, size=rng.integers(3, 10))) for _ in range(60_000)]
    weights = 1.0 / np.arange(1, len(vocab) + 1) ** 1.05
    weights /= weights.sum()
    lengths = rng.integers(5, 13, size=n)
    words = rng.choice(len(vocab), size=int(lengths.sum()), p=weights)
    out, pos = [], 0
    for length in lengths:
        out.append(" ".join(vocab[w] for w in words[pos:pos + length]))
        pos += length
    return out


def scale_run(n: int, queries: int = 300) -> dict[str, Any]:
    """Build an index of ``n`` synthetic fact-checks and time single-text lookups.

    Fact-check embeddings are random unit vectors (embedding a million headlines would take
    the machine half an hour and does not change lookup cost); query texts are real
    lookups through the production path, lexical and semantic."""
    texts = synthetic_claims(n)
    rng = np.random.default_rng(1)
    emb = rng.standard_normal((n, 512)).astype(np.float32)
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    t0 = time.perf_counter()
    matcher = ClaimMatcher([FactCheckEntry(f"fc{i}", t, "false") for i, t in enumerate(texts)],
                           semantic="never", embeddings=emb)
    build = time.perf_counter() - t0
    picks = rng.choice(n, size=queries, replace=False)
    qs = []
    for i in picks:  # a post that repeats a claim with extra words around it
        words = texts[i].split()
        qs.append("viral " + " ".join(words[: max(3, len(words) - 1)]) + " sebarkan")
    matcher.match(qs[:5])  # warm caches
    lat, hits = [], 0
    for q, i in zip(qs, picks, strict=True):
        s = time.perf_counter()
        res = matcher.match([q], k=5)[0]
        lat.append((time.perf_counter() - s) * 1000)
        hits += bool(res) and res[0].factcheck_id == f"fc{i}"
    matcher.index.semantic = "always"
    matcher.index._ann_index()
    lat_sem = []
    for q in qs[:100]:
        s = time.perf_counter()
        matcher.match([q], k=5)
        lat_sem.append((time.perf_counter() - s) * 1000)
    return {"factchecks": n, "build_seconds": round(build, 1),
            "lexical_p50_ms": round(statistics.median(lat), 2),
            "lexical_p95_ms": round(float(np.percentile(lat, 95)), 2),
            "with_semantic_p50_ms": round(statistics.median(lat_sem), 2),
            "recall_at_1_synthetic": hits / len(qs)}


def main() -> None:
    """Run the benchmark and print the figures beside the baseline."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path("../shared/data/turnbackhoax-2024"))
    parser.add_argument("--scale", type=int, default=0, help="also time lookups at this many fact-checks")
    parser.add_argument("--semantic", default="auto", choices=["auto", "always", "never"])
    parser.add_argument("--out", type=Path, default=Path("var/bench-claims.json"))
    args = parser.parse_args()
    summary: dict[str, Any] = {}
    if args.data.exists():
        factchecks, queries = turnbackhoax(args.data)
        base = baseline(factchecks, queries)
        ours = evaluate(factchecks, queries, semantic=args.semantic)
        summary["turnbackhoax"] = {"matcher": ours, "baseline_char_tfidf": base,
                                   "ratio_recall_at_1": ours["recall_at_1"] / base["recall_at_1"]}
        print(f"TurnBackHoax 2024 ({len(queries)} queries, {len(factchecks)} fact-checks)")
        for name in ("recall_at_1", "recall_at_5", "mrr", "queries_per_second"):
            print(f"  {name:20s} matcher {ours[name]:9.3f}   baseline {base[name]:9.3f}")
    if args.scale:
        summary["scale"] = scale_run(args.scale)
        print("scale:", json.dumps(summary["scale"]))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    _ = load_pairs  # the same loader the CLI uses, kept importable from here
    main()
