"""Media hash banks: every image and video keyframe against the banks, by MD5 and by PDQ
(with its seven rotations and mirrors). Files that cannot be read give a ``media_error``
signal for the moderator."""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

from salingjaga.detection.banks import BankMatch, Banks
from salingjaga.detection.base import MediaBlob, SignalResult
from salingjaga.detection.detectors.base import ItemScan, ScanContext, ScanReport
from salingjaga.detection.media.orientations import DESCRIPTIONS
from salingjaga.detection.media.pdq import MediaError
from salingjaga.detection.signals import SignalType
from salingjaga.detection.video_banks import VideoMatch

MIN_PDQ_QUALITY = 50  # below this PDQ is unreliable (flat images): not matched


def media_blobs(item: dict[str, Any], data_dir: Path | None) -> tuple[list[MediaBlob], list[SignalResult]]:
    """The item's media files with their bytes, and an error signal per file that could
    not be read (bad base64, a path outside the data directory)."""
    blobs: list[MediaBlob] = []
    errors: list[SignalResult] = []
    for i, m in enumerate(item.get("media") or []):
        data: bytes | None = m.get("data")
        try:
            if data is None and m.get("data_base64"):
                data = base64.b64decode(m["data_base64"], validate=True)
            elif data is None and m.get("path") and data_dir is not None:
                path = (data_dir / m["path"]).resolve()
                if data_dir.resolve() not in path.parents:
                    raise MediaError("media path outside the data directory")
                data = path.read_bytes()
        except (binascii.Error, ValueError, OSError) as exc:
            errors.append(media_error(i, str(exc)))
            continue
        if data is None:
            continue  # a reference only (URL): nothing to hash here
        blobs.append(MediaBlob(m.get("kind", "image"), m.get("mime"), data, m.get("md5"), i))
    return blobs, errors


def media_error(index: int, message: str) -> SignalResult:
    """The signal for a media file that could not be scanned (for a person, never acted on)."""
    return SignalResult(SignalType.MEDIA_ERROR, "synthetic_media", 0.0,
                        f"media {index} could not be scanned: {message}", key=f"m{index}",
                        data={"media_index": index, "error": message[:300]})


def sniff(blob: MediaBlob) -> str:
    """The type the bytes are (never the declared one: a hostile file may claim anything)."""
    from salingjaga.content.media import sniff_mime

    return sniff_mime(blob.data) or ""


def _signal_key(entry_id: str) -> str:
    # the signal table's key holds 120 characters; a long bank name is hashed to fit
    if len(entry_id) <= 120:
        return entry_id
    return "h:" + hashlib.sha256(entry_id.encode("utf-8")).hexdigest()[:40]


def bank_signal(match: BankMatch, media_index: int, where: str) -> SignalResult:
    """The signal for one bank entry matched by a file (MD5) or a frame (PDQ)."""
    e = match.entry
    kind = SignalType.MD5_MATCH if e.kind == "md5" else SignalType.MEDIA_HASH_MATCH
    turned = ""
    if e.kind == "md5":
        score, how = 1.0, "identical file (MD5)"
    else:
        score = round(max(0.0, 1.0 - match.distance / 64), 3)
        how = f"PDQ distance {match.distance}/{e.threshold}"
        if match.orientation != "original":
            turned = f", a copy {DESCRIPTIONS[match.orientation]}"
    label = f": '{e.label}'" if e.label else ""
    return SignalResult(
        kind, e.policy, score,
        f"{where} matches hash bank '{e.bank}'{label} ({how}{turned}), {score:.2f}",
        key=_signal_key(e.entry_id),
        exact=True,
        data={"bank": e.bank, "bank_action": e.bank_action, "entry_id": e.entry_id,
              "distance": match.distance, "threshold": e.threshold, "label": e.label,
              "media_index": media_index, "hash": match.query, "orientation": match.orientation},
    )


def _frame_hashes(blob: MediaBlob, mime: str) -> list[tuple[str, list[str]]]:
    """(where, the eight orientation hashes) of an image, or of a video's keyframes, that
    are good enough to match (PDQ quality)."""
    # imported here: PyAV and the PDQ code load only when there is media to read
    from salingjaga.detection.media.pdq import pdq_dihedral_from_bytes
    from salingjaga.detection.media.video import keyframe_dihedral_hashes

    frames: list[tuple[str, list[str]]] = []
    if mime.startswith("image/"):
        hashes, quality = pdq_dihedral_from_bytes(blob.data)
        if quality >= MIN_PDQ_QUALITY:
            frames.append((f"image {blob.index}", hashes))
    elif mime.startswith("video/"):
        for seconds, hashes, quality in keyframe_dihedral_hashes(blob.data):
            if quality >= MIN_PDQ_QUALITY:
                frames.append((f"video {blob.index} keyframe at {seconds:.1f}s", hashes))
    return frames


