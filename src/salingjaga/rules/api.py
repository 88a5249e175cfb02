"""Election-rules API: feature gates, classification, public-service ad approvals,
candidates and campaign accounts, the calendar and ad review."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from fastapi import Depends, Query
from sqlalchemy.orm import Session

from salingjaga.auth.deps import get_session, get_settings, public, require
from salingjaga.auth.principal import Principal
from salingjaga.content.service import get_account, set_account_kind
from salingjaga.core.errors import Invalid, NotFound
from salingjaga.core.routing import Router
from salingjaga.core.settings import Settings
from salingjaga.core.timeutil import utcnow
from salingjaga.regions.elections import get_election
from salingjaga.rules import ads, campaign_accounts, campaign_content, classification, gate_checks, psa_approvals
from salingjaga.rules import calendar as cal
from salingjaga.rules.gates import GateDecision, gate_table
from salingjaga.rules.models import CampaignAccount, Candidate, ClassificationProposal, PsaApproval
from salingjaga.rules.schemas import (
    AdReviewIn,
    AdReviewOut,
    CalendarOut,
    CampaignAccountIn,
    CampaignAccountOut,
    CandidateIn,
    CandidateOut,
    FeatureDecisionOut,
    FindingOut,
    GateTableOut,
    KindIn,
    KindOut,
    ProposalDecisionIn,
    ProposalOut,
    PsaApprovalIn,
    PsaApprovalOut,
    RefusalSummary,
    ScanOut,
)

router = Router(prefix="/api/v1", tags=["rules"])


def _decision_out(account_id: str, kind: str, d: GateDecision) -> dict[str, Any]:
    return {"account_id": account_id, "account_kind": kind, "feature": d.feature, "allowed": d.allowed,
            "rule": d.rule, "reason": d.reason.get("en", ""), "reason_i18n": d.reason}


def _candidate_out(c: Candidate) -> dict[str, Any]:
    return {"id": c.id, "election": c.election, "region": c.region_code, "number": c.number,
            "name": c.name, "members": list(c.members or []), "parties": list(c.parties or [])}


def _registration_out(r: CampaignAccount, c: Candidate, day: date | None = None) -> dict[str, Any]:
    today = day or cal.local_date(utcnow(), r.region_code)
    return {"id": r.id, "election": r.election, "region": r.region_code, "candidate": _candidate_out(c),
            "platform": r.platform, "account": r.platform_account, "valid_from": r.valid_from,
            "valid_to": r.valid_to, "status": campaign_accounts.registration_status(r, today),
            "closed_at": r.closed_at, "registered_by": r.registered_by}


def _proposal_out(p: ClassificationProposal) -> dict[str, Any]:
    return {"id": p.id, "account_id": p.account_id, "proposed_kind": p.proposed_kind,
            "evidence": list(p.evidence or []), "status": p.status, "decided_kind": p.decided_kind,
            "decided_by": p.decided_by, "created_at": p.created_at}


def _approval_out(a: PsaApproval) -> dict[str, Any]:
    return {"id": a.id, "account_id": a.account_id, "reference": a.reference, "note": a.note,
            "valid_from": a.valid_from, "valid_to": a.valid_to, "approved_by": a.approved_by,
            "revoked_at": a.revoked_at}


# --- feature gates ---------------------------------------------------------------------------


@router.get("/accounts/{account_id}/features/{feature}", response_model=FeatureDecisionOut)
def check_feature(
    account_id: str,
    feature: str,
    session: Session = Depends(get_session),
    _: Principal = Depends(require("rules.features.check")),
) -> dict[str, Any]:
    """May the account use the feature? Refusals are recorded; repeated ones open a case."""
    account, decision = gate_checks.check_feature(session, account_id, feature)
    return _decision_out(account.id, account.kind, decision)


@router.get("/accounts/{account_id}/features", response_model=list[FeatureDecisionOut])
def list_features(
    account_id: str,
    session: Session = Depends(get_session),
    _: Principal = Depends(require("rules.features.check")),
) -> list[dict[str, Any]]:
    """Every feature's decision for the account (an overview: records no attempt)."""
    account = get_account(session, account_id)
    return [_decision_out(account.id, account.kind, gate_checks.decide_feature(session, account, f))
            for f in gate_table().features]


