"""Policy classifiers for text: election-related (drives notice tags), election
misinformation, civic and election integrity, hate speech and SARA incitement.

The default model is trained from labelled examples the project wrote itself
(``detection/data/text_labels.csv``). It ships prebuilt as ``detection/data/text-classifier.npz``
(``python -m salingjaga.detection.text.classifier`` rebuilds it); the file records the
SHA-256 of the CSV it was built from, and when the CSV has changed since, the model is
trained once per process instead. A platform retrains from its own past decisions with
``salingjaga train --data FILE.csv`` (columns ``text,label``), which saves a model file
that ``load_classifier`` picks up. Model files are plain numpy arrays (no pickle).
"""

from __future__ import annotations

import csv
import hashlib
import io
import sys
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from salingjaga.detection.text.features import Batch, bucket, counts, sublinear_l2
from salingjaga.detection.text.normalize import normalize

LABELS: tuple[str, ...] = ("election_related", "election_misinformation", "civic_integrity", "hate_sara")
# A text about election misinformation or civic integrity is about the election as well.
IMPLIES: dict[str, tuple[str, ...]] = {
    "election_misinformation": ("election_related",),
    "civic_integrity": ("election_related",),
}
# Labels a platform's decision export may use for the same policies.
ALIASES: dict[str, str] = {
    "misinformation": "election_misinformation",
    "civic_election_integrity": "civic_integrity",
    "hate_speech_sara": "hate_sara",
    "election": "election_related",
    "no_violation": "none",
    "": "none",
}
MODEL_FILE = "text-classifier.npz"
# The shipped default, built from text_labels.csv by
# ``python -m salingjaga.detection.text.classifier`` (see docs/performance.md).
DEFAULT_MODEL = "data/text-classifier.npz"
DEFAULT_DATA = "data/text_labels.csv"
# One hashed feature space shared by the four labels: character 2-5-grams inside words and
# word 1-2-grams of the normalised text, 2**18 buckets.
BITS = 18
CHAR_NS = (2, 3, 4, 5)
WORD_NS = (1, 2)
# Inverse regularisation strength, chosen by 5-fold cross-validation on text_labels.csv
# (see docs/performance.md).
C = 10.0


def canonical_label(label: str) -> str:
    """The classifier label for a label as written in a training file."""
    label = label.strip().lower()
    return ALIASES.get(label, label)


def featurize(texts: list[str], idf: np.ndarray | None = None) -> sp.csr_matrix:
    """Sublinear TF-IDF rows (L2-normalised) of the shared hashed features of ``texts``."""
    batch = Batch([normalize(t) for t in texts])
    c_docs, c_hash = batch.char_ngrams(CHAR_NS)
    w_docs, w_hash = batch.words(WORD_NS)
    docs = np.concatenate([c_docs, w_docs])
    columns = bucket(np.concatenate([c_hash, w_hash]), BITS)
    return sublinear_l2(counts(docs, columns, len(texts), BITS), idf)


@dataclass
class TextClassifier:
    """Logistic regressions (one per label) over one shared hashed TF-IDF featurisation:
    scoring a batch is one sparse-times-dense product and a sigmoid."""

    idf: np.ndarray  # (2**BITS,) float32
    coef: np.ndarray  # (2**BITS, len(LABELS)) float32
    intercept: np.ndarray  # (len(LABELS),) float32
    trained: np.ndarray  # (len(LABELS),) bool: labels with positive and negative examples
    trained_on: int = 0
    source: str = ""  # sha256 of the training CSV (the shipped default)

    @property
    def models(self) -> dict[str, int]:
        """The labels this model learnt, with their column."""
        return {label: i for i, label in enumerate(LABELS) if self.trained[i]}

    def scores(self, texts: list[str]) -> np.ndarray:
        """(len(texts), len(LABELS)) probabilities; 0 for labels never learnt."""
        if not texts:
            return np.zeros((0, len(LABELS)), dtype=np.float32)
        logits = np.asarray(featurize(texts, self.idf) @ self.coef) + self.intercept
        probs: np.ndarray = 1.0 / (1.0 + np.exp(-np.clip(logits, -30.0, 30.0)))
        probs[:, ~self.trained] = 0.0
        return probs

    def predict(self, texts: list[str]) -> list[dict[str, float]]:
        """Per-text probability of each label, in 0..1."""
        rounded = np.round(self.scores(texts).astype(np.float64), 4).tolist()
        return [dict(zip(LABELS, row, strict=True)) for row in rounded]


def read_examples(stream: Iterable[str]) -> list[tuple[str, str]]:
    """(text, label) rows from CSV lines with a ``text,label`` header."""
    reader = csv.DictReader(stream)
    if reader.fieldnames is None or not {"text", "label"} <= set(reader.fieldnames):
        raise ValueError("the training CSV needs the columns text,label")
    return [(r["text"], canonical_label(r["label"] or "")) for r in reader if (r["text"] or "").strip()]


def _default_csv() -> str:
    return resources.files("salingjaga.detection").joinpath(DEFAULT_DATA).read_text("utf-8")


def default_examples() -> list[tuple[str, str]]:
    """The labelled examples shipped with SalingJaga."""
    return read_examples(io.StringIO(_default_csv()))


def targets(examples: list[tuple[str, str]]) -> np.ndarray:
    """(len(examples), len(LABELS)) booleans: a row's label and the labels it implies."""
    return np.array([[label == lab or label in IMPLIES.get(lab, ()) for label in LABELS]
                     for _, lab in examples], dtype=bool)


def train(examples: list[tuple[str, str]], c: float = C, source: str = "") -> TextClassifier:
    """Fit the classifier; every label needs positive and negative examples to be learnt
    (a label without them always scores 0)."""
    from sklearn.linear_model import LogisticRegression

    if len(examples) < 4:
        raise ValueError("need at least 4 labelled examples")
    unknown = {label for _, label in examples} - set(LABELS) - {"none"}
    if unknown:
        raise ValueError(f"unknown labels {sorted(unknown)}; use {', '.join(LABELS)} or none")
    raw = featurize([t for t, _ in examples])
    n_docs = raw.shape[0]
    df = np.bincount(raw.indices, minlength=1 << BITS)
    idf = (np.log((1.0 + n_docs) / (1.0 + df)) + 1.0).astype(np.float32)
    x = raw.copy()
    x.data *= idf[x.indices]
    x = sublinear_l2(_renormalize(x))
    y = targets(examples)
    coef = np.zeros((1 << BITS, len(LABELS)), dtype=np.float32)
    intercept = np.zeros(len(LABELS), dtype=np.float32)
    trained = np.zeros(len(LABELS), dtype=bool)
    for j in range(len(LABELS)):
        if y[:, j].all() or not y[:, j].any():
            continue
        model = LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
        model.fit(x, y[:, j])
        coef[:, j] = model.coef_[0]
        intercept[j] = model.intercept_[0]
        trained[j] = True
    return TextClassifier(idf=idf, coef=coef, intercept=intercept, trained=trained,
                          trained_on=len(examples), source=source)


def _renormalize(x: sp.csr_matrix) -> sp.csr_matrix:
    # featurize() already applied 1 + log(tf) and L2; undo nothing, just reset lengths so
    # sublinear_l2 can be reapplied: exp(v - 1) would be wasteful, so rebuild from scratch.
    return x
