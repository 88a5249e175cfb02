"""A worker's hash banks, kept in step with the database without scanning it.

Each process holds one ``BankIndex`` (arrays: PDQ index, ids, bank slots) and one
``VideoBanks`` per database. At start they are mapped from a saved file when one of this
database exists (then brought up to date), else built from the entries and saved, then
mapped back so every process on the machine shares the pages. A scan reads the bank
version row at most every ``SALINGJAGA_BANK_REFRESH_SECONDS`` (default 2; at once after
a change this process committed); when it moved, the worker reads only what changed:
entries and videos with ids above the highest it holds, and the removal log past its
position. A change of epoch (a new database) or a version lower than one seen (a restored backup)
rebuilds.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import shutil
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from salingjaga.detection.bank_index import BankIndex, BankInfo, BoundBanks, Column
from salingjaga.detection.bank_store import STATE_ID, take_changed
from salingjaga.detection.banks import BankEntry, entry_id
from salingjaga.detection.media.index import PDQIndex, hex_to_rows
from salingjaga.detection.media.vpdq import VpdqFeature, from_signal
from salingjaga.detection.models import BankRemoval, BankState, HashBank, HashBankEntry, VpdqVideo
from salingjaga.detection.video_banks import VideoBanks, VideoMatch

log = logging.getLogger("salingjaga.detection")
CHUNK = 100_000
RESAVE_ROWS = 100_000  # rows caught up since the saved file after which it is saved again
KNOWN_ENTRIES = 100_000  # matched entries' labels kept in memory


def refresh_seconds() -> float:
    """How long a worker trusts its banks before reading the version row again."""
    return float(os.environ.get("SALINGJAGA_BANK_REFRESH_SECONDS") or 2.0)


@dataclass
class WorkerBanks:
    """One database's banks in this process, and how far they have caught up."""

    epoch: str | None
    version: int
    index: BankIndex
    videos: VideoBanks
    banks: dict[str, BankInfo]
    removal_seq: int
    path: Path | None = None
    since_save: int = 0
    checked_at: float = field(default_factory=time.monotonic)

    # matched entries' (hash, label), kept for entries matched again (a viral repost): a
    # label never changes, and a removed entry is no longer returned by the index
    known: dict[int, tuple[str, str]] = field(default_factory=dict)

    def bound(self, session: Session) -> BoundBanks:
        """The PDQ/MD5 banks, reading matched entries' hash and label through ``session``."""
        return BoundBanks(self.index, lambda ids: self.details(session, ids))

    def details(self, session: Session, ids: Sequence[int]) -> Mapping[int, tuple[str, str]]:
        """(hash, label) of entries still stored, from memory when read before."""
        known = self.known
        missing = [i for i in ids if i not in known]
        if missing:
            if len(known) > KNOWN_ENTRIES:
                known.clear()
            known.update(_details(session, missing))
        found = ((i, known.get(i)) for i in ids)  # get: another thread may clear it meanwhile
        return {i: v for i, v in found if v is not None}

    def match_video(self, features: Sequence[VpdqFeature]) -> list[VideoMatch]:
        """Banked videos a video's vPDQ hash matches."""
        return self.videos.match(features, self.banks)


_cache: dict[str, WorkerBanks] = {}
_lock = threading.Lock()


def forget() -> None:
    """Drop every cached bank (a database was emptied or replaced under this process)."""
    with _lock:
        _cache.clear()


def worker_banks(session: Session, index_dir: Path | None = None) -> WorkerBanks:
    """This process's banks for the session's database, up to date within the refresh
    interval (at once for changes this process committed)."""
    url = str(session.get_bind().engine.url)
    with _lock:
        cached = _cache.get(url)
        changed = take_changed(url)
        now = time.monotonic()
        if cached is not None and not changed and now - cached.checked_at < refresh_seconds():
            return cached
        epoch, version = _state(session)
        # a version lower than one seen means the database went back (a restored backup)
        if cached is not None and cached.epoch == epoch and version >= cached.version:
            if cached.version != version:
                _catch_up(session, cached)
                cached.version = version
            cached.checked_at = now
            return cached
        fresh = _open(session, url, index_dir, epoch, version)
        _cache[url] = fresh
        return fresh


def _state(session: Session) -> tuple[str | None, int]:
    row = session.execute(select(BankState.epoch, BankState.version)
                          .where(BankState.id == STATE_ID)).first()
    return (None, 0) if row is None else (str(row[0]), int(row[1]))


def _details(session: Session, ids: Sequence[int]) -> Mapping[int, tuple[str, str]]:
    rows = session.execute(select(HashBankEntry.id, HashBankEntry.value, HashBankEntry.label)
                           .where(HashBankEntry.id.in_(list(ids)))).tuples()
    return {int(i): (v, label) for i, v, label in rows}


def _bank_infos(session: Session) -> dict[str, BankInfo]:
    rows = session.execute(select(HashBank.id, HashBank.name, HashBank.action, HashBank.policy,
                                  HashBank.pdq_threshold)).tuples()
    return {b: BankInfo(name, action, policy, int(t)) for b, name, action, policy, t in rows}


def _entry_chunks(session: Session, after: int) -> Iterator[list[tuple[int, str, str, str]]]:
    """Entries with ids above ``after``, in id order, a chunk at a time."""
    result = session.execute(select(HashBankEntry.id, HashBankEntry.bank_id, HashBankEntry.kind,
                                    HashBankEntry.value)
                             .where(HashBankEntry.id > after).order_by(HashBankEntry.id)
                             .execution_options(yield_per=CHUNK))
    for part in result.tuples().partitions(CHUNK):
        yield list(part)