@router.get("/rules/features", dependencies=[Depends(public)], response_model=GateTableOut)
def feature_rules() -> dict[str, Any]:
    """The gate table in force: features and ordered rules (the rules are public)."""
    table = gate_table()
    return {
        "features": {f.code: {"group": f.group, "name": f.name} for f in table.features.values()},
        "rules": [{"id": r.id, "kinds": sorted(r.kinds) if r.kinds is not None else ["*"],
                   "features": sorted(r.features) if r.features is not None else ["*"],
                   "when": sorted(r.when), "unless": sorted(r.unless), "effect": r.effect,
                   "escalate": r.escalate, "reason": r.reason} for r in table.rules],
        "escalation": {"threshold": table.escalation.threshold,
                       "window_hours": table.escalation.window_hours, "policy": table.escalation.policy},
    }


@router.get("/rules/refusals/summary", response_model=RefusalSummary)
def refusals_summary(
    from_: date = Query(alias="from", description="first day (UTC)"),
    to: date = Query(description="last day, inclusive (UTC)"),
    session: Session = Depends(get_session),
    _: Principal = Depends(require("rules.refusals.read")),
) -> dict[str, Any]:
    """Refused feature attempts in a period, for transparency reports."""
    if to < from_:
        raise Invalid("'to' is before 'from'", reason="period.reversed")
    start = datetime(from_.year, from_.month, from_.day, tzinfo=utcnow().tzinfo)
    end = datetime(to.year, to.month, to.day, tzinfo=utcnow().tzinfo) + timedelta(days=1)
    return gate_checks.refusal_summary(session, start, end)


# --- classification -----------------------------------------------------------------------------


@router.put("/accounts/{account_id}/kind", response_model=KindOut)
def set_kind(
    account_id: str,
    body: KindIn,
    session: Session = Depends(get_session),
    who: Principal = Depends(require("rules.accounts.classify")),
) -> dict[str, Any]:
    """Mark an account GPPPA (or not): the platform's own marking, or a reviewer's decision."""
    account = set_account_kind(session, account_id, body.kind, who, source=body.source)
    return {"id": account.id, "kind": account.kind, "kind_source": account.kind_source, "gpppa": account.gpppa}


@router.get("/rules/classification-proposals", response_model=list[ProposalOut])
def list_proposals(
    status: str | None = Query(default="pending", description="pending, confirmed, rejected; empty for all"),
    session: Session = Depends(get_session),
    _: Principal = Depends(require("rules.proposals.read")),
) -> list[dict[str, Any]]:
    """Accounts the system proposes to classify as GPPPA, for a person to confirm."""
    return [_proposal_out(p) for p in classification.list_proposals(session, status or None)]


@router.post("/rules/classification-proposals/scan", response_model=ScanOut)
def scan_proposals(
    session: Session = Depends(get_session),
    _: Principal = Depends(require("rules.proposals.decide")),
) -> dict[str, int]:
    """Look at every ordinary account again (after new candidates are registered)."""
    return {"proposals": classification.propose_all(session)}


@router.post("/rules/classification-proposals/{proposal_id}/decision", response_model=ProposalOut)
def decide_proposal(
    proposal_id: str,
    body: ProposalDecisionIn,
    session: Session = Depends(get_session),
    who: Principal = Depends(require("rules.proposals.decide")),
) -> dict[str, Any]:
    """Confirm (the account becomes GPPPA) or reject a proposal."""
    row = classification.decide_proposal(session, proposal_id, confirm=body.decision == "confirm", kind=body.kind,
                                  actor=who)
    return _proposal_out(row)


# --- public-service ad approvals ---------------------------------------------------------------------


@router.post("/accounts/{account_id}/psa-approvals", status_code=201, response_model=PsaApprovalOut)
def add_approval(
    account_id: str,
    body: PsaApprovalIn,
    session: Session = Depends(get_session),
    who: Principal = Depends(require("rules.psa.manage")),
) -> dict[str, Any]:
    """Put on record that a government body may run public-service ads."""
    row = psa_approvals.add_psa_approval(session, account_id, reference=body.reference, note=body.note,
                                   valid_from=body.valid_from, valid_to=body.valid_to, actor=who)
    return _approval_out(row)


@router.get("/accounts/{account_id}/psa-approvals", response_model=list[PsaApprovalOut])
def list_approvals(
    account_id: str,
    session: Session = Depends(get_session),
    _: Principal = Depends(require("rules.psa.read")),
) -> list[dict[str, Any]]:
    """The account's approvals, revoked ones included."""
    return [_approval_out(a) for a in psa_approvals.list_psa_approvals(session, account_id)]


@router.post("/rules/psa-approvals/{approval_id}/revoke", response_model=PsaApprovalOut)
def revoke_approval(
    approval_id: str,
    session: Session = Depends(get_session),
    who: Principal = Depends(require("rules.psa.manage")),
) -> dict[str, Any]:
    """Withdraw an approval."""
    return _approval_out(psa_approvals.revoke_psa_approval(session, approval_id, actor=who))


