"""Scam and fundraising patterns in the text (``behaviour/scam.py``'s data file)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from salingjaga.detection.base import SignalResult
from salingjaga.detection.behaviour.scam import match_patterns
from salingjaga.detection.detectors.base import ItemScan, ScanContext
from salingjaga.detection.signals import SignalType


class Patterns:
    """One signal per pattern the text matches."""

    name = "patterns"
    step = "patterns"
    signal_types = frozenset({SignalType.SCAM_PATTERN, SignalType.FUNDRAISING})

    def prepare(self, scans: Sequence[ItemScan], ctx: ScanContext) -> Sequence[Any] | None:
        """Nothing to do for the whole batch."""
        return None

    def detect(self, scan: ItemScan, prepared: Any, ctx: ScanContext) -> list[SignalResult]:
        """A scam or fundraising signal per matching pattern."""
        return [SignalResult(SignalType.SCAM_PATTERN if p.kind == "scam" else SignalType.FUNDRAISING,
                             "fraud_scam_spam", p.score, f"{p.explanation} (pattern {p.name}), {p.score:.2f}",
                             key=p.name, data={"pattern": p.name})
                for p in match_patterns(scan.text)]
