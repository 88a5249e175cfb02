"""Group commit for notice intake: the notices that arrive together share one transaction.

A receipt promises that its notice survives a crash, so each notice must be committed
before it is answered. Committing every notice in its own transaction made intake cost a
dozen round trips and a WAL flush per notice; here one writer per server takes whatever
notices are waiting (up to ``MAX_BATCH``), runs ``submit_notices`` on them in one
transaction and answers every receipt once that transaction committed. While it commits,
the next batch gathers, so under load batches grow and the cost per notice falls; a lone
notice is written at once, with no waiting for company.

On PostgreSQL the writer is a task on the server's event loop (``loop_sessions``:
SQLAlchemy's asyncio session over psycopg's async connection; the batch itself is the same
synchronous ``submit_notices``, run with ``run_sync``): while a batch waits for the database the loop
answers HTTP, and no second thread competes with the loop for the GIL. Measured against a
writer thread in alternating runs on the same two cores: 476-513 against 391-433 notices/s
(the p99, 140-165 ms, did not change). On SQLite (one process, no async driver) the
writer is a thread.

A notice that fails its checks gets its own error and the others go on. When the batch's
writes fail (two servers racing to take the same Idempotency-Key, for instance) the batch
is rolled back and every notice in it is taken again on its own, exactly as a lone request
would be: nothing is half written and nothing is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.exc import IntegrityError

from salingjaga.db import Database
from salingjaga.errors import APIError
from salingjaga.loop_sessions import LoopSessions
from salingjaga.partners.notices import (
    NoticeJob,
    NoticeOutcome,
    find_by_key,
    receipt,
    submit_notice,
    submit_notices,
)
from salingjaga.settings import Settings

log = logging.getLogger("salingjaga.partners.intake")

# Large enough that a busy server commits tens of notices at once, small enough that the
# first notice of a batch does not wait long for the last.
MAX_BATCH = 64
# Notices one server lets wait for its writer before it answers 503 (retry later): past
# this, a receipt would come so late that clients time out and retry anyway, each retry
# adding to the pile. At the measured rate of a few hundred notices per second per
# server this is several seconds of work.
MAX_QUEUED = 2000

Answer = tuple[dict[str, Any], bool]  # the receipt, and whether the notice is new
Outcome = tuple[Answer | None, BaseException | None]  # the answer, or the error


@dataclass
class _Pending:
    job: NoticeJob
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Answer]


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
        self.on_loop = sessions.on_loop
        self.batches = 0  # counters for /metrics and the tests
        self.notices = 0
        # The thread writer (SQLite).
        self._queue: queue.SimpleQueue[_Pending | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        # The event-loop writer (PostgreSQL): bound to the loop it started on.
        self._loop: asyncio.AbstractEventLoop | None = None
        self._aqueue: asyncio.Queue[tuple[NoticeJob, asyncio.Future[Answer]] | None] | None = None
        self._task: asyncio.Task[None] | None = None

    async def submit(self, job: NoticeJob) -> Answer:
        """Take one notice in; returns its receipt once committed, or raises its error
        (503 when too many notices are already waiting: nothing is taken then)."""
        if self.queued() >= self.max_queued:
            raise APIError("notice intake is overloaded; send the notice again in a few seconds",
                           status=503, code="overloaded", headers={"Retry-After": "5"})
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Answer] = loop.create_future()
        if self.on_loop:
            if self._loop is not loop or self._task is None or self._task.done():
                self._start_on(loop)
            assert self._aqueue is not None
            self._aqueue.put_nowait((job, future))
        else:
            self._ensure_thread()
            self._queue.put(_Pending(job, loop, future))
        return await future

    def queued(self) -> int:
        """Notices waiting for the writer now (beyond the batch it is writing)."""
        if self.on_loop:
            return self._aqueue.qsize() if self._aqueue is not None else 0
        return self._queue.qsize()

    async def aclose(self) -> None:
        """Answer what is queued, then stop the writer (a later notice starts it again)."""
        if self.on_loop:
            await self._stop_loop_writer()
        else:
            await asyncio.to_thread(self._stop_thread)

    # ---------------------------------------------------------------- the batch itself

    def _answers(self, outcomes: list[NoticeOutcome]) -> list[Outcome]:
        answers: list[Outcome] = []
        for outcome in outcomes:
            if outcome.error is not None:
                answers.append((None, outcome.error))
            else:
                assert outcome.notice is not None
                answers.append(((receipt(outcome.notice), outcome.created), None))
        return answers

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

    # ------------------------------------------------------- the event-loop writer

    def _start_on(self, loop: asyncio.AbstractEventLoop) -> None:
        # A first notice, or a new event loop (a test client's second run), or a writer
        # that ended: a new queue and task.
        self._loop = loop
        self._aqueue = asyncio.Queue()
        self._task = loop.create_task(self._run_on_loop(self._aqueue), name="salingjaga-notice-intake")
        self._task.add_done_callback(functools.partial(_fail_leftovers, pending=self._aqueue))

    async def _run_on_loop(self, pending: asyncio.Queue[tuple[NoticeJob, asyncio.Future[Answer]] | None]) -> None:
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
                answers = await self._write_on_loop([job for job, _ in batch])
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

    async def _write_on_loop(self, jobs: list[NoticeJob]) -> list[Outcome]:
        self.batches += 1
        self.notices += len(jobs)
        try:
            outcomes = await self._sessions.run(submit_notices, jobs, self._settings)
        except Exception:
            log.warning("a batch of %d notices failed; taking them one by one", len(jobs), exc_info=True)
            return [await asyncio.to_thread(self._one, job) for job in jobs]
        return self._answers(outcomes)

    async def _stop_loop_writer(self) -> None:
        task, pending = self._task, self._aqueue
        self._loop = self._aqueue = self._task = None
        if task is None or pending is None:
            return
        pending.put_nowait(None)
        try:
            await asyncio.wait_for(task, timeout=30)
        except (TimeoutError, asyncio.CancelledError):
            log.warning("notice intake did not finish its queue in time")

    # ------------------------------------------------------------- the thread writer

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="salingjaga-notice-intake", daemon=True)
                self._thread.start()

    def _stop_thread(self) -> None:
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join(timeout=30)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            stop = False
            while len(batch) < self._max_batch:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                batch.append(more)
            try:
                answers = self._write(batch)
            except BaseException as exc:  # never leave a request waiting forever
                log.exception("notice intake batch failed")
                answers = [(None, exc)] * len(batch)
            for p, (answer, error) in zip(batch, answers, strict=True):
                _settle(p, answer, error)
            if stop:
                return

    def _write(self, batch: list[_Pending]) -> list[Outcome]:
        self.batches += 1
        self.notices += len(batch)
        session = self._db.sessionmaker()
        try:
            outcomes = submit_notices(session, [p.job for p in batch], self._settings)
            session.commit()
        except Exception:
            session.rollback()
            log.warning("a batch of %d notices failed; taking them one by one", len(batch), exc_info=True)
            return [self._one(p.job) for p in batch]
        finally:
            session.close()
        return self._answers(outcomes)


def _fail_leftovers(task: asyncio.Task[None], *,
                    pending: asyncio.Queue[tuple[NoticeJob, asyncio.Future[Answer]] | None]) -> None:
    """A writer task that ended (stopped, or crashed on a bug) leaves no request waiting:
    whatever is still queued gets a 503 and may be sent again."""
    if not task.cancelled() and task.exception() is not None:
        log.error("notice intake writer stopped", exc_info=task.exception())
    while not pending.empty():
        item = pending.get_nowait()
        if item is not None and not item[1].done():
            item[1].set_exception(APIError("notice intake restarted; send the notice again", status=503,
                                           code="overloaded", headers={"Retry-After": "1"}))


def _settle(p: _Pending, answer: Answer | None, error: BaseException | None) -> None:
    def settle() -> None:
        if p.future.done():  # the client went away
            return
        if error is not None:
            p.future.set_exception(error)
        else:
            assert answer is not None
            p.future.set_result(answer)

    # RuntimeError: the request's event loop is gone (shutdown), nobody waits for the answer.
    with contextlib.suppress(RuntimeError):
        p.loop.call_soon_threadsafe(settle)


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
