"""The moderation domain's public interface: what other domains, the web pages and the CLI
call. No HTTP here, and no logic: each name lives in the module that owns it.

- ``cases``: opening and reading cases, the levels roles work at;
- ``queue``: the claim order, leases, release / escalate / hold, queue counts
  (``claim_statement``: the one-statement claim used on PostgreSQL);
- ``decisions``: a moderator's decision on the case they hold, automated decisions;
- ``outcomes``: what every decision leaves behind (its row, statement, state change);
- ``reviews``: second reviews and appeals;
- ``notify``: notifications to creators and notifiers.

Contracts other domains rely on: ``open_case``, ``open_cases`` and ``CaseRequest``
(detection, election rules, notice intake), ``apply_automated_action`` (detection), the
action names in ``actions``, the tables in ``models`` (read them; only moderation writes
them) and the case events in ``events``, which domains that keep records of cases (notices)
subscribe to. Code inside the moderation package imports from the owning modules, not from
here.
"""

from __future__ import annotations

from salingjaga.moderation.cases import (
    LEVELS,
    OPEN_STATUSES,
    ROLE_LEVELS,
    CaseRequest,
    case_notices,
    case_signals,
    get_case,
    levels_for,
    open_case,
    open_cases,
    use_settings,
)
from salingjaga.moderation.claim_statement import claim_committed
from salingjaga.moderation.decisions import apply_automated_action, decide
from salingjaga.moderation.notify import APPEAL_DAYS, creator_payload, notify_decision
from salingjaga.moderation.outcomes import DecisionResult, get_decision, get_statement, preview_statement
from salingjaga.moderation.queue import (
    CLAIM_ORDER,
    claim_next,
    claim_order,
    escalate_case,
    expire_stale_leases,
    hold_case,
    list_queue,
    queue_stats,
    release,
    unhold_case,
)
from salingjaga.moderation.reviews import create_appeal

__all__ = [
    "APPEAL_DAYS",
    "CLAIM_ORDER",
    "LEVELS",
    "OPEN_STATUSES",
    "ROLE_LEVELS",
    "CaseRequest",
    "DecisionResult",
    "apply_automated_action",
    "case_notices",
    "case_signals",
    "claim_committed",
    "claim_next",
    "claim_order",
    "create_appeal",
    "creator_payload",
    "decide",
    "escalate_case",
    "expire_stale_leases",
    "get_case",
    "get_decision",
    "get_statement",
    "hold_case",
    "levels_for",
    "list_queue",
    "notify_decision",
    "open_case",
    "open_cases",
    "preview_statement",
    "queue_stats",
    "release",
    "unhold_case",
    "use_settings",
]