# --- candidates and campaign accounts ------------------------------------------------------------


@router.post("/elections/{slug}/candidates", status_code=201, response_model=CandidateOut)
def add_candidate(
    slug: str,
    body: CandidateIn,
    session: Session = Depends(get_session),
    who: Principal = Depends(require("rules.campaign_accounts.register")),
) -> dict[str, Any]:
    """Register a candidate (pair) for a race (KPU staff)."""
    row = campaign_accounts.add_candidate(session, slug, region=body.region, number=body.number, name=body.name,
                                members=body.members, parties=body.parties, who=who)
    return _candidate_out(row)


@router.get("/elections/{slug}/candidates", response_model=list[CandidateOut],
            dependencies=[Depends(public)])
def list_candidates(
    slug: str,
    region: str | None = Query(default=None, description="race region; 'national' for national races"),
    session: Session = Depends(get_session),
) -> list[dict[str, Any]]:
    """Registered candidates of an election, as text (public, like the guide's lists)."""
    return [_candidate_out(c) for c in campaign_accounts.list_candidates(session, slug, region)]


@router.post("/elections/{slug}/campaign-accounts", status_code=201, response_model=CampaignAccountOut)
def register_campaign_account(
    slug: str,
    body: CampaignAccountIn,
    session: Session = Depends(get_session),
    who: Principal = Depends(require("rules.campaign_accounts.register")),
) -> dict[str, Any]:
    """Register an official campaign account (KPU staff); 409 beyond the per-platform limit."""
    row = campaign_accounts.register_campaign_account(
        session, slug, region=body.region,
        candidate=campaign_accounts.CandidateRef(body.candidate_id, body.candidate_number, body.candidate_name),
        platform=body.platform, account=body.account, valid_from=body.valid_from, valid_to=body.valid_to,
        who=who)
    cand = session.get(Candidate, row.candidate_id)
    assert cand is not None
    return _registration_out(row, cand)


@router.get("/elections/{slug}/campaign-accounts", response_model=list[CampaignAccountOut])
def list_campaign_accounts(
    slug: str,
    region: str | None = None,
    platform: str | None = None,
    on: date | None = Query(default=None, description="status as of this local date (default today)"),
    session: Session = Depends(get_session),
    _: Principal = Depends(require("rules.campaign_accounts.read")),
) -> list[dict[str, Any]]:
    """Registered campaign accounts with their status on a date."""
    get_election(slug)
    return [_registration_out(r, c, on) for r, c in
            campaign_accounts.list_campaign_accounts(session, slug, region=region, platform=platform)]


@router.get("/rules/findings/{content_id}", response_model=FindingOut)
def get_finding(
    content_id: str,
    session: Session = Depends(get_session),
    _: Principal = Depends(require("rules.findings.read")),
) -> dict[str, Any]:
    """What the campaign rules found in a content item and the case they opened."""
    row = campaign_content.finding_for(session, content_id)
    if row is None:
        raise NotFound(f"no campaign-rule finding for content {content_id}", reason="rules.no_finding",
                       params={"ref": content_id})
    return {"content_id": row.content_id, "findings": row.findings, "region": row.region_code,
            "notify_partner_id": row.notify_partner_id, "case_id": row.case_id, "at": row.at}


# --- calendar and ads ------------------------------------------------------------------------------


@router.get("/calendar", dependencies=[Depends(public)], response_model=CalendarOut)
def calendar(
    region: str | None = Query(default=None, description="Kemendagri code; omit for national"),
    date_: date | None = Query(default=None, alias="date",
                               description="a calendar day in the region (YYYY-MM-DD); default today there"),
    settings: Settings = Depends(get_settings),
) -> dict[str, Any]:
    """Which elections, races and periods (campaign, quiet, voting, counting) are active."""
    return cal.calendar_answer(date_, region, settings)


@router.post("/ads/review", response_model=AdReviewOut)
def review_ad(
    body: AdReviewIn,
    session: Session = Depends(get_session),
    _: Principal = Depends(require("rules.ads.review")),
) -> dict[str, Any]:
    """Approve or reject an ad: political content or a GPPPA advertiser is rejected."""
    text = "\n".join(p for p in (body.title, body.text, " ".join("#" + h.lstrip("#") for h in body.hashtags),
                                 body.landing_url or "") if p)
    row = ads.review_advertisement(session, advertiser=body.advertiser, text=text, category=body.category,
                                       ad_id=body.ad_id)
    return {"id": row.id, "ad_id": row.ad_id, "decision": row.decision, "reasons": row.reasons}
