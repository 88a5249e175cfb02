"""API shapes of regions and elections."""

from __future__ import annotations

from typing import Literal

from salingjaga.core.apimodel import ApiModel, I18n


class RegionOut(ApiModel):
    """A province or regency/city with its Kemendagri code."""

    code: str
    name: str
    level: Literal["province", "regency"]
    type: str
    province_code: str


class PeriodOut(ApiModel):
    """An election period, first and last day."""

    start: str
    end: str


class ScopeOut(ApiModel):
    """Where an election is held."""

    province_count: int
    regency_count: int
    provinces: list[str]
    regencies: list[str]


class ElectionOut(ApiModel):
    """An election with its calendar and scope."""

    slug: str
    kind: str
    name: I18n
    voting_day: str
    periods: dict[str, PeriodOut]
    scope: ScopeOut
    max_campaign_accounts_per_platform: int
