"""API shapes of moderation requests."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class DecisionIn(BaseModel):
    """A moderator's decision on a leased case."""

    model_config = ConfigDict(extra="forbid")

    action: str = Field(min_length=1, max_length=30)
    policy: str = Field(min_length=1, max_length=60)
    facts: str = Field(min_length=1, max_length=5000, description="what was seen and why it decides the case")
    legal_ground: str | None = Field(default=None, max_length=500)
    account_action: str | None = Field(default=None, max_length=30,
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
