"""API shapes of the election rules (``extra="forbid"`` on every input)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from salingjaga.content.schemas import AccountKind
from salingjaga.core.apimodel import ApiModel, I18n, JsonObject, Number, Timestamp


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


class FeatureInfo(ApiModel):
    """A gated feature."""

    group: str
    name: I18n


class GateRuleOut(ApiModel):
    """One rule of the gate table, in the order they are tried ("*" matches any)."""

    id: str
    kinds: list[str]
    features: list[str]
    when: list[str]
    unless: list[str]
    effect: str
    escalate: bool
    reason: I18n


class EscalationOut(ApiModel):
    """When repeated refusals open a case."""

    threshold: int
    window_hours: Number
    policy: str


class GateTableOut(ApiModel):
    """The gate table in force."""

    features: dict[str, FeatureInfo]
    rules: list[GateRuleOut]
    escalation: EscalationOut


class RefusalSummary(ApiModel):
    """Refused feature attempts in a period."""

    from_: Timestamp = Field(alias="from")
    to: Timestamp
    refusals: int
    accounts: int
    escalations: int
    by_feature: dict[str, int]
    by_rule: dict[str, int]
    by_account_kind: dict[str, int]


class KindOut(ApiModel):
    """An account's kind after a change."""

    id: str
    kind: str
    kind_source: str | None
    gpppa: bool


class ScanOut(ApiModel):
    """Proposals a scan made."""

    proposals: int


class FindingOut(ApiModel):
    """What the campaign rules found in a content item, and the case they opened."""

    content_id: str
    findings: list[JsonObject]
    region: str | None
    notify_partner_id: str | None
    case_id: str | None
    at: Timestamp


class ActivePeriod(ApiModel):
    """A period in force."""

    election: str
    period: str


class CalendarOut(ApiModel):
    """The elections, races and periods active in a region on a local day."""

    date: str
    region: JsonObject | None
    timezone: str
    elections: list[JsonObject]
    active: list[ActivePeriod]
    tight: bool
    deadline_hours: Number = Field(description="the deadline new cases get there today")
