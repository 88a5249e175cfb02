"""API shapes of the election rules (``extra="forbid"`` on every input)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from salingjaga.content.schemas import AccountKind


class FeatureDecisionOut(BaseModel):
    """The answer to "may this account use this feature?"."""

    account_id: str
    account_kind: str
    feature: str
    allowed: bool
    rule: str
    reason: str
    reason_i18n: dict[str, str]


class KindIn(BaseModel):
    """Mark an account's kind; ``source`` says who decided (a reviewer's choice sticks)."""

    model_config = ConfigDict(extra="forbid")

    kind: AccountKind
    source: Literal["platform", "reviewer"] = "platform"


class ProposalDecisionIn(BaseModel):
    """Confirm a classification proposal (optionally with another GPPPA kind) or reject it."""

    model_config = ConfigDict(extra="forbid")

    decision: Literal["confirm", "reject"]
    kind: Literal["government", "politician", "political_party"] | None = None


class ProposalOut(BaseModel):
    """A classification proposal."""

    id: str
    account_id: str
    proposed_kind: str
    evidence: list[dict[str, Any]]
    status: str
    decided_kind: str | None
    decided_by: str | None
    created_at: datetime


class PsaApprovalIn(BaseModel):
    """An approval on record for a government body's public-service ads."""

    model_config = ConfigDict(extra="forbid")

    reference: str = Field(min_length=1, max_length=200, description="letter or ticket number")
    note: str = Field(default="", max_length=5000)
    valid_from: date | None = None
    valid_to: date | None = None


class PsaApprovalOut(BaseModel):
    """A stored approval."""

    id: str
    account_id: str
    reference: str
    note: str
    valid_from: date | None
    valid_to: date | None
    approved_by: str
    revoked_at: datetime | None


class CandidateIn(BaseModel):
    """A candidate or candidate pair in one race, as text (no photos or logos)."""

    model_config = ConfigDict(extra="forbid")

    region: str | None = Field(default=None, max_length=16, description="race region; omit for national")
    number: int = Field(ge=1, le=99, description="ballot number (nomor urut)")
    name: str = Field(min_length=1, max_length=300, description='e.g. "Andi Pratama - Siti Rahma"')
    members: list[str] = Field(default_factory=list, max_length=4)
    parties: list[str] = Field(default_factory=list, max_length=30)


class CandidateOut(BaseModel):
    """A registered candidate (pair)."""

    id: str
    election: str
    region: str | None
    number: int
    name: str
    members: list[str]
    parties: list[str]


class CampaignAccountIn(BaseModel):
    """Registration of an official campaign account; validity defaults to the campaign period."""

    model_config = ConfigDict(extra="forbid")

    region: str | None = Field(default=None, max_length=16, description="race region; omit for national")
    candidate_id: str | None = Field(default=None, max_length=40)
    candidate_number: int | None = Field(default=None, ge=1, le=99)
    candidate_name: str | None = Field(default=None, min_length=1, max_length=300)
    platform: str = Field(min_length=1, max_length=80, description='e.g. "video-platform"')
    account: str = Field(min_length=1, max_length=200, description="the platform's account id")
    valid_from: date | None = None
    valid_to: date | None = None


class CampaignAccountOut(BaseModel):
    """A registration with its status on the day asked about."""

    id: str
    election: str
    region: str | None
    candidate: CandidateOut
    platform: str
    account: str
    valid_from: date
    valid_to: date
    status: str
    closed_at: datetime | None
    registered_by: str


class AdReviewIn(BaseModel):
    """An ad submission to review before it runs."""

    model_config = ConfigDict(extra="forbid")

    ad_id: str | None = Field(default=None, max_length=200)
    advertiser: str = Field(min_length=1, max_length=200, description="our or the platform's account id")
    category: str = Field(default="commercial", max_length=30,
                          description="commercial, public_service or other")
    title: str = Field(default="", max_length=500)
    text: str = Field(default="", max_length=20000)
    hashtags: list[str] = Field(default_factory=list, max_length=100)
    landing_url: str | None = Field(default=None, max_length=2000)


class AdReviewOut(BaseModel):
    """The ad review decision with every reason."""

    id: str
    ad_id: str | None
    decision: Literal["approved", "rejected"]
    reasons: list[dict[str, Any]]
