"""What detection does with the database: store signals, import hash banks, build the
scan context, and answer other domains (signals of an item, election-related?).

Acting on routing decisions through moderation is in ``detection/handlers.py``: moderation
reads signals from here, so this module must not import moderation back."""

from __future__ import annotations

import csv
import io
import json
import logging
import threading
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from salingjaga.audit.service import record
from salingjaga.content.models import ContentItem
from salingjaga.core.db import Database
from salingjaga.core.errors import Invalid
from salingjaga.core.ids import new_id
from salingjaga.core.settings import Settings
from salingjaga.core.timeutil import utcnow
from salingjaga.detection.banks import BankEntry, BankMatcher, entry_id
from salingjaga.detection.base import SignalResult
from salingjaga.detection.detectors.base import ScanContext
from salingjaga.detection.detectors.text_classifier import CLASSIFIER_FLOOR, default_classifier
from salingjaga.detection.history import DatabaseHistory
from salingjaga.detection.media.ocr import default_engine
from salingjaga.detection.media.pdq import validate_hex
from salingjaga.detection.media.screen_text import ScreenReader
from salingjaga.detection.models import HashBank, HashBankEntry, Signal
from salingjaga.detection.ocr_store import DatabaseOcrCache
from salingjaga.detection.routing import RoutingConfig, load_config
from salingjaga.detection.signals import SignalType
from salingjaga.detection.text.matcher import get_matcher
from salingjaga.factcheck.service import get_factcheck
from salingjaga.policies.service import get_policy

log = logging.getLogger("salingjaga.detection")
ACTOR = "system:detection"


def routing_config() -> RoutingConfig:
    """The routing data file in force."""
    return load_config()


# ------------------------------------------------------------------------------ banks

_bank_lock = threading.Lock()
# database url -> (version, bank settings, matcher); see bank_matcher
_bank_cache: dict[str, tuple[tuple[int, int], int, BankMatcher]] = {}


def _bank_entries(session: Session, after_id: int = 0) -> list[BankEntry]:
    rows = session.execute(
        select(HashBankEntry.id, HashBank.name, HashBank.action, HashBank.policy,
               HashBankEntry.kind, HashBankEntry.value, HashBankEntry.label, HashBank.pdq_threshold)
        .join(HashBank, HashBank.id == HashBankEntry.bank_id)
        .where(HashBankEntry.id > after_id)
        .order_by(HashBankEntry.id)
    ).all()
    return [BankEntry(entry_id(r[1], r[0]), r[1], r[2], r[3], r[4], r[5], r[6], int(r[7])) for r in rows]


def bank_matcher(session: Session) -> BankMatcher:
    """The bank index, kept in step with the database. Every worker process checks the
    entries' count and highest id on each call: entries added since are added to its
    index in place, removed ones (the count fell short) are found by id and removed, so
    a bank refresh reaches every worker without re-indexing. A change of any bank's name,
    action, policy or threshold rebuilds (banks are few, so their settings are compared
    whole)."""
    version_row = session.execute(
        select(func.count(HashBankEntry.id), func.coalesce(func.max(HashBankEntry.id), 0))).one()
    banks = session.execute(select(HashBank.id, HashBank.name, HashBank.action, HashBank.policy,
                                   HashBank.pdq_threshold).order_by(HashBank.id)).all()
    version = (int(version_row[0]), int(version_row[1]))
    settings = hash(tuple(tuple(b) for b in banks))
    key = str(session.get_bind().engine.url)
    with _bank_lock:
        cached = _bank_cache.get(key)
        if cached is not None and cached[1] == settings:
            if cached[0] == version:
                return cached[2]
            matcher = cached[2]
            matcher.add(_bank_entries(session, cached[0][1]))
            if len(matcher) != version[0]:
                ids = {entry_id(r[1], r[0]) for r in session.execute(
                    select(HashBankEntry.id, HashBank.name)
                    .join(HashBank, HashBank.id == HashBankEntry.bank_id))}
                matcher.remove(sorted(matcher.entry_ids() - ids))
            _bank_cache[key] = (version, settings, matcher)
            return matcher
    matcher = BankMatcher(_bank_entries(session))
    with _bank_lock:
        _bank_cache[key] = (version, settings, matcher)
    return matcher


