"""API shapes of the guide: what editors send, what the app reads, what reach events hold."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from salingjaga.core.apimodel import ApiModel, JsonObject, Timestamp

Lang = Literal["id", "en"]
PageKind = Literal["section", "region", "tag"]
EventType = Literal["tag_impression", "tag_click", "guide_view", "content_view"]

SECTION_KEY_PATTERN = r"^[a-z0-9][a-z0-9-]{1,58}$"


class KeyDateIn(BaseModel):
    """An extra key date an editor adds to the calendar from the election's data file."""

    model_config = ConfigDict(extra="forbid")

    date: date
    label: str = Field(min_length=1, max_length=200)


class GuideCandidateIn(BaseModel):
    """A candidate (or candidate pair) as text only: no photo, no logo."""

    model_config = ConfigDict(extra="forbid")

    number: int = Field(ge=1, le=99, description="nomor urut (ballot number)")
    names: str = Field(min_length=1, max_length=300, description="candidate, or pair 'A - B'")
    nominated_by: str = Field(default="", max_length=500, description="parties, or 'perseorangan'")


class PageData(BaseModel):
    """Structured parts of a version; which apply depends on the page kind."""

    model_config = ConfigDict(extra="forbid")

    dates: list[KeyDateIn] = Field(default_factory=list, max_length=50)
    candidates: list[GuideCandidateIn] = Field(default_factory=list, max_length=50)
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


class VersionDecisionIn(BaseModel):
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


UserId = Annotated[str, Field(min_length=1, max_length=200)]


class EventColumns(BaseModel):
    """A batch of reach events as columns, the lean form of ``EventIn`` objects for apps
    that send many: the n-th entry of every list is the n-th event. ``type``, ``user`` and
    ``at`` are required for every event; ``election``, ``region`` and ``content_id`` may be
    left out when no event has one, or hold null for the events without one. Rules and
    answers are those of the object form (indexes count from 0)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"example": {
        "type": ["tag_impression", "guide_view"], "user": ["u-81", "u-17"],
        "at": ["2024-02-14T03:00:00Z", "2024-02-14T03:00:01Z"],
        "content_id": ["vid-2291", None], "election": [None, "pemilu-2024"], "region": [None, "32.73"]}})

    type: list[EventType]
    user: list[UserId]
    at: list[datetime]
    election: list[Annotated[str, Field(max_length=60)] | None] | None = None
    region: list[Annotated[str, Field(max_length=16)] | None] | None = None
    content_id: list[Annotated[str, Field(max_length=200)] | None] | None = None

    @model_validator(mode="after")
    def _same_length(self) -> EventColumns:
        """Every column given has one entry per event."""
        n = len(self.type)
        for name in ("user", "at", "election", "region", "content_id"):
            column = getattr(self, name)
            if column is not None and len(column) != n:
                raise ValueError(f"'{name}' has {len(column)} entries; 'type' has {n}")
        return self


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


class VersionOut(ApiModel):
    """A version of a guide page as editors see it, with its sanitised preview."""

    id: str
    page_id: str
    election: str
    lang: Lang
    kind: PageKind
    key: str
    number: int
    status: Literal["draft", "published", "rejected"]
    current: bool
    title: str
    body: str
    html: str
    data: JsonObject
    author_id: str
    created_at: Timestamp
    updated_at: Timestamp
    decided_by: str | None
    decided_at: Timestamp | None
    reason: str


class GuideElection(ApiModel):
    """The election a guide is for."""

    slug: str
    name: str
    kind: str | None = None
    voting_day: str | None = None


class GuideSection(ApiModel):
    """A published section."""

    key: str
    title: str
    html: str
    version_id: str
    version: int
    published_at: Timestamp | None


class KeyDateOut(ApiModel):
    """A key date and the days left until it (negative once past)."""

    date: str
    label: str
    source: str
    days_until: int


class GuideRegionLink(ApiModel):
    """A region with a published page."""

    code: str
    name: str
    level: str
    province_code: str
    province_name: str
    url: str


class NoticeTagText(ApiModel):
    """What the notice tag says and where it links."""

    text: str
    url: str


class GuideOut(ApiModel):
    """The published guide of an election in one language."""

    election: GuideElection
    lang: Lang
    url: str
    alternate: dict[str, str] = Field(description="the guide in each language")
    today: str
    sections: list[GuideSection]
    key_dates: list[KeyDateOut]
    next_key_date: KeyDateOut | None
    regions: list[GuideRegionLink]
    notice_tag: NoticeTagText


class RaceOut(ApiModel):
    """One race of a region: its candidates as text."""

    region: JsonObject
    title: str
    race: str
    candidates: list[JsonObject]
    html: str
    version_id: str
    version: int
    published_at: Timestamp | None


class GuideRegionOut(ApiModel):
    """A region's page of the guide: its races and those of its province."""

    election: GuideElection
    region: JsonObject
    lang: Lang
    url: str
    guide_url: str
    alternate: dict[str, str]
    races: list[RaceOut]


class TagOut(ApiModel):
    """The notice tag shown on a content item."""

    content_id: str
    platform_id: str
    election: str
    election_name: str
    region: str | None
    lang: Lang
    text: str
    url: str
    source: str
    tagged_at: Timestamp | None


class ReachOut(ApiModel):
    """Guide reach between two days: totals and per-day figures."""

    from_: str = Field(alias="from")
    to: str
    election: str | None
    region: str | None
    totals: dict[str, int]
    by_day: list[dict[str, int | str]] = Field(description="day, then each figure of totals")
    notes: dict[str, str]


class TagLookupOut(ApiModel):
    """The notice tags of several items: each id sent, its tag or null; ids naming no item."""

    lang: Lang
    tags: dict[str, TagOut | None]
    unknown: list[str]
