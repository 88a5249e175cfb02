"""Banked vPDQ videos in the database: import from and export to vPDQ bank files
(``media.vpdq_bank``'s JSON lines), and removal. Writes bump the bank version and log
removals like every bank change (``bank_store``), so workers follow them in place."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from salingjaga.audit.service import record
from salingjaga.core.errors import Invalid, NotFound
from salingjaga.core.timeutil import utcnow
from salingjaga.detection.bank_store import ACTOR, bump, log_removals
from salingjaga.detection.media.vpdq import VpdqFeature, to_signal, usable
from salingjaga.detection.media.vpdq_bank import jsonl_line, parse_jsonl
from salingjaga.detection.models import HashBank, VpdqVideo

MAX_VIDEOS = 10_000  # per request or file


def parse_video_file(text: str) -> list[tuple[str, str, list[VpdqFeature]]]:
    """(id, label, features) of a vPDQ bank file; Invalid naming the bad line."""
    try:
        videos = parse_jsonl(text)
    except ValueError as exc:
        raise Invalid(str(exc), reason="detection.video_file_unreadable") from exc
    if not videos:
        raise Invalid("the file holds no video", reason="detection.no_video")
    if len(videos) > MAX_VIDEOS:
        raise Invalid(f"at most {MAX_VIDEOS} videos at once", status=413, code="payload_too_large",
                      reason="detection.too_many_videos", params={"n": MAX_VIDEOS})
    for video_id, label, features in videos:
        if len(video_id) > 200 or len(label) > 300:
            raise Invalid(f"video {video_id[:40]!r}: id at most 200 characters, label 300",
                          reason="detection.video_id_too_long", params={"ref": video_id[:40]})
        if not usable(features):
            raise Invalid(f"video {video_id!r}: no frame of usable quality", reason="detection.video_unusable",
                          params={"ref": video_id})
    return videos


def import_videos(session: Session, bank: HashBank, videos: Sequence[tuple[str, str, list[VpdqFeature]]],
                  source: str = "", actor: str = ACTOR) -> dict[str, int]:
    """Bank videos; one with an id the bank holds replaces it. Returns added/replaced."""
    if len(source) > 120:
        raise Invalid("source: at most 120 characters", reason="detection.source_too_long", params={"n": 120})
    bump(session)
    ids = [v for v, _, _ in videos]
    held = dict(session.execute(select(VpdqVideo.video_id, VpdqVideo.id).where(
        VpdqVideo.bank_id == bank.id, VpdqVideo.video_id.in_(ids))).tuples().all())
    if held:
        session.execute(delete(VpdqVideo).where(VpdqVideo.id.in_(list(held.values()))))
        log_removals(session, "video", list(held.values()))
        session.flush()
    now = utcnow()
    latest = {v: (label, features) for v, label, features in videos}  # a repeated id: the last wins
    session.add_all([VpdqVideo(bank_id=bank.id, video_id=v, label=label, source=source,
                               signal=to_signal(features), frames=len(features), created_at=now)
                     for v, (label, features) in latest.items()])
    session.flush()
    out = {"videos": len(latest), "added": len(latest) - len(held), "replaced": len(held)}
    record(session, actor, "hashbank.videos_imported", "hash_bank", bank.id, {**out, "source": source})
    return out


def export_videos(session: Session, bank: HashBank) -> str:
    """The bank's videos as a vPDQ bank file (JSON lines), oldest first."""
    rows = session.execute(select(VpdqVideo.video_id, VpdqVideo.label, VpdqVideo.signal)
                           .where(VpdqVideo.bank_id == bank.id).order_by(VpdqVideo.id)).tuples()
    return "".join(jsonl_line(v, label, signal) for v, label, signal in rows)


def remove_videos(session: Session, bank: HashBank, *, video_ids: Sequence[str] = (),
                  source: str | None = None, actor: str = ACTOR) -> list[str]:
    """Unbank videos by id or source, audited; every id named must be banked (NotFound
    otherwise, nothing removed). Returns the removed ids."""
    if not video_ids and source is None:
        raise Invalid("name the videos to remove: video_ids or source", reason="detection.videos_not_named")
    rows: dict[str, int] = {}
    if video_ids:
        wanted = sorted({str(v) for v in video_ids})
        rows = dict(session.execute(select(VpdqVideo.video_id, VpdqVideo.id).where(
            VpdqVideo.bank_id == bank.id, VpdqVideo.video_id.in_(wanted))).tuples().all())
        missing = [v for v in wanted if v not in rows]
        if missing:
            raise NotFound(f"bank {bank.name!r} holds no video {', '.join(missing[:10])}",
                           reason="detection.video_unknown", params={"name": bank.name, "ref": ", ".join(missing[:10])})
    if source is not None:
        by_source = dict(session.execute(select(VpdqVideo.video_id, VpdqVideo.id).where(
            VpdqVideo.bank_id == bank.id, VpdqVideo.source == source)).tuples().all())
        if not by_source:
            raise NotFound(f"bank {bank.name!r} holds no video from source {source!r}",
                           reason="detection.source_unknown", params={"name": bank.name, "source": source})
        rows.update(by_source)
    bump(session)
    session.execute(delete(VpdqVideo).where(VpdqVideo.id.in_(list(rows.values()))))
    log_removals(session, "video", list(rows.values()))
    record(session, actor, "hashbank.videos_removed", "hash_bank", bank.id,
           {"removed": len(rows), "video_ids": sorted(rows)[:100], "source": source})
    return sorted(rows)
