"""API shapes of detection signals and hash banks."""

from __future__ import annotations

from pydantic import Field

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
