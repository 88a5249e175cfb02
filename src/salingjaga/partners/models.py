"""The partner organisation table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from salingjaga.core.db import Base, JSONType, UTCDateTime
from salingjaga.core.timeutil import utcnow

PARTNER_KINDS = (
    "election_supervisor",
    "election_commission",
    "civil_society",
    "fact_checker",
    "regulator",
)


class Partner(Base):
    """An organisation at one jurisdiction: Bawaslu RI, Bawaslu Jawa Barat and Bawaslu Kota
    Bandung are three partners sharing ``organisation = "bawaslu"``."""

    __tablename__ = "partners"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str] = mapped_column(String(80), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    region_code: Mapped[str | None] = mapped_column(String(16), index=True)
    trusted: Mapped[bool] = mapped_column(Boolean, default=False)
    policy_areas: Mapped[list[str]] = mapped_column(JSONType, default=list)
    contact_email: Mapped[str | None] = mapped_column(String(320))
    webhook_url: Mapped[str | None] = mapped_column(String(2000))
    webhook_secret: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def jurisdiction(self) -> str:
        """``national`` or the region code."""
        return self.region_code or "national"
