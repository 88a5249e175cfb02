"""Group commit for notice intake: the notices that arrive together share one transaction.

A receipt promises that its notice survives a crash, so each notice must be committed
before it is answered. Committing every notice in its own transaction made intake cost a
dozen round trips and a WAL flush per notice; here one writer thread per server takes
whatever notices are waiting (up to ``MAX_BATCH``), runs ``submit_notices`` on them in
one transaction and answers every receipt once that transaction committed. While it
commits, the next batch gathers, so under load batches grow and the cost per notice falls;
a lone notice is written at once, with no waiting for company.

A notice that fails its checks gets its own error and the others go on. When the batch's
writes fail (two servers racing to take the same Idempotency-Key, for instance) the batch
is rolled back and every notice in it is taken again on its own, exactly as a lone request
would be: nothing is half written and nothing is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.exc import IntegrityError

from salingjaga.db import Database
from salingjaga.errors import APIError
from salingjaga.partners.notices import NoticeJob, find_by_key, receipt, submit_notice, submit_notices
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


@dataclass
class _Pending:
    job: NoticeJob
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Answer]


class NoticeIntake:
    """The writer of one server. ``submit`` is called on the event loop; the thread starts
    with the first notice and stops with ``close`` (the app's shutdown)."""

    def __init__(self, db: Database, settings: Settings, *, max_batch: int = MAX_BATCH,
                 max_queued: int = MAX_QUEUED) -> None:
        self._db = db
        self._settings = settings
        self._max_batch = max_batch
        self.max_queued = max_queued
        self._queue: queue.SimpleQueue[_Pending | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.batches = 0  # counters for /metrics and the tests
        self.notices = 0

    async def submit(self, job: NoticeJob) -> Answer:
        """Take one notice in; returns its receipt once committed, or raises its error
        (503 when too many notices are already waiting: nothing is taken then)."""
        if self._queue.qsize() >= self.max_queued:
            raise APIError("notice intake is overloaded; send the notice again in a few seconds",
                           status=503, code="overloaded", headers={"Retry-After": "5"})
        loop = asyncio.get_running_loop()
        pending = _Pending(job, loop, loop.create_future())
        self._ensure_started()
        self._queue.put(pending)
        return await pending.future

    def queued(self) -> int:
        """Notices waiting for the writer now (beyond the batch it is writing)."""
        return self._queue.qsize()

    def close(self) -> None:
        """Answer what is queued, then stop the thread (a later notice starts it again)."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join(timeout=30)

    def _ensure_started(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="salingjaga-notice-intake", daemon=True)
                self._thread.start()

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
                self._write(batch)
            except BaseException as exc:  # never leave a request waiting forever
                log.exception("notice intake batch failed")
                for p in batch:
                    _settle(p, None, exc)
            if stop:
                return

    def _write(self, batch: list[_Pending]) -> None:
        self.batches += 1
        self.notices += len(batch)
        session = self._db.sessionmaker()
        try:
            outcomes = submit_notices(session, [p.job for p in batch], self._settings)
            session.commit()
        except Exception:
            session.rollback()
            log.warning("a batch of %d notices failed; taking them one by one", len(batch), exc_info=True)
            for p in batch:
                _settle(p, *self._one(p.job))
            return
        finally:
            session.close()
        for p, outcome in zip(batch, outcomes, strict=True):
            if outcome.error is not None:
                _settle(p, None, outcome.error)
            else:
                assert outcome.notice is not None
                _settle(p, (receipt(outcome.notice), outcome.created), None)

    def _one(self, job: NoticeJob) -> tuple[Answer | None, BaseException | None]:
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
