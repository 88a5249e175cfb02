"""The text classifier: policy labels scored over the item's text."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from salingjaga.detection.base import SignalResult
from salingjaga.detection.detectors.base import ItemScan, ScanContext
from salingjaga.detection.signals import SignalType
from salingjaga.detection.text.classifier import classify

CLASSIFIER_LABELS = {
    "election_related": "civic_election_integrity",
    "election_misinformation": "misinformation",
    "civic_integrity": "civic_election_integrity",
    "hate_sara": "hate_speech_sara",
}
CLASSIFIER_FLOOR = 0.5  # classifier scores below this are not stored as signals


def default_classifier() -> Callable[[list[str]], list[dict[str, float]]]:
    """The shipped text classifier (``detection/text/classifier.py``)."""
    return classify


class TextClassifier:
    """Classifier scores at or above the floor, one signal per label."""

    name = "text_classifier"
    step = "classifier"
    signal_types = frozenset({SignalType.CLASSIFIER})

    def prepare(self, scans: Sequence[ItemScan], ctx: ScanContext) -> Sequence[Any] | None:
        """The model runs once over every text of the batch."""
        if ctx.classify is None:
            return None
        scores: list[dict[str, float]] | None = ctx.classify([s.text for s in scans])
        return [] if scores is None else scores  # nothing back is a failure (a count of 0)

    def detect(self, scan: ItemScan, prepared: Any, ctx: ScanContext) -> list[SignalResult]:
        """A signal per known label scoring at least ``CLASSIFIER_FLOOR``."""
        scan.scores = prepared or {}
        return [SignalResult(SignalType.CLASSIFIER, CLASSIFIER_LABELS[label], float(score),
                             f"text classifier: {label.replace('_', ' ')}, {score:.2f}",
                             key=label, data={"label": label})
                for label, score in scan.scores.items()
                if label in CLASSIFIER_LABELS and score >= CLASSIFIER_FLOOR]
