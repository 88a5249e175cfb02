"""The deadline filters of the queue pages and the moderator's home: "overdue" and "due
within N hours" (not yet overdue), at their edges."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from salingjaga.moderation.queue_view import DUE_CHOICES, due_matches

NOW = datetime(2024, 2, 14, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize(("offset", "expected"), [
    (timedelta(minutes=-1), {"overdue"}),
    (timedelta(0), {"1h", "4h", "24h"}),
    (timedelta(minutes=59), {"1h", "4h", "24h"}),
    (timedelta(hours=1), {"4h", "24h"}),
    (timedelta(hours=3, minutes=59), {"4h", "24h"}),
    (timedelta(hours=4), {"24h"}),
    (timedelta(hours=24), set()),
])
def test_a_deadline_falls_in_the_filters_a_person_expects(offset: timedelta, expected: set[str]) -> None:
    assert {d for d in DUE_CHOICES if due_matches(NOW + offset, d, NOW)} == expected


def test_no_filter_or_an_unknown_one_keeps_every_case() -> None:
    for due in ("", "tomorrow"):
        assert due_matches(NOW - timedelta(days=3), due, NOW) and due_matches(NOW + timedelta(days=3), due, NOW)
