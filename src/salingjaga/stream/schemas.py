"""API shapes of the content stream's operations endpoints."""

from __future__ import annotations

from salingjaga.core.apimodel import ApiModel, JsonObject, Number


class StreamStats(ApiModel):
    """The stream's backlog: waiting, pending (delivered, not acknowledged), dead letters."""

    stream: str
    group: str | None
    length: int
    lag: int
    pending: int
    dead_letters: int
    oldest_waiting_age_seconds: Number
    consumers: list[JsonObject]


class DeadLetterOut(ApiModel):
    """A message a handler could not process."""

    id: str
    topic: str
    payload: JsonObject
    handler: str
    step: str
    error: str
    created_at: str


class DeadLetters(ApiModel):
    """The newest dead letters and how many there are."""

    dead_letters: list[DeadLetterOut]
    total: int
