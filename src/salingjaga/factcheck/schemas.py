"""API shapes of fact-checks and referrals. Inputs follow schema.org ClaimReview."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class RatingIn(BaseModel):
    """``reviewRating``: the verdict in the publisher's words (``alternateName`` or
    ``name``) or as a ``ratingValue`` on a ``worstRating``..``bestRating`` scale (schema.org
    defaults 1..5). At least one of the three is needed."""

    model_config = ConfigDict(extra="allow")

    alternateName: str | None = Field(default=None, max_length=2000)
    name: str | None = Field(default=None, max_length=2000)
    ratingValue: str | float | None = None
    bestRating: str | float | None = None
    worstRating: str | float | None = None

    @model_validator(mode="after")
    def _has_a_verdict(self) -> RatingIn:
        words = [w for w in (self.alternateName, self.name) if w and w.strip()]
        value = self.ratingValue
        if not words and (value is None or (isinstance(value, str) and not value.strip())):
            raise ValueError("reviewRating needs alternateName, name or ratingValue: the verdict")
        return self


class ClaimReviewIn(BaseModel):
    """A ClaimReview-shaped fact-check: the claim (a string, or a list of strings), its
    verdict, who said it, where it was seen, and the published review. ``@type`` may be a
    string or a list; extra schema.org fields are accepted and ignored."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    claimReviewed: str | list[str] = Field(min_length=1)
    reviewRating: RatingIn
    itemReviewed: dict[str, Any] | None = None
    author: dict[str, Any] | list[Any] | str | None = None
    url: str | None = Field(default=None, max_length=2000)
    datePublished: str | None = None
    inLanguage: str | None = Field(default=None, max_length=10)

    @field_validator("claimReviewed")
    @classmethod
    def _claim_length(cls, value: str | list[str]) -> str | list[str]:
        total = len(value) if isinstance(value, str) else sum(len(v) for v in value)
        if total > 5000:
            raise ValueError("claimReviewed: at most 5000 characters")
        return value


class ImportErrorOut(BaseModel):
    """A record an import skipped: where it sits in the file and why."""

    item: str
    message: str


class ImportSummaryOut(BaseModel):
    """What an import did. ``errors`` lists each skipped record; ``errors_detail`` says the
    same as lines of text."""

    created: int
    updated: int
    unchanged: int
    skipped: int
    errors: list[ImportErrorOut]
    errors_detail: list[str]


class FactCheckOut(BaseModel):
    """A stored fact-check."""

    id: str
    claim: str
    claimant: str | None
    claim_date: datetime | None
    appearance_urls: list[str]
    verdict: str
    rating: str
    publisher: str
    review_url: str | None
    review_date: datetime | None
    language: str | None
    source: str
    created_at: datetime
    updated_at: datetime


class ReferralIn(BaseModel):
    """Send a content item to a fact-checking partner."""

    model_config = ConfigDict(extra="forbid")

    content_id: str = Field(min_length=1, max_length=200)
    partner_id: str = Field(min_length=1, max_length=40)
    note: str = Field(default="", max_length=5000)


class ReferralOut(BaseModel):
    """A referral and, once done, the fact-check it produced."""

    id: str
    content_id: str
    partner_id: str
    note: str
    status: str
    factcheck_id: str | None
    created_at: datetime
    completed_at: datetime | None
