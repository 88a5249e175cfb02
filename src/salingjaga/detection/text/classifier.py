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

from salingjaga.core.csvsafe import restore_cell
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


def feature_counts(texts: list[str]) -> sp.csr_matrix:
    """Counts of the shared hashed features of ``texts`` (one CSR row per text)."""
    batch = Batch([normalize(t) for t in texts])
    c_docs, c_hash = batch.char_ngrams(CHAR_NS)
    w_docs, w_hash = batch.words(WORD_NS)
    docs = np.concatenate([c_docs, w_docs])
    columns = bucket(np.concatenate([c_hash, w_hash]), BITS)
    return counts(docs, columns, len(texts), BITS)


def featurize(texts: list[str], idf: np.ndarray | None = None) -> sp.csr_matrix:
    """Sublinear TF-IDF rows (L2-normalised) of the shared hashed features of ``texts``."""
    return sublinear_l2(feature_counts(texts), idf)


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
    """(text, label) rows from CSV lines with a ``text,label`` header. A cell that
    ``salingjaga export-training`` neutralised against spreadsheet formulas is read back as
    the original text."""
    reader = csv.DictReader(stream)
    if reader.fieldnames is None or not {"text", "label"} <= set(reader.fieldnames):
        raise ValueError("the training CSV needs the columns text,label")
    return [(restore_cell(r["text"]), canonical_label(restore_cell(r["label"] or "")))
            for r in reader if (r["text"] or "").strip()]


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
    raw = feature_counts([t for t, _ in examples])
    df = np.bincount(raw.indices, minlength=1 << BITS)
    idf = (np.log((1.0 + raw.shape[0]) / (1.0 + df)) + 1.0).astype(np.float32)
    x = sublinear_l2(raw, idf)
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


def save(model: TextClassifier, path: Path) -> None:
    """Write a trained model as compressed numpy arrays; only the features the model uses
    are stored (a few hundred kB for the shipped default)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = np.flatnonzero(np.any(model.coef != 0, axis=1)).astype(np.int32)
    default_idf = float(model.idf.max()) if model.idf.size else 1.0
    with open(path, "wb") as fh:
        np.savez_compressed(
            fh, bits=np.int32(BITS), rows=rows, coef=model.coef[rows].astype(np.float32),
            idf=model.idf[rows].astype(np.float32), default_idf=np.float32(default_idf),
            intercept=model.intercept, trained=model.trained,
            labels=np.array(LABELS), trained_on=np.int64(model.trained_on),
            source=np.array(model.source),
        )


def load(path: Path) -> TextClassifier:
    """Read a model written by ``save``."""
    try:
        with np.load(path, allow_pickle=False) as z:
            if int(z["bits"]) != BITS or tuple(z["labels"].tolist()) != LABELS:
                raise ValueError("written by another version")
            rows = z["rows"]
            # A feature the model never saw keeps weight 0, so its idf does not matter.
            idf = np.full(1 << BITS, float(z["default_idf"]), dtype=np.float32)
            idf[rows] = z["idf"]
            coef = np.zeros((1 << BITS, len(LABELS)), dtype=np.float32)
            coef[rows] = z["coef"]
            return TextClassifier(idf=idf, coef=coef, intercept=z["intercept"].astype(np.float32),
                                  trained=z["trained"].astype(bool), trained_on=int(z["trained_on"]),
                                  source=str(z["source"]))
    except (OSError, KeyError, ValueError) as exc:
        raise ValueError(f"{path} is not a SalingJaga text classifier: {exc}") from exc


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def default_model() -> TextClassifier:
    """The shipped model file if it was built from the current examples, else a model
    trained from them now."""
    source = _sha256(_default_csv())
    shipped = resources.files("salingjaga.detection").joinpath(DEFAULT_MODEL)
    if shipped.is_file():
        with resources.as_file(shipped) as path:
            try:
                model = load(Path(path))
            except ValueError:
                model = None
        if model is not None and model.source == source:
            return model
    return train(default_examples(), source=source)


class ClassifierCache:
    """The models in use: the shipped default (loaded or trained once per process) and
    files by path/mtime."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._default: TextClassifier | None = None
        self._files: dict[Path, tuple[float, TextClassifier]] = {}

    def default(self) -> TextClassifier:
        """The model of the shipped examples."""
        with self._lock:
            if self._default is None:
                self._default = default_model()
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


def build_default(out: Path | None = None) -> Path:
    """Train on the shipped examples and write the shipped model file."""
    text = _default_csv()
    model = train(read_examples(io.StringIO(text)), source=_sha256(text))
    target = out or Path(str(resources.files("salingjaga.detection").joinpath(DEFAULT_MODEL)))
    save(model, target)
    return target


if __name__ == "__main__":
    written = build_default(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
    print(f"wrote {written} ({written.stat().st_size} bytes)")
