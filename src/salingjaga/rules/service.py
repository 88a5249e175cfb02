"""What the election rules do: feature gates with refusal records and escalation, GPPPA
classification, candidates and official campaign accounts, the campaign-content check on
the content stream, ad review and the calendar. No HTTP here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from salingjaga.audit.service import record
from salingjaga.auth.principal import SYSTEM, Principal
from salingjaga.content.models import ACCOUNT_KINDS, GPPPA_KINDS, Account, ContentItem
from salingjaga.content.service import get_account, suspended
from salingjaga.errors import Conflict, Forbidden, Invalid, NotFound
from salingjaga.ids import new_id
from salingjaga.partners.models import Partner
from salingjaga.regions.elections import Election, all_elections, get_election
from salingjaga.regions.service import get_region, is_within, province_of
from salingjaga.rules import calendar as cal
from salingjaga.rules.gates import GateDecision, evaluate, gate_table
from salingjaga.rules.matching import campaign_data, campaign_hits, political_hits, propose_kind, review_ad
from salingjaga.rules.models import (
    AdReview,
    CampaignAccount,
    CampaignFinding,
    Candidate,
    ClassificationProposal,
    GateEscalation,
    GateRefusal,
    PsaApproval,
)
from salingjaga.settings import Settings
from salingjaga.timeutil import utcnow

log = logging.getLogger("salingjaga.rules")

ACTOR = "system:rules"
KPU_KIND = "election_commission"
REGISTRAR_ROLES = frozenset({"guide_editor", "partner_admin", "partner_reporter"})


def _actor(who: Principal | str) -> str:
    return who if isinstance(who, str) else who.actor


def _today(region_code: str | None = None) -> date:
    return cal.local_date(utcnow(), region_code)


def _open_case(session: Session, **kwargs: Any) -> str | None:
    """Open (or join) a moderation case; the moderation domain is imported lazily so the rules
    work in a build without it (the finding is then kept, with no case id)."""
    try:
        from salingjaga.moderation.service import open_case
    except ModuleNotFoundError as exc:
        if exc.name and "salingjaga.moderation" in exc.name:
            log.warning("moderation is not installed: no case opened for %s", kwargs.get("content_id"))
            return None
        raise
    case = open_case(session, **kwargs)
    return str(getattr(case, "id", case)) if case is not None else None


# --- feature gates ----------------------------------------------------------------------


def active_psa_approval(session: Session, account: Account, day: date) -> PsaApproval | None:
    """The approval on record that covers ``day`` for a government account, if any."""
    rows = session.scalars(
        select(PsaApproval).where(PsaApproval.account_id == account.id, PsaApproval.revoked_at.is_(None))
        .order_by(PsaApproval.created_at)
    )
    for row in rows:
        if (row.valid_from is None or row.valid_from <= day) and (row.valid_to is None or day <= row.valid_to):
            return row
    return None


def account_facts(session: Session, account: Account, feature: str) -> frozenset[str]:
    """The facts the gate rules may test, looked up for one account and feature."""
    facts: set[str] = set()
    if suspended(account):
        facts.add("suspended")
    restricted = set(account.restricted_features or [])
    group = gate_table().features[feature].group
    if feature in restricted or group in restricted:
        facts.add("feature_restricted")
    if account.kind == "government" and active_psa_approval(session, account, _today(account.region_code)):
        facts.add("psa_approval")
    return frozenset(facts)


def decide_feature(session: Session, account: Account, feature: str) -> GateDecision:
    """Evaluate the gate without recording anything (used by ad review and the API)."""
    table = gate_table()
    if feature not in table.features:
        raise Invalid(f"unknown feature {feature!r}; known: {', '.join(table.features)}")
    return evaluate(table, account.kind, feature, account_facts(session, account, feature))


def check_feature(session: Session, account_ref: str, feature: str, *, source: str = "gate") -> tuple[
        Account, GateDecision]:
    """May the account use the feature? A refusal is stored, and repeats open a case."""
    account = get_account(session, account_ref)
    decision = decide_feature(session, account, feature)
    if not decision.allowed:
        record_refusal(session, account, decision, source=source)
    return account, decision


def record_refusal(session: Session, account: Account, decision: GateDecision, *, source: str) -> GateRefusal:
    """Store one refused attempt and escalate when the account keeps trying."""
    row = GateRefusal(id=new_id("ref"), account_id=account.id, account_kind=account.kind,
                      feature=decision.feature, rule=decision.rule, source=source,
                      escalates=decision.escalate, at=utcnow())
    session.add(row)
    session.flush()
    if decision.escalate:
        maybe_escalate(session, account)
    return row


def maybe_escalate(session: Session, account: Account) -> GateEscalation | None:
    """Open a gpppa_restrictions case once the account has ``threshold`` escalating refusals
    within the window and since its last escalation (so one burst opens one case)."""
    esc = gate_table().escalation
    now = utcnow()
    since = now - timedelta(hours=esc.window_hours)
    last = session.scalar(select(func.max(GateEscalation.at)).where(GateEscalation.account_id == account.id))
    if last is not None and last > since:
        since = last
    count = session.scalar(
        select(func.count()).select_from(GateRefusal).where(
            GateRefusal.account_id == account.id, GateRefusal.escalates.is_(True), GateRefusal.at > since)
    ) or 0
    if count < esc.threshold:
        return None
    features = sorted(set(session.scalars(
        select(GateRefusal.feature).where(GateRefusal.account_id == account.id, GateRefusal.at > since))))
    reason = (f"GPPPA account {account.handle} ({account.kind}) tried refused features "
              f"{count} times within {esc.window_hours:g} h: {', '.join(features)}")
    case_id = _open_gate_case(session, account, esc.policy, reason)
    row = GateEscalation(id=new_id("esc"), account_id=account.id, refusals=count, case_id=case_id, at=now)
    session.add(row)
    session.flush()
    record(session, ACTOR, "rules.gate_escalated", "account", account.id,
           {"refusals": count, "features": features, "case_id": case_id, "policy": esc.policy})
    return row


def _open_gate_case(session: Session, account: Account, policy: str, reason: str) -> str | None:
    """A case about the account, anchored on its most recent content item (cases are about
    content); an account with nothing taken in yet gets the escalation recorded, no case."""
    latest = session.scalar(
        select(ContentItem.id).where(ContentItem.account_id == account.id)
        .order_by(ContentItem.posted_at.desc()).limit(1))
    if latest is None:
        return None
    return _open_case(session, content_id=latest, policy=policy, source="rules", reason=reason,
                      actor=ACTOR, notify_partner_id=None)


def refusal_summary(session: Session, start: datetime, end: datetime) -> dict[str, Any]:
    """Refused attempts in [start, end) by feature, rule and account kind (transparency)."""
    base = select(GateRefusal).where(GateRefusal.at >= start, GateRefusal.at < end)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0

    def by(col: Any) -> dict[str, int]:
        rows = session.execute(
            select(col, func.count()).where(GateRefusal.at >= start, GateRefusal.at < end).group_by(col))
        return {str(k): int(v) for k, v in rows}

    accounts = session.scalar(
        select(func.count(func.distinct(GateRefusal.account_id))).where(
            GateRefusal.at >= start, GateRefusal.at < end)) or 0
    escalations = session.scalar(
        select(func.count()).select_from(GateEscalation).where(
            GateEscalation.at >= start, GateEscalation.at < end)) or 0
    return {"from": start, "to": end, "refusals": int(total), "accounts": int(accounts),
            "escalations": int(escalations), "by_feature": by(GateRefusal.feature),
            "by_rule": by(GateRefusal.rule), "by_account_kind": by(GateRefusal.account_kind)}


# --- public-service ad approvals -------------------------------------------------------------


def add_psa_approval(session: Session, account_ref: str, *, reference: str, note: str = "",
                     valid_from: date | None = None, valid_to: date | None = None,
                     actor: Principal | str = SYSTEM) -> PsaApproval:
    """Put a public-service ad approval on record for a government account."""
    account = get_account(session, account_ref)
    if account.kind != "government":
        raise Invalid(f"public-service ad approvals are for government accounts; {account.handle} "
                      f"is {account.kind}")
    if valid_from and valid_to and valid_to < valid_from:
        raise Invalid("valid_to is before valid_from")
    row = PsaApproval(id=new_id("psa"), account_id=account.id, reference=reference, note=note,
                      valid_from=valid_from, valid_to=valid_to, approved_by=_actor(actor))
    session.add(row)
    session.flush()
    record(session, actor, "rules.psa_approved", "account", account.id,
           {"approval": row.id, "reference": reference, "valid_from": str(valid_from), "valid_to": str(valid_to)})
    return row


def revoke_psa_approval(session: Session, approval_id: str, *, actor: Principal | str) -> PsaApproval:
    """Withdraw an approval; the account's ads are refused again from now on."""
    row = session.get(PsaApproval, approval_id)
    if row is None:
        raise NotFound(f"approval {approval_id} not found")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        record(session, actor, "rules.psa_revoked", "account", row.account_id, {"approval": row.id})
    return row


