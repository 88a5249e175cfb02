"""Coordination: several accounts posting near-identical content within a short window."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from salingjaga.detection.base import SignalResult
from salingjaga.detection.behaviour.coordination import find_burst
from salingjaga.detection.detectors.base import ItemScan, ScanContext
from salingjaga.detection.signals import SignalType


class CoordinatedBurst:
    """A burst of near-identical posts across accounts (reads the near-duplicate
    detector's neighbours, so it runs after it)."""

    name = "coordinated_burst"
    step = "behaviour"
    signal_types = frozenset({SignalType.COORDINATED_BURST})

    def prepare(self, scans: Sequence[ItemScan], ctx: ScanContext) -> Sequence[Any] | None:
        """Nothing to do for the whole batch."""
        return None

    def detect(self, scan: ItemScan, prepared: Any, ctx: ScanContext) -> list[SignalResult]:
        """One signal when the item completes a burst."""
        hood = scan.neighbourhood
        if hood is None:
            return []
        burst = find_burst(hood.account_id, hood.content_id, hood.posted_at, list(hood.near), ctx.burst)
        if burst is None:
            return []
        minutes = (burst.last - burst.first).total_seconds() / 60
        score = round(min(1.0, 0.6 + 0.05 * (len(burst.accounts) - ctx.burst.min_accounts)), 3)
        return [SignalResult(
            SignalType.COORDINATED_BURST, "covert_influence", score,
            f"{len(burst.accounts)} accounts posted near-identical content within "
            f"{minutes:.0f} minutes, {score:.2f}",
            key="burst",
            data={"accounts": list(burst.accounts), "content_ids": list(burst.content_ids)[:200],
                  "first": burst.first.isoformat(), "last": burst.last.isoformat(),
                  "window_minutes": ctx.burst.window_minutes},
        )]