def _media_hashes(report: ScanReport, blob: MediaBlob, mime: str,
                  out: list[SignalResult]) -> list[tuple[str, list[str]]]:
    """The frame hashes of one file; a file that cannot be read safely gives a media_error
    signal for the moderator and a failed step for the operator."""

    def read() -> list[tuple[str, list[str]]]:
        if not mime:
            raise MediaError("the file's type is not recognised from its bytes")
        return _frame_hashes(blob, mime)

    before = len(report.failures)
    frames = report.attempt("media", read, blob.index)
    if len(report.failures) > before:
        out.append(media_error(blob.index, report.failures[-1].error))
    return frames or []


def _bank_signals(frames: list[tuple[str, list[str]]], blob: MediaBlob, banks: Banks) -> list[SignalResult]:
    """One signal per matching bank entry (every bank that matches), at its best frame."""
    best: dict[str, SignalResult] = {}
    for (where, _), matches in zip(frames, banks.match_pdq_dihedral([h for _, h in frames]), strict=True):
        for m in matches:
            sig = bank_signal(m, blob.index, where)
            if m.entry.entry_id not in best or sig.score > best[m.entry.entry_id].score:
                best[m.entry.entry_id] = sig
    return list(best.values())


def video_signal(match: VideoMatch, media_index: int, frames: int) -> SignalResult:
    """The signal for a banked video that a video matches the vPDQ way."""
    b, m = match.bank, match.match
    score = round(min(1.0, m.query_percent / 100), 3)
    label = f": '{match.label}'" if match.label else ""
    return SignalResult(
        SignalType.MEDIA_HASH_MATCH, b.policy, score,
        f"video {media_index} matches vPDQ video '{match.video_id}' of hash bank '{b.name}'{label} "
        f"({m.query_percent:.0f}% of its frames match the banked video, "
        f"{m.compared_percent:.0f}% of the banked video's frames match it), {score:.2f}",
        key=_signal_key(f"vpdq:{b.name}:{match.row_id}"),
        exact=True,
        data={"bank": b.name, "bank_action": b.action, "entry_id": f"vpdq:{b.name}:{match.row_id}",
              "video_id": match.video_id, "label": match.label, "media_index": media_index,
              "query_percent": round(m.query_percent, 1), "compared_percent": round(m.compared_percent, 1),
              "frames": frames, "hash_kind": "vpdq"},
    )


def _video_hash(blob: MediaBlob) -> list[Any]:
    from salingjaga.detection.media.video import MAX_DECODE_SECONDS
    from salingjaga.detection.media.vpdq import hash_video

    return hash_video(blob.data, max_seconds=MAX_DECODE_SECONDS)


class MediaHash:
    """Hash-bank matches of the item's media; leaves the files read and their frame hashes
    for the detectors after it (credentials, reposts)."""

    name = "media_hash"
    step = "media"
    signal_types = frozenset({SignalType.MD5_MATCH, SignalType.MEDIA_HASH_MATCH, SignalType.MEDIA_ERROR})

    def prepare(self, scans: Sequence[ItemScan], ctx: ScanContext) -> Sequence[Any] | None:
        """Nothing to do for the whole batch."""
        return None

    def detect(self, scan: ItemScan, prepared: Any, ctx: ScanContext) -> list[SignalResult]:
        """Bank matches per file; each file is read in a step of its own."""
        if not scan.item.get("media"):
            return []
        blobs, out = media_blobs(scan.item, ctx.data_dir)
        read: list[tuple[MediaBlob, str]] = []
        hashes: list[str] = []
        videos: list[tuple[int, list[Any]]] = []
        banks = ctx.banks
        for blob in blobs:
            mime = sniff(blob)
            read.append((blob, mime))
            md5 = blob.md5 or hashlib.md5(blob.data, usedforsecurity=False).hexdigest()
            if banks is not None:
                out.extend(bank_signal(m, blob.index, f"media {blob.index}") for m in banks.match_md5(md5))
            frames = _media_hashes(scan.report, blob, mime, out)
            if frames and banks is not None:
                found = scan.report.attempt("hash_banks", partial(_bank_signals, frames, blob, banks), blob.index)
                out.extend(found or [])
            hashes.extend(h[0] for _, h in frames)
            if mime.startswith("video/") and frames:
                features = scan.report.attempt("vpdq", partial(_video_hash, blob), blob.index)
                if features:
                    videos.append((blob.index, features))
                if features and ctx.video_banks is not None:
                    found_videos = scan.report.attempt("hash_banks", partial(ctx.video_banks.match_video, features),
                                                       blob.index)
                    out.extend(video_signal(v, blob.index, len(features)) for v in found_videos or [])
        # only once every file is read: a step that fails part-way leaves nothing half-done
        scan.blobs, scan.media_hashes, scan.video_hashes = read, hashes, videos
        return out
