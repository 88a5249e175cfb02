"""Public-service ad approvals: on record for a government account, they let its ads
through the feature gates for their period of validity.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from salingjaga.audit.service import record
from salingjaga.auth.principal import SYSTEM, Principal
from salingjaga.content.models import Account
from salingjaga.content.service import get_account
from salingjaga.core.errors import Invalid, NotFound
from salingjaga.core.ids import new_id
from salingjaga.core.timeutil import utcnow
from salingjaga.rules.common import actor_name
from salingjaga.rules.models import PsaApproval


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


def add_psa_approval(session: Session, account_ref: str, *, reference: str, note: str = "",
                     valid_from: date | None = None, valid_to: date | None = None,
                     actor: Principal | str = SYSTEM) -> PsaApproval:
    """Put a public-service ad approval on record for a government account."""
    account = get_account(session, account_ref)
    if account.kind != "government":
        raise Invalid(f"public-service ad approvals are for government accounts; {account.handle} "
                      f"is {account.kind}", reason="rules.psa_not_government", params={"ref": account.handle})
    if valid_from and valid_to and valid_to < valid_from:
        raise Invalid("valid_to is before valid_from", reason="period.reversed")
    row = PsaApproval(id=new_id("psa"), account_id=account.id, reference=reference, note=note,
                      valid_from=valid_from, valid_to=valid_to, approved_by=actor_name(actor))
    session.add(row)
    session.flush()
    record(session, actor, "rules.psa_approved", "account", account.id,
           {"approval": row.id, "reference": reference, "valid_from": str(valid_from), "valid_to": str(valid_to)})
    return row


def revoke_psa_approval(session: Session, approval_id: str, *, actor: Principal | str) -> PsaApproval:
    """Withdraw an approval; the account's ads are refused again from now on."""
    row = session.get(PsaApproval, approval_id)
    if row is None:
        raise NotFound(f"approval {approval_id} not found", reason="rules.approval_unknown",
                       params={"ref": approval_id})
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        record(session, actor, "rules.psa_revoked", "account", row.account_id, {"approval": row.id})
    return row


def list_psa_approvals(session: Session, account_ref: str) -> list[PsaApproval]:
    """Every approval of one account, oldest first."""
    account = get_account(session, account_ref)
    return list(session.scalars(
        select(PsaApproval).where(PsaApproval.account_id == account.id).order_by(PsaApproval.created_at)))