def list_psa_approvals(session: Session, account_ref: str) -> list[PsaApproval]:
    """Every approval of one account, oldest first."""
    account = get_account(session, account_ref)
    return list(session.scalars(
        select(PsaApproval).where(PsaApproval.account_id == account.id).order_by(PsaApproval.created_at)))


# --- classification ----------------------------------------------------------------------------


def set_account_kind(session: Session, account_ref: str, kind: str, *, source: str,
                     actor: Principal | str) -> Account:
    """Mark an account's kind (GPPPA or not). ``source`` "reviewer" pins it against later
    platform intake, which only overwrites kinds the platform itself set."""
    if kind not in ACCOUNT_KINDS:
        raise Invalid(f"unknown account kind {kind!r}; valid: {', '.join(ACCOUNT_KINDS)}")
    account = get_account(session, account_ref)
    before = account.kind
    if before != kind or account.kind_source != source:
        account.kind = kind
        account.kind_source = source
        record(session, actor, "account.kind_changed", "account", account.id,
               {"from": before, "to": kind, "source": source})
    return account


def candidate_person_names(session: Session) -> list[str]:
    """Every registered candidate's personal name (for classification proposals)."""
    names: set[str] = set()
    for members in session.scalars(select(Candidate.members)):
        names.update(m for m in (members or []) if m)
    return sorted(names)


