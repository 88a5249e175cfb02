"""Detection API: the signals of a content item, and hash banks."""

from __future__ import annotations

from typing import Any

from fastapi import Body, Depends
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from salingjaga.auth.deps import get_session, require
from salingjaga.auth.principal import Principal
from salingjaga.content.service import get_content
from salingjaga.core.errors import Invalid
from salingjaga.core.routing import Router
from salingjaga.detection import bank_store, service, vpdq_store
from salingjaga.detection.media.vpdq_bank import jsonl_line
from salingjaga.detection.models import HashBank, HashBankEntry, VpdqVideo
from salingjaga.detection.schemas import (
    BankImport,
    BankRemoved,
    BankRemoveIn,
    BanksOut,
    SignalsOut,
    VideoImported,
    VideoImportIn,
    VideoRemoveIn,
    VideosOut,
    VideosRemoved,
)

router = Router(prefix="/api/v1", tags=["detection"])


@router.get("/content/{content_id}/signals", response_model=SignalsOut)
def get_signals(
    content_id: str,
    session: Session = Depends(get_session),
    _: Principal = Depends(require("detection.signals.read")),
) -> dict[str, Any]:
    """Every detection signal about an item, each with its score and explanation."""
    item = get_content(session, content_id)
    return {"content_id": item.id, "signals": service.signals_for(session, item.id)}


@router.get("/hashbanks", response_model=BanksOut)
def list_banks(
    session: Session = Depends(get_session),
    _: Principal = Depends(require("detection.hashbanks.read")),
) -> dict[str, Any]:
    """Hash banks with their threshold, action and size."""
    counts = dict(session.execute(select(HashBankEntry.bank_id, func.count(HashBankEntry.id))
                                  .group_by(HashBankEntry.bank_id)).tuples().all())
    banks = session.scalars(select(HashBank).order_by(HashBank.name)).all()
    return {"banks": [{"id": b.id, "name": b.name, "policy": b.policy, "action": b.action,
                       "pdq_threshold": b.pdq_threshold, "entries": int(counts.get(b.id, 0))}
                      for b in banks]}


@router.post("/hashbanks/{name}/entries", response_model=BankImport)
def import_entries(
    name: str,
    body: dict[str, Any] = Body(..., examples=[{"entries": [{"hash": "f8f8...", "label": "hoax"}],
                                                "policy": "misinformation", "action": "remove"}]),
    session: Session = Depends(get_session),
    who: Principal = Depends(require("detection.hashbanks.write")),
) -> dict[str, Any]:
    """Add hashes (PDQ or MD5) to a bank, creating it on first use; known hashes are skipped."""
    entries = body.get("entries")
    if not isinstance(entries, list) or not entries:
        raise Invalid("entries: a non-empty list of {hash, label}", reason="detection.entries_missing")
    if len(entries) > 10000:
        raise Invalid("at most 10000 entries per request", status=413, code="payload_too_large",
                      reason="detection.too_many_entries", params={"n": 10000})
    text = "\n".join(f"{e.get('hash', '')},{name},{str(e.get('label', '')).replace(',', ' ')}"
                     for e in entries if isinstance(e, dict))
    rows = bank_store.parse_bank_file(text)
    threshold = body.get("pdq_threshold")
    bank = bank_store.get_or_create_bank(
        session, name, policy=str(body.get("policy", "misinformation")),
        action=str(body.get("action", "review")),
        pdq_threshold=int(threshold) if threshold is not None else None)
    added = bank_store.import_bank_entries(session, bank, rows, source=str(body.get("source") or ""))
    return {"bank": bank.name, "rows": len(rows), "added": added}


@router.post("/hashbanks/{name}/entries/remove", response_model=BankRemoved)
def remove_entries(
    name: str,
    body: BankRemoveIn,
    session: Session = Depends(get_session),
    who: Principal = Depends(require("detection.hashbanks.remove")),
) -> dict[str, Any]:
    """Remove a bank's entries by id, by hash or by source (audited). Every worker drops
    them from its index in place within the bank refresh interval."""
    bank = bank_store.bank_by_name(session, name)
    removed = bank_store.remove_entries(session, bank, ids=body.ids, hashes=body.hashes,
                                        source=body.source, actor=who.actor)
    return {"bank": bank.name, "removed": len(removed), "ids": removed}


@router.post("/hashbanks/{name}/videos", response_model=VideoImported)
def import_videos(
    name: str,
    body: VideoImportIn,
    session: Session = Depends(get_session),
    who: Principal = Depends(require("detection.hashbanks.write")),
) -> dict[str, Any]:
    """Bank videos by their vPDQ hash (ThreatExchange's signal string), creating the bank
    on first use; a video whose id the bank holds is replaced."""
    text = "".join(jsonl_line(v.id, v.label, v.signal) for v in body.videos)
    videos = vpdq_store.parse_video_file(text)
    bank = bank_store.get_or_create_bank(session, name, policy=body.policy, action=body.action)
    out = vpdq_store.import_videos(session, bank, videos, source=body.source, actor=who.actor)
    return {"bank": bank.name, **out}


@router.get("/hashbanks/{name}/videos", response_model=VideosOut)
def list_videos(
    name: str,
    session: Session = Depends(get_session),
    _: Principal = Depends(require("detection.hashbanks.read")),
) -> dict[str, Any]:
    """A bank's vPDQ videos with their hashes (what ``salingjaga hashbanks export-vpdq``
    writes as a bank file)."""
    bank = bank_store.bank_by_name(session, name)
    rows = session.scalars(select(VpdqVideo).where(VpdqVideo.bank_id == bank.id).order_by(VpdqVideo.id))
    return {"bank": bank.name, "videos": [{"id": v.video_id, "label": v.label, "source": v.source,
                                           "frames": v.frames, "signal": v.signal} for v in rows]}


@router.post("/hashbanks/{name}/videos/remove", response_model=VideosRemoved)
def remove_videos(
    name: str,
    body: VideoRemoveIn,
    session: Session = Depends(get_session),
    who: Principal = Depends(require("detection.hashbanks.remove")),
) -> dict[str, Any]:
    """Unbank videos by id or source (audited)."""
    bank = bank_store.bank_by_name(session, name)
    removed = vpdq_store.remove_videos(session, bank, video_ids=body.video_ids, source=body.source,
                                       actor=who.actor)
    return {"bank": bank.name, "removed": len(removed), "video_ids": removed}
