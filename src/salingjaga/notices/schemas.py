"""API shapes of notices."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator, model_validator

from salingjaga.core.inputlimits import NUL_MESSAGE, has_nul


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


class NoticeIn(BaseModel):
    """A notice in the shape of DSA Art. 16."""

    model_config = ConfigDict(extra="forbid")

    content: list[ContentRef] = Field(min_length=1, max_length=50)
    policy: str = Field(min_length=1, max_length=60)
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
    status: str
    received_at: datetime
    case_id: str | None
    source: str = Field(description="trusted_flagger, partner or user_report: the priority tier it is handled in")
    priority_note: str | None = Field(
        default=None, description="why a trusted flagger's notice is handled at normal priority "
        "(a policy outside its areas, a region outside its jurisdiction)")


class FeedbackOut(BaseModel):
    """Feedback for one partner."""

    partner_id: str
    period: dict[str, Any]
    totals: dict[str, Any]
    by_policy: dict[str, Any]
    no_action_reasons: dict[str, int] = Field(
        default_factory=dict, description="decided notices without action, by reason (most common first): "
        "no_violation, reversed, no_legal_ground, no_evidence, short_explanation, outside_trusted_scope")
    flagged_mostly_unfounded: bool
