"""Writing hash banks: banks, PDQ/MD5 entries, vPDQ videos, and their removal.

Every change bumps the one bank version row *first* in its transaction. On PostgreSQL
that row lock serialises bank writers, so entry ids become visible in increasing order
(a worker that has seen id n never later meets a smaller new one) and a worker notices
any change from one primary-key read (``detection.bank_cache``). Removals are also
written to a log that workers read from their last position, so they drop the removed
rows from their index in place.
"""

from __future__ import annotations

import csv
import io
import json
import secrets
import threading
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, event, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from salingjaga.audit.service import record
from salingjaga.core.errors import Invalid, NotFound
from salingjaga.core.ids import new_id
from salingjaga.core.timeutil import utcnow
from salingjaga.detection.media.pdq import validate_hex
from salingjaga.detection.models import BankRemoval, BankState, HashBank, HashBankEntry
from salingjaga.policies.service import get_policy

ACTOR = "system:detection"
STATE_ID = 1

# database urls whose banks this process changed: its own workers look again at once
_changed: set[str] = set()
_changed_lock = threading.Lock()


def _url(session: Session) -> str:
    return str(session.get_bind().engine.url)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    url = session.info.pop("banks_changed", None)
    if url:
        with _changed_lock:
            _changed.add(url)


def take_changed(url: str) -> bool:
    """Whether this process committed a bank change to ``url`` since last asked."""
    with _changed_lock:
        if url in _changed:
            _changed.discard(url)
            return True
        return False


def insert_for(session: Session) -> Any:
    """The dialect's INSERT with ON CONFLICT support."""
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def bump(session: Session) -> None:
    """Bump the bank version (creating the row, with a new epoch, if absent). Call it
    before writing any entry: it takes the row lock that orders bank writers."""
    if session.info.get("banks_changed"):
        return  # already bumped (and locked) in this transaction
    result = session.execute(update(BankState).where(BankState.id == STATE_ID)
                             .values(version=BankState.version + 1))
    if not result.rowcount:  # type: ignore[attr-defined]
        session.execute(insert_for(session)(BankState).values(
            id=STATE_ID, epoch=secrets.token_hex(16), version=1).on_conflict_do_nothing())
        session.execute(update(BankState).where(BankState.id == STATE_ID)
                        .values(version=BankState.version + 1))
    session.info["banks_changed"] = _url(session)


def get_or_create_bank(session: Session, name: str, *, policy: str = "misinformation",
                       action: str = "review", pdq_threshold: int | None = None,
                       description: str = "") -> HashBank:
    """A bank by name, created on first use; a given threshold/action updates it."""
    if action not in ("review", "remove"):
        raise Invalid("bank action must be 'review' or 'remove'", reason="detection.bank_action")
    get_policy(policy)
    if pdq_threshold is not None and not 0 <= pdq_threshold <= 47:
        raise Invalid("pdq threshold must be between 0 and 47", reason="detection.threshold_range")
    bank = session.scalar(select(HashBank).where(HashBank.name == name))
    if bank is None:
        bump(session)
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
    if action != bank.action:
        changed["action"] = action
    if changed:
        bump(session)
        for k, v in changed.items():
            setattr(bank, k, v)
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
            rows.append((*hash_kind(value), label[:300]))
        except ValueError as exc:
            raise Invalid(f"line {line_no}: {exc}", reason="detection.bad_hash_line", params={"line": line_no}) from exc
    return rows


def hash_kind(value: str) -> tuple[str, str]:
    """("pdq" or "md5", the normalised hash); ValueError for anything else."""
    value = value.strip().lower()
    if len(value) == 64:
        return "pdq", validate_hex(value)
    if len(value) == 32 and all(c in "0123456789abcdef" for c in value):
        return "md5", value
    raise ValueError("expected a 64-hex PDQ hash or a 32-hex MD5")


