"""Tables of the stream: receipts of handled messages, and health-probe rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from salingjaga.db import Base, JSONType, UTCDateTime
from salingjaga.timeutil import utcnow


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
