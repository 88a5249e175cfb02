"""Evaluation of the production claim matcher on a labelled set (``salingjaga eval claims``
and the benchmark): recall@1, recall@5, mean reciprocal rank and throughput."""

from __future__ import annotations

import csv
import time
from pathlib import Path

from salingjaga.detection.text.matcher import ClaimMatcher, FactCheckEntry


def load_pairs(factchecks_csv: Path, queries_csv: Path) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Fact-checks as (id, text) from a CSV with ``id,text``; queries as (text, expected_id)
    from a CSV with ``text,expected_id``."""
    with open(factchecks_csv, encoding="utf-8", newline="") as fh:
        facts = [(r["id"], r["text"]) for r in csv.DictReader(fh)]
    with open(queries_csv, encoding="utf-8", newline="") as fh:
        queries = [(r["text"], r["expected_id"]) for r in csv.DictReader(fh)]
    if not facts or not queries:
        raise ValueError("both files need a header and at least one row")
    return facts, queries


def evaluate(factchecks: list[tuple[str, str]], queries: list[tuple[str, str]],
             semantic: str = "auto", k: int = 5) -> dict[str, float]:
    """Rank metrics of the production matcher; the rank of a fact-check not in the top
    ``k`` counts as never found (reciprocal rank 0)."""
    matcher = ClaimMatcher([FactCheckEntry(i, t, "") for i, t in factchecks], semantic=semantic)
    start = time.perf_counter()
    results = matcher.match([q for q, _ in queries], k=max(k, 5))
    elapsed = time.perf_counter() - start
    r1 = r5 = rr = 0.0
    for hits, (_, expected) in zip(results, queries, strict=True):
        ids = [h.factcheck_id for h in hits]
        if ids[:1] == [expected]:
            r1 += 1
        if expected in ids[:5]:
            r5 += 1
        if expected in ids:
            rr += 1.0 / (ids.index(expected) + 1)
    n = len(queries)
    return {"recall_at_1": r1 / n, "recall_at_5": r5 / n, "mrr": rr / n,
            "queries_per_second": n / elapsed if elapsed > 0 else float("inf")}
