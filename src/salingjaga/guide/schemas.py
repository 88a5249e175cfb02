"""API shapes of the guide: what editors send, what the app reads, what reach events hold."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Lang = Literal["id", "en"]
PageKind = Literal["section", "region", "tag"]
EventType = Literal["tag_impression", "tag_click", "guide_view", "content_view"]

SECTION_KEY_PATTERN = r"^[a-z0-9][a-z0-9-]{1,58}$"


class KeyDateIn(BaseModel):
    """An extra key date an editor adds to the calendar from the election's data file."""

    model_config = ConfigDict(extra="forbid")

    date: date
    label: str = Field(min_length=1, max_length=200)


class CandidateIn(BaseModel):
    """A candidate (or candidate pair) as text only: no photo, no logo."""

    model_config = ConfigDict(extra="forbid")

    number: int = Field(ge=1, le=99, description="nomor urut (ballot number)")
    names: str = Field(min_length=1, max_length=300, description="candidate, or pair 'A - B'")
    nominated_by: str = Field(default="", max_length=500, description="parties, or 'perseorangan'")


class PageData(BaseModel):
    """Structured parts of a version; which apply depends on the page kind."""

    model_config = ConfigDict(extra="forbid")

    dates: list[KeyDateIn] = Field(default_factory=list, max_length=50)
    candidates: list[CandidateIn] = Field(default_factory=list, max_length=50)
    race: str = Field(default="", max_length=200, description="e.g. 'Pemilihan Wali Kota'")
    link: str | None = Field(default=None, max_length=300, description="tag link override")
    position: int = Field(default=0, ge=0, le=1000, description="order of a section")

    @field_validator("link")
    @classmethod
    def _safe_link(cls, value: str | None) -> str | None:
        if value is not None and not (value.startswith("/") and not value.startswith("//")) \
                and not value.startswith("https://"):
            raise ValueError("link must be a path on this site (/...) or an https:// address")
        return value


class DraftIn(BaseModel):
    """A new draft of a page."""

    model_config = ConfigDict(extra="forbid")

    lang: Lang
    kind: PageKind = "section"
    key: str = Field(min_length=1, max_length=60,
                     description="section key (how-to-vote), region code (32.73) or notice-tag")
    title: str = Field(min_length=1, max_length=300)
    body: str = Field(default="", max_length=50_000, description="Markdown")
    data: PageData = Field(default_factory=PageData)


class DraftPatch(BaseModel):
    """Changes to a draft; omitted fields stay as they are."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, min_length=1, max_length=300)
    body: str | None = Field(default=None, max_length=50_000)
    data: PageData | None = None


class DecisionIn(BaseModel):
    """Why a draft was rejected or a page rolled back."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(default="", max_length=2000)


class TagIn(BaseModel):
    """An explicit notice tag; election and region default to what the content says."""

    model_config = ConfigDict(extra="forbid")

    election: str | None = Field(default=None, max_length=60)
    region: str | None = Field(default=None, max_length=16)


class EventIn(BaseModel):
    """One reach event from the app. ``user`` is the platform's opaque user id: it is hashed
    with the day's salt on arrival and never stored."""

    model_config = ConfigDict(extra="forbid")

    type: EventType
    election: str | None = Field(default=None, max_length=60)
    region: str | None = Field(default=None, max_length=16)
    content_id: str | None = Field(default=None, max_length=200)
    user: str = Field(min_length=1, max_length=200)
    at: datetime


class TagLookupIn(BaseModel):
    """Content items whose notice tags the app wants, by our id or the platform's."""

    model_config = ConfigDict(extra="forbid")

    content_ids: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        min_length=1, max_length=1000, description="at most 1,000 per call")


class EventsResult(BaseModel):
    """What a batch did: counted events, and those ignored with the reason."""

    received: int
    counted: int
    ignored: list[dict[str, Any]]
    replayed: bool = False
