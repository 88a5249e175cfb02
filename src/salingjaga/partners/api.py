"""Partner organisations, their members, API keys and webhook; plus users and ``/me``."""

from __future__ import annotations

from typing import Any

from fastapi import Depends
from sqlalchemy.orm import Session

from salingjaga.audit.service import record
from salingjaga.auth.deps import get_session, get_settings, require
from salingjaga.auth.invitations import invite
from salingjaga.auth.models import User
from salingjaga.auth.principal import Principal
from salingjaga.auth.roles import PARTNER_ROLES
from salingjaga.auth.service import create_api_key, create_partner_member, create_user
from salingjaga.core.errors import APIError, Forbidden, NotFound
from salingjaga.core.outbound import OutboundPolicy
from salingjaga.core.routing import Router
from salingjaga.core.secretbox import seal
from salingjaga.core.settings import Settings
from salingjaga.partners.models import Partner
from salingjaga.partners.schemas import (
    InvitationIn,
    InvitationOut,
    MeOut,
    PartnerCreated,
    PartnerIn,
    PartnerOut,
    UserCreated,
    UserIn,
    WebhookIn,
    WebhookOut,
)
from salingjaga.partners.service import (
    check_webhook_url,
    create_partner,
    get_partner,
    list_partners,
    new_webhook_secret,
)
from salingjaga.web.invite import send_invitation

router = Router(prefix="/api/v1", tags=["partners"])


def partner_out(p: Partner) -> dict[str, Any]:
    """The API shape of a partner."""
    return {
        "id": p.id,
        "name": p.name,
        "organisation": p.organisation,
        "kind": p.kind,
        "region": p.region_code,
        "jurisdiction": p.jurisdiction,
        "trusted": p.trusted,
        "policies": list(p.policy_areas or []),
        "contact_email": p.contact_email,
        "webhook_url": p.webhook_url,
        "created_at": p.created_at,
    }


def user_out(u: User) -> dict[str, Any]:
    """The API shape of a user."""
    return {"id": u.id, "name": u.name, "role": u.role, "partner_id": u.partner_id, "email": u.email}


@router.post("/partners", status_code=201, response_model=PartnerCreated)
def post_partner(
    body: PartnerIn,
    session: Session = Depends(get_session),
    settings: Settings = Depends(get_settings),
    who: Principal = Depends(require("partners.create")),
) -> dict[str, Any]:
    """Create a partner and its first API key (a partner_reporter key, shown once)."""
    partner = create_partner(
        session,
        name=body.name,
        kind=body.kind,
        region=body.region,
        organisation=body.organisation,
        trusted=body.trusted,
        policies=body.policies,
        contact_email=body.contact_email,
        webhook_url=body.webhook_url,
        webhook_policy=OutboundPolicy.from_setting(settings.webhook_allow_private),
        actor=who,
    )
    user = create_user(
        session, name=f"{partner.name} (API)", role="partner_reporter", partner_id=partner.id,
        actor=who,
    )
    key = create_api_key(session, user.id, label="initial", actor=who)
    return {**partner_out(partner), "api_key": key}


@router.get("/partners", response_model=list[PartnerOut])
def get_partners(
    session: Session = Depends(get_session),
    _: Principal = Depends(require("partners.list")),
) -> list[dict[str, Any]]:
    """Every partner."""
    return [partner_out(p) for p in list_partners(session)]


def _own_partner_or_staff(who: Principal, partner_id: str) -> None:
    if who.role in PARTNER_ROLES and who.partner_id != partner_id:
        raise NotFound(f"partner {partner_id} not found", reason="partner.unknown", params={"ref": partner_id})


@router.get("/partners/{partner_id}", response_model=PartnerOut)
def get_partner_detail(
    partner_id: str,
    session: Session = Depends(get_session),
    who: Principal = Depends(require("partners.read")),
) -> dict[str, Any]:
    """One partner; partner staff see only their own organisation."""
    _own_partner_or_staff(who, partner_id)
    return partner_out(get_partner(session, partner_id))


