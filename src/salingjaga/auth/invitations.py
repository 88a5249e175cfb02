"""Invitations: a one-time, expiring link by e-mail with which a person sets their password
and, for partner and staff roles, enrols a TOTP second factor. The same link resets an
existing account (a forgotten password or a lost phone): ``invite_reset``.

The link carries 32 random bytes; only their SHA-256 is stored, so the table cannot be
replayed. A link works once: accepting it marks it used in the same transaction that
creates the account, and a later invitation to the same address revokes the earlier one.
Opening the link writes nothing (the TOTP secret to enrol is made with the invitation).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from salingjaga.audit.service import record
from salingjaga.auth.models import Invitation, User
from salingjaga.auth.partners import check_partner
from salingjaga.auth.principal import SYSTEM, Principal
from salingjaga.auth.roles import PARTNER_ROLES, ROLES
from salingjaga.auth.second_factor import SECOND_FACTOR_ROLES, code_step, enrol, new_secret, reset
from salingjaga.auth.service import create_user, hash_password
from salingjaga.core.errors import Conflict, Forbidden, Invalid, NotFound
from salingjaga.core.ids import new_id
from salingjaga.core.secretbox import seal, unseal
from salingjaga.core.timeutil import utcnow

INVITATION_HOURS = 72
MIN_PASSWORD = 10
MAX_PASSWORD = 500
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass
class Issued:
    """An invitation and its link token (None when the address was withheld: nothing is
    sent, and the inviter sees the same answer as for a sent one)."""

    invitation: Invitation
    token: str | None


def needs_second_factor(role: str) -> bool:
    """Whether an account of this role must enrol TOTP."""
    return role in SECOND_FACTOR_ROLES


def _issue(session: Session, *, email: str, name: str, role: str, partner_id: str | None,
           user_id: str | None, language: str, actor: Principal, secret_key: str, hours: int) -> Issued:
    now = utcnow()
    session.execute(update(Invitation).where(Invitation.email == email, Invitation.used_at.is_(None),
                                             Invitation.revoked_at.is_(None)).values(revoked_at=now))
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        id=new_id("inv"), token_hash=_digest(token), email=email, name=name, role=role, partner_id=partner_id,
        user_id=user_id, language=language if language in ("id", "en") else "id",
        totp_secret=seal(secret_key, new_secret()) if needs_second_factor(role) else None,
        invited_by=actor.actor, created_at=now, expires_at=now + timedelta(hours=hours))
    session.add(invitation)
    session.flush()
    return Issued(invitation, token)


def invite(session: Session, *, email: str, name: str, role: str, partner_id: str | None,
           language: str = "id", actor: Principal = SYSTEM, secret_key: str,
           hours: int = INVITATION_HOURS) -> Issued:
    """Invite a person to a new account. A partner admin invites only partner roles to its
    own organisation. An address that already has an account is a 409 for staff; a partner
    admin gets the answer of a sent invitation (nothing is sent, ``invitation.withheld`` is
    audited), so inviting cannot probe who has an account elsewhere."""
    email = email.strip().lower()
    name = name.strip() or email.split("@")[0]
    if not _EMAIL.match(email) or len(email) > 320:
        raise Invalid("email: not an e-mail address", reason="email.invalid")
    if role not in ROLES or role == "service":
        raise Invalid(f"role: a person's role, one of {', '.join(r for r in ROLES if r != 'service')}",
                      reason="role.unknown")
    if role in PARTNER_ROLES and not partner_id:
        raise Invalid(f"role {role} needs a partner organisation", reason="user.partner_missing", params={"role": role})
    if actor.role in PARTNER_ROLES:
        if role not in PARTNER_ROLES:
            raise Forbidden("a partner admin may only invite partner_reporter or partner_admin members",
                            reason="member.role_not_partner")
        if partner_id != actor.partner_id:
            raise NotFound(f"partner {partner_id} not found", reason="partner.unknown", params={"ref": partner_id})
    if partner_id is not None:
        check_partner(session, partner_id)
    holder = session.scalar(select(User).where(User.email == email))
    if holder is not None:
        if actor.role in PARTNER_ROLES and holder.partner_id != partner_id:
            issued = _issue(session, email=email, name=name, role=role, partner_id=partner_id, user_id=None,
                            language=language, actor=actor, secret_key=secret_key, hours=hours)
            # Kept open, so the office's list of invitations shows it like any other; its
            # token is dropped here, so the link exists nowhere and can never be used.
            record(session, actor, "invitation.withheld", "invitation", issued.invitation.id,
                   {"partner_id": partner_id, "email_held_by": holder.id})
            return Issued(issued.invitation, None)
        # the office's own member: the page says so, and where to find them
        own = partner_id is not None and holder.partner_id == partner_id
        taken = "member.email_taken" if own else "user.email_taken"
        raise Conflict(f"{email} already has an account", reason=taken, params={"email": email})
    issued = _issue(session, email=email, name=name, role=role, partner_id=partner_id, user_id=None,
                    language=language, actor=actor, secret_key=secret_key, hours=hours)
    record(session, actor, "invitation.sent", "invitation", issued.invitation.id,
           {"role": role, "partner_id": partner_id, "expires_at": issued.invitation.expires_at.isoformat()})
    return issued


def invite_reset(session: Session, user_id: str, *, actor: Principal = SYSTEM, secret_key: str,
                 hours: int = INVITATION_HOURS) -> Issued:
    """A link with which an existing user sets a new password and enrols a new second
    factor (the old factor stops working now)."""
    user = session.get(User, user_id)
    if user is None or not user.email:
        raise NotFound(f"user {user_id} not found or without an e-mail address", reason="user.no_email",
                       params={"ref": user_id})
    reset(session, user.id, actor=actor)
    issued = _issue(session, email=user.email, name=user.name, role=user.role, partner_id=user.partner_id,
                    user_id=user.id, language=user.language, actor=actor, secret_key=secret_key, hours=hours)
    record(session, actor, "invitation.reset_sent", "invitation", issued.invitation.id, {"user_id": user.id})
    return issued


def open_invitation(session: Session, token: str, *, lock: bool = False) -> Invitation:
    """The invitation of a link: 404 for an unknown one, 410 for one used, revoked or expired."""
    query = select(Invitation).where(Invitation.token_hash == _digest(token))
    if lock:
        query = query.with_for_update()
    invitation = session.scalar(query)
    if invitation is None:
        raise NotFound("this invitation link is not valid", reason="invitation.invalid")
    if invitation.used_at is not None:
        raise Invalid("this invitation link was already used", status=410, code="gone", reason="invitation.used")
    if invitation.revoked_at is not None or invitation.expires_at <= utcnow():
        raise Invalid("this invitation link has expired; ask for a new one", status=410, code="gone",
                      reason="invitation.expired")
    return invitation


def invitation_secret(invitation: Invitation, secret_key: str) -> str | None:
    """The TOTP secret the invited person enrols (None for a role without one)."""
    return unseal(secret_key, invitation.totp_secret) if invitation.totp_secret else None


@dataclass
class Accepted:
    """The account an invitation set up and its recovery codes (shown once)."""

    user: User
    recovery_codes: list[str]


def accept(session: Session, token: str, *, password: str, code: str, secret_key: str) -> Accepted:
    """Use an invitation: set the password (and enrol the second factor with a current code
    from the person's app), creating the account or resetting the existing one."""
    invitation = open_invitation(session, token, lock=True)
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise Invalid(f"password: at least {MIN_PASSWORD} characters", reason="password.too_short",
                      params={"n": MIN_PASSWORD})
    secret = invitation_secret(invitation, secret_key)
    step = 0
    if secret is not None:
        found = code_step(secret, code)
        if found is None:
            raise Invalid("code: not the current code of your authenticator app; check the app's clock",
                          reason="second_factor.wrong_code")
        step = found
    actor = f"invitation:{invitation.id}"
    was_reset = invitation.user_id is not None
    if invitation.user_id is not None:
        user = session.get(User, invitation.user_id)
        if user is None:
            raise NotFound("this invitation link is not valid", reason="invitation.invalid")
        user.password_hash = hash_password(password)
    else:
        if session.scalar(select(User.id).where(User.email == invitation.email)):
            raise Conflict(f"{invitation.email} already has an account", reason="user.email_taken",
                           params={"email": invitation.email})
        user = create_user(session, name=invitation.name, role=invitation.role, partner_id=invitation.partner_id,
                           email=invitation.email, password=password, language=invitation.language)
    invitation.used_at = utcnow()
    invitation.user_id = user.id
    record(session, actor, "invitation.accepted", "invitation", invitation.id,
           {"user_id": user.id, "reset": was_reset})
    codes = enrol(session, user.id, secret, secret_key, actor=f"user:{user.id}", step=step) if secret else []
    return Accepted(user, codes)


def pending_invitations(session: Session, partner_id: str) -> list[Invitation]:
    """A partner's invitations not yet used, revoked or expired, newest first."""
    return list(session.scalars(select(Invitation).where(
        Invitation.partner_id == partner_id, Invitation.used_at.is_(None), Invitation.revoked_at.is_(None),
        Invitation.expires_at > utcnow()).order_by(Invitation.created_at.desc())))
