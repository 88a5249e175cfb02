"""API shapes of transparency reports."""

from __future__ import annotations

from pydantic import Field

from salingjaga.core.apimodel import ApiModel, JsonObject, Number


class ReportPeriod(ApiModel):
    """The scope a report covers (WIB days, both included)."""

    from_: str = Field(alias="from")
    to: str
    timezone: str
    election: str | None
    region: str | None


class Timing(ApiModel):
    """Time from receipt to decision."""

    decided: int
    median_seconds: Number | None
    p90_seconds: Number | None
    median_hours: Number | None
    p90_hours: Number | None


class PeriodReport(ApiModel):
    """The period report: actions by policy, type, source and automation; notices per
    partner kind; time to decision; appeals; fact-check referrals; GPPPA refusals; guide
    reach. A section that an installation lacks is null, with a note saying why."""

    period: ReportPeriod
    generated_at: str
    definitions: dict[str, str]
    totals: JsonObject
    actions_by_policy: JsonObject
    actions_by_policy_action: JsonObject
    actions_by_action: dict[str, int]
    actions_by_source: JsonObject
    automation: dict[str, int]
    actions_per_day: list[dict[str, int | str]]
    notices: JsonObject
    time_to_decision: JsonObject
    appeals: JsonObject
    fact_checks: JsonObject | None
    gpppa_refusals: JsonObject | None
    guide_reach: JsonObject | None
    notes: list[str]


class ReportPartnerRef(ApiModel):
    """The partner a report is about."""

    id: str
    name: str
    kind: str
    organisation: str
    trusted: bool
    jurisdiction: str


class PartnerReport(ApiModel):
    """A partner's notices by policy and by the action taken (DSA Art. 22(3))."""

    partner: ReportPartnerRef
    period: ReportPeriod
    notices: int
    decided: int
    actioned: int
    actioned_share: Number | None
    by_policy: dict[str, int]
    by_action: dict[str, int]
    by_policy_action: dict[str, dict[str, int]]
    time_to_decision: Timing
