"""Time helpers: everything is stored and compared as timezone-aware UTC.

``utcnow`` is the one clock the services read. A simulation (``salingjaga simulate``)
runs them in virtual time by installing a ``VirtualClock`` with ``use_clock``: a context
variable, so only the code running inside that context (the simulator's thread) sees the
virtual time, and deadlines, leases and audit times follow it exactly as they follow wall
time everywhere else.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta, timezone

WIB = timezone(timedelta(hours=7), "WIB")


class VirtualClock:
    """A clock that stands still until told to move, and never moves backwards."""

    def __init__(self, start: datetime) -> None:
        self._now = as_utc(start)

    def now(self) -> datetime:
        """The current virtual time."""
        return self._now

    def advance_to(self, when: datetime) -> None:
        """Move to ``when``; a time already past leaves the clock where it is."""
        when = as_utc(when)
        if when > self._now:
            self._now = when

    def advance(self, seconds: float) -> None:
        """Move forward by ``seconds``."""
        self._now = self._now + timedelta(seconds=max(0.0, seconds))


_clock: ContextVar[VirtualClock | None] = ContextVar("salingjaga_clock", default=None)


def utcnow() -> datetime:
    """The current time as an aware UTC datetime: the installed virtual clock's, else wall time."""
    clock = _clock.get()
    if clock is not None:
        return clock.now()
    return datetime.now(UTC)


@contextmanager
def use_clock(clock: VirtualClock) -> Iterator[VirtualClock]:
    """Read time from ``clock`` inside the block (in this thread or task only)."""
    token = _clock.set(clock)
    try:
        yield clock
    finally:
        _clock.reset(token)


def as_utc(value: datetime) -> datetime:
    """Treat naive datetimes as UTC (SQLite drops the zone) and convert aware ones."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def wib_week_began(moment: datetime | None = None) -> datetime:
    """Monday 00:00 WIB of the week ``moment`` (default now) falls in: where "this week"
    starts on the pages, whose weeks run Monday to Sunday in Western Indonesian Time."""
    day = (moment or utcnow()).astimezone(WIB).date()
    monday = day - timedelta(days=day.weekday())
    return datetime(monday.year, monday.month, monday.day, tzinfo=WIB)
