"""Text signals per item through the whole pipeline (classifier, scam and fundraising
patterns, public figures, SimHash near-duplicate and coordination look-ups) on one core,
beside the classifier alone on the same batch, so the ratio shows the pipeline overhead.

Baseline measured in the same run: the previous classifier design (scikit-learn
``TfidfVectorizer`` char_wb 2-5-grams with a vocabulary, one ``LogisticRegression`` per
label, ``predict_proba`` per label, results built per item), trained on the same shipped
examples.

    python -m benchmarks.run --only text_signals [--quick]
    python -m benchmarks.text_signals [--items 5000] [--out var/bench-text-signals.json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks._cpu import one_core
from salingjaga.detection.history import MemoryHistory
from salingjaga.detection.pipeline import ScanContext, default_classifier, scan_batch

WORDS = (
    "surat", "suara", "kpu", "bawaslu", "tps", "coblos", "paslon", "capres", "hoaks", "viral",
    "sebarkan", "bukti", "warga", "kota", "desa", "pemilu", "pilkada", "debat", "janji", "harga",
    "beras", "bantuan", "sosial", "jalan", "rusak", "banjir", "transfer", "donasi", "hadiah",
    "klik", "link", "ktp", "daftar", "pemilih", "tetap", "quick", "count", "hasil",
)


def make_items(n: int, seed: int = 7) -> list[dict[str, Any]]:
    """Captions of 12-40 words; one in ten copies an earlier one (reposts, bursts)."""
    rng = random.Random(seed)
    t0 = datetime(2024, 2, 1, tzinfo=UTC)
    items: list[dict[str, Any]] = []
    for i in range(n):
        if i > 10 and rng.random() < 0.1:
            caption = items[rng.randrange(i)]["caption"]
        else:
            caption = " ".join(rng.choice(WORDS) for _ in range(rng.randint(12, 40)))
        items.append({"id": f"c{i}", "platform_id": f"c{i}", "kind": "text", "caption": caption,
                      "account_id": f"a{rng.randrange(n // 4 + 1)}", "hashtags": ["pemilu2024"],
                      "posted_at": t0 + timedelta(seconds=30 * i)})
    return items


class VocabularyBaseline:
    """The classifier as it was before the shared hashed featurisation."""

    def __init__(self) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        from salingjaga.detection.text.classifier import LABELS, default_examples, targets
        from salingjaga.detection.text.normalize import normalize

        examples = default_examples()
        self.labels = LABELS
        self.normalize = normalize
        self.vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True,
                                          max_features=200_000)
        x = self.vectorizer.fit_transform([normalize(t) for t, _ in examples])
        y = targets(examples)
        self.models = [LogisticRegression(C=10.0, class_weight="balanced", max_iter=1000).fit(x, y[:, j])
                       for j in range(len(LABELS))]

    def __call__(self, texts: list[str]) -> list[dict[str, float]]:
        x = self.vectorizer.transform([self.normalize(t) for t in texts])
        cols = [m.predict_proba(x)[:, 1] for m in self.models]
        return [{label: round(float(cols[j][i]), 4) for j, label in enumerate(self.labels)}
                for i in range(len(texts))]


def _rate(fn: Any, texts: list[str], batch: int) -> float:
    start = time.perf_counter()
    for i in range(0, len(texts), batch):
        fn(texts[i : i + batch])
    return len(texts) / max(time.perf_counter() - start, 1e-9)


def measure(n_items: int, batch: int) -> dict[str, Any]:
    """Time the classifier, its baseline and the pipeline on the calling thread's cores."""
    items = make_items(n_items)
    classify = default_classifier()
    texts = [it["caption"] for it in items]
    if classify is not None:
        classify(texts[:10])  # load the model outside the timing
    classifier_only = _rate(classify, texts, batch) if classify is not None else 0.0
    base = VocabularyBaseline()
    base(texts[:10])
    baseline_only = _rate(base, texts, batch)
    ctx = ScanContext(history=MemoryHistory(), classify=classify)
    t = time.perf_counter()
    n_signals = 0
    for i in range(0, len(items), batch):
        n_signals += sum(len(s) for s in scan_batch(items[i : i + batch], ctx))
    pipeline = len(items) / (time.perf_counter() - t)
    # the same pipeline without the classifier: what detection itself costs per item
    bare = ScanContext(history=MemoryHistory())
    t = time.perf_counter()
    for i in range(0, len(items), batch):
        scan_batch(items[i : i + batch], bare)
    without_classifier = len(items) / (time.perf_counter() - t)
    return {"items": len(items), "batch": batch, "classifier": classify is not None,
            "signals": n_signals, "pipeline_items_per_s": round(pipeline),
            "classifier_only_items_per_s": round(classifier_only),
            "pipeline_without_classifier_items_per_s": round(without_classifier),
            "baseline_classifier_only_items_per_s": round(baseline_only),
            "ratio_classifier_to_baseline": round(classifier_only / baseline_only, 2),
            "ratio_pipeline_to_classifier": round(pipeline / classifier_only, 2) if classifier_only else 0,
            "target_items_per_s": 1000, "meets_target": pipeline >= 1000}


def run(ctx: Any) -> list[dict[str, Any]]:
    """Suite entry point: 5,000 items (1,000 with ``--quick``) on one core; the runner's
    CPU affinity is restored afterwards so later benchmarks get every core again."""
    before = one_core()
    try:
        r = measure(ctx.scale(5000, 1000), 500)
    finally:
        if before is not None:
            os.sched_setaffinity(0, before)
    return [
        ctx.figure("text signals per item, whole pipeline, one core", r["pipeline_items_per_s"], "/s",
                   "classifier alone on the same batch", r["classifier_only_items_per_s"],
                   target=">= 1,000/s", meets=r["meets_target"], signals=r["signals"]),
        ctx.figure("text classifier alone, one core", r["classifier_only_items_per_s"], "/s",
                   "previous design (scikit-learn vocabulary TF-IDF + per-label predict_proba)",
                   r["baseline_classifier_only_items_per_s"]),
        ctx.figure("pipeline without the classifier, one core", r["pipeline_without_classifier_items_per_s"],
                   "/s", "classifier alone on the same batch", r["classifier_only_items_per_s"]),
    ]


def main() -> None:
    """Time both and print the figures with their ratio; write the JSON summary."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--out", type=Path, default=Path("var/bench-text-signals.json"))
    args = parser.parse_args()
    one_core()
    result = measure(args.items, args.batch)
    for k, v in result.items():
        print(f"{k:32} {v}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2), "utf-8")


if __name__ == "__main__":
    main()
