"""Percentiles of time to decision from a histogram of durations. Pure maths, no I/O.

Why: an exact percentile needs every duration sorted (3M notices at 10M decisions took
seconds); a histogram kept per WIB day is summed over any period in milliseconds. The
histogram buckets are:

* one minute wide below 72 hours,
* one hour wide from 72 hours to 30 days,
* one day wide beyond.

Each bucket also keeps the smallest and largest duration it holds (whole seconds), so a
value read from the histogram never leaves ``[min, max]`` of its bucket: the error is
below the bucket's width, and it is zero when the bucket holds at most two durations (or
only one distinct duration). Within a bucket the ranks are spread evenly from its min to
its max; the type-7 interpolation of ``report.py`` is then applied to the two estimated
neighbours, as for exact values.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from salingjaga.transparency.report import percentile_position

# (exclusive upper bound in seconds or None, bucket width in seconds), in order.
RESOLUTION: tuple[tuple[int | None, int], ...] = (
    (72 * 3600, 60),
    (30 * 86400, 3600),
    (None, 86400),
)
RESOLUTION_TEXT = ("buckets of 60 s below 72 h, 3600 s from 72 h to 30 days, 86400 s beyond; "
                   "a percentile is within one bucket width of the exact value, and exact when "
                   "its bucket holds at most two durations")


def bucket_width(seconds: int) -> int:
    """The width of the bucket holding a duration."""
    for upper, width in RESOLUTION:
        if upper is None or seconds < upper:
            return width
    raise AssertionError("unreachable: the last range is open")


def bucket_lower(seconds: int) -> int:
    """The lower bound of the bucket holding a duration (floor to its width, also below 0)."""
    width = bucket_width(seconds)
    return seconds - seconds % width  # Python's % is a floor modulo: right for negatives too


@dataclass(frozen=True)
class Bucket:
    """``count`` durations in the bucket starting at ``lower``, ranging ``low..high``."""

    lower: int
    count: int
    low: int
    high: int


def merge(buckets: Iterable[Bucket]) -> list[Bucket]:
    """Buckets with the same lower bound added together, sorted by lower bound."""
    out: dict[int, Bucket] = {}
    for b in buckets:
        if b.count <= 0:
            continue
        seen = out.get(b.lower)
        out[b.lower] = b if seen is None else Bucket(
            b.lower, seen.count + b.count, min(seen.low, b.low), max(seen.high, b.high))
    return [out[k] for k in sorted(out)]


def _value_at(buckets: Sequence[Bucket], starts: Sequence[int], rank: int) -> float:
    """The estimated duration of the ``rank``-th smallest value (0-based)."""
    lo, hi = 0, len(buckets) - 1
    while lo < hi:  # the last bucket whose start is <= rank
        mid = (lo + hi + 1) // 2
        if starts[mid] <= rank:
            lo = mid
        else:
            hi = mid - 1
    b = buckets[lo]
    if b.count == 1 or b.high == b.low:
        return float(b.low)
    return b.low + (rank - starts[lo]) * (b.high - b.low) / (b.count - 1)


def percentiles(buckets: Sequence[Bucket], fractions: Sequence[float] = (0.5, 0.9)) -> tuple[int, list[float | None]]:
    """Count and type-7 percentiles of the durations in ``buckets`` (merged and sorted)."""
    ordered = merge(buckets)
    n = sum(b.count for b in ordered)
    if n == 0:
        return 0, [None for _ in fractions]
    starts: list[int] = []
    total = 0
    for b in ordered:
        starts.append(total)
        total += b.count
    out: list[float | None] = []
    for p in fractions:
        index, fraction = percentile_position(n, p)
        value = _value_at(ordered, starts, index)
        if fraction:
            value += fraction * (_value_at(ordered, starts, index + 1) - value)
        out.append(float(value))
    return n, out