def _add_videos(session: Session, videos: VideoBanks) -> int:
    rows = session.execute(select(VpdqVideo.id, VpdqVideo.bank_id, VpdqVideo.video_id, VpdqVideo.label,
                                  VpdqVideo.signal).where(VpdqVideo.id > videos.max_id)
                           .order_by(VpdqVideo.id)).tuples().all()
    for row_id, bank_id, video_id, label, signal in rows:
        try:
            videos.add(int(row_id), bank_id, video_id, label, from_signal(signal))
        except ValueError:  # stored by this code, so only a hand-edited row gets here
            log.warning("banked video %s has an unreadable vPDQ signal", row_id)
    return len(rows)


def _catch_up(session: Session, wb: WorkerBanks) -> None:
    wb.banks = _bank_infos(session)
    wb.index.set_banks(wb.banks)
    removals = session.execute(select(BankRemoval.seq, BankRemoval.kind, BankRemoval.item_id)
                               .where(BankRemoval.seq > wb.removal_seq).order_by(BankRemoval.seq)).tuples().all()
    if removals:
        gone = [int(i) for _, k, i in removals if k == "entry"]
        wb.index.remove(gone)
        for i in gone:
            wb.known.pop(i, None)
        wb.videos.remove([int(i) for _, k, i in removals if k == "video"])
        wb.removal_seq = int(removals[-1][0])
    added = 0
    for part in _entry_chunks(session, wb.index.max_id):
        ids, banks, kinds, values = zip(*part, strict=True)
        added += wb.index.add(ids, banks, kinds, values)
    added += _add_videos(session, wb.videos)
    wb.since_save += added + len(removals)
    if wb.path is not None and wb.since_save >= RESAVE_ROWS:
        _save_and_map(wb)


def _build(session: Session) -> BankIndex:
    """Every entry read once into arrays and indexed in one build."""
    index = BankIndex()
    words, ids, slots = [], [], []
    md5: list[tuple[int, str, str]] = []
    for part in _entry_chunks(session, 0):
        pdq = [(i, b, v) for i, b, k, v in part if k == "pdq"]
        md5.extend((i, b, v) for i, b, k, v in part if k == "md5")
        if pdq:
            words.append(hex_to_rows([v for _, _, v in pdq]).view(np.uint64))
            ids.append(np.array([i for i, _, _ in pdq], np.int64))
            slots.append(np.array([index.slot(b) for _, b, _ in pdq], np.int32))
    if words:
        index.pdq = PDQIndex(np.concatenate(words))
        index.pdq_ids = Column(np.int64, np.concatenate(ids))
        index.pdq_bank = Column(np.int32, np.concatenate(slots))
    top = int(index.pdq_ids.base[-1]) if len(index.pdq_ids) else 0
    if md5:
        md5_ids, md5_banks, md5_values = zip(*md5, strict=True)
        index.add(md5_ids, md5_banks, ["md5"] * len(md5), md5_values)
    index.max_id = max(top, index.max_id)
    return index


def _open(session: Session, url: str, index_dir: Path | None, epoch: str | None, version: int) -> WorkerBanks:
    path = None
    if index_dir is not None:
        key = hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]
        path = Path(index_dir) / f"banks-{key}"
    wb = _load(path, epoch, version) if path is not None and epoch is not None else None
    if wb is not None:
        _catch_up(session, wb)
        return wb
    seq = int(session.scalar(select(func.coalesce(func.max(BankRemoval.seq), 0))) or 0)
    index = _build(session)
    videos = VideoBanks()
    _add_videos(session, videos)
    wb = WorkerBanks(epoch, version, index, videos, {}, seq, path)
    wb.banks = _bank_infos(session)
    index.set_banks(wb.banks)
    if path is not None and epoch is not None:
        _save_and_map(wb)
    return wb


def _load(path: Path, epoch: str, version: int) -> WorkerBanks | None:
    if not (path / "manifest.json").exists():
        return None
    try:
        index, meta = BankIndex.load(path)
    except (OSError, ValueError, KeyError) as exc:
        log.warning("saved bank index %s unreadable (%s): rebuilding", path, exc)
        return None
    if meta.get("epoch") != epoch or version < int(meta.get("version", 0)):  # type: ignore[call-overload]
        return None  # another database, or this one restored from before the save
    return WorkerBanks(epoch, version, index, VideoBanks(), {}, int(meta.get("removal_seq", 0)), path)  # type: ignore[call-overload]


def _save_and_map(wb: WorkerBanks) -> None:
    """Save the index (one process at a time per file) and use the mapped copy."""
    assert wb.path is not None
    wb.path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(wb.path.with_name(wb.path.name + ".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            wb.index.save(wb.path, {"epoch": wb.epoch, "version": wb.version, "removal_seq": wb.removal_seq})
        mapped, _ = BankIndex.load(wb.path)
    except OSError as exc:
        log.warning("bank index not saved to %s: %s", wb.path, exc)
        shutil.rmtree(wb.path, ignore_errors=True)
        return
    mapped.set_banks(wb.banks)
    wb.index = mapped
    wb.since_save = 0


def entries(session: Session) -> list[BankEntry]:
    """Every stored PDQ and MD5 entry as objects (for one-off tools, not the server)."""
    rows = session.execute(
        select(HashBankEntry.id, HashBank.name, HashBank.action, HashBank.policy,
               HashBankEntry.kind, HashBankEntry.value, HashBankEntry.label, HashBank.pdq_threshold)
        .join(HashBank, HashBank.id == HashBankEntry.bank_id).order_by(HashBankEntry.id)).tuples()
    return [BankEntry(entry_id(r[1], r[0]), r[1], r[2], r[3], r[4], r[5], r[6], int(r[7])) for r in rows]