@router.post("/partners/{partner_id}/users", status_code=201, response_model=UserCreated)
def post_partner_user(
    partner_id: str,
    body: UserIn,
    session: Session = Depends(get_session),
    who: Principal = Depends(require("partners.members")),
) -> dict[str, Any]:
    """Add a member to a partner; a partner admin may add only partner roles to its own.

    A partner admin never learns whether an e-mail address belongs to staff or another
    partner: such an address gets the same answer as a free one (``create_partner_member``);
    staff, who see every account anyway, get the plain 409."""
    _own_partner_or_staff(who, partner_id)
    if who.role == "partner_admin" and body.role not in PARTNER_ROLES:
        raise Forbidden("a partner admin may only add partner_reporter or partner_admin members",
                        reason="member.role_not_partner")
    get_partner(session, partner_id)
    if who.role in PARTNER_ROLES:
        user = create_partner_member(
            session, name=body.name, role=body.role, partner_id=partner_id, email=body.email,
            password=body.password, language=body.language, actor=who,
        )
        key = create_api_key(session, user.id, actor=who)
        return {**user_out(user), "email": body.email, "api_key": key}
    user = create_user(
        session, name=body.name, role=body.role, partner_id=partner_id, email=body.email,
        password=body.password, language=body.language, actor=who,
    )
    key = create_api_key(session, user.id, actor=who)
    return {**user_out(user), "api_key": key}


@router.post("/partners/{partner_id}/invitations", status_code=201, response_model=InvitationOut)
def post_invitation(
    partner_id: str,
    body: InvitationIn,
    session: Session = Depends(get_session),
    settings: Settings = Depends(get_settings),
    who: Principal = Depends(require("partners.members")),
) -> dict[str, Any]:
    """Invite a colleague to the office: a one-time link, valid 72 hours, goes to the
    address by e-mail; with it they set a password and enrol a second factor. The answer is
    the same whether or not the address already has an account elsewhere."""
    _own_partner_or_staff(who, partner_id)
    office = get_partner(session, partner_id)
    issued = invite(session, email=body.email, name=body.name, role=body.role, partner_id=partner_id,
                    language=body.language, actor=who, secret_key=settings.secret_key)
    session.flush()
    try:
        send_invitation(settings, issued, office.name)
    except OSError as exc:
        session.rollback()
        raise APIError("the mail server did not accept the invitation; nothing was saved", status=503,
                       code="mail_unavailable", reason="mail.unavailable") from exc
    inv = issued.invitation
    return {"id": inv.id, "email": inv.email, "role": inv.role, "partner_id": partner_id,
            "expires_at": inv.expires_at}


@router.post("/users", status_code=201, response_model=UserCreated)
def post_user(
    body: UserIn,
    session: Session = Depends(get_session),
    who: Principal = Depends(require("users.manage")),
) -> dict[str, Any]:
    """Create any user (admin) and issue an API key, shown once."""
    user = create_user(
        session, name=body.name, role=body.role, partner_id=body.partner_id, email=body.email,
        password=body.password, language=body.language, actor=who,
    )
    key = create_api_key(session, user.id, actor=who)
    return {**user_out(user), "api_key": key}


@router.get("/me", response_model=MeOut)
async def me(who: Principal = Depends(require("whoami"))) -> dict[str, Any]:
    """Who the presented credential belongs to (``async``: it reads memory only, and a plain
    ``def`` route pays a hop to the thread pool)."""
    return {"id": who.user_id, "name": who.name, "role": who.role, "partner_id": who.partner_id}


@router.put("/partners/{partner_id}/webhook", tags=["notices"], response_model=WebhookOut)  # the tags it always had
def put_webhook(
    partner_id: str,
    body: WebhookIn,
    session: Session = Depends(get_session),
    settings: Settings = Depends(get_settings),
    who: Principal = Depends(require("partners.webhook")),
) -> dict[str, Any]:
    """Set the webhook URL and issue a new signing secret (shown only in this answer; stored
    encrypted)."""
    _own_partner_or_staff(who, partner_id)
    check_webhook_url(body.url, OutboundPolicy.from_setting(settings.webhook_allow_private))
    partner = get_partner(session, partner_id)
    partner.webhook_url = body.url
    secret = new_webhook_secret()
    partner.webhook_secret = seal(settings.secret_key, secret)
    record(session, who, "partner.webhook_set", "partner", partner.id, {"url": body.url})
    return {"partner_id": partner.id, "webhook_url": partner.webhook_url,
            "webhook_secret": secret,
            "signature": "X-SalingJaga-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of '<t>.<body>'>"}
