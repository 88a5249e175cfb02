"""API shapes for partners and their members."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from salingjaga.partners.models import PARTNER_KINDS

PartnerKind = Literal[
    "election_supervisor", "election_commission", "civil_society", "fact_checker", "regulator"
]
assert set(PartnerKind.__args__) == set(PARTNER_KINDS)  # type: ignore[attr-defined]


class PartnerIn(BaseModel):
    """A new partner organisation."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    kind: PartnerKind
    organisation: str | None = Field(
        default=None, max_length=80, description="groups jurisdictions of one body, e.g. bawaslu"
    )
    region: str | None = Field(default=None, description="Kemendagri code; omit for national")
    trusted: StrictBool = False  # JSON true/false only, never "yes" or 1
    policies: list[str] = Field(default_factory=list, max_length=50)
    contact_email: str | None = Field(default=None, max_length=320)
    webhook_url: str | None = Field(default=None, max_length=2000)


class PartnerOut(BaseModel):
    """A partner as the API shows it."""

    id: str
    name: str
    organisation: str
    kind: str
    region: str | None
    jurisdiction: str
    trusted: bool
    policies: list[str]
    contact_email: str | None
    webhook_url: str | None
    created_at: datetime


class PartnerCreated(PartnerOut):
    """A new partner plus its first API key, shown once."""

    api_key: str


class UserIn(BaseModel):
    """A new user."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    role: str
    partner_id: str | None = None
    email: str | None = Field(default=None, max_length=320)
    password: str | None = Field(default=None, min_length=10, max_length=200)
    language: Literal["id", "en"] = "id"


class UserOut(BaseModel):
    """A user as the API shows it (never a secret)."""

    id: str
    name: str
    role: str
    partner_id: str | None
    email: str | None


class UserCreated(UserOut):
    """A new user plus an API key, shown once."""

    api_key: str


class WebhookIn(BaseModel):
    """Where to deliver a partner's notifications."""

    model_config = ConfigDict(extra="forbid")

    url: str = Field(min_length=8, max_length=2000)


class InvitationIn(BaseModel):
    """An invitation to join a partner's office: a one-time link goes to ``email``."""

    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=320)
    name: str = Field(default="", max_length=200)
    role: Literal["partner_reporter", "partner_admin"] = "partner_reporter"
    language: Literal["id", "en"] = "id"


class InvitationOut(BaseModel):
    """An invitation sent (the link itself travels only by e-mail)."""

    id: str
    email: str
    role: str
    partner_id: str
    expires_at: datetime
