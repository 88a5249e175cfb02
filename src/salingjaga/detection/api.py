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
from salingjaga.detection import service
from salingjaga.detection.models import HashBank, HashBankEntry
from salingjaga.detection.schemas import BankImport, BanksOut, SignalsOut

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
        raise Invalid("entries: a non-empty list of {hash, label}")
    if len(entries) > 10000:
        raise Invalid("at most 10000 entries per request", status=413, code="payload_too_large")
    text = "\n".join(f"{e.get('hash', '')},{name},{str(e.get('label', '')).replace(',', ' ')}"
                     for e in entries if isinstance(e, dict))
    rows = service.parse_bank_file(text)
    threshold = body.get("pdq_threshold")
    bank = service.get_or_create_bank(
        session, name, policy=str(body.get("policy", "misinformation")),
        action=str(body.get("action", "review")),
        pdq_threshold=int(threshold) if threshold is not None else None)
    added = service.import_bank_entries(session, bank, rows)
    return {"bank": bank.name, "rows": len(rows), "added": added}
