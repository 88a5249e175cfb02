"""The detector registry: every detector, in the order a scan runs them.

Like python-threatexchange's signal types, each detector is a small module declaring the
signal types it produces; the pipeline runs whatever is listed here. Order matters where a
detector reads what an earlier one found (``ItemScan``): the text detectors read the
on-screen text OCR found, and its report marks the words claim matching matched; synthetic
media reads the classifier's scores and the files the media detector read; near-duplicates
read the media hashes; coordination reads the near-duplicates' neighbours.
"""

from __future__ import annotations

from salingjaga.detection.detectors.base import Detector
from salingjaga.detection.detectors.claim_match import ClaimMatch
from salingjaga.detection.detectors.coordination import CoordinatedBurst
from salingjaga.detection.detectors.media_hash import MediaHash
from salingjaga.detection.detectors.near_duplicate import NearDuplicate
from salingjaga.detection.detectors.patterns import Patterns
from salingjaga.detection.detectors.screen_text import ScreenText, ScreenTextReport
from salingjaga.detection.detectors.synthetic import Synthetic
from salingjaga.detection.detectors.text_classifier import TextClassifier
from salingjaga.detection.signals import SignalType

DETECTORS: tuple[Detector, ...] = (
    ScreenText(),
    TextClassifier(),
    ClaimMatch(),
    ScreenTextReport(),
    Patterns(),
    MediaHash(),
    Synthetic(),
    NearDuplicate(),
    CoordinatedBurst(),
)


def producer(signal_type: str) -> Detector:
    """The detector that produces ``signal_type``; KeyError for a type no detector makes."""
    for detector in DETECTORS:
        if signal_type in detector.signal_types:
            return detector
    raise KeyError(signal_type)


def produced_types() -> frozenset[SignalType]:
    """Every signal type some registered detector produces."""
    return frozenset(t for d in DETECTORS for t in d.signal_types)


__all__ = ["DETECTORS", "Detector", "produced_types", "producer"]