def get_or_create_bank(session: Session, name: str, *, policy: str = "misinformation",
                       action: str = "review", pdq_threshold: int | None = None,
                       description: str = "") -> HashBank:
    """A bank by name, created on first use; a given threshold/action updates it."""
    if action not in ("review", "remove"):
        raise Invalid("bank action must be 'review' or 'remove'")
    get_policy(policy)
    if pdq_threshold is not None and not 0 <= pdq_threshold <= 47:
        raise Invalid("pdq threshold must be between 0 and 47")
    bank = session.scalar(select(HashBank).where(HashBank.name == name))
    if bank is None:
        bank = HashBank(id=new_id("bank"), name=name, policy=policy, action=action,
                        pdq_threshold=31 if pdq_threshold is None else pdq_threshold,
                        description=description, created_at=utcnow())
        session.add(bank)
        session.flush()
        record(session, ACTOR, "hashbank.created", "hash_bank", bank.id,
               {"name": name, "policy": policy, "action": action,
                "pdq_threshold": bank.pdq_threshold})
        return bank
    changed: dict[str, Any] = {}
    if pdq_threshold is not None and pdq_threshold != bank.pdq_threshold:
        changed["pdq_threshold"] = pdq_threshold
        bank.pdq_threshold = pdq_threshold
    if action != bank.action:
        changed["action"] = action
        bank.action = action
    if changed:
        record(session, ACTOR, "hashbank.updated", "hash_bank", bank.id, changed)
    return bank


def parse_bank_file(text: str) -> list[tuple[str, str, str]]:
    """(kind, value, label) rows from a CSV/TSV (hash,bank?,label) or JSONL bank file.

    The hash kind is told by its length: 64 hex digits PDQ, 32 MD5. A header row and
    comment lines (#) are skipped; a bad row raises Invalid naming its line.
    """
    rows: list[tuple[str, str, str]] = []
    stripped = text.lstrip()
    if stripped.startswith("{"):
        records: Iterable[tuple[int, list[str]]] = (
            (n, [str(d.get("hash", "")), str(d.get("bank", "")), str(d.get("label", ""))])
            for n, d in ((n, json.loads(line)) for n, line in enumerate(text.splitlines(), 1)
                         if line.strip()))
    else:
        dialect = "excel-tab" if "\t" in text.split("\n", 1)[0] else "excel"
        records = enumerate(csv.reader(io.StringIO(text), dialect=dialect), 1)
    for line_no, fields in records:
        if not fields or not fields[0].strip() or fields[0].lstrip().startswith("#"):
            continue
        value = fields[0].strip().lower()
        if line_no == 1 and value in ("hash", "signal", "value"):
            continue
        label = (fields[2] if len(fields) > 2 else fields[1] if len(fields) == 2 else "").strip()
        try:
            if len(value) == 64:
                rows.append(("pdq", validate_hex(value), label[:300]))
            elif len(value) == 32 and all(c in "0123456789abcdef" for c in value):
                rows.append(("md5", value, label[:300]))
            else:
                raise ValueError("expected a 64-hex PDQ hash or a 32-hex MD5")
        except ValueError as exc:
            raise Invalid(f"line {line_no}: {exc}") from exc
    return rows


def import_bank_entries(session: Session, bank: HashBank, rows: Sequence[tuple[str, str, str]],
                        chunk: int = 5000) -> int:
    """Insert entries, skipping ones the bank already holds; returns how many were new."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    before = session.scalar(select(func.count(HashBankEntry.id))
                            .where(HashBankEntry.bank_id == bank.id)) or 0
    now = utcnow()
    for start in range(0, len(rows), chunk):
        values = [{"bank_id": bank.id, "kind": k, "value": v, "label": lbl, "created_at": now}
                  for k, v, lbl in rows[start : start + chunk]]
        session.execute(insert(HashBankEntry).values(values).on_conflict_do_nothing(
            index_elements=["bank_id", "kind", "value"]))
    after = session.scalar(select(func.count(HashBankEntry.id))
                           .where(HashBankEntry.bank_id == bank.id)) or 0
    added = int(after - before)
    record(session, ACTOR, "hashbank.imported", "hash_bank", bank.id,
           {"rows": len(rows), "added": added})
    return added


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
    return ScanContext(
        banks=bank_matcher(session),
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


def warm(db: Database) -> None:
    """Load the text models and build the claim matcher now, before requests arrive: the
    first scan would otherwise do it inside its transaction, and on SQLite every request
    waits for the writer that transaction holds (seconds, on the first content item)."""
    default_classifier()(["pemilu"])
    try:
        get_matcher(db)
    except Exception:  # a broken matcher must not stop the server; scans log it again
        log.exception("claim matcher unavailable")
