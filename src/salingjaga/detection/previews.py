"""Small pictures of a content item's media for people: a video's keyframes and an image's
thumbnail, made with the same decoders detection reads media with (so a hostile file is
refused by the same limits) and kept beside the media store.

The pictures are derived from a stored file and named by its SHA-256:
``<data_dir>/previews/<sha[:2]>/<sha>/`` holds ``frames.json`` (the seconds of each
keyframe) and ``0.jpg``, ``1.jpg``... A file is decoded once; every later look-up reads
the folder. The folder is written under a temporary name and renamed into place, so
several processes making it at once each leave a complete one and a reader never sees
half of it. Nothing here takes a path from a request: the caller names a media entry the
content domain stored, and a frame by its number.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from PIL import Image

from salingjaga.detection.media.pdq import MediaError, open_image

log = logging.getLogger("salingjaga.detection")

FOLDER = "previews"
MAX_FRAMES = 12  # keyframes kept for a person to look at (detection reads up to 24)
EDGE = 320  # the longer side of a stored picture, in pixels
_SHA = re.compile(r"[0-9a-f]{64}")


def _source(data_dir: Path, media: dict[str, Any]) -> Path | None:
    """The stored file of a media entry, when it is one (inside the data folder)."""
    sha, rel = str(media.get("sha256") or ""), media.get("path")
    if not _SHA.fullmatch(sha) or not rel:
        return None
    root = Path(data_dir).resolve()
    target = (root / str(rel)).resolve()
    return target if root in target.parents and target.is_file() else None


def _folder(data_dir: Path, sha: str) -> Path:
    return Path(data_dir) / FOLDER / sha[:2] / sha


def _jpeg(image: Image.Image) -> bytes:
    picture = image.convert("RGB")
    picture.thumbnail((EDGE, EDGE))
    buf = io.BytesIO()
    picture.save(buf, "JPEG", quality=80)
    return buf.getvalue()


def _pictures(data: bytes, mime: str) -> list[tuple[float | None, bytes]]:
    """(seconds or None, JPEG) of each picture to keep; none when the file cannot be read."""
    from salingjaga.detection.media.video import keyframes

    try:
        if mime.startswith("image/"):
            return [(None, _jpeg(open_image(data)))]
        if mime.startswith("video/"):
            return [(seconds, _jpeg(image)) for seconds, image in keyframes(data, MAX_FRAMES)]
    except (MediaError, OSError, ValueError):  # undecodable, or a picture PIL cannot convert
        pass
    return []


def _make(data_dir: Path, media: dict[str, Any], source: Path) -> list[float | None]:
    """Decode the file once and put its pictures in place; returns their seconds."""
    sha = str(media["sha256"])
    pictures = _pictures(source.read_bytes(), str(media.get("mime") or ""))
    target = _folder(data_dir, sha)
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{sha[:16]}.", suffix=".tmp"))
    try:
        for n, (_, jpeg) in enumerate(pictures):
            (work / f"{n}.jpg").write_bytes(jpeg)
        (work / "frames.json").write_text(json.dumps([s for s, _ in pictures]), "utf-8")
        with contextlib.suppress(OSError):  # another process put the same pictures in place first
            os.rename(work, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            shutil.rmtree(work)
    return [s for s, _ in pictures]


def preview_frames(data_dir: Path, media: dict[str, Any]) -> list[float | None]:
    """The pictures a media entry has for people: for a video the seconds of each keyframe,
    for an image one entry (None); empty when the file is not stored or cannot be read."""
    source = _source(data_dir, media)
    if source is None:
        return []
    manifest = _folder(data_dir, str(media["sha256"])) / "frames.json"
    if manifest.is_file():
        try:
            return list(json.loads(manifest.read_text("utf-8")))
        except (OSError, ValueError):
            return []
    return _make(data_dir, media, source)


def preview_file(data_dir: Path, media: dict[str, Any], frame: int) -> Path | None:
    """The stored JPEG of one picture of a media entry, or None."""
    frames = preview_frames(data_dir, media)
    if not 0 <= frame < len(frames):
        return None
    path = _folder(data_dir, str(media["sha256"])) / f"{frame}.jpg"
    return path if path.is_file() else None


def prime_previews(data_dir: Path, media: list[dict[str, Any]]) -> None:
    """Make the pictures of an item's stored images and videos while it is scanned, so the
    pages that list it later only read them. A file that cannot be written to is left for
    the first page that asks (which tries again)."""
    for entry in media:
        if str(entry.get("mime") or "").startswith(("image/", "video/")):
            try:
                preview_frames(data_dir, entry)
            except OSError as exc:
                log.warning("no pictures for media %s: %s", entry.get("sha256"), exc)
