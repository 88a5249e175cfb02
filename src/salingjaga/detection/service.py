"""What detection does with the database: store signals, import hash banks, build the
scan context, and answer other domains (signals of an item, election-related?).

Acting on routing decisions through moderation is in ``detection/handlers.py``: moderation
reads signals from here, so this module must not import moderation back."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from salingjaga.audit.service import record
from salingjaga.content.models import ContentItem
from salingjaga.core.db import Database
from salingjaga.core.ids import new_id
from salingjaga.core.settings import Settings
from salingjaga.core.timeutil import utcnow
from salingjaga.detection.bank_cache import worker_banks
from salingjaga.detection.bank_index import BoundBanks
from salingjaga.detection.base import SignalResult
from salingjaga.detection.detectors.base import ScanContext
from salingjaga.detection.detectors.text_classifier import CLASSIFIER_FLOOR, default_classifier
from salingjaga.detection.history import DatabaseHistory
from salingjaga.detection.media.ocr import default_engine
from salingjaga.detection.media.screen_text import ScreenReader
from salingjaga.detection.models import Signal
from salingjaga.detection.ocr_store import DatabaseOcrCache
from salingjaga.detection.routing import RoutingConfig, load_config
from salingjaga.detection.signals import SignalType
from salingjaga.detection.text.matcher import get_matcher
from salingjaga.factcheck.service import get_factcheck

log = logging.getLogger("salingjaga.detection")
ACTOR = "system:detection"


def routing_config() -> RoutingConfig:
    """The routing data file in force."""
    return load_config()


# ------------------------------------------------------------------------------ banks
# writing banks is in bank_store; holding them in a worker in bank_cache


def index_dir(settings: Settings) -> Path:
    """Where workers save their bank index, to map it at the next start."""
    return settings.data_dir / "indexes"


def bank_matcher(session: Session, settings: Settings | None = None) -> BoundBanks:
    """The PDQ/MD5 banks as this worker holds them (``bank_cache``): arrays kept in step
    with the database through the bank version row, saved under the data directory."""
    return worker_banks(session, index_dir(settings) if settings else None).bound(session)


# ------------------------------------------------------------------------------ scanning


def item_dict(item: ContentItem) -> dict[str, Any]:
    """A stored item in the shape ``scan_item`` reads."""
    return {
        "id": item.id, "platform_id": item.platform_id, "account_id": item.account_id,
        "kind": item.kind, "caption": item.caption, "transcript": item.transcript,
        "on_screen_text": item.on_screen_text, "hashtags": list(item.hashtags or []),
        "media": [dict(m) for m in item.media or []], "election": item.election,
        "ai_label": item.creator_ai_label, "posted_at": item.posted_at,
        "region": item.region_code,
    }


def context_for(session: Session, settings: Settings) -> ScanContext:
    """A scan context backed by this database: banks, fingerprints, fact-checks."""
    matcher = None
    try:
        matcher = get_matcher(session)
    except Exception:  # a broken matcher must not stop media and behaviour signals
        log.exception("claim matcher unavailable")
    banks = worker_banks(session, index_dir(settings))
    return ScanContext(
        banks=banks.bound(session),
        video_banks=banks if len(banks.videos) else None,
        history=DatabaseHistory(session),
        claim_matcher=matcher,
        classify=default_classifier(),
        data_dir=settings.data_dir,
        routing=routing_config(),
        c2pa_trust_anchors=settings.c2pa_trust_anchors,
        screen_reader=ScreenReader(default_engine(), DatabaseOcrCache(session)),
    )


def store_signals(session: Session, content_id: str, signals: Sequence[SignalResult]) -> dict[str, tuple[str, bool]]:
    """Insert signals, keeping the existing row on redelivery.

    Returns ``"type:key" -> (signal id, newly stored)``.
    """
    out: dict[str, tuple[str, bool]] = {}
    if not signals:
        return out
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    now = utcnow()
    for s in signals:
        sid = new_id("sig")
        data = {**s.data, "exact": s.exact}
        result = session.execute(insert(Signal).values(
            id=sid, content_id=content_id, type=s.type, key=s.key, policy=s.policy,
            score=float(s.score), explanation=s.explanation[:2000], data=data, created_at=now,
        ).on_conflict_do_nothing(index_elements=["content_id", "type", "key"]))
        if result.rowcount:  # type: ignore[attr-defined]
            out[f"{s.type}:{s.key}"] = (sid, True)
        else:
            existing = session.scalar(select(Signal.id).where(
                Signal.content_id == content_id, Signal.type == s.type, Signal.key == s.key))
            out[f"{s.type}:{s.key}"] = (str(existing), False)
    new = [k for k, (_, is_new) in out.items() if is_new]
    if new:
        record(session, ACTOR, "detection.signals", "content", content_id,
               {"signals": new[:50]})
    return out


def factcheck_facts(session: Session, factcheck_id: str) -> dict[str, str]:
    """The claim, verdict and publisher's rating of a fact-check, for explanations (empty
    if unknown)."""
    try:
        fc = get_factcheck(session, factcheck_id)
        return {"claim": str(getattr(fc, "claim", "") or getattr(fc, "claim_reviewed", "") or ""),
                "verdict": str(getattr(fc, "verdict", "") or getattr(fc, "rating", "") or ""),
                "rating": str(getattr(fc, "rating", "") or "")}
    except Exception:  # an unknown id still yields a signal, without the claim text
        log.warning("fact-check %s not readable", factcheck_id)
    return {"claim": "", "verdict": "", "rating": ""}


# ------------------------------------------------------------------------------ reads


def signal_out(s: Signal) -> dict[str, Any]:
    """The API shape of a stored signal."""
    return {"id": s.id, "type": s.type, "policy": s.policy, "score": s.score,
            "explanation": s.explanation, "data": s.data, "created_at": s.created_at}


def signals_for(session: Session, content_id: str) -> list[dict[str, Any]]:
    """Every signal about a content item, strongest first (for the case page)."""
    rows = session.scalars(select(Signal).where(Signal.content_id == content_id)
                           .order_by(Signal.score.desc(), Signal.created_at)).all()
    return [signal_out(s) for s in rows]


def is_election_related(session: Session, content_id: str) -> bool:
    """Whether the text classifier judged the item election-related."""
    score = session.scalar(select(Signal.score).where(
        Signal.content_id == content_id, Signal.type == SignalType.CLASSIFIER.value,
        Signal.key == "election_related"))
    return score is not None and score >= CLASSIFIER_FLOOR


def warm(db: Database, settings: Settings | None = None) -> None:
    """Load the text models, build the claim matcher and open the hash banks now, before
    requests arrive: the first scan would otherwise do it inside its transaction, and on
    SQLite every request waits for the writer that transaction holds (seconds, on the first
    content item; a 10-million-entry bank is mapped from its saved file or built here)."""
    default_classifier()(["pemilu"])
    try:
        get_matcher(db)
    except Exception:  # a broken matcher must not stop the server; scans log it again
        log.exception("claim matcher unavailable")
    if settings is not None:
        with db.session() as session:
            worker_banks(session, index_dir(settings))
