"""The campaign-content check on the content stream: a registered campaign account posting
in a no-campaign period, or an unregistered account campaigning in a watched period, opens
a campaign_rules case and notifies the region's Bawaslu (election supervisor).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from salingjaga.audit.service import record
from salingjaga.content.models import Account, ContentItem
from salingjaga.core.settings import Settings
from salingjaga.core.timeutil import utcnow
from salingjaga.partners.models import Partner
from salingjaga.regions.elections import all_elections
from salingjaga.regions.service import is_within, province_of
from salingjaga.rules import calendar as cal
from salingjaga.rules.campaign_accounts import registration_status
from salingjaga.rules.classification import propose_classification
from salingjaga.rules.common import ACTOR, open_case
from salingjaga.rules.matching import campaign_data, campaign_hits
from salingjaga.rules.models import CampaignAccount, CampaignFinding, Candidate


def bawaslu_for(session: Session, region_code: str | None) -> Partner | None:
    """The election supervisor whose jurisdiction is the region: the regency's Bawaslu, else
    the province's, else the national one."""
    partners = [p for p in session.scalars(select(Partner).where(Partner.active.is_(True)))
                if p.organisation == "bawaslu" or p.kind == "election_supervisor"]
    order: list[str | None] = []
    if region_code:
        order.append(region_code)
        if "." in region_code:
            order.append(province_of(region_code))
    order.append(None)
    for code in order:
        found = sorted((p for p in partners if p.region_code == code),
                       key=lambda p: (p.organisation != "bawaslu", p.created_at))
        if found:
            return found[0]
    return None


def campaign_findings(session: Session, item: ContentItem, account: Account) -> tuple[list[dict[str, Any]], str | None]:
    """What breaks the campaign rules in one item, and the region the finding concerns."""
    rules = campaign_data()
    no_campaign = set(rules["no_campaign_periods"])
    watch = set(rules["watch_periods"])
    hits = campaign_hits(item.text_for_detection())
    regs = list(session.scalars(select(CampaignAccount).where(
        CampaignAccount.platform_account == account.platform_id)))
    findings: list[dict[str, Any]] = []
    region = item.region_code or account.region_code
    flagged: set[str] = set()
    for reg in regs:
        election = all_elections().get(reg.election)
        if election is None:
            continue
        where = item.region_code if (item.region_code and reg.region_code
                                     and is_within(item.region_code, reg.region_code)) else reg.region_code
        day = cal.local_date(item.posted_at, where)
        periods = [p.name for p in election.periods if p.contains(day) and p.name in no_campaign]
        if periods:
            cand = session.get(Candidate, reg.candidate_id)
            findings.append({
                "rule": "registered_account_in_quiet_period", "election": election.slug,
                "period": periods[0], "date": day.isoformat(), "registration": reg.id,
                "candidate": cand.name if cand else None, "region": reg.region_code,
                "campaign_phrases": hits,
            })
            flagged.add(election.slug)
            region = where or region
    if hits:
        day = cal.local_date(item.posted_at, region)
        for election in all_elections().values():
            if election.slug in flagged:
                continue
            periods = [p for p in cal.active_period_names(day, region, election) if p in watch]
            if not periods:
                continue
            covered = any(r.election == election.slug and registration_status(r, day) == "active" for r in regs)
            if covered:
                continue
            findings.append({
                "rule": "unregistered_campaign_account", "election": election.slug, "period": periods[0],
                "date": day.isoformat(), "campaign_phrases": hits, "region": region,
            })
    return findings, region


def _describe(findings: list[dict[str, Any]], account: Account) -> str:
    parts = []
    for f in findings:
        if f["rule"] == "registered_account_in_quiet_period":
            parts.append(f"registered campaign account {account.handle} (for {f['candidate']}) posted on "
                         f"{f['date']}, in the {f['period']} period of {f['election']}")
        else:
            parts.append(f"account {account.handle} is not a registered campaign account but the post "
                         f"campaigns ({', '.join(f['campaign_phrases'])}) during the {f['period']} period "
                         f"of {f['election']}")
    return "; ".join(parts)


def handle_content(session: Session, payload: dict[str, Any], settings: Settings) -> None:
    """Stream handler for "content": propose a GPPPA classification for the author and open a
    campaign_rules case for campaign-rule breaches, notifying the region's Bawaslu.
    Idempotent: the finding row keyed by the content id is written once."""
    content_id = payload.get("content_id")
    if not content_id:
        return
    item = session.get(ContentItem, content_id)
    if item is None:
        return
    account = session.get(Account, item.account_id)
    if account is None:
        return
    propose_classification(session, account)
    if session.get(CampaignFinding, item.id) is not None:
        return
    findings, region = campaign_findings(session, item, account)
    if not findings:
        return
    partner = bawaslu_for(session, region)
    row = CampaignFinding(content_id=item.id, findings=findings, region_code=region,
                          notify_partner_id=partner.id if partner else None, at=utcnow())
    session.add(row)
    session.flush()
    reason = _describe(findings, account)
    row.case_id = open_case(session, content_id=item.id, policy=str(campaign_data()["policy"]),
                             source="rules", reason=reason, actor=ACTOR,
                             notify_partner_id=partner.id if partner else None, settings=settings)
    record(session, ACTOR, "rules.campaign_finding", "content", item.id,
           {"findings": findings, "case_id": row.case_id, "notify_partner_id": row.notify_partner_id})


def finding_for(session: Session, content_id: str) -> CampaignFinding | None:
    """The campaign finding of one content item, if the rules found anything."""
    return session.get(CampaignFinding, content_id)
