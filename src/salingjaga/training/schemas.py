"""API shapes of the practice sandbox."""

from __future__ import annotations

from typing import Literal

from salingjaga.core.apimodel import ApiModel, I18n, JsonObject, Timestamp


class ModuleOut(ApiModel):
    """A practice module: a post to judge (the answer key is not shown)."""

    id: str
    order: int
    title: I18n
    platform: str
    author: str
    post: str
    media: dict[str, str]
    url: str
    region: str
    election: str


class PracticeGrade(ApiModel):
    """A practice notice's grade: each check, the score and the answer key's reasoning."""

    id: str
    module: str
    score: int
    passed: bool
    checks: list[JsonObject]
    reasoning: I18n
    practice: Literal[True]


class ModuleProgress(ApiModel):
    """One module's attempts and best score."""

    id: str
    attempts: int
    best_score: int
    passed: bool


class ProgressOut(ApiModel):
    """A trainee's modules, practice score and certificate."""

    modules: list[ModuleProgress]
    done: int
    total: int
    score: int
    completed_at: Timestamp | None
    certificate: str | None


class CompletionRow(ApiModel):
    """Partner staff of one region and how many completed training."""

    code: str
    staff: int
    completed: int


class CompletionTotal(ApiModel):
    """The rows added up."""

    staff: int
    completed: int


class CompletionOut(ApiModel):
    """Training completion per province (or per regency/city of ``province``)."""

    province: str | None
    rows: list[CompletionRow]
    total: CompletionTotal
