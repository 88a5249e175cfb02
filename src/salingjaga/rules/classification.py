"""GPPPA classification: proposals that an ordinary account is a government, politician or
political party account, made from its names, and a reviewer's confirmation, which sets the
account's kind through the content domain (the owner of accounts).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from salingjaga.audit.service import record
from salingjaga.auth.principal import Principal
from salingjaga.content.models import GPPPA_KINDS, Account
from salingjaga.content.service import set_account_kind
from salingjaga.core.errors import Conflict, Invalid, NotFound
from salingjaga.core.ids import new_id
from salingjaga.core.timeutil import utcnow
from salingjaga.rules.campaign_accounts import candidate_person_names
from salingjaga.rules.common import ACTOR
from salingjaga.rules.matching import propose_kind
from salingjaga.rules.models import ClassificationProposal


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
        raise NotFound(f"proposal {proposal_id} not found", reason="rules.proposal_unknown",
                       params={"ref": proposal_id})
    if row.status != "pending":
        raise Conflict(f"proposal {proposal_id} was already {row.status}", reason="rules.proposal_decided")
    if confirm:
        final = kind or row.proposed_kind
        if final not in GPPPA_KINDS:
            raise Invalid(f"confirm with a GPPPA kind ({', '.join(sorted(GPPPA_KINDS))}); "
                          "reject the proposal to keep the account ordinary", reason="rules.proposal_kind")
        set_account_kind(session, row.account_id, final, actor, source="reviewer")
        row.status, row.decided_kind = "confirmed", final
    else:
        row.status = "rejected"
    row.decided_by, row.decided_at = actor.actor, utcnow()
    record(session, actor, f"rules.classification_{row.status}", "account", row.account_id,
           {"proposal": row.id, "kind": row.decided_kind})
    return row
