"""Retroactive matching: when a fact-check arrives, the content already taken in that it
matches. Detection owns the claim matcher; the fact-check desk shows these matches through
``factcheck.service.matching_content``, which ``salingjaga.wiring`` points here."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from salingjaga.content.models import ContentItem
from salingjaga.core.timeutil import utcnow
from salingjaga.detection.detectors.claim_match import CLAIM_FLOOR
from salingjaga.detection.text.matcher import get_matcher
from salingjaga.factcheck.service import get_factcheck

RETRO_WINDOW_DAYS = 90
RETRO_LIMIT = 20_000


def retro_match(session: Session, factcheck_id: str, threshold: float) -> list[tuple[str, float]]:
    """Content already taken in (the last ``RETRO_WINDOW_DAYS`` days, newest first, at most
    ``RETRO_LIMIT`` items) that matches a new fact-check: (content_id, score) best first."""
    matcher = get_matcher(session)
    if matcher.position(factcheck_id) is None:
        get_factcheck(session, factcheck_id)  # 404 for an unknown id
        return []
    since = utcnow() - timedelta(days=RETRO_WINDOW_DAYS)
    items = list(session.scalars(
        select(ContentItem).where(ContentItem.posted_at >= since, ContentItem.status == "active")
        .order_by(ContentItem.posted_at.desc()).limit(RETRO_LIMIT)
    ))
    texts = [item.text_for_detection() for item in items]
    keep = [(i, t) for i, t in enumerate(texts) if t.strip()]
    scores = matcher.score_against([t for _, t in keep], factcheck_id)
    found = [(items[i].id, s) for (i, _), s in zip(keep, scores, strict=True) if s >= threshold]
    return sorted(found, key=lambda pair: -pair[1])


def matching_content(session: Session, factcheck_id: str) -> list[tuple[str, float]]:
    """``retro_match`` at the floor the claim-match detector uses (the desk's list)."""
    return retro_match(session, factcheck_id, CLAIM_FLOOR)
