"""The worker loop over Redis Streams: at-least-once delivery, effects exactly once.

Each worker is a consumer in one group. It reads new entries (XREADGROUP), handles each
through ``stream.handlers.dispatch`` and acknowledges (XACK). An entry whose worker died or
whose handler failed stays pending; after ``stream_claim_idle_ms`` any worker takes it over
(XAUTOCLAIM) and tries again. Attempts are counted in Redis per entry; after
``stream_max_attempts`` the entry moves to the dead-letter stream with its last error.

A receipt row written in the handler's own transaction makes redelivery harmless: if the
worker died after committing but before XACK, the next attempt finds the receipt and skips.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

import redis
from sqlalchemy import delete
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session

from salingjaga.core.db import Database
from salingjaga.core.settings import Settings
from salingjaga.core.timeutil import utcnow
from salingjaga.stream.handlers import HANDLERS, dispatch
from salingjaga.stream.metrics import WORKER_MESSAGES, WORKER_RECLAIMED, WORKER_SECONDS
from salingjaga.stream.models import StreamReceipt
from salingjaga.stream.outbox import split_key
from salingjaga.stream.redis_client import Keys, connect, ensure_group
from salingjaga.stream.types import Guard

log = logging.getLogger("salingjaga.stream.worker")

Entry = tuple[str, dict[str, str] | None]
MAINTENANCE_SECONDS = 60.0
DEAD_CONSUMER_IDLE_MS = 3_600_000  # forget consumers silent for an hour with nothing pending


def default_consumer_name() -> str:
    """Host and PID: unique across machines, and a restarted worker is a new consumer
    (its predecessor's entries are reclaimed by idle time)."""
    return f"{socket.gethostname()}-{os.getpid()}"


def parse_entry(fields: dict[str, str]) -> dict[str, Any]:
    """The payload of a stream entry; ValueError when the entry can never be handled."""
    topic = fields.get("topic", "")
    if topic not in HANDLERS:
        raise ValueError(f"unknown topic {topic!r}")
    payload = json.loads(fields.get("payload", ""))  # JSONDecodeError is a ValueError
    if not isinstance(payload, dict):
        raise ValueError("payload is not a JSON object")
    return payload


def receipt_guard(message_id: str) -> Guard:
    """A dispatch guard recording that ``message_id`` was handled by each handler.

    INSERT .. ON CONFLICT DO NOTHING: on PostgreSQL a concurrent duplicate waits for the
    first transaction and then inserts nothing, so exactly one of them runs the handler.
    """

    def guard(session: Session, handler: str) -> bool:
        dialect = session.get_bind().dialect.name
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            stmt: Any = pg_insert(StreamReceipt)
        else:
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert

            stmt = sqlite_insert(StreamReceipt)
        stmt = stmt.values(message_id=message_id, handler=handler, handled_at=utcnow())
        inserted = session.execute(stmt.on_conflict_do_nothing().returning(StreamReceipt.message_id))
        return inserted.first() is not None

    return guard


class Worker:
    """One consumer of the group; ``run`` loops until ``stop`` (or SIGTERM in the CLI)."""

    def __init__(self, db: Database, settings: Settings, consumer: str | None = None,
                 client: redis.Redis | None = None) -> None:
        self.db = db
        self.settings = settings
        self.keys = Keys(settings)
        self.consumer = consumer or default_consumer_name()
        self.client = client or connect(settings)
        self._stop = threading.Event()
        self._claim_cursor = "0-0"
        self._next_claim = 0.0
        self._next_maintenance = time.monotonic() + MAINTENANCE_SECONDS
        self.handled = 0

    # -- control ----------------------------------------------------------------------
    def stop(self) -> None:
        """Ask the loop to finish its current message and return."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        """Whether a stop was requested."""
        return self._stop.is_set()

    def run(self) -> None:
        """Consume until stopped; Redis or database outages are waited out, never fatal."""
        log.info("worker started", extra={"consumer": self.consumer, "stream": self.keys.stream})
        ready = False
        while not self._stop.is_set():
            try:
                if not ready:
                    ensure_group(self.client, self.settings)
                    self._drain_own_pending()
                    ready = True
                self.step()
            except (redis.ConnectionError, redis.TimeoutError):
                log.warning("redis unavailable; retrying", exc_info=True)
                self._stop.wait(1.0)
            except Exception:
                # e.g. the database is down during housekeeping: entries stay pending and
                # are retried; the loop itself must survive.
                log.exception("worker loop error; retrying")
                self._stop.wait(1.0)
        log.info("worker stopped", extra={"consumer": self.consumer, "handled": self.handled})

    def step(self) -> int:
        """One round: reclaim idle entries if due, read new ones, handle them. Returns how
        many entries were handled."""
        now = time.monotonic()
        done = 0
        if now >= self._next_claim:
            self._next_claim = now + max(0.1, self.settings.stream_claim_idle_ms / 4000)
            done += self._process(self._reclaim())
        if now >= self._next_maintenance:
            self._next_maintenance = now + MAINTENANCE_SECONDS
            self.maintain()
        if self._stop.is_set():
            return done
        reply: Any = self.client.xreadgroup(
            self.keys.group, self.consumer, {self.keys.stream: ">"},
            count=self.settings.stream_batch, block=self.settings.stream_block_ms,
        )
        for _stream, entries in reply or []:
            done += self._process(entries)
        return done

    # -- handling ---------------------------------------------------------------------
    def _drain_own_pending(self) -> None:
        # A worker restarted under the same --consumer name first finishes what it held.
        while not self._stop.is_set():
            reply: Any = self.client.xreadgroup(
                self.keys.group, self.consumer, {self.keys.stream: "0"}, count=self.settings.stream_batch
            )
            entries = reply[0][1] if reply else []
            if not entries:
                return
            self._process(entries)
            if len(entries) < self.settings.stream_batch:
                return

    def _reclaim(self) -> list[Entry]:
        reply: Any = self.client.xautoclaim(
            self.keys.stream, self.keys.group, self.consumer,
            min_idle_time=self.settings.stream_claim_idle_ms, start_id=self._claim_cursor,
            count=self.settings.stream_batch,
        )
        self._claim_cursor = reply[0]
        entries: list[Entry] = list(reply[1])
        if len(reply) > 2 and reply[2]:
            # Trimmed from the stream while pending: Redis already dropped them from the
            # pending list; forget their attempt counters.
            self.client.hdel(self.keys.attempts, *reply[2])
            self.client.hdel(self.keys.errors, *reply[2])
        if entries:
            WORKER_RECLAIMED.inc(len(entries))
            log.info("reclaimed idle entries", extra={"consumer": self.consumer, "count": len(entries)})
        return entries

    def _process(self, entries: Iterable[Entry]) -> int:
        entries = list(entries)
        done = 0
        for i, (entry_id, fields) in enumerate(entries):
            if self._stop.is_set():
                self._hand_back([e[0] for e in entries[i:]])
                break
            self.handle(entry_id, fields)
            done += 1
        return done

    def _hand_back(self, ids: list[str]) -> None:
        # Stopping with entries still unread: mark them idle so another worker takes them at
        # once instead of after the claim timeout (JUSTID leaves the delivery count alone).
        if ids:
            self.client.xclaim(self.keys.stream, self.keys.group, self.consumer, 0, list[Any](ids),
                               idle=self.settings.stream_claim_idle_ms, justid=True)

    def handle(self, entry_id: str, fields: dict[str, str] | None) -> str:
        """Handle one entry; returns the outcome (ok, duplicate, failed, dead)."""
        if not fields:
            self._ack(entry_id)  # deleted from the stream meanwhile: nothing to do
            return "ok"
        topic = fields.get("topic", "")
        attempts = int(self.client.hincrby(self.keys.attempts, entry_id, 1))
        if attempts > self.settings.stream_max_attempts:
            # Earlier attempts never reported back: the worker died on this entry each time.
            error = self.client.hget(self.keys.errors, entry_id) or "a worker stopped while handling it"
            self._dead_letter(entry_id, fields, str(error), attempts - 1)
            return "dead"
        try:
            payload = parse_entry(fields)
        except ValueError as exc:
            # Unknown topic or malformed payload: no retry can help.
            self._dead_letter(entry_id, fields, f"malformed entry: {exc}", attempts)
            return "dead"
        handled: list[str] = []
        # A message from the outbox is known by its key, so the same message published twice
        # (delivered, then relayed again because its row outlived a crash) runs once.
        key, payload = split_key(payload)
        base = receipt_guard(f"outbox/{key}" if key else f"{self.keys.stream}/{entry_id}")

        def guard(session: Session, handler: str) -> bool:
            fresh = base(session, handler)
            if fresh:
                handled.append(handler)
            return fresh

        started = time.perf_counter()
        try:
            dispatch(self.db, self.settings, topic, payload, guard=guard)
        except (OperationalError, InterfaceError):
            # The database is unreachable or failing over: not the entry's fault. Undo the
            # attempt so an outage cannot dead-letter good entries; the loop backs off and
            # the entry is retried once it is reclaimed.
            self.client.hincrby(self.keys.attempts, entry_id, -1)
            WORKER_MESSAGES.labels(topic, "failed").inc()
            raise
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"[:2000]
            log.warning("handler failed", extra={"entry": entry_id, "topic": topic, "attempt": attempts,
                                                 "error": error})
            if attempts >= self.settings.stream_max_attempts:
                self._dead_letter(entry_id, fields, error, attempts)
                return "dead"
            self.client.hset(self.keys.errors, entry_id, error)
            WORKER_MESSAGES.labels(topic, "failed").inc()
            return "failed"  # stays pending; reclaimed after the idle timeout and retried
        finally:
            WORKER_SECONDS.labels(topic).observe(time.perf_counter() - started)
        self._ack(entry_id)
        self.handled += 1
        outcome = "ok" if handled or attempts == 1 else "duplicate"
        WORKER_MESSAGES.labels(topic, outcome).inc()
        return outcome

    def _ack(self, entry_id: str) -> None:
        pipe = self.client.pipeline(transaction=True)
        pipe.xack(self.keys.stream, self.keys.group, entry_id)
        pipe.hdel(self.keys.attempts, entry_id)
        pipe.hdel(self.keys.errors, entry_id)
        pipe.execute()

    def _dead_letter(self, entry_id: str, fields: dict[str, str], error: str, attempts: int) -> None:
        pipe = self.client.pipeline(transaction=True)
        pipe.xadd(self.keys.dead, {
            "message_id": entry_id, "topic": fields.get("topic", ""), "payload": fields.get("payload", ""),
            "error": error, "attempts": str(attempts), "consumer": self.consumer,
            "failed_at": utcnow().isoformat(),
        })
        pipe.xack(self.keys.stream, self.keys.group, entry_id)
        pipe.hdel(self.keys.attempts, entry_id)
        pipe.hdel(self.keys.errors, entry_id)
        pipe.execute()
        WORKER_MESSAGES.labels(fields.get("topic", "?"), "dead").inc()
        log.error("dead-lettered", extra={"entry": entry_id, "topic": fields.get("topic"),
                                          "attempts": attempts, "error": error})

    # -- housekeeping -----------------------------------------------------------------
    def maintain(self) -> None:
        """Trim handled entries from the stream, forget long-gone consumers, prune old
        receipts. Safe to run in every worker at once."""
        self.trim()
        try:
            for c in self.client.xinfo_consumers(self.keys.stream, self.keys.group):
                if int(c["pending"]) == 0 and int(c["idle"]) > DEAD_CONSUMER_IDLE_MS:
                    self.client.xgroup_delconsumer(self.keys.stream, self.keys.group, c["name"])
        except redis.ResponseError:
            pass
        cutoff = utcnow() - timedelta(days=self.settings.stream_receipt_days)
        with self.db.session() as session:
            session.execute(delete(StreamReceipt).where(StreamReceipt.handled_at < cutoff))

    def trim(self) -> int:
        """Delete entries every group has read and acknowledged (never one still pending)."""
        try:
            groups = self.client.xinfo_groups(self.keys.stream)
        except redis.ResponseError:
            return 0
        floor: str | None = None
        for g in groups:
            candidates = [g["last-delivered-id"]]
            if int(g.get("pending") or 0):
                candidates.append(self.client.xpending(self.keys.stream, g["name"])["min"])
            for c in candidates:
                if c and (floor is None or _id_key(c) < _id_key(floor)):
                    floor = c
        if floor is None or floor == "0-0":
            return 0
        # MINID keeps ``floor`` itself: the oldest pending entry (or the last delivered) stays.
        return int(self.client.xtrim(self.keys.stream, minid=floor, approximate=False))


def _id_key(entry_id: str) -> tuple[int, int]:
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)
