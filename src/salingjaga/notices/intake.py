"""Group commit for notice intake: the notices that arrive together share one transaction.

A receipt promises that its notice survives a crash, so each notice must be committed
before it is answered. Committing every notice in its own transaction made intake cost a
dozen round trips and a WAL flush per notice; here one writer per server takes whatever
notices are waiting (up to ``MAX_BATCH``), runs ``submit_notices`` on them in one
transaction and answers every receipt once that transaction committed. While it commits,
the next batch gathers, so under load batches grow and the cost per notice falls; a lone
notice is written at once, with no waiting for company.

The writer is a task on the server's event loop and runs each batch through
``loop_sessions``: on PostgreSQL on the loop itself (SQLAlchemy's asyncio session over
psycopg's async connection, the same synchronous ``submit_notices`` through ``run_sync``),
so the loop answers HTTP while a batch waits for the database and no second thread competes
with it for the GIL (measured against a writer thread in alternating runs on the same two
cores: 476-513 against 391-433 notices/s; the p99, 140-165 ms, did not change); on SQLite
in a worker thread.

A notice that fails its checks gets its own error and the others go on. When the batch's
writes fail (two servers racing to take the same Idempotency-Key, for instance) the batch
is rolled back and every notice in it is taken again on its own, exactly as a lone request
would be: nothing is half written and nothing is lost.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Iterator
from typing import Any, cast

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.exc import IntegrityError

from salingjaga.core.db import Database
from salingjaga.core.errors import APIError
from salingjaga.core.loop_sessions import LoopSessions
from salingjaga.core.settings import Settings
from salingjaga.notices.service import (
    NoticeJob,
    NoticeOutcome,
    find_by_key,
    receipt,
    submit_notice,
    submit_notices,
)

log = logging.getLogger("salingjaga.notices.intake")

# Large enough that a busy server commits tens of notices at once, small enough that the
# first notice of a batch does not wait long for the last.
MAX_BATCH = 64
# Notices one server lets wait for its writer before it answers 503 (retry later): past
# this, a receipt would come so late that clients time out and retry anyway, each retry
# adding to the pile. At the measured rate of a few hundred notices per second per
# server this is several seconds of work.
MAX_QUEUED = 2000
# The pause between full batches on SQLite, so writers outside this queue get the lock
# (benchmarks/bulk_lock.py measures how long they wait, with and without it).
SQLITE_PAUSE_SECONDS = 0.025
# How long a bulk upload waits for room in a full queue before its remaining rows get 503.
ROOM_WAIT_SECONDS = 60.0

Answer = tuple[dict[str, Any], bool]  # the receipt, and whether the notice is new
Outcome = tuple[Answer | None, BaseException | None]  # the answer, or the error
Pending = asyncio.Queue[tuple[NoticeJob, asyncio.Future[Answer]] | None]


class NoticeIntake:
    """The writer of one server. ``submit`` is called on the event loop; the writer starts
    with the first notice and stops with ``aclose`` (the app's shutdown)."""

    def __init__(self, db: Database, settings: Settings, sessions: LoopSessions, *, max_batch: int = MAX_BATCH,
                 max_queued: int = MAX_QUEUED) -> None:
        self._db = db
        self._settings = settings
        self._sessions = sessions
        self._max_batch = max_batch
        self.max_queued = max_queued
        self.batches = 0  # counters for /metrics and the tests
        self.notices = 0
        # Bound to the loop the writer started on.
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pending: Pending | None = None
        self._task: asyncio.Task[None] | None = None

    async def submit(self, job: NoticeJob) -> Answer:
        """Take one notice in; returns its receipt once committed, or raises its error
        (503 when too many notices are already waiting: nothing is taken then)."""
        if self.queued() >= self.max_queued:
            raise APIError("notice intake is overloaded; send the notice again in a few seconds",
                           status=503, code="overloaded", headers={"Retry-After": "5"}, reason="notice.intake_busy")
        loop = asyncio.get_running_loop()
        if self._loop is not loop or self._task is None or self._task.done():
            self._start_on(loop)
        assert self._pending is not None
        future: asyncio.Future[Answer] = loop.create_future()
        self._pending.put_nowait((job, future))
        return await future

    async def submit_many(self, jobs: list[NoticeJob]) -> list[Answer | BaseException]:
        """Take many notices in (a chunk of a bulk file); returns, in order, each one's
        receipt or error once every one of them is settled.

        A bulk upload waits for room in the queue rather than being refused with 503 as a
        single notice is: it already sends one chunk at a time, and answering a 503 half
        way through a file would leave its caller guessing which rows went in. Only a
        writer that makes no room for ``ROOM_WAIT_SECONDS`` ends the wait with a 503. Bulk
        rows fill at most half the queue, so single notices still find room beside them."""
        loop = asyncio.get_running_loop()
        give_up = loop.time() + ROOM_WAIT_SECONDS
        while self.queued() and self.queued() + len(jobs) > self.max_queued // 2:
            if loop.time() > give_up:
                raise APIError("notice intake is overloaded; send the remaining rows again in a few seconds",
                               status=503, code="overloaded", headers={"Retry-After": "5"},
                               reason="bulk.intake_busy")
            await asyncio.sleep(0.05)
        if self._loop is not loop or self._task is None or self._task.done():
            self._start_on(loop)
        assert self._pending is not None
        futures: list[asyncio.Future[Answer]] = []
        for job in jobs:
            future: asyncio.Future[Answer] = loop.create_future()
            self._pending.put_nowait((job, future))
            futures.append(future)
        return list(await asyncio.gather(*futures, return_exceptions=True))

    def queued(self) -> int:
        """Notices waiting for the writer now (beyond the batch it is writing)."""
        return self._pending.qsize() if self._pending is not None else 0

    async def aclose(self) -> None:
        """Answer what is queued, then stop the writer (a later notice starts it again)."""
        task, pending = self._task, self._pending
        self._loop = self._pending = self._task = None
        if task is None or pending is None:
            return
        pending.put_nowait(None)
        try:
            await asyncio.wait_for(task, timeout=30)
        except (TimeoutError, asyncio.CancelledError):
            log.warning("notice intake did not finish its queue in time")

    def _start_on(self, loop: asyncio.AbstractEventLoop) -> None:
        # A first notice, or a new event loop (a test client's second run), or a writer
        # that ended: a new queue and task.
        self._loop = loop
        self._pending = asyncio.Queue()
        self._task = loop.create_task(self._run(self._pending), name="salingjaga-notice-intake")
        self._task.add_done_callback(functools.partial(_fail_leftovers, pending=self._pending))

    async def _run(self, pending: Pending) -> None:
        stop = False
        while not stop:
            first = await pending.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < self._max_batch and not pending.empty():
                more = pending.get_nowait()
                if more is None:
                    stop = True
                    break
                batch.append(more)
            try:
                answers = await self._write([job for job, _ in batch])
            except Exception as exc:  # never leave a request waiting forever
                log.exception("notice intake batch failed")
                answers = [(None, exc)] * len(batch)
            for (_, future), (answer, error) in zip(batch, answers, strict=True):
                if future.done():  # the client went away
                    continue
                if error is not None:
                    future.set_exception(error)
                else:
                    future.set_result(cast(Answer, answer))
            if len(batch) >= self._max_batch and not pending.empty() and not self._sessions.on_loop:
                # SQLite: full batches back to back (a bulk upload) would take the write lock
                # again within a millisecond of letting it go, while any other writer (the
                # moderator console, another process) polls for it with sleeps of up to 100 ms
                # and would wait out the whole upload. A short pause lets them in.
                await asyncio.sleep(SQLITE_PAUSE_SECONDS)

    async def _write(self, jobs: list[NoticeJob]) -> list[Outcome]:
        self.batches += 1
        self.notices += len(jobs)
        try:
            outcomes = await self._sessions.run(submit_notices, jobs, self._settings)
        except Exception:
            log.warning("a batch of %d notices failed; taking them one by one", len(jobs), exc_info=True)
            return [await asyncio.to_thread(self._one, job) for job in jobs]
        return [_answer(outcome) for outcome in outcomes]

    def _one(self, job: NoticeJob) -> Outcome:
        """A notice on its own, in its own transaction (the fallback of a failed batch)."""
        session = self._db.sessionmaker()
        try:
            try:
                notice, created = submit_notice(session, job.body, job.who, idempotency_key=job.idempotency_key,
                                                settings=self._settings)
                session.commit()
                return (receipt(notice), created), None
            except IntegrityError:
                # A concurrent request with the same key won the race: answer with its notice.
                session.rollback()
                found = find_by_key(session, job.who, job.idempotency_key or job.body.idempotency_key)
                if found is None:
                    raise
                return (receipt(found), False), None
        except APIError as exc:
            session.rollback()
            return None, exc
        except Exception as exc:
            session.rollback()
            log.exception("a notice failed on its own")
            return None, exc
        finally:
            session.close()


def _answer(outcome: NoticeOutcome) -> Outcome:
    if outcome.error is not None:
        return None, outcome.error
    assert outcome.notice is not None
    return (receipt(outcome.notice), outcome.created), None


def _fail_leftovers(task: asyncio.Task[None], *,
                    pending: Pending) -> None:
    """A writer task that ended (stopped, or crashed on a bug) leaves no request waiting:
    whatever is still queued gets a 503 and may be sent again."""
    if not task.cancelled() and task.exception() is not None:
        log.error("notice intake writer stopped", exc_info=task.exception())
    while not pending.empty():
        item = pending.get_nowait()
        if item is not None and not item[1].done():
            item[1].set_exception(APIError("notice intake restarted; send the notice again", status=503,
                                           code="overloaded", headers={"Retry-After": "1"}))


class IntakeCollector(Collector):
    """Intake backpressure for /metrics: notices waiting for the writer, and how many
    notices and batches it committed (notices per batch shows the group commit at work)."""

    def __init__(self, intake: NoticeIntake) -> None:
        self._intake = intake

    def collect(self) -> Iterator[Metric]:
        yield GaugeMetricFamily("salingjaga_intake_queued_notices",
                                "Notices waiting for this server's intake writer.", value=self._intake.queued())
        yield CounterMetricFamily("salingjaga_intake_notices", "Notices taken by this server's intake writer.",
                                  value=self._intake.notices)
        yield CounterMetricFamily("salingjaga_intake_batches",
                                  "Transactions the intake writer committed notices in.", value=self._intake.batches)