def propose_classification(session: Session, account: Account) -> ClassificationProposal | None:
    """Propose a GPPPA kind for an ordinary account whose names suggest one; a person
    confirms. Idempotent: an account gets one proposal per kind, ever."""
    if account.kind in GPPPA_KINDS or account.kind_source == "reviewer":
        return None
    proposal = propose_kind(account.handle, account.display_name, account.bio or "",
                            candidate_person_names(session))
    if proposal is None:
        return None
    existing = session.scalar(select(ClassificationProposal).where(
        ClassificationProposal.account_id == account.id,
        ClassificationProposal.proposed_kind == proposal.kind))
    if existing is not None:
        return existing
    row = ClassificationProposal(id=new_id("cls"), account_id=account.id, proposed_kind=proposal.kind,
                                 evidence=proposal.evidence, status="pending")
    session.add(row)
    session.flush()
    record(session, ACTOR, "rules.classification_proposed", "account", account.id,
           {"proposal": row.id, "kind": proposal.kind, "evidence": proposal.evidence})
    return row


def propose_all(session: Session) -> int:
    """Scan every ordinary account; returns how many proposals exist for them afterwards."""
    count = 0
    for account in session.scalars(select(Account).where(Account.kind.in_(("personal", "business")))):
        if propose_classification(session, account) is not None:
            count += 1
    return count


def list_proposals(session: Session, status: str | None = "pending") -> list[ClassificationProposal]:
    """Proposals, oldest first, optionally of one status."""
    query = select(ClassificationProposal).order_by(ClassificationProposal.created_at)
    if status:
        query = query.where(ClassificationProposal.status == status)
    return list(session.scalars(query))


