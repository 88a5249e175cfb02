"""Pictures of a content item for the pages: a thumbnail for lists and a video's keyframes
for the case. Detection makes them (it holds the decoders) and registers itself here at
wiring (``provide_previews``); it sits above moderation, so moderation never imports it.
Without a provider an item simply has no pictures.

The pages serve a picture through their own authorised routes by content item, media
number and frame number, never by a path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from salingjaga.content.models import ContentItem

FramesReader = Callable[[Path, dict[str, Any]], list[float | None]]
FileReader = Callable[[Path, dict[str, Any], int], Path | None]
_provider: list[tuple[FramesReader, FileReader]] = []


def provide_previews(frames: FramesReader, file: FileReader) -> None:
    """Set how a media entry's pictures are listed and found (detection's, at wiring)."""
    _provider[:] = [(frames, file)]


@dataclass(frozen=True)
class Keyframe:
    """One picture of an item: which media entry, which frame, and when in the video."""

    media_index: int
    frame: int
    seconds: float | None


def _pictured(item: ContentItem) -> list[tuple[int, dict[str, Any]]]:
    return [(i, m) for i, m in enumerate(item.media or [])
            if m.get("path") and str(m.get("mime") or "").startswith(("image/", "video/"))]


def keyframes(data_dir: Path, item: ContentItem) -> list[Keyframe]:
    """The keyframes of the item's stored videos, in order."""
    if not _provider:
        return []
    frames = _provider[0][0]
    return [Keyframe(i, n, s) for i, m in _pictured(item) if str(m.get("mime")).startswith("video/")
            for n, s in enumerate(frames(data_dir, m))]


def thumbnail(data_dir: Path, item: ContentItem) -> Keyframe | None:
    """The item's first picture (an image, or a video's first keyframe), or None."""
    if not _provider:
        return None
    frames = _provider[0][0]
    for i, m in _pictured(item):
        if frames(data_dir, m):
            return Keyframe(i, 0, None)
    return None


def thumbnails(data_dir: Path, items: list[ContentItem]) -> dict[str, Keyframe]:
    """``thumbnail`` of each item that has one, by item id."""
    out = {}
    for item in items:
        thumb = thumbnail(data_dir, item)
        if thumb is not None:
            out[item.id] = thumb
    return out


def picture_file(data_dir: Path, item: ContentItem, media_index: int, frame: int) -> Path | None:
    """The JPEG of one picture of the item, or None (no such media, frame or provider)."""
    media = list(item.media or [])
    if not _provider or not 0 <= media_index < len(media):
        return None
    return _provider[0][1](data_dir, media[media_index], frame)
