"""The detection pipeline: every registered detector over a batch of items, then routing.

Pure over item dicts and a ``ScanContext`` (no database, no other domain), so
``salingjaga scan`` and the worker run the same detectors. The stream handlers that store
the signals and act on them are in ``detection/handlers.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

from salingjaga.detection.base import SignalResult
from salingjaga.detection.detectors import DETECTORS
from salingjaga.detection.detectors.base import (
    Detector,
    DetectorFailure,
    ItemScan,
    ScanContext,
    ScanReport,
)
from salingjaga.detection.detectors.claim_match import CLAIM_FLOOR, CLAIM_K
from salingjaga.detection.detectors.text_classifier import (
    CLASSIFIER_FLOOR,
    CLASSIFIER_LABELS,
    default_classifier,
)
from salingjaga.detection.routing import RouteDecision, route

__all__ = [
    "CLAIM_FLOOR", "CLAIM_K", "CLASSIFIER_FLOOR", "CLASSIFIER_LABELS", "DetectorFailure", "ScanContext",
    "ScanReport", "default_classifier", "scan_and_route", "scan_batch", "scan_batch_reports", "scan_item",
    "scan_item_report", "text_of",
]


def text_of(item: dict[str, Any]) -> str:
    """Every text of an item in one string (the same as ContentItem.text_for_detection)."""
    tags = " ".join("#" + str(t).lstrip("#") for t in item.get("hashtags") or [])
    parts = [item.get("caption") or "", item.get("on_screen_text") or "",
             item.get("transcript") or "", tags]
    return "\n".join(p for p in parts if p)


def _prepare(detector: Detector, scans: Sequence[ItemScan], ctx: ScanContext) -> Sequence[Any]:
    """The detector's batch work, one result per item; a failure (or a wrong count) is
    recorded on every item and leaves each with None."""
    probe = ScanReport()
    result = probe.attempt(detector.step, partial(detector.prepare, scans, ctx))
    if probe.failures or (result is not None and len(result) != len(scans)):
        failure = probe.failures[0] if probe.failures else DetectorFailure(
            detector.step, f"returned {len(result or [])} results for {len(scans)} items")
        for scan in scans:
            scan.report.failures.append(failure)
        return [None] * len(scans)
    return result if result is not None else [None] * len(scans)


def scan_batch_reports(items: Sequence[dict[str, Any]], ctx: ScanContext,
                       detectors: Sequence[Detector] = DETECTORS) -> list[ScanReport]:
    """Signals for many items, and the detector steps that failed on each.

    Every detector's batch work (the text models) runs first, once over the whole batch;
    then each item goes through every detector in registry order. Every step runs on its
    own: a crash in one (a hostile video, a broken model) costs that step's signals only,
    and is reported so it can be dead-lettered; the item keeps every signal the other
    steps found.
    """
    scans = [ItemScan(item, text_of(item)) for item in items]
    prepared = [_prepare(d, scans, ctx) for d in detectors]
    for i, scan in enumerate(scans):
        for detector, batch in zip(detectors, prepared, strict=True):
            found = scan.report.attempt(detector.step, partial(detector.detect, scan, batch[i], ctx))
            scan.report.signals.extend(found or [])
    return [scan.report for scan in scans]


def scan_batch(items: Sequence[dict[str, Any]], ctx: ScanContext) -> list[list[SignalResult]]:
    """Signals for many items; text models run once over the whole batch."""
    return [r.signals for r in scan_batch_reports(items, ctx)]


def scan_item(item: dict[str, Any], context: ScanContext | None = None) -> list[SignalResult]:
    """Every signal for one item (a dict shaped like the POST /api/v1/content body)."""
    return scan_item_report(item, context).signals


def scan_item_report(item: dict[str, Any], context: ScanContext | None = None) -> ScanReport:
    """Every signal for one item, and the detector steps that failed on it."""
    return scan_batch_reports([item], context or ScanContext())[0]


def scan_and_route(item: dict[str, Any], context: ScanContext) -> tuple[list[SignalResult], RouteDecision]:
    """Signals and the routing decision for one item (what ``salingjaga scan`` prints)."""
    signals = scan_item(item, context)
    return signals, route(signals, context.routing)
