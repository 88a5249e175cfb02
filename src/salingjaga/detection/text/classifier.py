"""Policy classifiers for text: election-related (drives notice tags), election
misinformation, civic and election integrity, hate speech and SARA incitement.

A small default model is trained at first use from labelled examples the project wrote
itself (``detection/data/text_labels.csv``) and kept in an explicit cache. A platform
retrains from its own past decisions with ``salingjaga train --data FILE.csv`` (columns
``text,label``), which saves a model file that ``load_classifier`` picks up.
"""

from __future__ import annotations

import csv
import io
import pickle
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

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
MODEL_FILE = "text-classifier.pkl"


def canonical_label(label: str) -> str:
    """The classifier label for a label as written in a training file."""
    label = label.strip().lower()
    return ALIASES.get(label, label)


@dataclass
class TextClassifier:
    """One-vs-rest logistic regressions over character n-gram TF-IDF of normalised text."""

    vectorizer: Any
    models: dict[str, Any] = field(default_factory=dict)
    trained_on: int = 0

    def predict(self, texts: list[str]) -> list[dict[str, float]]:
        """Per-text probability of each label, in 0..1."""
        if not texts:
            return []
        x = self.vectorizer.transform([normalize(t) for t in texts])
        cols = {}
        for label in LABELS:
            model = self.models.get(label)
            cols[label] = (model.predict_proba(x)[:, 1] if model is not None
                           else np.zeros(len(texts)))
        return [{label: round(float(cols[label][i]), 4) for label in LABELS} for i in range(len(texts))]


def read_examples(stream: Iterable[str]) -> list[tuple[str, str]]:
    """(text, label) rows from CSV lines with a ``text,label`` header."""
    reader = csv.DictReader(stream)
    if reader.fieldnames is None or not {"text", "label"} <= set(reader.fieldnames):
        raise ValueError("the training CSV needs the columns text,label")
    return [(r["text"], canonical_label(r["label"] or "")) for r in reader if (r["text"] or "").strip()]


def default_examples() -> list[tuple[str, str]]:
    """The labelled examples shipped with SalingJaga."""
    text = resources.files("salingjaga.detection").joinpath("data/text_labels.csv").read_text("utf-8")
    return read_examples(io.StringIO(text))


def train(examples: list[tuple[str, str]]) -> TextClassifier:
    """Fit the classifier; every label needs positive and negative examples to be learnt
    (a label without them always scores 0)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    if len(examples) < 4:
        raise ValueError("need at least 4 labelled examples")
    unknown = {label for _, label in examples} - set(LABELS) - {"none"}
    if unknown:
        raise ValueError(f"unknown labels {sorted(unknown)}; use {', '.join(LABELS)} or none")
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True,
                                 min_df=1, max_features=200_000)
    x = vectorizer.fit_transform([normalize(t) for t, _ in examples])
    models: dict[str, Any] = {}
    for label in LABELS:
        y = np.array([label == lab or label in IMPLIES.get(lab, ()) for _, lab in examples])
        if y.all() or not y.any():
            continue
        model = LogisticRegression(C=10.0, class_weight="balanced", max_iter=1000)
        model.fit(x, y)
        models[label] = model
    return TextClassifier(vectorizer=vectorizer, models=models, trained_on=len(examples))


def save(model: TextClassifier, path: Path) -> None:
    """Write a trained model (a pickle: load only files this installation wrote)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(model))


def load(path: Path) -> TextClassifier:
    """Read a model written by ``save``."""
    model = pickle.loads(path.read_bytes())  # noqa: S301 - our own file in the data dir
    if not isinstance(model, TextClassifier):
        raise ValueError(f"{path} is not a SalingJaga text classifier")
    return model


class ClassifierCache:
    """The models in use: the shipped default (trained once) and files by path/mtime."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._default: TextClassifier | None = None
        self._files: dict[Path, tuple[float, TextClassifier]] = {}

    def default(self) -> TextClassifier:
        """The model trained from the shipped examples."""
        with self._lock:
            if self._default is None:
                self._default = train(default_examples())
            return self._default

    def from_file(self, path: Path) -> TextClassifier:
        """A saved model, reloaded when the file changes."""
        mtime = path.stat().st_mtime
        with self._lock:
            cached = self._files.get(path)
            if cached is None or cached[0] != mtime:
                cached = (mtime, load(path))
                self._files[path] = cached
            return cached[1]


CACHE = ClassifierCache()


def load_classifier(data_dir: Path | None = None) -> TextClassifier:
    """The retrained model in ``data_dir`` if ``salingjaga train`` wrote one, else the
    shipped default."""
    if data_dir is not None and (data_dir / MODEL_FILE).is_file():
        return CACHE.from_file(data_dir / MODEL_FILE)
    return CACHE.default()


def classify(texts: list[str], model: TextClassifier | None = None) -> list[dict[str, float]]:
    """Scores in 0..1 per text for election_related, election_misinformation,
    civic_integrity and hate_sara."""
    return (model or CACHE.default()).predict(texts)