def import_bank_entries(session: Session, bank: HashBank, rows: Sequence[tuple[str, str, str]],
                        chunk: int = 5000, source: str = "") -> int:
    """Insert entries, skipping ones the bank already holds; returns how many were new."""
    if len(source) > 120:
        raise Invalid("source: at most 120 characters", reason="detection.source_too_long", params={"n": 120})
    bump(session)
    insert = insert_for(session)
    before = session.scalar(select(func.count(HashBankEntry.id))
                            .where(HashBankEntry.bank_id == bank.id)) or 0
    now = utcnow()
    statement = insert(HashBankEntry).on_conflict_do_nothing(index_elements=["bank_id", "kind", "value"])
    for start in range(0, len(rows), chunk):
        # a list of parameter sets: batched by the driver, no statement compiled per row
        values = [{"bank_id": bank.id, "kind": k, "value": v, "label": lbl, "source": source,
                   "created_at": now}
                  for k, v, lbl in rows[start : start + chunk]]
        session.execute(statement, values)
    after = session.scalar(select(func.count(HashBankEntry.id))
                           .where(HashBankEntry.bank_id == bank.id)) or 0
    added = int(after - before)
    record(session, ACTOR, "hashbank.imported", "hash_bank", bank.id,
           {"rows": len(rows), "added": added, "source": source})
    return added


def log_removals(session: Session, kind: str, ids: Sequence[int]) -> None:
    """Write removed ids to the log workers follow (after ``bump``)."""
    now = utcnow()
    for start in range(0, len(ids), 5000):
        session.execute(insert_for(session)(BankRemoval).values(
            [{"kind": kind, "item_id": int(i), "removed_at": now} for i in ids[start: start + 5000]]))


def bank_by_name(session: Session, name: str) -> HashBank:
    """A bank by name; NotFound otherwise."""
    bank = session.scalar(select(HashBank).where(HashBank.name == name))
    if bank is None:
        raise NotFound(f"no hash bank named {name!r}", reason="detection.bank_unknown", params={"name": name})
    return bank


def remove_entries(session: Session, bank: HashBank, *, ids: Sequence[int] = (),
                   hashes: Sequence[str] = (), source: str | None = None,
                   actor: str = ACTOR) -> list[int]:
    """Remove a bank's entries named by database id, by hash (PDQ or MD5) or by source,
    audited; returns the removed ids. Every id and hash named must be in the bank
    (Invalid/NotFound otherwise, with nothing removed); a source must match an entry."""
    if not ids and not hashes and source is None:
        raise Invalid("name the entries to remove: ids, hashes or source", reason="detection.entries_not_named")
    try:
        wanted_ids = sorted({int(i) for i in ids})
        wanted = sorted({hash_kind(str(h)) for h in hashes})
    except (TypeError, ValueError) as exc:
        raise Invalid(f"bad entry id or hash: {exc}", reason="detection.bad_reference") from exc
    found: set[int] = set()
    if wanted_ids:
        held = set(session.scalars(select(HashBankEntry.id).where(
            HashBankEntry.bank_id == bank.id, HashBankEntry.id.in_(wanted_ids))))
        missing = [i for i in wanted_ids if i not in held]
        if missing:
            raise NotFound(f"bank {bank.name!r} holds no entry with id {', '.join(map(str, missing[:20]))}",
                           reason="detection.entry_unknown",
                           params={"name": bank.name, "ref": ", ".join(map(str, missing[:20]))})
        found |= held
    for kind in ("pdq", "md5"):
        values = [v for k, v in wanted if k == kind]
        for start in range(0, len(values), 5000):
            part = values[start: start + 5000]
            rows = dict(session.execute(select(HashBankEntry.value, HashBankEntry.id).where(
                HashBankEntry.bank_id == bank.id, HashBankEntry.kind == kind,
                HashBankEntry.value.in_(part))).tuples().all())
            missing_values = [v for v in part if v not in rows]
            if missing_values:
                raise NotFound(f"bank {bank.name!r} holds no {kind} hash {', '.join(missing_values[:5])}",
                               reason="detection.hash_unknown",
                               params={"name": bank.name, "ref": ", ".join(missing_values[:5])})
            found |= set(rows.values())
    if source is not None:
        by_source = set(session.scalars(select(HashBankEntry.id).where(
            HashBankEntry.bank_id == bank.id, HashBankEntry.source == source)))
        if not by_source:
            raise NotFound(f"bank {bank.name!r} holds no entry from source {source!r}",
                           reason="detection.source_unknown", params={"name": bank.name, "source": source})
        found |= by_source
    removed = sorted(found)
    bump(session)
    for start in range(0, len(removed), 5000):
        session.execute(delete(HashBankEntry).where(HashBankEntry.id.in_(removed[start: start + 5000])))
    log_removals(session, "entry", removed)
    record(session, actor, "hashbank.entries_removed", "hash_bank", bank.id,
           {"removed": len(removed), "ids": removed[:100], "hashes": [v for _, v in wanted][:100],
            "source": source})
    return removed
