"""Claim matching: the item's text against the fact-checks already published."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from salingjaga.detection.base import SignalResult, describe_verdict
from salingjaga.detection.detectors.base import ItemScan, ScanContext
from salingjaga.detection.signals import SignalType
from salingjaga.detection.text.marking import shared_words

CLAIM_FLOOR = 0.6
CLAIM_K = 3


def claim_signal(factcheck_id: str, score: float, claim: str, verdict: str, rating: str = "",
                 explanation: str = "", retroactive: bool = False) -> SignalResult:
    """The signal for an item matching a fact-check (found by a scan, or retroactively
    when the fact-check arrives after the item)."""
    shown = describe_verdict(verdict, rating) if verdict else ""
    data: dict[str, Any] = {"factcheck_id": factcheck_id, "claim": claim[:200], "verdict": verdict.lower()}
    if retroactive:
        data["retroactive"] = True
    else:
        data["explanation"] = explanation[:500]
    return SignalResult(
        SignalType.CLAIM_MATCH, "misinformation", score,
        f"matches fact-check {factcheck_id}: '{claim[:200]}' ({shown or 'no verdict yet'}), {score:.2f}"
        + (" (retroactive)" if retroactive else ""),
        key=factcheck_id, data=data,
    )


def _signal(match: Any) -> SignalResult:
    return claim_signal(
        str(getattr(match, "factcheck_id", "")), float(getattr(match, "score", 0.0)),
        str(getattr(match, "claim", ""))[:200], str(getattr(match, "verdict", "") or ""),
        str(getattr(match, "rating", "") or ""), str(getattr(match, "explanation", "") or ""))


class ClaimMatch:
    """Fact-checks whose claim the item repeats, scoring at least ``CLAIM_FLOOR``."""

    name = "claim_match"
    step = "claims"
    signal_types = frozenset({SignalType.CLAIM_MATCH})

    def prepare(self, scans: Sequence[ItemScan], ctx: ScanContext) -> Sequence[Any] | None:
        """The matcher runs once over every text of the batch."""
        if ctx.claim_matcher is None:
            return None
        matches: list[list[Any]] | None = ctx.claim_matcher.match([s.text for s in scans], CLAIM_K)
        return [] if matches is None else matches  # nothing back is a failure (a count of 0)

    def detect(self, scan: ItemScan, prepared: Any, ctx: ScanContext) -> list[SignalResult]:
        """One signal per fact-check matched closely enough, naming the words it shares
        with the item (kept on the scan for the on-screen text report)."""
        out: list[SignalResult] = []
        for m in prepared or []:
            if float(getattr(m, "score", 0.0)) < CLAIM_FLOOR:
                continue
            signal = _signal(m)
            words = shared_words(scan.text, str(getattr(m, "claim", "")))
            scan.claim_words |= words
            signal.data["matched_words"] = sorted(words)[:40]
            out.append(signal)
        return out
