"""API shapes of detection signals and hash banks."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from salingjaga.core.apimodel import ApiModel, JsonObject, Number, Timestamp


class SignalOut(ApiModel):
    """One detector's finding about a content item."""

    id: str
    type: str = Field(examples=["hash_match"])
    policy: str
    score: Number = Field(description="0 to 1; how strongly the detector holds it")
    explanation: str
    data: JsonObject
    created_at: Timestamp


class SignalsOut(ApiModel):
    """Every signal about an item, strongest first."""

    content_id: str
    signals: list[SignalOut]


class BankOut(ApiModel):
    """A hash bank with its threshold, action and size."""

    id: str
    name: str
    policy: str
    action: str
    pdq_threshold: int
    entries: int


class BanksOut(ApiModel):
    """Every hash bank."""

    banks: list[BankOut]


class BankImport(ApiModel):
    """What an import added to a bank."""

    bank: str
    rows: int = Field(description="hashes read from the request")
    added: int = Field(description="hashes new to the bank")


class BankRemoveIn(BaseModel):
    """Which entries of a bank to remove: by database id, by hash, or every entry from a
    source; each id and hash named must be in the bank."""

    model_config = ConfigDict(extra="forbid")

    ids: list[int] = Field(default_factory=list, max_length=10000)
    hashes: list[str] = Field(default_factory=list, max_length=10000,
                              description="64-hex PDQ or 32-hex MD5 hashes")
    source: str | None = Field(default=None, min_length=1, max_length=120)


class BankRemoved(ApiModel):
    """What a removal took out of a bank."""

    bank: str
    removed: int
    ids: list[int] = Field(description="the removed entries' ids")


class VideoIn(BaseModel):
    """One video's vPDQ hash, as ThreatExchange exchanges it."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=200)
    label: str = Field(default="", max_length=300)
    signal: str = Field(description='JSON list of "<pdq hex>,<quality>,<seconds>" (a vPDQ signal)',
                        examples=['["f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22,100,0.000"]'])


class VideoImportIn(BaseModel):
    """vPDQ videos to bank; a video whose id the bank holds is replaced."""

    model_config = ConfigDict(extra="forbid")

    videos: list[VideoIn] = Field(min_length=1, max_length=10000)
    source: str = Field(default="", max_length=120)
    policy: str = "misinformation"
    action: str = "review"


class VideoImported(ApiModel):
    """What an import banked."""

    bank: str
    videos: int
    added: int
    replaced: int


class VideoOut(ApiModel):
    """A banked video's vPDQ hash."""

    id: str
    label: str
    source: str
    frames: int
    signal: str


class VideosOut(ApiModel):
    """A bank's vPDQ videos (the bank file's content)."""

    bank: str
    videos: list[VideoOut]


class VideoRemoveIn(BaseModel):
    """Which videos of a bank to remove: by the id they were banked under, or by source."""

    model_config = ConfigDict(extra="forbid")

    video_ids: list[str] = Field(default_factory=list, max_length=10000)
    source: str | None = Field(default=None, min_length=1, max_length=120)


class VideosRemoved(ApiModel):
    """What a removal took out of a bank."""

    bank: str
    removed: int
    video_ids: list[str]
