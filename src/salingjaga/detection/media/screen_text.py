"""Reading the text of an image or a video's keyframes, once per file and once per caption.

A video carries the same caption over many keyframes; OCR is the expensive step, so a
keyframe is read only when its text region differs from the last frame read. Results are
kept by the SHA-256 of the file (``OcrCache``): a repost of the same file is not read again.
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from PIL import Image

from salingjaga.detection.media.ocr import OcrEngine
from salingjaga.detection.media.pdq import MAX_PIXELS, MediaError

# Text-region signature: at thumbnail scale, where the glyph edges are (strong horizontal
# grey-level steps) and which blocks are text-like (dense in such edges). Edges, not grey
# levels, so a background that brightens or drifts behind a caption is not a new caption.
THUMB_WIDTH = 160
BLOCK = 8
EDGE = 48  # grey-level step counted as a glyph edge
TEXT_BLOCK_EDGES = 0.12  # share of a block's pixels on an edge for the block to hold text
SAME_MASK = 0.8  # overlap (IoU) of text blocks for two frames to have the same layout
# share of glyph edges in the text blocks that the other picture has within a pixel: ~0.99
# for the same caption over a changing background, ~0.65 for another caption in its place
SAME_EDGES = 0.8


@dataclass(frozen=True)
class FrameText:
    """The text read from one picture: an image (``seconds`` None) or a keyframe."""

    seconds: float | None
    text: str

    def as_list(self) -> list[Any]:
        """JSON shape kept in the cache."""
        return [self.seconds, self.text]


@dataclass(frozen=True)
class Signature:
    """Where a picture's text is and what its glyphs look like, at thumbnail scale."""

    mask: np.ndarray  # bool, one per block
    edges: np.ndarray  # bool, one per thumbnail pixel (cropped to whole blocks)


def signature(image: Image.Image) -> Signature:
    """The text-region signature of a picture."""
    width = THUMB_WIDTH
    height = max(BLOCK, round(image.height * width / max(1, image.width)) // BLOCK * BLOCK)
    grey = np.asarray(image.convert("L").resize((width, height), Image.Resampling.BILINEAR), dtype=np.float32)
    edges = np.zeros_like(grey, dtype=bool)
    edges[:, 1:] = np.abs(np.diff(grey, axis=1)) > EDGE
    blocks = edges.reshape(height // BLOCK, BLOCK, width // BLOCK, BLOCK).mean(axis=(1, 3))
    return Signature(blocks > TEXT_BLOCK_EDGES, edges)


def _dilate(edges: np.ndarray) -> np.ndarray:
    out = edges.copy()
    out[1:, :] |= edges[:-1, :]
    out[:-1, :] |= edges[1:, :]
    out[:, 1:] |= edges[:, :-1]
    out[:, :-1] |= edges[:, 1:]
    return out


def same_text(a: Signature, b: Signature) -> bool:
    """Whether two pictures show the same text where they show text: a caption that
    appears, goes, moves or changes its words changes the text blocks or their glyph edges;
    video noise and a changing background move edges by a pixel at most."""
    if a.mask.shape != b.mask.shape:
        return False
    union = a.mask | b.mask
    if not union.any():
        return True  # neither has text
    if (a.mask & b.mask).sum() / union.sum() < SAME_MASK:
        return False
    pixels = np.repeat(np.repeat(union, BLOCK, axis=0), BLOCK, axis=1)
    ea, eb = a.edges & pixels, b.edges & pixels
    # an edge of one picture counts as shared when the other has one within a pixel
    shared = (ea & _dilate(eb)).sum() + (eb & _dilate(ea)).sum()
    total = ea.sum() + eb.sum()
    return bool(total == 0 or shared / total >= SAME_EDGES)


def _open_image(data: bytes) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > MAX_PIXELS:
            raise MediaError(f"an image of {image.width}x{image.height} exceeds the pixel limit")
        image.load()
    except MediaError:
        raise
    except Exception as exc:  # Pillow raises many types on a broken file
        raise MediaError(f"image cannot be decoded: {type(exc).__name__}: {exc}") from exc
    return image


def read_image(data: bytes, engine: OcrEngine) -> list[FrameText]:
    """The text of an image file (nothing when it shows none)."""
    text = engine.read(_open_image(data))
    return [FrameText(None, text)] if text else []


def read_frames(frames: Any, engine: OcrEngine) -> tuple[list[FrameText], int]:
    """The text of a sequence of (seconds, picture), reading a picture only when its text
    region changed since the last one read; also how many pictures were read."""
    out: list[FrameText] = []
    last: Signature | None = None
    reads = 0
    for seconds, image in frames:
        sig = signature(image)
        if last is not None and same_text(last, sig):
            continue
        last = sig
        reads += 1
        text = engine.read(image)
        if text and (not out or out[-1].text != text):
            out.append(FrameText(seconds, text))
    return out, reads


def read_video(data: bytes, engine: OcrEngine) -> list[FrameText]:
    """The distinct texts shown over a video's keyframes, with when each appears."""
    from salingjaga.detection.media.video import keyframes

    return read_frames(keyframes(data), engine)[0]


def media_key(data: bytes) -> str:
    """The cache key of a file: the SHA-256 of its bytes."""
    return hashlib.sha256(data).hexdigest()


class OcrCache(Protocol):
    """Recognised text kept by media hash."""

    def get(self, key: str) -> list[FrameText] | None:
        """The text read from the file with this hash, if it was read before."""

    def put(self, key: str, frames: list[FrameText]) -> None:
        """Remember the text read from a file."""


class MemoryOcrCache:
    """A bounded in-process cache (for ``salingjaga scan`` and as a front of the table)."""

    def __init__(self, size: int = 2048) -> None:
        self.size = size
        self._items: OrderedDict[str, list[FrameText]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> list[FrameText] | None:
        """The cached text, marked as recently used."""
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: str, frames: list[FrameText]) -> None:
        """Keep the text, dropping the least recently used beyond ``size``."""
        with self._lock:
            self._items[key] = frames
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


@dataclass
class ScreenReader:
    """What a scan needs to read on-screen text: an engine and a cache."""

    engine: OcrEngine
    cache: OcrCache

    def read(self, data: bytes, mime: str) -> list[FrameText]:
        """The text of an image or video file, from the cache when it was read before."""
        key = media_key(data)
        found = self.cache.get(key)
        if found is not None:
            return found
        if mime.startswith("image/"):
            frames = read_image(data, self.engine)
        elif mime.startswith("video/"):
            frames = read_video(data, self.engine)
        else:
            return []
        self.cache.put(key, frames)
        return frames
