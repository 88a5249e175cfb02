"""Creating users and keys, and turning a presented key into a Principal."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from salingjaga.audit.service import record
from salingjaga.auth.models import ApiKey, User
from salingjaga.auth.partners import check_partner
from salingjaga.auth.principal import SYSTEM, Principal
from salingjaga.auth.roles import PARTNER_ROLES, ROLES
from salingjaga.core.errors import Invalid, NotFound
from salingjaga.core.ids import new_id
from salingjaga.core.timeutil import utcnow

KEY_PREFIX = "sj_"
_hasher = PasswordHasher()


def hash_key(key: str) -> str:
    """SHA-256 of an API key: keys are 32 random bytes, so a fast hash is safe and lets the
    lookup be one indexed query."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def hash_password(password: str) -> str:
    """An argon2id hash of a password."""
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """Check a password against its argon2 hash without leaking why it failed."""
    if not stored:
        return False
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def create_user(
    session: Session,
    *,
    name: str,
    role: str,
    partner_id: str | None = None,
    email: str | None = None,
    password: str | None = None,
    language: str = "id",
    actor: Principal = SYSTEM,
) -> User:
    """Create a user after checking the role and the partner link make sense."""
    if role not in ROLES:
        raise Invalid(f"unknown role {role!r}; choose one of {', '.join(ROLES)}", reason="role.unknown")
    if role in PARTNER_ROLES and not partner_id:
        raise Invalid(f"role {role} needs a partner organisation (--partner)", reason="user.partner_missing",
                      params={"role": role})
    if partner_id is not None:
        check_partner(session, partner_id)
    if email is not None and session.scalar(select(User.id).where(User.email == email)):
        raise Invalid(f"a user with email {email} already exists", status=409, code="conflict",
                      reason="user.email_taken", params={"email": email})
    user = User(
        id=new_id("usr"),
        name=name,
        role=role,
        partner_id=partner_id,
        email=email,
        password_hash=hash_password(password) if password else None,
        language=language,
    )
    session.add(user)
    session.flush()
    record(session, actor, "user.created", "user", user.id, {"role": role, "partner_id": partner_id})
    return user


def create_partner_member(
    session: Session,
    *,
    name: str,
    role: str,
    partner_id: str,
    email: str | None = None,
    password: str | None = None,
    language: str = "id",
    actor: Principal = SYSTEM,
) -> User:
    """Add a member to a partner for that partner's own admin, without telling the admin
    whether an e-mail address already belongs to someone outside the organisation.

    E-mail addresses are unique across the platform, so "already exists" would let one
    partner probe for staff and other partners' accounts. An address held by a member of
    the same partner is still a 409 (the admin's own organisation, nothing is disclosed). An
    address held by anyone else gets the same answer as a free one: the member is created
    (the password hashed all the same, so the answer takes as long) but without the address,
    so it cannot sign in with it or touch the other account, and the clash is recorded in
    the audit log (``user.email_withheld``) for staff to sort out with the partner.
    """
    if email is not None:
        holder = session.scalar(select(User).where(User.email == email))
        if holder is not None:
            if holder.partner_id == partner_id:
                raise Invalid("a member of this organisation already uses this e-mail address",
                              status=409, code="conflict", reason="member.email_taken", params={"email": email})
            user = create_user(session, name=name, role=role, partner_id=partner_id, email=None,
                               password=password, language=language, actor=actor)
            record(session, actor, "user.email_withheld", "user", user.id,
                   {"partner_id": partner_id, "email_held_by": holder.id})
            return user
    return create_user(session, name=name, role=role, partner_id=partner_id, email=email,
                       password=password, language=language, actor=actor)


def create_api_key(
    session: Session, user_id: str, *, label: str = "", actor: Principal = SYSTEM
) -> str:
    """Issue a new key for a user and return it in plain text: the only time it is seen."""
    if session.get(User, user_id) is None:
        raise NotFound(f"user {user_id} not found", reason="user.unknown", params={"ref": user_id})
    plain = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(
        id=new_id("key"), user_id=user_id, prefix=plain[:10], key_hash=hash_key(plain), label=label
    )
    session.add(key)
    session.flush()
    record(session, actor, "api_key.created", "api_key", key.id, {"user_id": user_id})
    return plain


def revoke_api_key(session: Session, key_id: str, *, actor: Principal = SYSTEM) -> None:
    """Revoke a key; it stops working on the next request."""
    key = session.get(ApiKey, key_id)
    if key is None:
        raise NotFound(f"api key {key_id} not found", reason="key.unknown_id", params={"ref": key_id})
    key.revoked_at = utcnow()
    record(session, actor, "api_key.revoked", "api_key", key.id, {})


def principal_for_user(user: User, via: str = "api_key") -> Principal:
    """The Principal for a stored user."""
    return Principal(
        user_id=user.id, name=user.name, role=user.role, partner_id=user.partner_id, via=via
    )


def authenticate_key(session: Session, presented: str) -> Principal | None:
    """The Principal for a presented API key, or None if unknown, revoked or inactive."""
    row = session.execute(
        select(ApiKey, User)
        .join(User, User.id == ApiKey.user_id)
        .where(ApiKey.key_hash == hash_key(presented))
    ).first()
    if row is None:
        return None
    key, user = row
    if key.revoked_at is not None or not user.active:
        return None
    return principal_for_user(user)


_dummy: tuple[PasswordHasher, str] | None = None


def _dummy_hash() -> str:
    """An argon2 hash of a random password nobody knows, made by the hasher of real ones
    (so with the same parameters and cost), once per hasher."""
    global _dummy
    if _dummy is None or _dummy[0] is not _hasher:
        _dummy = (_hasher, hash_password(secrets.token_urlsafe(32)))
    return _dummy[1]


def authenticate_password(session: Session, email: str, password: str) -> Principal | None:
    """The Principal for an email and password, or None.

    Every attempt runs one argon2 verification: an unknown e-mail, a user without a
    password or a deactivated one is checked against a dummy hash. Answering those without
    the ~0.2 s of argon2 told anyone timing the login form which e-mails have accounts.
    """
    user = session.scalar(select(User).where(User.email == email))
    stored = user.password_hash if user is not None else None
    matches = verify_password(stored or _dummy_hash(), password)
    if user is None or not stored or not user.active or not matches:
        return None
    return principal_for_user(user, via="session")


def set_active(session: Session, user_id: str, active: bool, who: Principal, *,
               on_deactivate: Callable[[str], dict[str, Any]] | None = None) -> User:
    """Deactivate or reactivate a user. While inactive, their API keys are refused (the
    keys are kept, not revoked, so reactivation restores them); nobody deactivates their own
    account. ``on_deactivate`` ends what other layers hold for the user (browser sessions)
    and says what it ended, for the audit event. Audited; a no-op change is not."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} not found", reason="user.unknown", params={"ref": user_id})
    if not active and user.id == who.user_id:
        raise Invalid("you cannot deactivate your own account; ask another admin", reason="user.deactivate_self")
    if user.active == active:
        return user
    user.active = active
    data: dict[str, Any] = {"role": user.role, "partner_id": user.partner_id}
    if not active and on_deactivate is not None:
        data.update(on_deactivate(user.id))
    record(session, who, "user.reactivated" if active else "user.deactivated", "user", user.id, data)
    return user
