"""Coordinated bursts: many distinct accounts posting near-identical content in a short
window. Pure: given the near-duplicates found, decide whether they form a burst."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from salingjaga.detection.base import PriorItem


@dataclass(frozen=True)
class BurstRule:
    """How many distinct accounts within how many minutes make a burst."""

    min_accounts: int = 5
    window_minutes: float = 60.0


@dataclass(frozen=True)
class Burst:
    """The account cluster of a burst and the items it posted."""

    accounts: tuple[str, ...]
    content_ids: tuple[str, ...]
    first: datetime
    last: datetime


def find_burst(account_id: str, content_id: str, posted_at: datetime,
               near: Sequence[PriorItem], rule: BurstRule) -> Burst | None:
    """The densest window around this item holding >= min_accounts distinct accounts."""
    window = timedelta(minutes=rule.window_minutes)
    events = sorted([(posted_at, account_id, content_id)]
                    + [(p.posted_at, p.account_id, p.content_id) for p in near
                       if abs(p.posted_at - posted_at) <= window])
    best: Burst | None = None
    start = 0
    for end in range(len(events)):
        while events[end][0] - events[start][0] > window:
            start += 1
        span = events[start : end + 1]
        if not any(e[2] == content_id for e in span):
            continue
        accounts = tuple(sorted({e[1] for e in span}))
        if len(accounts) >= rule.min_accounts and (best is None or len(accounts) > len(best.accounts)):
            best = Burst(accounts, tuple(e[2] for e in span), span[0][0], span[-1][0])
    return best
