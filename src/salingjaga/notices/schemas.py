"""API shapes of notices."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator, model_validator

from salingjaga.core.apimodel import ApiModel, Number, Timestamp
from salingjaga.core.inputlimits import NUL_MESSAGE, has_nul
from salingjaga.notices.models import NOTICE_STATUSES
from salingjaga.policies.schemas import policy_enum


def _no_nul(value: Any) -> Any:
    """Refuse NUL characters in text here, where the error belongs to one field of one
    notice (one row of a bulk file), rather than in the database, where PostgreSQL would
    fail the whole transaction."""
    if isinstance(value, str) and has_nul(value):
        raise ValueError(NUL_MESSAGE)
    return value


class ContentRef(BaseModel):
    """A content item by platform URL or by id (ours or the platform's)."""

    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(default=None, max_length=2000)
    content_id: str | None = Field(default=None, max_length=200)

    _text = field_validator("url", "content_id")(_no_nul)

    @model_validator(mode="after")
    def _one(self) -> ContentRef:
        if not self.url and not self.content_id:
            raise ValueError("each content reference needs a url or a content_id")
        return self


class EvidenceIn(BaseModel):
    """An evidence file sent inline."""

    model_config = ConfigDict(extra="forbid")

    filename: str | None = Field(default=None, max_length=255)
    data_base64: str = Field(min_length=1)

    _text = field_validator("filename")(_no_nul)


NoticeStatus = Literal["received", "in_review", "decided", "appealed"]
NoticeSource = Literal["trusted_flagger", "partner", "user_report"]
assert get_args(NoticeStatus) == NOTICE_STATUSES


class NoticeIn(BaseModel):
    """A notice in the shape of DSA Art. 16."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "content": [{"url": "https://video.example/@akun_baru/video/7301"}],
        "policy": "civic_election_integrity",
        "legal_ground": "UU 7/2017 Pasal 280 ayat (1) huruf c",
        "explanation": "Claims the voting day moved to 28 November; KPU's schedule says 27 November.",
        "region": "32.73", "election": "pilkada-2024", "good_faith": True}]})

    content: list[ContentRef] = Field(min_length=1, max_length=50)
    policy: str = Field(min_length=1, max_length=60, json_schema_extra=policy_enum)
    legal_ground: str | None = Field(default=None, max_length=500,
                                     description="e.g. UU 7/2017 Pasal 280 ayat (1) huruf c")
    explanation: str = Field(default="", max_length=10000)
    region: str | None = Field(default=None, max_length=16)
    election: str | None = Field(default=None, max_length=60)
    contact: str | None = Field(default=None, max_length=320)
    # JSON true only: a lax bool would take "yes", "on" or 1 as a declaration nobody made.
    good_faith: StrictBool = Field(description="must be true (JSON true): the notice is made in good faith")
    idempotency_key: str | None = Field(default=None, max_length=200,
                                        description="for bulk rows; single notices use the header")
    evidence: list[EvidenceIn] = Field(default_factory=list, max_length=10)

    _text = field_validator("policy", "legal_ground", "explanation", "region", "election", "contact",
                            "idempotency_key")(_no_nul)


class NoticeReceipt(BaseModel):
    """The receipt answered at once."""

    id: str
    status: NoticeStatus
    received_at: datetime
    case_id: str | None
    source: NoticeSource = Field(description="the priority tier it is handled in")
    priority_note: str | None = Field(
        default=None, description="why a trusted flagger's notice is handled at normal priority "
        "(a policy outside its areas, a region outside its jurisdiction)")


class FeedbackTotals(ApiModel):
    """A partner's notices in a period, and how they were decided."""

    notices: int
    decided: int
    actioned: int
    unfounded: int
    pending: int
    share_actioned: Number | None
    median_hours_to_decision: Number | None


class PolicyCounts(ApiModel):
    """A partner's notices under one policy."""

    notices: int
    decided: int
    actioned: int


class Period(ApiModel):
    """A period's bounds (open ends are null)."""

    start: str | None
    end: str | None


class FeedbackOut(ApiModel):
    """Feedback for one partner."""

    partner_id: str
    period: Period
    totals: FeedbackTotals
    by_policy: dict[str, PolicyCounts]
    no_action_reasons: dict[str, int] = Field(
        default_factory=dict, description="decided notices without action, by reason (most common first): "
        "no_violation, reversed, no_legal_ground, no_evidence, short_explanation, outside_trusted_scope")
    flagged_mostly_unfounded: bool


class ReportPartner(ApiModel):
    """The partner a yearly report is about."""

    id: str
    name: str
    organisation: str
    jurisdiction: str
    trusted: bool
    policy_areas: list[str]


class YearlyReport(FeedbackOut):
    """The DSA Art. 22(3) yearly report of a trusted flagger."""

    report: str
    year: int
    partner: ReportPartner


class EvidenceOut(ApiModel):
    """An evidence file stored with a notice."""

    id: str
    filename: str
    mime: str
    size: int
    sha256: str


class EvidenceCreated(EvidenceOut):
    """An evidence file just attached."""

    notice_id: str


class NoticeDecision(ApiModel):
    """The decision a notice led to."""

    id: str
    action: str
    policy: str
    statement_id: str | None
    reasons: str
    decided_at: Timestamp


class NoticeOut(ApiModel):
    """A notice with its status and, once decided, the decision. ``contact`` and
    ``reporter_user_id`` are shown to the partner that sent it and to staff."""

    id: str
    status: NoticeStatus
    received_at: Timestamp
    case_id: str | None
    partner_id: str | None
    source: NoticeSource
    priority_note: str | None
    content: list[dict[str, Any]]
    content_ids: list[str]
    policy: str
    legal_ground: str | None
    explanation: str
    region: str | None
    election: str | None
    decided_at: Timestamp | None
    evidence: list[EvidenceOut]
    contact: str | None = None
    reporter_user_id: str | None = None
    decision: NoticeDecision | None = None


class BulkError(ApiModel):
    """Why a row was not taken."""

    code: str
    message: str
    reason: str | None = None
    params: dict[str, Any] | None = Field(
        default=None, description="the values the error's words quote (a line number, a field), keyed as the "
                                  "reason's words name them")


class BulkRow(ApiModel):
    """One row's outcome: its receipt (received, or existing for a repeated idempotency key)
    or its error."""

    index: int
    status: Literal["received", "existing", "error"]
    id: str | None = None
    received_at: Timestamp | None = None
    case_id: str | None = None
    source: NoticeSource | None = None
    priority_note: str | None = None
    error: BulkError | None = None


class BulkResult(ApiModel):
    """Counts and a result per row, in the upload's order."""

    received: int
    existing: int
    errors: int
    results: list[BulkRow]
