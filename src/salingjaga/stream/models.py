"""Tables of the stream: receipts of handled messages, and health-probe rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from salingjaga.core.db import Base, JSONType, UTCDateTime
from salingjaga.core.timeutil import utcnow


class StreamReceipt(Base):
    """One handler has finished one stream message.

    Written in the handler's own transaction, so a message redelivered after its effects
    were committed (the worker died before XACK) is recognised and skipped: effects happen
    once even though delivery is at least once.
    """

    __tablename__ = "stream_receipts"

    message_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    handler: Mapped[str] = mapped_column(String(200), primary_key=True)
    handled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class StreamProbe(Base):
    """A health probe sent through the stream (``salingjaga stream probe``): proves that
    publish, delivery, a worker and the database all work, end to end."""

    __tablename__ = "stream_probes"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handled_by: Mapped[str | None] = mapped_column(String(200))
    # Times the probe's effect was applied; the receipts keep it at 1 under redelivery.
    handled_count: Mapped[int] = mapped_column(Integer, default=0)


class OutboxMessage(Base):
    """A stream message written in the same transaction as the change it announces.

    The API commits the content item and this row together, then hands the message to the
    transport and deletes the row. A server that dies in between, or a Redis that is down,
    leaves the row behind, and the relay publishes it later: a committed change always
    reaches the workers. The row's id travels with the message as its key, so a message
    published twice (sent, then the server died before deleting the row) is handled once.
    """

    __tablename__ = "stream_outbox"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    topic: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class DeadLetter(Base):
    """A message, or one step of it, that could not be handled, with the reason.

    Written by the in-process transports when a handler fails (the message is not retried
    there), and by a handler that finished its message but had a step fail (a detector
    that crashed on a hostile file): the item keeps what the other steps found, and the
    operator sees what is missing and why. Replaying re-sends the message; handlers are
    idempotent, so the steps that worked are not repeated. The Redis worker's own dead
    letters, for messages that failed every attempt, stay in ``<stream_name>:dead``.
    """

    __tablename__ = "stream_dead_letters"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    topic: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    handler: Mapped[str] = mapped_column(String(200))
    step: Mapped[str] = mapped_column(String(120), default="")  # "" when the whole handler failed
    error: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
