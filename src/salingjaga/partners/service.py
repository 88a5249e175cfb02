"""Partners: creation, look-up and the jurisdiction rule that decides who sees what."""

from __future__ import annotations

import re
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from salingjaga.audit.service import record
from salingjaga.auth.principal import SYSTEM, Principal
from salingjaga.core.bulk import held_by_id
from salingjaga.core.errors import Invalid, NotFound
from salingjaga.core.ids import new_id
from salingjaga.core.outbound import STRICT, BlockedDestination, OutboundPolicy, check_url
from salingjaga.partners.models import PARTNER_KINDS, Partner
from salingjaga.policies.service import validate_policy_codes
from salingjaga.regions.service import get_region, is_within


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80] or "org"


def create_partner(
    session: Session,
    *,
    name: str,
    kind: str,
    region: str | None = None,
    organisation: str | None = None,
    trusted: bool = False,
    policies: list[str] | None = None,
    contact_email: str | None = None,
    webhook_url: str | None = None,
    webhook_policy: OutboundPolicy = STRICT,
    actor: Principal = SYSTEM,
) -> Partner:
    """Create a partner after validating kind, region, policy areas and the webhook URL
    (``webhook_policy``: the deployment's allowed private destinations)."""
    if kind not in PARTNER_KINDS:
        raise Invalid(f"unknown partner kind {kind!r}; valid: {', '.join(PARTNER_KINDS)}",
                      reason="partner.kind_unknown")
    if region is not None:
        get_region(region)
    policy_areas = validate_policy_codes(list(policies or []))
    if trusted and not policy_areas:
        raise Invalid("a trusted flagger needs at least one policy area (policies)",
                      reason="partner.trusted_without_policy")
    if webhook_url is not None:
        check_webhook_url(webhook_url, webhook_policy, field="webhook_url")
    partner = Partner(
        id=new_id("prt"),
        name=name,
        kind=kind,
        region_code=region,
        organisation=organisation or _slug(name),
        trusted=trusted,
        policy_areas=policy_areas,
        contact_email=contact_email,
        webhook_url=webhook_url,
    )
    session.add(partner)
    session.flush()
    record(
        session,
        actor,
        "partner.created",
        "partner",
        partner.id,
        {"kind": kind, "region": region, "trusted": trusted, "policies": policy_areas},
    )
    return partner


def check_webhook_url(url: str, policy: OutboundPolicy, *, field: str = "url") -> None:
    """Refuse a webhook URL the server must never call (not http(s), or an internal address
    such as loopback, private or cloud metadata), with a 422 naming the reason. Sending
    checks again at every connection, since DNS can change after this."""
    try:
        check_url(url, policy)
    except BlockedDestination as exc:
        raise Invalid(f"{field}: {exc}", reason="webhook.refused") from exc


def new_webhook_secret() -> str:
    """A fresh webhook signing secret."""
    return "whsec_" + secrets.token_urlsafe(32)


def get_partner(session: Session, partner_id: str) -> Partner:
    """The partner, or 404."""
    partner = session.get(Partner, partner_id)
    if partner is None:
        raise NotFound(f"partner {partner_id} not found", reason="partner.unknown", params={"ref": partner_id})
    return partner


def partners_by_id(session: Session, partner_ids: list[str]) -> dict[str, Partner]:
    """The partners with these ids, in one read at most (the session's own objects cost
    none, as with ``session.get``); an unknown id is left out."""
    wanted = set(partner_ids)
    found = held_by_id(session, Partner, wanted)
    if wanted - found.keys():
        found.update((p.id, p) for p in session.scalars(select(Partner).where(Partner.id.in_(wanted - found.keys()))))
    return found


def list_partners(session: Session) -> list[Partner]:
    """All partners, by name."""
    return list(session.scalars(select(Partner).order_by(Partner.name)))


def can_see(viewer: Partner, owner: Partner) -> bool:
    """Jurisdiction rule: same organisation, and the owner's region inside the viewer's.

    A national Bawaslu sees every Bawaslu notice; a provincial one sees its own and its
    regencies'; nobody sees another organisation's.
    """
    if viewer.id == owner.id:
        return True
    if viewer.organisation != owner.organisation:
        return False
    if owner.region_code is None:
        return viewer.region_code is None
    return is_within(owner.region_code, viewer.region_code)


def visible_partner_ids(session: Session, viewer_id: str) -> list[str]:
    """Ids of every partner whose notices ``viewer_id`` may see (itself included)."""
    viewer = get_partner(session, viewer_id)
    same_org = session.scalars(select(Partner).where(Partner.organisation == viewer.organisation))
    return [p.id for p in same_org if can_see(viewer, p)]


def covers_policy(partner: Partner, policy: str) -> bool:
    """Whether a trusted flagger's status covers this policy area (priority applies)."""
    return bool(partner.trusted and policy in (partner.policy_areas or []))


def in_jurisdiction(partner: Partner, region: str) -> bool:
    """Whether ``region`` lies within the partner's jurisdiction (a national partner's
    covers every region; a province's covers its regencies and cities)."""
    return is_within(region, partner.region_code)
