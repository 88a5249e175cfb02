"""Candidates and their official campaign accounts, registered by KPU (election commission)
staff for the races of their region: at most the election's limit per candidate and
platform, valid at most for the campaign period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from salingjaga.audit.service import record
from salingjaga.auth.principal import Principal
from salingjaga.core.errors import Conflict, Forbidden, Invalid
from salingjaga.core.ids import new_id
from salingjaga.core.timeutil import utcnow
from salingjaga.partners.models import Partner
from salingjaga.regions.elections import Election, get_election
from salingjaga.regions.service import get_region, is_within
from salingjaga.rules import calendar as cal
from salingjaga.rules.common import ACTOR
from salingjaga.rules.models import CampaignAccount, Candidate

KPU_KIND = "election_commission"
REGISTRAR_ROLES = frozenset({"guide_editor", "partner_admin", "partner_reporter"})


def candidate_person_names(session: Session) -> list[str]:
    """Every registered candidate's personal name (for classification proposals)."""
    names: set[str] = set()
    for members in session.scalars(select(Candidate.members)):
        names.update(m for m in (members or []) if m)
    return sorted(names)


def _registrar_partner(session: Session, who: Principal, region_code: str | None) -> Partner | None:
    """Check the caller may act for KPU in the region; returns its partner (None for admin)."""
    if who.role == "admin":
        return None
    partner = session.get(Partner, who.partner_id) if who.partner_id else None
    if who.role not in REGISTRAR_ROLES or partner is None or partner.kind != KPU_KIND:
        raise Forbidden("only KPU (election commission) staff register candidates and campaign accounts",
                        reason="rules.not_kpu")
    if region_code is None and partner.region_code is not None:
        raise Forbidden(f"{partner.name} acts for region {partner.region_code}; a national race needs "
                        "national KPU staff", reason="rules.national_race",
                        params={"name": partner.name, "code": partner.region_code})
    if region_code is not None and not is_within(region_code, partner.region_code):
        raise Forbidden(f"{partner.name} acts for region {partner.region_code}, not {region_code}",
                        reason="rules.outside_region",
                        params={"name": partner.name, "code": partner.region_code, "region": region_code})
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
                      "a regency/city for a regent or mayor)", reason="rules.no_race")
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
        raise Conflict(f"ballot number {number} in {election.slug} / {key} is already {clash.name!r}",
                       reason="rules.ballot_number_taken", params={"n": number, "name": clash.name})
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
            raise Invalid(f"no candidate {ref.candidate_id} in {election.slug}", reason="rules.candidate_unknown",
                          params={"ref": ref.candidate_id})
        if cand.region_key != key:
            raise Invalid(f"candidate {cand.name!r} stands in {cand.region_key}, not {key}",
                          reason="rules.candidate_other_race", params={"name": cand.name})
        return cand
    if ref.number is None:
        raise Invalid("name the candidate: candidate_id, or candidate_number (and candidate_name)",
                      reason="rules.candidate_missing")
    cand = session.scalar(select(Candidate).where(
        Candidate.election == election.slug, Candidate.region_key == key, Candidate.number == ref.number))
    if cand is None:
        if not ref.name:
            raise Invalid(f"no candidate number {ref.number} in {election.slug} / {key}: register it first "
                          "or give candidate_name", reason="rules.candidate_number_unknown", params={"n": ref.number})
        return add_candidate(session, election.slug, region=region, number=ref.number, name=ref.name,
                             members=[p.strip() for p in ref.name.replace("–", "-").split(" - ") if p.strip()],
                             parties=[], who=who)
    if ref.name and ref.name.strip().lower() != cand.name.strip().lower():
        raise Conflict(f"candidate number {ref.number} in {election.slug} / {key} is {cand.name!r}, "
                       f"not {ref.name!r}", reason="rules.candidate_name_differs",
                       params={"n": ref.number, "name": cand.name, "given": ref.name})
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
        raise Invalid(f"{election.slug} has no campaign period", reason="rules.no_campaign_period")
    _race_level(election, region)
    partner = _registrar_partner(session, who, region)
    cand = _resolve_candidate(session, election, region, candidate, who)
    start = valid_from or campaign.start
    end = valid_to or campaign.end
    if start < campaign.start or end > campaign.end:
        raise Invalid(f"a campaign account is valid only within the campaign period "
                      f"{campaign.start} to {campaign.end}; it closes when the campaign ends",
                      reason="rules.outside_campaign", params={"start": str(campaign.start), "end": str(campaign.end)})
    if end < start:
        raise Invalid("valid_to is before valid_from", reason="period.reversed")
    # Lock the candidate row so two registrations cannot both take the last place.
    session.scalar(select(Candidate).where(Candidate.id == cand.id).with_for_update())
    dup = session.scalar(select(CampaignAccount).where(
        CampaignAccount.election == election.slug, CampaignAccount.platform == platform,
        CampaignAccount.platform_account == account))
    if dup is not None:
        raise Conflict(f"account {account} on {platform} is already registered in {election.slug} "
                       f"(registration {dup.id})", reason="rules.account_registered",
                       params={"ref": account, "platform": platform})
    limit = election.max_campaign_accounts_per_platform
    used = session.scalar(select(func.count()).select_from(CampaignAccount).where(
        CampaignAccount.candidate_id == cand.id, CampaignAccount.platform == platform)) or 0
    if used >= limit:
        raise Conflict(f"{cand.name!r} (number {cand.number}) already has {used} registered accounts on "
                       f"{platform}; {election.slug} allows at most {limit} per platform per candidate",
                       reason="rules.account_limit", params={"name": cand.name, "n": limit, "platform": platform})
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
        day = today or cal.today(reg.region_code)
        if registration_status(reg, day) != "closed":
            continue
        reg.closed_at = utcnow()
        record(session, actor, "rules.campaign_account_closed", "campaign_account", reg.id,
               {"election": reg.election, "platform": reg.platform, "account": reg.platform_account,
                "valid_to": str(reg.valid_to), "as_of": str(day)})
        closed.append(reg)
    return closed
