"""Near-duplicates: the same text (SimHash) or media (PDQ) posted earlier by other
accounts. Every item scanned is remembered, so later items are compared with it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from salingjaga.core.timeutil import as_utc, utcnow
from salingjaga.detection.base import PriorItem, SignalResult
from salingjaga.detection.behaviour import neardup
from salingjaga.detection.detectors.base import ItemScan, Neighbourhood, ScanContext
from salingjaga.detection.signals import SignalType

NEARDUP_LOOKBACK = timedelta(days=30)
PDQ_REPOST_BITS = 15  # pdq bands guarantee finding reposts within 15 bits


def posted_at(item: dict[str, Any]) -> datetime:
    """When the item was posted (now, if it does not say)."""
    value = item.get("posted_at")
    if isinstance(value, datetime):
        return as_utc(value)
    if isinstance(value, str) and value:
        return as_utc(datetime.fromisoformat(value.replace("Z", "+00:00")))
    return utcnow()


def neighbourhood(scan: ItemScan, text_hash: int | None, ctx: ScanContext) -> Neighbourhood | None:
    """The earlier items near this one, after which this one is remembered; None without
    a history to consult."""
    if ctx.history is None:
        return None
    item = scan.item
    content_id = str(item.get("id") or item.get("platform_id") or "")
    account_id = str(item.get("account_id") or (item.get("account") or {}).get("platform_id") or "")
    when = posted_at(item)
    since = when - NEARDUP_LOOKBACK
    bands: list[tuple[str, str]] = []
    near: dict[str, PriorItem] = {}
    if text_hash is not None:
        value = f"{text_hash:016x}"
        tb = neardup.bands(text_hash)
        bands.extend((b, value) for b in tb)
        for s in ctx.history.near(tb, since, content_id):
            d = neardup.distance(text_hash, int(s.value, 16))
            if d <= ctx.neardup_bits and (s.content_id not in near or d < near[s.content_id].distance):
                near[s.content_id] = PriorItem(s.content_id, s.account_id, s.posted_at, d, "text")
    from salingjaga.detection.media.pdq import hamming

    for h in scan.media_hashes[:4]:
        pb = neardup.pdq_bands(h)
        bands.extend((b, h) for b in pb)
        for s in ctx.history.near(pb, since, content_id):
            d = hamming(h, s.value)
            if d <= PDQ_REPOST_BITS and s.content_id not in near:
                near[s.content_id] = PriorItem(s.content_id, s.account_id, s.posted_at, d, "media")
    ctx.history.remember(content_id, account_id, when, bands)
    return Neighbourhood(content_id, account_id, when, tuple(near.values()))


class NearDuplicate:
    """A repost: near-identical to earlier items by other accounts."""

    name = "near_duplicate"
    step = "behaviour"
    signal_types = frozenset({SignalType.NEAR_DUPLICATE})

    def prepare(self, scans: Sequence[ItemScan], ctx: ScanContext) -> Sequence[Any] | None:
        """The text fingerprints of the whole batch (when there is a history to compare)."""
        if ctx.history is None:
            return None
        return [neardup.simhash(s.text) for s in scans]

    def detect(self, scan: ItemScan, prepared: Any, ctx: ScanContext) -> list[SignalResult]:
        """Finds the item's neighbours (for the coordination detector too) and signals a
        repost of other accounts' content."""
        hood = neighbourhood(scan, prepared, ctx)
        scan.neighbourhood = hood
        if hood is None:
            return []
        earlier_other = [p for p in hood.near
                         if p.posted_at <= hood.posted_at and p.account_id != hood.account_id]
        if not earlier_other:
            return []
        first = min(earlier_other, key=lambda p: p.posted_at)
        score = round(min(1.0, 0.8 + 0.05 * len(earlier_other)), 3)
        return [SignalResult(
            SignalType.NEAR_DUPLICATE, "unoriginal_content", score,
            f"near-identical {first.via} to {len(earlier_other)} earlier item(s) by other "
            f"accounts, first {first.content_id}, {score:.2f}",
            key="repost",
            data={"earlier": [p.content_id for p in sorted(earlier_other, key=lambda p: p.posted_at)][:20],
                  "first": first.content_id, "distance": first.distance, "via": first.via},
        )]