def decide_proposal(session: Session, proposal_id: str, *, confirm: bool, kind: str | None,
                    actor: Principal) -> ClassificationProposal:
    """Confirm (setting the account's kind) or reject a proposal; decided ones are final."""
    row = session.get(ClassificationProposal, proposal_id)
    if row is None:
        raise NotFound(f"proposal {proposal_id} not found")
    if row.status != "pending":
        raise Conflict(f"proposal {proposal_id} was already {row.status}")
    if confirm:
        final = kind or row.proposed_kind
        if final not in GPPPA_KINDS:
            raise Invalid(f"confirm with a GPPPA kind ({', '.join(sorted(GPPPA_KINDS))}); "
                          "reject the proposal to keep the account ordinary")
        set_account_kind(session, row.account_id, final, source="reviewer", actor=actor)
        row.status, row.decided_kind = "confirmed", final
    else:
        row.status = "rejected"
    row.decided_by, row.decided_at = actor.actor, utcnow()
    record(session, actor, f"rules.classification_{row.status}", "account", row.account_id,
           {"proposal": row.id, "kind": row.decided_kind})
    return row


# --- candidates and campaign accounts -----------------------------------------------------------


def _registrar_partner(session: Session, who: Principal, region_code: str | None) -> Partner | None:
    """Check the caller may act for KPU in the region; returns its partner (None for admin)."""
    if who.role == "admin":
        return None
    partner = session.get(Partner, who.partner_id) if who.partner_id else None
    if who.role not in REGISTRAR_ROLES or partner is None or partner.kind != KPU_KIND:
        raise Forbidden("only KPU (election commission) staff register candidates and campaign accounts")
    if region_code is None and partner.region_code is not None:
        raise Forbidden(f"{partner.name} acts for region {partner.region_code}; a national race needs "
                        "national KPU staff")
    if region_code is not None and not is_within(region_code, partner.region_code):
        raise Forbidden(f"{partner.name} acts for region {partner.region_code}, not {region_code}")
    return partner


def _race_level(election: Election, region_code: str | None) -> str:
    """Check the election holds a race for exactly this region; returns its level."""
    region = get_region(region_code) if region_code else None
    wanted = "national" if region is None else region.level
    races = cal.races_for(election, region)
    if not any(r.level == wanted for r in races):
        where = region.name if region else "the whole country"
        raise Invalid(f"{election.slug} holds no {wanted}-level race for {where}; "
                      "candidates belong to the region of their race (a province for a governor, "
                      "a regency/city for a regent or mayor)")
    return wanted


def add_candidate(session: Session, election_slug: str, *, region: str | None, number: int, name: str,
                  members: list[str], parties: list[str], who: Principal) -> Candidate:
    """Register a candidate (pair) for one race, as KPU."""
    election = get_election(election_slug)
    _race_level(election, region)
    _registrar_partner(session, who, region)
    key = region or "national"
    clash = session.scalar(select(Candidate).where(
        Candidate.election == election.slug, Candidate.region_key == key, Candidate.number == number))
    if clash is not None:
        raise Conflict(f"ballot number {number} in {election.slug} / {key} is already {clash.name!r}")
    row = Candidate(id=new_id("cdt"), election=election.slug, region_code=region, region_key=key,
                    number=number, name=name, members=members or [name], parties=parties,
                    created_by=who.actor)
    session.add(row)
    session.flush()
    record(session, who, "rules.candidate_added", "candidate", row.id,
           {"election": election.slug, "region": region, "number": number, "name": name})
    return row


def list_candidates(session: Session, election_slug: str, region: str | None = None) -> list[Candidate]:
    """Candidates of an election, optionally of one race region, by region and number."""
    election = get_election(election_slug)
    query = select(Candidate).where(Candidate.election == election.slug)
    if region is not None:
        query = query.where(Candidate.region_key == region)
    return list(session.scalars(query.order_by(Candidate.region_key, Candidate.number)))


def registration_status(reg: CampaignAccount, day: date) -> str:
    """pending before its validity, active within it, closed after (or once closed)."""
    if day < reg.valid_from:
        return "pending"
    if day > reg.valid_to:
        return "closed"
    return "active"


