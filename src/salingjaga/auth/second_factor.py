"""The TOTP second factor (RFC 6238, 30-second steps, 6 digits: what authenticator apps
speak) and its one-use recovery codes.

Partner and staff accounts enrol one when they accept their invitation; once a user has a
factor, signing in with the password alone is not enough (``web/login.py`` asks for a code).
The secret is stored sealed with the deployment's key (``core.secretbox``): it must be
usable again, unlike a password. Enrolments, resets and every use of a recovery code are
in the audit log.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

import pyotp
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from salingjaga.audit.service import record
from salingjaga.auth.models import RecoveryCode, SecondFactor, User
from salingjaga.auth.principal import SYSTEM, Principal
from salingjaga.auth.roles import ROLES
from salingjaga.core.errors import NotFound
from salingjaga.core.ids import new_id
from salingjaga.core.secretbox import seal, unseal
from salingjaga.core.timeutil import utcnow

ISSUER = "SalingJaga"
RECOVERY_CODES = 10
STEP = 30
# Roles whose accounts must enrol a second factor: everyone but a plain user account.
SECOND_FACTOR_ROLES = frozenset(r for r in ROLES if r not in {"user", "service"})


def new_secret() -> str:
    """A fresh base32 TOTP secret (160 bits)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, email: str) -> str:
    """The ``otpauth://`` address an authenticator app reads (typed or scanned)."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def code_step(secret: str, code: str, *, at: float | None = None, after: int = 0) -> int | None:
    """The time step ``code`` is valid for (now, or one step either side for clock drift),
    later than ``after``; None if it is not a current code."""
    code = code.strip().replace(" ", "")
    if not (len(code) == 6 and code.isdigit()):
        return None
    now = time.time() if at is None else at
    totp = pyotp.TOTP(secret)
    current = int(now // STEP)
    for step in (current - 1, current, current + 1):
        if step > after and hmac.compare_digest(totp.at(step * STEP), code):
            return step
    return None


def _hash_code(code: str) -> str:
    return hashlib.sha256(code.strip().lower().replace("-", "").encode("utf-8")).hexdigest()


def new_recovery_codes() -> list[str]:
    """Ten codes like ``k3f9-2x7q-m4pd`` (60 bits each), shown once."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    out = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(alphabet) for _ in range(12))
        out.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
    return out


def has_second_factor(session: Session, user_id: str) -> bool:
    """Whether the user has enrolled a second factor (and so must give a code to sign in)."""
    return session.get(SecondFactor, user_id) is not None


def enrol(session: Session, user_id: str, secret: str, secret_key: str, *,
          actor: Principal | str = SYSTEM, step: int = 0) -> list[str]:
    """Store the user's TOTP secret (already proven with a code of ``step``) and issue
    fresh recovery codes, returned in plain text: the only time they are seen."""
    session.execute(delete(SecondFactor).where(SecondFactor.user_id == user_id))
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    session.add(SecondFactor(user_id=user_id, secret=seal(secret_key, secret), enrolled_at=utcnow(),
                             last_step=step))
    codes = new_recovery_codes()
    session.add_all(RecoveryCode(id=new_id("rcv"), user_id=user_id, code_hash=_hash_code(c)) for c in codes)
    session.flush()
    record(session, actor, "second_factor.enrolled", "user", user_id, {"method": "totp",
                                                                        "recovery_codes": len(codes)})
    return codes


def verify(session: Session, user_id: str, code: str, secret_key: str) -> str | None:
    """Check a sign-in code: a current TOTP code not used before, or an unused recovery
    code (then spent). Returns ``"totp"`` or ``"recovery_code"``, or None."""
    factor = session.get(SecondFactor, user_id, with_for_update=True)
    if factor is None:
        return None
    step = code_step(unseal(secret_key, factor.secret), code, after=factor.last_step)
    if step is not None:
        factor.last_step = step
        return "totp"
    spare = session.scalar(select(RecoveryCode).where(RecoveryCode.user_id == user_id,
                                                      RecoveryCode.code_hash == _hash_code(code),
                                                      RecoveryCode.used_at.is_(None)))
    if spare is None:
        return None
    spare.used_at = utcnow()
    left = len(session.scalars(select(RecoveryCode.id).where(RecoveryCode.user_id == user_id,
                                                             RecoveryCode.used_at.is_(None))).all()) - 1
    record(session, f"user:{user_id}", "second_factor.recovery_code_used", "user", user_id,
           {"left": max(left, 0)})
    return "recovery_code"


def reset(session: Session, user_id: str, *, actor: Principal | str = SYSTEM) -> None:
    """Remove a user's second factor and recovery codes (a lost phone): they enrol again
    through a reset link (``invitations.invite_reset``)."""
    if session.get(User, user_id) is None:
        raise NotFound(f"user {user_id} not found", reason="user.unknown", params={"ref": user_id})
    session.execute(delete(SecondFactor).where(SecondFactor.user_id == user_id))
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    record(session, actor, "second_factor.reset", "user", user_id, {})
