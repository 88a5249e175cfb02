"""API shapes of fact-checks and referrals. Inputs follow schema.org ClaimReview."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class RatingIn(BaseModel):
    """``reviewRating``: the verdict in the publisher's words (``alternateName``)."""

    model_config = ConfigDict(extra="allow")

    alternateName: str = Field(min_length=1, max_length=200)


class ClaimReviewIn(BaseModel):
    """A ClaimReview-shaped fact-check: the claim, its verdict, who said it, where it was
    seen, and the published review. Extra schema.org fields are accepted and ignored."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    claimReviewed: str = Field(min_length=1, max_length=5000)
    reviewRating: RatingIn
    itemReviewed: dict[str, Any] | None = None
    author: dict[str, Any] | str | None = None
    url: str | None = Field(default=None, max_length=2000)
    datePublished: str | None = None
    inLanguage: str | None = Field(default=None, max_length=10)


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
