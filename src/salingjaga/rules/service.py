"""The election rules' public interface: what other domains, the API, the CLI and the
stream call. No HTTP here, and no logic: each name lives in the module that owns it.

- ``gate_checks``: feature gates applied to accounts, refusals and their escalation
  (``gates``: the gate table and its pure evaluation);
- ``psa_approvals``: public-service ad approvals for government accounts;
- ``classification``: GPPPA classification proposals and their review;
- ``campaign_accounts``: candidates and official campaign accounts;
- ``campaign_content``: the campaign-content check on the content stream;
- ``ads``: political-ad review;
- ``calendar``: the election calendar per region.

Contracts other domains rely on: ``handle_content`` (the stream's "content" handler,
named as ``salingjaga.rules.service:handle_content``) and ``refusal_summary``
(transparency reports). An account's kind is set through ``content.service``, which owns
accounts. Code inside the rules package imports from the owning modules, not from here.
"""

from __future__ import annotations

from salingjaga.rules.ads import review_advertisement
from salingjaga.rules.calendar import calendar_answer
from salingjaga.rules.campaign_accounts import (
    KPU_KIND,
    REGISTRAR_ROLES,
    CandidateRef,
    add_candidate,
    candidate_person_names,
    close_expired_campaign_accounts,
    list_campaign_accounts,
    list_candidates,
    register_campaign_account,
    registration_status,
)
from salingjaga.rules.campaign_content import bawaslu_for, campaign_findings, finding_for, handle_content
from salingjaga.rules.classification import decide_proposal, list_proposals, propose_all, propose_classification
from salingjaga.rules.common import ACTOR
from salingjaga.rules.gate_checks import (
    account_facts,
    check_feature,
    decide_feature,
    maybe_escalate,
    record_refusal,
    refusal_summary,
)
from salingjaga.rules.psa_approvals import (
    active_psa_approval,
    add_psa_approval,
    list_psa_approvals,
    revoke_psa_approval,
)

__all__ = [
    "ACTOR",
    "KPU_KIND",
    "REGISTRAR_ROLES",
    "CandidateRef",
    "account_facts",
    "active_psa_approval",
    "add_candidate",
    "add_psa_approval",
    "bawaslu_for",
    "calendar_answer",
    "campaign_findings",
    "candidate_person_names",
    "check_feature",
    "close_expired_campaign_accounts",
    "decide_feature",
    "decide_proposal",
    "finding_for",
    "handle_content",
    "list_campaign_accounts",
    "list_candidates",
    "list_proposals",
    "list_psa_approvals",
    "maybe_escalate",
    "propose_all",
    "propose_classification",
    "record_refusal",
    "refusal_summary",
    "register_campaign_account",
    "registration_status",
    "review_advertisement",
    "revoke_psa_approval",
]
