"""The detector interface and what a scan passes between detectors.

A detector (one module each, listed in ``detectors/__init__.py``) declares the signal types
it produces and runs in two parts: ``prepare`` once over the whole batch (a model over every
text), then ``detect`` per item. The pipeline runs each part on its own, so a detector that
fails costs its own signals only (``ScanReport.attempt``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar

from sqlalchemy.exc import SQLAlchemyError

from salingjaga.detection.banks import Banks
from salingjaga.detection.base import MediaBlob, PriorItem, SignalResult
from salingjaga.detection.behaviour import neardup
from salingjaga.detection.behaviour.coordination import BurstRule
from salingjaga.detection.history import History
from salingjaga.detection.media.pdq import MediaError
from salingjaga.detection.routing import RoutingConfig
from salingjaga.detection.signals import SignalType

log = logging.getLogger("salingjaga.detection")
T = TypeVar("T")


@dataclass
class ScanContext:
    """What a scan may consult. Every part is optional: absent parts mean no such signal."""

    banks: Banks | None = None
    # banked vPDQ videos (has .match_video(features) -> list[video_banks.VideoMatch]); None: none
    video_banks: Any = None
    history: History | None = None
    claim_matcher: Any = None  # has .match(texts, k) -> list[list[ClaimMatch]]
    classify: Callable[[list[str]], list[dict[str, float]]] | None = None
    data_dir: Path | None = None
    burst: BurstRule = field(default_factory=BurstRule)
    neardup_bits: int = neardup.NEAR_BITS
    routing: RoutingConfig | None = None
    # the operator's C2PA trust list (a PEM path, read when credentials are checked, so a
    # broken path fails that step alone); None: no signer is trusted
    c2pa_trust_anchors: Path | None = None
    # reads the text in images and video frames (``media.screen_text.ScreenReader``); None:
    # no OCR
    screen_reader: Any = None


@dataclass(frozen=True)
class DetectorFailure:
    """A detector step that failed on one item: which, on which media file, and why."""

    step: str  # "classifier", "claims", "patterns", "media", "credentials", "behaviour", ...
    error: str
    media_index: int | None = None

    @property
    def where(self) -> str:
        """The step, with the media file it was reading."""
        return self.step if self.media_index is None else f"{self.step} (media {self.media_index})"


@dataclass
class ScanReport:
    """Everything a scan found about one item, and the steps that failed on it."""

    signals: list[SignalResult] = field(default_factory=list)
    failures: list[DetectorFailure] = field(default_factory=list)

    def attempt(self, step: str, fn: Callable[[], T], media_index: int | None = None) -> T | None:
        """Run one detector step; a failure is recorded and the other steps go on.

        A database error is raised instead: the session may be unusable and the cause is
        not the item, so the whole message is retried (or dead-lettered) by the stream.
        """
        try:
            return fn()
        except SQLAlchemyError:
            raise
        except Exception as exc:
            # a MediaError already says what is wrong with the file in words
            error = (str(exc) if isinstance(exc, MediaError) else f"{type(exc).__name__}: {exc}")[:1000]
            log.warning("detector step failed", extra={"step": step, "media_index": media_index,
                                                       "error": error})
            self.failures.append(DetectorFailure(step, error, media_index))
            return None


@dataclass(frozen=True)
class Neighbourhood:
    """An item's place among earlier ones: its poster and time, and the near-identical
    items found in the history."""

    content_id: str
    account_id: str
    posted_at: datetime
    near: tuple[PriorItem, ...]


@dataclass
class ItemScan:
    """One item as the detectors see it, with what earlier detectors found for later ones
    (a detector reads only what one listed before it in the registry writes)."""

    item: dict[str, Any]
    text: str
    report: ScanReport = field(default_factory=ScanReport)
    # OCR: (media index, the texts read from it); their text is already part of ``text``
    screen_text: list[tuple[int, list[Any]]] = field(default_factory=list)
    # claim matching: stems of the words the item shares with the fact-checks it matched
    claim_words: set[str] = field(default_factory=set)
    # text classifier: label -> score (synthetic media reads election_related)
    scores: dict[str, float] = field(default_factory=dict)
    # media: the files read, with the type their bytes are (credentials are read from them)
    blobs: list[tuple[MediaBlob, str]] = field(default_factory=list)
    # media: the plain PDQ hash of each good frame (near-duplicates: reposts of media)
    media_hashes: list[str] = field(default_factory=list)
    # media: each video's vPDQ hash, (media index, [VpdqFeature]) (frames with time and quality)
    video_hashes: list[tuple[int, list[Any]]] = field(default_factory=list)
    # near-duplicates: who posted it when, and the earlier items close to it (coordination)
    neighbourhood: Neighbourhood | None = None


class Detector(Protocol):
    """One detector: a name, the signal types it produces, and the two parts of a scan."""

    name: str  # unique in the registry
    # the step a failure is recorded under (in dead letters); detectors of one family share it
    step: str
    signal_types: frozenset[SignalType]

    def prepare(self, scans: Sequence[ItemScan], ctx: ScanContext) -> Sequence[Any] | None:
        """Work done once for the whole batch: one result per item, or None for nothing
        to do (not configured, or no batch work)."""

    def detect(self, scan: ItemScan, prepared: Any, ctx: ScanContext) -> list[SignalResult]:
        """The signals for one item; ``prepared`` is this item's result of ``prepare``
        (None when there was none or it failed)."""
