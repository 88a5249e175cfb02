"""Training data from the platform's own decisions: every decided content case becomes a
``text,label`` row (the policy when action was taken, ``none`` when it was not)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from salingjaga.detection.text.classifier import LABELS, canonical_label

NO_ACTION = frozenset({"no_violation", "none", "dismiss", "dismissed"})


def decided_examples(session: Session, limit: int = 100_000) -> list[tuple[str, str]]:
    """(text, label) of decided content, newest first; empty when moderation is absent."""
    try:
        from salingjaga.moderation.models import Decision
    except ImportError:
        return []
    from salingjaga.content.models import ContentItem

    rows = session.execute(
        select(Decision.action, Decision.policy, Decision.reversed_by_id, ContentItem)
        .join(ContentItem, ContentItem.id == Decision.content_id)
        .where(Decision.kind == "content")
        .order_by(Decision.decided_at.desc())
        .limit(limit)
    ).all()
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for action, policy, reversed_by, item in rows:
        if item.id in seen or reversed_by is not None:  # latest standing decision only
            continue
        seen.add(item.id)
        text = item.text_for_detection().strip()
        if not text:
            continue
        label = "none" if action in NO_ACTION else canonical_label(policy)
        out.append((text, label if label in LABELS or label == "none" else "none"))
    return out
