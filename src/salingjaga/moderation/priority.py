"""Queue priority and case deadlines: pure functions of source, severity, reach and calendar.

Priority is one integer, higher first. The source tier dominates (a trusted flagger within
its policy areas always comes before a user report), then severity, the election calendar,
and reach decide inside a tier.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

SOURCES: tuple[str, ...] = ("trusted_flagger", "rules", "partner", "proactive", "user_report")

# Tiers are 10_000 apart; everything inside a tier adds up to less than that.
SOURCE_TIER = {
    "trusted_flagger": 4,
    "rules": 3,
    "partner": 2,
    "proactive": 2,
    "user_report": 1,
}
TIER_WIDTH = 10_000
SEVERITY_WEIGHT = 1_000  # severity 1..5
TIGHT_BONUS = 2_000  # quiet period or voting day in the content's region
REACH_WEIGHT = 100  # per decade of reach, capped
REACH_CAP = 900
BOOST_WEIGHT = 100
BOOST_CAP = 900


def reach_score(views: int, shares: int) -> int:
    """Points for reach: a decade of (views + 10 x shares) is worth REACH_WEIGHT."""
    reach = max(0, views) + 10 * max(0, shares)
    if reach <= 0:
        return 0
    return min(REACH_CAP, int(math.log10(reach + 1) * REACH_WEIGHT))


def compute_priority(
    source: str, severity: int, views: int = 0, shares: int = 0, tight: bool = False,
    boost: int = 0,
) -> int:
    """The priority of a case opened by ``source`` for a policy of ``severity``."""
    if source not in SOURCE_TIER:
        raise ValueError(f"unknown source {source!r}; valid: {', '.join(SOURCES)}")
    severity = min(5, max(1, severity))
    inside = (
        severity * SEVERITY_WEIGHT
        + (TIGHT_BONUS if tight else 0)
        + reach_score(views, shares)
        + min(BOOST_CAP, max(0, boost) * BOOST_WEIGHT)
    )
    return SOURCE_TIER[source] * TIER_WIDTH + min(inside, TIER_WIDTH - 1)


def source_rank(source: str) -> int:
    """How urgent a source is: higher means handled first (used to pick a case's source)."""
    return len(SOURCES) - SOURCES.index(source) if source in SOURCES else 0


def compute_deadline(
    opened_at: datetime, tight: bool, default_hours: float, tight_hours: float
) -> datetime:
    """When the case must be decided: the tight deadline in the quiet period and on voting day."""
    return opened_at + timedelta(hours=tight_hours if tight else default_hours)