@dataclass(frozen=True)
class CandidateRef:
    """How a registration names its candidate: a known id, or number (and name) in its race."""

    candidate_id: str | None
    number: int | None
    name: str | None


def _resolve_candidate(session: Session, election: Election, region: str | None, ref: CandidateRef,
                       who: Principal) -> Candidate:
    key = region or "national"
    if ref.candidate_id:
        cand = session.get(Candidate, ref.candidate_id)
        if cand is None or cand.election != election.slug:
            raise Invalid(f"no candidate {ref.candidate_id} in {election.slug}")
        if cand.region_key != key:
            raise Invalid(f"candidate {cand.name!r} stands in {cand.region_key}, not {key}")
        return cand
    if ref.number is None:
        raise Invalid("name the candidate: candidate_id, or candidate_number (and candidate_name)")
    cand = session.scalar(select(Candidate).where(
        Candidate.election == election.slug, Candidate.region_key == key, Candidate.number == ref.number))
    if cand is None:
        if not ref.name:
            raise Invalid(f"no candidate number {ref.number} in {election.slug} / {key}: register it first "
                          "or give candidate_name")
        return add_candidate(session, election.slug, region=region, number=ref.number, name=ref.name,
                             members=[p.strip() for p in ref.name.replace("–", "-").split(" - ") if p.strip()],
                             parties=[], who=who)
    if ref.name and ref.name.strip().lower() != cand.name.strip().lower():
        raise Conflict(f"candidate number {ref.number} in {election.slug} / {key} is {cand.name!r}, "
                       f"not {ref.name!r}")
    return cand


def register_campaign_account(session: Session, election_slug: str, *, region: str | None,
                              candidate: CandidateRef, platform: str, account: str,
                              valid_from: date | None, valid_to: date | None,
                              who: Principal) -> CampaignAccount:
    """Register an official campaign account; at most the election's limit per candidate and
    platform, valid at most for the campaign period."""
    election = get_election(election_slug)
    campaign = election.period("campaign")
    if campaign is None:
        raise Invalid(f"{election.slug} has no campaign period")
    _race_level(election, region)
    partner = _registrar_partner(session, who, region)
    cand = _resolve_candidate(session, election, region, candidate, who)
    start = valid_from or campaign.start
    end = valid_to or campaign.end
    if start < campaign.start or end > campaign.end:
        raise Invalid(f"a campaign account is valid only within the campaign period "
                      f"{campaign.start} to {campaign.end}; it closes when the campaign ends")
    if end < start:
        raise Invalid("valid_to is before valid_from")
    # Lock the candidate row so two registrations cannot both take the last place.
    session.scalar(select(Candidate).where(Candidate.id == cand.id).with_for_update())
    dup = session.scalar(select(CampaignAccount).where(
        CampaignAccount.election == election.slug, CampaignAccount.platform == platform,
        CampaignAccount.platform_account == account))
    if dup is not None:
        raise Conflict(f"account {account} on {platform} is already registered in {election.slug} "
                       f"(registration {dup.id})")
    limit = election.max_campaign_accounts_per_platform
    used = session.scalar(select(func.count()).select_from(CampaignAccount).where(
        CampaignAccount.candidate_id == cand.id, CampaignAccount.platform == platform)) or 0
    if used >= limit:
        raise Conflict(f"{cand.name!r} (number {cand.number}) already has {used} registered accounts on "
                       f"{platform}; {election.slug} allows at most {limit} per platform per candidate")
    row = CampaignAccount(id=new_id("cam"), election=election.slug, region_code=region, candidate_id=cand.id,
                          platform=platform, platform_account=account, valid_from=start, valid_to=end,
                          registered_by=who.actor, registered_by_partner=partner.id if partner else None)
    session.add(row)
    session.flush()
    record(session, who, "rules.campaign_account_registered", "campaign_account", row.id,
           {"election": election.slug, "region": region, "candidate": cand.id, "platform": platform,
            "account": account, "valid_from": str(start), "valid_to": str(end)})
    return row


