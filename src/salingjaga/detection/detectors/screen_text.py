"""On-screen text: what images and video keyframes say, read by OCR before the text
detectors run, so claim matching, the classifiers and routing see it like a caption.

Two registry entries: ``ScreenText`` reads the text first (its batch step runs before the
text models'); ``ScreenTextReport``, after claim matching, shows the moderator the text read
with the words that matched a fact-check marked. Without Tesseract, the item gets an
"OCR unavailable" signal instead of a failed scan.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from salingjaga.detection.base import SignalResult
from salingjaga.detection.detectors.base import ItemScan, ScanContext
from salingjaga.detection.detectors.media_hash import media_blobs, sniff
from salingjaga.detection.media.ocr import OcrUnavailable, unavailable_reason
from salingjaga.detection.media.pdq import MediaError
from salingjaga.detection.signals import SignalType
from salingjaga.detection.text.marking import mark

SHOWN_CHARS = 4000  # kept in the signal for the case page


@dataclass
class _Read:
    """One item's OCR outcome: the media left unread, and why."""

    unread: list[int] = field(default_factory=list)
    reason: str = ""


def _read(reader: Any, data: bytes, mime: str, result: _Read) -> Any:
    """The text of one file; a missing engine is noted on ``result``, not raised (it is a
    state of the machine, not a fault of the file)."""
    try:
        return reader.read(data, mime)
    except OcrUnavailable as exc:
        result.reason = str(exc)
        return None
    except MediaError:
        return None  # a file that cannot be decoded is reported once, by the media detector


def _where(index: int, seconds: float | None) -> str:
    return f"media {index}" if seconds is None else f"media {index} at {seconds:.1f}s"


class ScreenText:
    """Reads the text in the item's images and video keyframes into ``ItemScan.text``."""

    name = "screen_text"
    step = "ocr"
    signal_types = frozenset({SignalType.OCR_UNAVAILABLE})

    def prepare(self, scans: Sequence[ItemScan], ctx: ScanContext) -> Sequence[Any] | None:
        """OCR of every picture of the batch (cached by file hash)."""
        reader = ctx.screen_reader
        if reader is None or not any(s.item.get("media") for s in scans):
            return None
        reason = unavailable_reason() or ""
        out: list[_Read] = []
        for scan in scans:
            result = _Read(reason=reason)
            out.append(result)
            blobs, _ = media_blobs(scan.item, ctx.data_dir)  # unreadable files: media_hash says so
            for blob in blobs:
                mime = sniff(blob)
                if not mime.startswith(("image/", "video/")):
                    continue
                if result.reason:
                    result.unread.append(blob.index)
                    continue
                frames = scan.report.attempt(self.step, partial(_read, reader, blob.data, mime, result),
                                             blob.index)
                if result.reason:
                    result.unread.append(blob.index)
                    continue
                if frames:
                    scan.screen_text.append((blob.index, frames))
                    scan.text = "\n".join([scan.text, *(f.text for f in frames)]).strip()
        return out

    def detect(self, scan: ItemScan, prepared: Any, ctx: ScanContext) -> list[SignalResult]:
        """An "OCR unavailable" signal when pictures could not be read."""
        if not isinstance(prepared, _Read) or not prepared.unread:
            return []
        media = ", ".join(str(i) for i in prepared.unread)
        return [SignalResult(
            SignalType.OCR_UNAVAILABLE, "misinformation", 0.0,
            f"OCR unavailable: the text in media {media} was not read ({prepared.reason})",
            key="ocr", data={"media_index": prepared.unread, "reason": prepared.reason[:300]})]


class ScreenTextReport:
    """The text read from each picture, with the words that matched a fact-check marked."""

    name = "screen_text_report"
    step = "ocr"
    signal_types = frozenset({SignalType.ON_SCREEN_TEXT})

    def prepare(self, scans: Sequence[ItemScan], ctx: ScanContext) -> Sequence[Any] | None:
        """Nothing to do for the whole batch."""
        return None

    def detect(self, scan: ItemScan, prepared: Any, ctx: ScanContext) -> list[SignalResult]:
        """One signal per picture that showed text (score 0: evidence, never a route)."""
        out: list[SignalResult] = []
        for index, frames in scan.screen_text:
            text = "\n".join(f.text for f in frames)[:SHOWN_CHARS]
            pieces = mark(text, scan.claim_words)
            matched = sorted({p.lower() for p, hit in pieces if hit})
            first = " ".join(text.split())
            first = first if len(first) <= 160 else first[:157] + "..."
            where = _where(index, frames[0].seconds if len(frames) == 1 else None)
            out.append(SignalResult(
                SignalType.ON_SCREEN_TEXT, "misinformation", 0.0,
                f"text read in {where}: '{first}'"
                + (f"; words matching a fact-check: {', '.join(matched[:20])}" if matched else ""),
                key=f"m{index}",
                data={"media_index": index, "text": text, "marked": [[p, hit] for p, hit in pieces],
                      "matched_words": matched,
                      "frames": [f.as_list() for f in frames]}))
        return out
