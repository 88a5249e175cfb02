"""The detection stream handlers: scan a stored item (or match a new fact-check against
stored items), keep the signals idempotently, route them, and act through the moderation
service. Registered with the stream by ``salingjaga.wiring``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from salingjaga.audit.service import record
from salingjaga.content.models import ContentItem
from salingjaga.core.settings import Settings
from salingjaga.detection import service
from salingjaga.detection.base import SignalResult
from salingjaga.detection.detectors.claim_match import CLAIM_FLOOR, claim_signal
from salingjaga.detection.pipeline import scan_item_report
from salingjaga.detection.previews import prime_previews
from salingjaga.detection.retro import retro_match
from salingjaga.detection.routing import RouteDecision, route
from salingjaga.moderation import service as moderation
from salingjaga.moderation.models import Case
from salingjaga.stream.deadletters import record_dead_letter

log = logging.getLogger("salingjaga.detection")

# The names receipts and dead letters know the handlers by: kept from when they lived in
# ``detection/pipeline.py``, so messages in flight and stored letters still match.
HANDLER = "salingjaga.detection.pipeline:handle_content"
FACTCHECK_HANDLER = "salingjaga.detection.pipeline:handle_factcheck"


def apply_route(session: Session, content_id: str, signals: Sequence[SignalResult],
                stored: dict[str, tuple[str, bool]], decision: RouteDecision) -> list[Case]:
    """Carry out a routing decision through the moderation service; returns the cases it
    opened or joined (for a caller that follows them, such as the simulator).

    Shadow entries are recorded in the audit log only, and only when one of their signals
    is new, so a redelivered message does not record them twice.
    """
    cases: list[Case] = []

    def refs(keys: Sequence[str]) -> list[str]:
        return [stored[k][0] for k in keys if k in stored]

    def any_new(keys: Sequence[str]) -> bool:
        return any(stored.get(k, ("", False))[1] for k in keys)

    for action in decision.actions:
        if action.shadow:
            if any_new(action.signal_keys):
                record(session, f"system:rule:{action.rule}"[:80], "detection.shadow_action",
                       "content", content_id,
                       {"action": action.action, "policy": action.policy, "rule": action.rule,
                        "signals": refs(action.signal_keys)})
            continue
        moderation.apply_automated_action(
            session, content_id=content_id, action=action.action, policy=action.policy,
            facts=action.facts, rule=action.rule)
    for case in decision.cases:
        if case.shadow:
            if any_new(case.signal_keys):
                record(session, f"system:rule:{case.rule}"[:80], "detection.shadow_case",
                       "content", content_id,
                       {"policy": case.policy, "rule": case.rule, "signals": refs(case.signal_keys)})
            continue
        cases.append(moderation.open_case(
            session, content_id=content_id, policy=case.policy, source="proactive",
            reason=case.reason, actor=service.ACTOR, signal_refs=refs(case.signal_keys),
            severity_boost=case.severity_boost))
    return cases


def handle_content(session: Session, payload: dict[str, Any], settings: Settings) -> None:
    """Stream handler: scan a stored item, keep its signals, route, act. Idempotent."""
    item = session.get(ContentItem, payload["content_id"])
    if item is None:
        log.warning("content %s not found for scanning", payload.get("content_id"))
        return
    ctx = service.context_for(session, settings)
    report = scan_item_report(service.item_dict(item), ctx)
    signals = report.signals
    stored = service.store_signals(session, item.id, signals)
    apply_route(session, item.id, signals, stored, route(signals, ctx.routing))
    prime_previews(settings.data_dir, list(item.media or []))
    # committed with the signals above: the item keeps what worked, the operator sees
    # what failed and may replay the message once the cause is fixed
    for failure in report.failures:
        record_dead_letter(session, topic="content", payload=dict(payload), handler=HANDLER,
                           step=failure.where, error=failure.error)


def handle_factcheck(session: Session, payload: dict[str, Any], settings: Settings) -> None:
    """Stream handler: match a new fact-check against content already on the platform."""
    factcheck_id = str(payload["factcheck_id"])
    matches = retro_match(session, factcheck_id, CLAIM_FLOOR)
    fact = service.factcheck_facts(session, factcheck_id)
    for content_id, score in matches:
        sig = claim_signal(factcheck_id, float(score), fact["claim"], fact["verdict"], fact.get("rating", ""),
                           retroactive=True)
        stored = service.store_signals(session, content_id, [sig])
        apply_route(session, content_id, [sig], stored, route([sig], service.routing_config()))
