"""Pure report maths: percentiles, WIB day buckets, action types. No I/O.

Definitions every figure in a report follows (documented here, tested in
``tests/transparency/test_report.py``):

* **Days** are calendar days in WIB (UTC+7), the time zone the elections are run in. A
  period ``from``..``to`` covers ``from 00:00 WIB`` up to but excluding ``to + 1 day 00:00
  WIB``: both ends are included as whole days.
* **Durations** (notice to decision, appeal to decision) are whole seconds: the later
  event's Unix second minus the earlier one's (fractions of a second dropped from each
  timestamp first), so SQLite and PostgreSQL compute the same integer.
* **Percentiles** use linear interpolation between the closest ranks (Hyndman and Fan
  type 7; PostgreSQL's ``percentile_cont``, numpy's default): for ``n`` sorted values
  ``v[0..n-1]`` and fraction ``p``, ``h = (n - 1) * p``, and the result is
  ``v[floor(h)] + (h - floor(h)) * (v[floor(h) + 1] - v[floor(h)])``. The median is
  ``p = 0.5``; p90 is ``p = 0.9``. No values gives ``None``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from datetime import date, datetime, time, timedelta

from salingjaga.core.timeutil import WIB, as_utc

# Each moderation action and the report column it counts under.
ACTION_TYPES: dict[str, str] = {
    "remove": "removed",
    "fyp_exclude": "kept_out_of_recommendations",
    "label_unverified": "labelled",
    "label_ai_generated": "labelled",
    "label_election_notice": "labelled",
    "age_restrict": "age_restricted",
    "no_violation": "no_violation",
    "strike": "account_action",
    "restrict_feature": "account_action",
    "suspend": "account_action",
    "ban": "account_action",
}
TYPE_ORDER: tuple[str, ...] = (
    "removed", "kept_out_of_recommendations", "labelled", "age_restricted", "account_action",
    "no_violation",
)
# Actions that restrict content or an account: a notice ending in one was "actioned".
RESTRICTIVE_ACTIONS = frozenset(a for a, t in ACTION_TYPES.items() if t != "no_violation")

# Buckets of the time-to-decision distribution: (label, upper bound in seconds, exclusive).
TTD_BUCKETS: tuple[tuple[str, int | None], ...] = (
    ("<1h", 3600),
    ("1-2h", 7200),
    ("2-6h", 6 * 3600),
    ("6-12h", 12 * 3600),
    ("12-24h", 24 * 3600),
    ("24-48h", 48 * 3600),
    (">=48h", None),
)


def action_type(action: str) -> str:
    """The report column of an action; unknown actions count as ``other`` rather than vanish."""
    return ACTION_TYPES.get(action, "other")


def wib_day(moment: datetime) -> date:
    """The WIB calendar day of an instant."""
    return as_utc(moment).astimezone(WIB).date()


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """UTC instants ``[start 00:00 WIB, end + 1 day 00:00 WIB)`` covering both days whole."""
    if end < start:
        raise ValueError(f"the period ends ({end}) before it starts ({start})")
    lo = datetime.combine(start, time(0), WIB)
    hi = datetime.combine(end + timedelta(days=1), time(0), WIB)
    return as_utc(lo), as_utc(hi)


def days(start: date, end: date) -> Iterator[date]:
    """Every day from ``start`` to ``end`` inclusive."""
    current = start
    while current <= end:
        yield current
        current += timedelta(days=1)


def percentile_position(n: int, p: float) -> tuple[int, float]:
    """``(index, fraction)`` of the type-7 percentile among ``n`` sorted values.

    The value is ``v[index] + fraction * (v[index + 1] - v[index])``; SQL uses this to fetch
    only the one or two values it needs (``ORDER BY ... LIMIT 2 OFFSET index``).
    """
    if n <= 0:
        raise ValueError("no values")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"percentile fraction {p} outside [0, 1]")
    h = (n - 1) * p
    index = math.floor(h)
    return index, h - index


def interpolate(neighbours: Sequence[float], fraction: float) -> float:
    """The percentile from the one or two neighbouring values found by position."""
    if fraction == 0.0 or len(neighbours) == 1:
        return float(neighbours[0])
    return float(neighbours[0]) + fraction * (float(neighbours[1]) - float(neighbours[0]))


def percentile(sorted_values: Sequence[float], p: float) -> float | None:
    """Type-7 percentile of already sorted values; None when there are none."""
    if not sorted_values:
        return None
    index, fraction = percentile_position(len(sorted_values), p)
    return interpolate(sorted_values[index:index + 2], fraction)


def median(sorted_values: Sequence[float]) -> float | None:
    """The median (type-7 percentile at 0.5) of sorted values."""
    return percentile(sorted_values, 0.5)


def ttd_bucket(seconds: int) -> str:
    """The distribution bucket of a duration in seconds."""
    for label, upper in TTD_BUCKETS:
        if upper is None or seconds < upper:
            return label
    raise AssertionError("unreachable: the last bucket is open")


def hours(seconds: float | None) -> float | None:
    """Seconds as hours rounded to 0.01, for people; None stays None."""
    return None if seconds is None else round(seconds / 3600.0, 2)
