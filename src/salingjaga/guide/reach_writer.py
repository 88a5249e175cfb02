"""Group commit of reach events: the batches that arrive together share one transaction.

An answer to a batch promises that its events are counted, so each batch must be
committed before it is answered. At election-day load the app's backends send many
batches at once, and in a transaction per batch every one of them paid its own commit
(a WAL flush), its own statements and, on the hot counters every batch bumps, a wait
for the row locks the previous batch held until its commit. Here one writer per server
takes whatever batches are waiting (up to ``MAX_GROUP_EVENTS`` events), counts them with
``reach_store.write_group`` in one transaction and answers each request once that
transaction committed. While it commits, the next group gathers; a lone batch is written
at once, with no waiting for company.

The writer runs while there is work, as a task on the server's event loop (started by the
request that finds it idle); on PostgreSQL its transactions run on the loop itself over
psycopg's async connection (``LoopSessions.run_connection``), on SQLite in a worker thread.

A batch that fails its checks is refused (422) by its own request before it reaches the
writer, so it never shares a transaction. When a group's writes fail (two servers racing
to record the same ``Idempotency-Key``, for instance) the group is rolled back and every
batch in it is written again in a transaction of its own, exactly as a lone request
would be: nothing is half written and nothing is lost.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.exc import IntegrityError

from salingjaga.core.db import Database
from salingjaga.core.errors import ServiceBusy
from salingjaga.core.loop_sessions import LoopSessions
from salingjaga.guide.reach_batch import MIN_KEEP_DAYS
from salingjaga.guide.reach_store import ReachJob, Written, replays, write_group
from salingjaga.guide.schemas import EventsResult
from salingjaga.guide.service import today_wib
from salingjaga.guide.tagcache import TagCache, tag_cache

log = logging.getLogger("salingjaga.guide.reach")

# Events per transaction: tens of batches of 1,000 under load, and a transaction short
# enough that the first batch of a group does not wait long for the last.
MAX_GROUP_EVENTS = 20_000
# Events one server lets wait for its writer before it answers 503 (retry later): at the
# tens of thousands of events a second a server counts, several seconds of work.
MAX_QUEUED_EVENTS = 200_000

Outcome = EventsResult | BaseException
Waiting = tuple[ReachJob, "asyncio.Future[EventsResult]"]


class ReachWriter:
    """The reach writer of one server; ``submit`` is called on the event loop."""

    def __init__(self, db: Database, sessions: LoopSessions, tags: TagCache, *,
                 max_group_events: int = MAX_GROUP_EVENTS, max_queued_events: int = MAX_QUEUED_EVENTS) -> None:
        self._db = db
        self._sessions = sessions
        self._tags = tags
        self.max_group_events = max_group_events
        self.max_queued_events = max_queued_events
        # Day salts seen committed; a salt never changes once committed.
        self.salts: dict[date, bytes] = {}
        self.groups = 0  # transactions written, and the batches and events in them (/metrics, tests)
        self.batches = 0
        self.events = 0
        self._queue: deque[Waiting] = deque()
        self._queued_events = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None

    def queued_events(self) -> int:
        """Events waiting for the writer now (beyond the group it is writing)."""
        return self._queued_events

    async def submit(self, job: ReachJob) -> EventsResult:
        """Count one validated batch; returns its answer once its transaction committed,
        or raises its error (503 when too many events are already waiting: nothing is
        taken then)."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # a first batch, or a new event loop (a test client's second run)
            self._loop, self._queue, self._queued_events, self._task = loop, deque(), 0, None
        if self._queue and self._queued_events + len(job.batch) > self.max_queued_events:
            raise ServiceBusy("reach events are arriving faster than this server counts them; send the batch "
                              "again in a few seconds", retry_after=5)
        future: asyncio.Future[EventsResult] = loop.create_future()
        self._queue.append((job, future))
        self._queued_events += len(job.batch)
        if self._task is None or self._task.done():
            self._task = loop.create_task(self._drain(), name="salingjaga-reach-writer")
        return await future

    def _take(self) -> list[Waiting]:
        """The next group: the waiting batches in order, up to ``max_group_events`` events
        (at least one batch); batches whose request went away are dropped unwritten."""
        group: list[Waiting] = []
        events = 0
        while self._queue and (not group or events + len(self._queue[0][0].batch) <= self.max_group_events):
            job, future = self._queue.popleft()
            self._queued_events -= len(job.batch)
            if not future.done():
                group.append((job, future))
                events += len(job.batch)
        return group

    async def _drain(self) -> None:
        group: list[Waiting] = []
        try:
            while self._queue:
                group = self._take()
                if not group:
                    continue
                try:
                    outcomes = await self._write([job for job, _ in group])
                except Exception as exc:  # never leave a request waiting forever
                    log.exception("a group of reach events failed")
                    outcomes = [exc] * len(group)
                for (_, future), outcome in zip(group, outcomes, strict=True):
                    if future.done():  # the client went away
                        continue
                    if isinstance(outcome, BaseException):
                        future.set_exception(outcome)
                    else:
                        future.set_result(outcome)
                group = []
        finally:
            # Stopped half way (the loop is closing): whoever still waits is told to resend.
            for _, future in [*group, *self._queue]:
                if not future.done():
                    future.set_exception(ServiceBusy("the server is restarting; send the batch again", retry_after=1))

    async def _write(self, jobs: list[ReachJob]) -> list[Outcome]:
        self.groups += 1
        self.batches += len(jobs)
        self.events += sum(len(job.batch) for job in jobs)
        try:
            written: Written = await self._sessions.run_connection(write_group, jobs, self._tags, self.salts)
        except Exception:
            log.warning("a group of %d reach batches failed; writing them one by one", len(jobs), exc_info=True)
            return [await self._alone(job) for job in jobs]
        self._keep(written.salts)
        return list(written.results)

    async def _alone(self, job: ReachJob) -> Outcome:
        """A batch in a transaction of its own (after its group failed)."""
        try:
            written: Written = await self._sessions.run_connection(write_group, [job], self._tags, self.salts)
        except IntegrityError as exc:
            # Another server recorded the same key first: answer with what it counted.
            found: dict[str, EventsResult] = await self._sessions.run_connection(replays, [job.key]) \
                if job.key else {}
            return found.get(job.key, exc) if job.key else exc
        except Exception as exc:
            log.exception("a reach batch failed on its own")
            return exc
        self._keep(written.salts)
        return written.results[0]

    def _keep(self, salts: dict[date, bytes]) -> None:
        """Remember committed salts; forget those of days no event can fall on any more."""
        if not salts:
            return
        self.salts.update(salts)
        oldest = today_wib() - timedelta(days=MIN_KEEP_DAYS)
        for day in [d for d in self.salts if d < oldest]:
            del self.salts[day]


def reach_writer(app: Any) -> ReachWriter:
    """The reach writer of this app (one per app, as ``tagcache.tag_cache``)."""
    writer: ReachWriter | None = getattr(app.state, "reach_writer", None)
    if writer is None:
        writer = app.state.reach_writer = ReachWriter(app.state.db, app.state.loop_sessions, tag_cache(app))
    return writer


class ReachCollector(Collector):
    """The reach writer on /metrics: events waiting for it, and the batches, events and
    transactions it wrote (batches per transaction shows the group commit at work)."""

    def __init__(self, writer: ReachWriter) -> None:
        self._writer = writer

    def collect(self) -> Iterator[Metric]:
        writer = self._writer
        yield GaugeMetricFamily("salingjaga_reach_queued_events", "Reach events waiting for this server's writer.",
                                value=writer.queued_events())
        yield CounterMetricFamily("salingjaga_reach_events", "Reach events taken by this server's writer.",
                                  value=writer.events)
        yield CounterMetricFamily("salingjaga_reach_batches", "Reach batches taken by this server's writer.",
                                  value=writer.batches)
        yield CounterMetricFamily("salingjaga_reach_transactions",
                                  "Transactions the reach writer counted batches in.", value=writer.groups)
