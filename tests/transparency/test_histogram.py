"""The time-to-decision histogram: bucket bounds in Python and SQL, and percentiles read from
buckets against exact ones."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import BigInteger, literal, select

from salingjaga.transparency.histogram import Bucket, bucket_lower, bucket_width, merge, percentiles
from salingjaga.transparency.report import percentile
from salingjaga.transparency.rollup import histogram_lower

EDGES = (-3601, -61, -60, -1, 0, 1, 59, 60, 3599, 3600, 259_199, 259_200, 262_799, 262_800,
         2_591_999, 2_592_000, 2_678_399, 2_678_400, 40_000_000)


def test_bucket_bounds() -> None:
    assert [bucket_lower(s) for s in (0, 59, 60, 119, -1, -60, -61)] == [0, 0, 60, 60, -60, -60, -120]
    assert bucket_lower(259_199) == 259_140 and bucket_lower(259_200) == 259_200
    assert bucket_lower(262_799) == 259_200 and bucket_width(262_799) == 3600
    assert bucket_lower(2_678_399) == 2_592_000 and bucket_width(2_678_399) == 86400
    for s in EDGES:
        assert bucket_lower(s) <= s < bucket_lower(s) + bucket_width(s)


def test_sql_buckets_match_python(db) -> None:
    with db.session() as s:
        got = [s.scalar(select(histogram_lower(literal(v, BigInteger)))) for v in EDGES]
    assert got == [bucket_lower(v) for v in EDGES]


def _buckets(values: list[int]) -> list[Bucket]:
    return merge(Bucket(bucket_lower(v), 1, v, v) for v in values)


@pytest.mark.parametrize("seed", range(20))
def test_percentiles_from_buckets_are_within_one_bucket_of_exact(seed: int) -> None:
    rng = random.Random(seed)
    n = rng.randint(1, 3000)
    values = [int(rng.expovariate(1 / rng.choice((600, 7200, 86400, 400_000)))) for _ in range(n)]
    ordered = sorted(values)
    count, (median, p90) = percentiles(_buckets(values))
    assert count == n
    for p, got in ((0.5, median), (0.9, p90)):
        exact = percentile([float(v) for v in ordered], p)
        assert exact is not None and got is not None
        h = (n - 1) * p
        width = max(bucket_width(ordered[int(h)]), bucket_width(ordered[min(int(h) + 1, n - 1)]))
        assert abs(got - exact) < width, (p, got, exact)


def test_percentiles_are_exact_when_buckets_hold_at_most_two_values() -> None:
    values = [3600, 7200, 14400, 36000, 36030, 90000]
    assert percentiles(_buckets(values)) == (6, [pytest.approx(25200.0), pytest.approx(63015.0)])
    assert percentiles([]) == (0, [None, None])
    # Parts of one bucket from different days add up, keeping the overall min and max.
    assert merge([Bucket(60, 2, 61, 70), Bucket(60, 1, 65, 119)]) == [Bucket(60, 3, 61, 119)]
