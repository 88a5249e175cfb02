"""API shapes of moderation requests and answers."""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from salingjaga.core.apimodel import ApiModel, JsonObject, Timestamp
from salingjaga.moderation import actions as A
from salingjaga.moderation.models import CASE_LEVELS, CASE_STATUSES
from salingjaga.policies.schemas import policy_enum

# Listed in the document only: the service checks the values, so a wrong one keeps its own
# message ("unknown action ...") rather than a generic enum error.
DECISION_ACTIONS: list[JsonValue] = [*A.ALL_ACTIONS, *A.APPEAL_OUTCOMES]
CaseStatus = Literal["open", "leased", "on_hold", "escalated", "decided"]
CaseLevel = Literal["moderator", "senior_moderator", "policy_lead"]
AppealStatus = Literal["open", "upheld", "reversed", "changed"]
assert get_args(CaseStatus) == CASE_STATUSES and get_args(CaseLevel) == CASE_LEVELS


class DecisionIn(BaseModel):
    """A moderator's decision on a leased case."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "action": "remove", "policy": "civic_election_integrity",
        "facts": "The video claims the voting day moved to 28 November; KPU's schedule says 27 November.",
        "legal_ground": "UU 7/2017 Pasal 280 ayat (1) huruf c"}]})

    action: str = Field(min_length=1, max_length=30, json_schema_extra={"enum": DECISION_ACTIONS},
                        description="a content action; uphold or reverse on an appeal or second review")
    policy: str = Field(min_length=1, max_length=60, json_schema_extra=policy_enum)
    facts: str = Field(min_length=1, max_length=5000, description="what was seen and why it decides the case")
    legal_ground: str | None = Field(default=None, max_length=500)
    account_action: str | None = Field(default=None, max_length=30,
                                       json_schema_extra={"enum": [*A.ACCOUNT_ACTIONS, None]},
                                       description="strike, restrict_feature, suspend, ban; repeats escalate")
    feature: str | None = Field(default=None, max_length=60)
    suspend_days: int | None = Field(default=None, ge=1, le=365)


class NoteIn(BaseModel):
    """A note for escalations and holds."""

    model_config = ConfigDict(extra="forbid")

    note: str = Field(default="", max_length=2000)


class AppealIn(BaseModel):
    """Why the decision should change."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=5000)


class DecisionOut(ApiModel):
    """A decision: on content, on an account, or on an appeal or second review."""

    id: str
    case_id: str | None
    content_id: str | None
    account_id: str | None
    kind: str
    action: str = Field(json_schema_extra={"enum": DECISION_ACTIONS})
    policy: str
    legal_ground: str | None
    facts: str
    decided_by: str | None
    automated_detection: bool
    automated_decision: bool
    source: str
    rule: str | None
    details: JsonObject | None
    statement_id: str | None
    reverses_id: str | None
    reversed_by_id: str | None
    appeal_id: str | None
    decided_at: Timestamp
    second_review: str | None


class DecisionCreated(DecisionOut):
    """A new decision; with ``account_decision`` when an account action was taken too."""

    account_decision: DecisionOut | None = None


class CaseOut(ApiModel):
    """A case without its details."""

    id: str
    kind: str
    status: CaseStatus
    level: CaseLevel
    priority: int
    deadline: Timestamp
    content_id: str
    account_id: str | None
    policy: str
    source: str
    sources: list[JsonObject] = Field(description="each source that asked for the case: source, policy, reason")
    tight: bool
    lease_owner: str | None
    lease_expires_at: Timestamp | None
    hold_reason: str | None
    escalation_note: str | None
    appeal_id: str | None
    review_of_decision_id: str | None
    created_at: Timestamp
    decided_at: Timestamp | None


class ClaimOut(CaseOut):
    """A claimed case and where its details are read."""

    case_url: str


class CaseNoticeOut(ApiModel):
    """A notice on a case, as moderators see it."""

    id: str
    partner_id: str | None
    source: str
    policy: str
    legal_ground: str | None
    explanation: str
    region: str | None
    election: str | None
    received_at: Timestamp
    status: str


class CaseAppealOut(ApiModel):
    """The appeal an appeal case decides, with the decision appealed."""

    id: str
    appellant: str
    reason: str
    status: AppealStatus
    original_decision: DecisionOut | None


class CaseDetail(CaseOut):
    """A case with what a moderator needs to decide it."""

    content: JsonObject | None = Field(description="the content item, as GET /api/v1/content/{id} shows it")
    account: JsonObject | None = Field(description="the author, as GET /api/v1/accounts/{id} shows it")
    account_history: list[DecisionOut]
    notices: list[CaseNoticeOut]
    signals: list[JsonObject]
    signal_refs: list[Any]
    decisions: list[DecisionOut]
    appeal: CaseAppealOut | None = None


class QueueStats(ApiModel):
    """Cases by status and level."""

    waiting: int
    by_status: dict[str, int]
    open_by_level: dict[str, int]
    overdue: int


class AppealOut(ApiModel):
    """An appeal as filed."""

    id: str
    decision_id: str
    case_id: str | None
    appellant: str
    status: AppealStatus
    created_at: Timestamp


class NotificationOut(ApiModel):
    """A notification to a partner, a user or (through a service) an account's creator."""

    id: str
    kind: str
    created_at: Timestamp
    decision_id: str | None
    payload: JsonObject


class StatementOut(BaseModel):
    """A statement of reasons in the DSA Transparency Database's fields (the fields of its
    API; which optional ones appear depends on the decision), plus SalingJaga's own."""

    model_config = ConfigDict(extra="allow")

    decision_ground: str = Field(examples=["DECISION_GROUND_ILLEGAL_CONTENT"])
    content_type: list[str]
    category: str
    decision_facts: str
    source_type: str
    automated_detection: Literal["Yes", "No"]
    automated_decision: str
    puid: str
    content_date: str
    application_date: str
