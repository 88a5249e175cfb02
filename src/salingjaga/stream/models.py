"""Tables of the stream: receipts of handled messages, and health-probe rows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from salingjaga.db import Base, UTCDateTime
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