def list_campaign_accounts(session: Session, election_slug: str, *, region: str | None = None,
                           platform: str | None = None) -> list[tuple[CampaignAccount, Candidate]]:
    """Registrations of an election with their candidates."""
    election = get_election(election_slug)
    query = (select(CampaignAccount, Candidate).join(Candidate, Candidate.id == CampaignAccount.candidate_id)
             .where(CampaignAccount.election == election.slug))
    if region is not None:
        query = query.where(CampaignAccount.region_code == region)
    if platform is not None:
        query = query.where(CampaignAccount.platform == platform)
    rows = session.execute(query.order_by(Candidate.number, CampaignAccount.created_at))
    return [(r[0], r[1]) for r in rows]


def close_expired_campaign_accounts(session: Session, today: date | None = None,
                                    actor: str = ACTOR) -> list[CampaignAccount]:
    """Record the closure of every registration whose validity has ended (idempotent)."""
    closed = []
    rows = session.scalars(select(CampaignAccount).where(CampaignAccount.closed_at.is_(None)))
    for reg in rows:
        day = today or _today(reg.region_code)
        if registration_status(reg, day) != "closed":
            continue
        reg.closed_at = utcnow()
        record(session, actor, "rules.campaign_account_closed", "campaign_account", reg.id,
               {"election": reg.election, "platform": reg.platform, "account": reg.platform_account,
                "valid_to": str(reg.valid_to), "as_of": str(day)})
        closed.append(reg)
    return closed


# --- campaign content on the stream -------------------------------------------------------------


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
    row.case_id = _open_case(session, content_id=item.id, policy=str(campaign_data()["policy"]),
                             source="rules", reason=reason, actor=ACTOR,
                             notify_partner_id=partner.id if partner else None, settings=settings)
    record(session, ACTOR, "rules.campaign_finding", "content", item.id,
           {"findings": findings, "case_id": row.case_id, "notify_partner_id": row.notify_partner_id})


def finding_for(session: Session, content_id: str) -> CampaignFinding | None:
    """The campaign finding of one content item, if the rules found anything."""
    return session.get(CampaignFinding, content_id)


# --- ad review -----------------------------------------------------------------------------------


def review_advertisement(session: Session, *, advertiser: str, text: str, category: str,
                         ad_id: str | None = None) -> AdReview:
    """Review an ad: political content or an advertiser the gates refuse means rejection."""
    categories = campaign_data()["ads"]["categories"]
    if category not in categories:
        raise Invalid(f"unknown ad category {category!r}; valid: {', '.join(categories)}")
    account = get_account(session, advertiser)
    gate = decide_feature(session, account, "ads")
    names = [c.name for c in session.scalars(select(Candidate))] + candidate_person_names(session)
    decision, reasons = review_ad(gate, category, political_hits(text, names))
    if not gate.allowed:
        record_refusal(session, account, gate, source="ad_review")
    row = AdReview(id=new_id("adr"), ad_id=ad_id, account_id=account.id, category=category,
                   decision=decision, reasons=reasons, at=utcnow())
    session.add(row)
    session.flush()
    record(session, ACTOR, "rules.ad_reviewed", "account", account.id,
           {"review": row.id, "ad_id": ad_id, "decision": decision, "reasons": [r["code"] for r in reasons]})
    return row


# --- calendar ------------------------------------------------------------------------------------


def calendar_answer(day: date | None, region_code: str | None, settings: Settings) -> dict[str, Any]:
    """The elections, races and active periods for a region on a local calendar day, and the
    deadline that applies to new cases there."""
    region = get_region(region_code) if region_code else None
    day = day or _today(region_code)
    elections = cal.calendar(day, region_code)
    active = [{"election": e["election"], "period": p["period"]} for e in elections for p in e["active_periods"]]
    tight = any(a["period"] in ("quiet", "voting") for a in active)
    return {
        "date": day.isoformat(),
        "region": region.as_dict() if region else None,
        "timezone": cal.zone_name(region_code),
        "elections": elections,
        "active": active,
        "tight": tight,
        "deadline_hours": settings.deadline_hours_tight if tight else settings.deadline_hours_default,
    }
