"""API shapes for accounts and content items."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

AccountKind = Literal["personal", "business", "government", "politician", "political_party"]
ContentKind = Literal["video", "image", "text", "live"]


class AccountIn(BaseModel):
    """An account as the platform sends it; ``platform_id`` makes intake idempotent."""

    model_config = ConfigDict(extra="forbid")

    platform_id: str = Field(min_length=1, max_length=200)
    handle: str = Field(min_length=1, max_length=200)
    display_name: str = Field(default="", max_length=300)
    kind: AccountKind = "personal"
    verified: StrictBool = False  # JSON true/false only, never "yes" or 1
    bio: str = Field(default="", max_length=5000)
    region: str | None = Field(default=None, max_length=16)
    followers: int = Field(default=0, ge=0)
    created_at: datetime | None = None


class MediaIn(BaseModel):
    """A media file: a reference, and optionally its bytes (base64) for media matching."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["image", "video", "audio"]
    url: str | None = Field(default=None, max_length=2000)
    filename: str | None = Field(default=None, max_length=255)
    mime: str | None = Field(default=None, max_length=100)
    data_base64: str | None = Field(default=None, description="file bytes, base64")


class ContentIn(BaseModel):
    """A content item; the author is ``account_id`` (the platform's account id) or an inline
    ``account`` that is upserted first."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "platform_id": "7301", "kind": "video", "url": "https://video.example/@akun_baru/video/7301",
        "account": {"platform_id": "u-991", "handle": "akun_baru"},
        "caption": "Pencoblosan diundur ke 28 November!", "language": "id", "region": "32.73",
        "posted_at": "2024-11-20T03:00:00+00:00"}]})

    platform_id: str = Field(min_length=1, max_length=200)
    kind: ContentKind
    account_id: str | None = Field(default=None, max_length=200)
    account: AccountIn | None = None
    url: str | None = Field(default=None, max_length=2000)
    caption: str = Field(default="", max_length=20000)
    transcript: str = Field(default="", max_length=200000)
    on_screen_text: str = Field(default="", max_length=20000)
    hashtags: list[str] = Field(default_factory=list, max_length=100)
    media: list[MediaIn] = Field(default_factory=list, max_length=20)
    language: str | None = Field(default=None, max_length=10)
    region: str | None = Field(default=None, max_length=16)
    election: str | None = Field(default=None, max_length=60)
    ai_label: StrictBool = Field(default=False, description="the creator labelled it AI-generated")
    posted_at: datetime | None = None
    views: int = Field(default=0, ge=0)
    shares: int = Field(default=0, ge=0)


class AccountOut(BaseModel):
    """An account as the API shows it."""

    id: str
    platform_id: str
    handle: str
    display_name: str
    kind: str
    gpppa: bool
    verified: bool
    region: str | None
    followers: int
    strikes: int
    restricted_features: list[str]
    suspended_until: datetime | None
    banned: bool


class ContentOut(BaseModel):
    """A content item as the API shows it."""

    id: str
    platform_id: str
    url: str | None
    account_id: str
    kind: str
    caption: str
    transcript: str
    on_screen_text: str
    hashtags: list[str]
    media: list[dict[str, Any]]
    language: str | None
    region: str | None
    election: str | None
    ai_label: bool
    posted_at: datetime
    views: int
    shares: int
    status: str
    fyp_excluded: bool
    age_restricted: bool
    labels: list[str]


class IntakeResult(BaseModel):
    """The outcome of one row of a batch."""

    index: int
    status: Literal["created", "existing", "error"]
    id: str | None = None
    error: dict[str, Any] | None = None


class BatchResult(BaseModel):
    """Per-row outcomes of a batch."""

    created: int
    existing: int
    errors: int
    results: list[IntakeResult]
