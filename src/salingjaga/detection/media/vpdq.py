"""vPDQ, ThreatExchange's video hash: PDQ hashes of frames sampled through a video, each
with its quality (0-100) and timestamp, matched as an unordered bag of frames.

Formats, both read and written:
- the ThreatExchange signal string: a JSON list of ``"<pdq hex>,<quality>,<seconds>"``
  (seconds with three decimals), as ``VideoVPDQSignal`` stores and exchanges it;
- the vPDQ hasher's file: one ``<frame number>,<quality>,<pdq hex>,<seconds>`` line a frame.

Matching (``compare``) follows vPDQ's definition: drop repeated hashes and frames below
the quality tolerance on both sides; the query's percentage is the share of its frames
within the distance tolerance of some frame of the other video, and the other video's
percentage the share of its frames within it of some query frame. Two videos match when
the query's share reaches 80% and the other's 0% (ThreatExchange's defaults), so a
trimmed clip of a banked video matches it.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from salingjaga.detection.media.pdq import MAX_PIXELS, MediaError, bits_to_hex, validate_hex

QUALITY_TOLERANCE = 50
DISTANCE_TOLERANCE = 31
QUERY_MATCH_PERCENT = 80.0
COMPARED_MATCH_PERCENT = 0.0
FRAME_EDGE = 256  # frames are scaled to fit this edge before PDQ (it reduces to 64x64 anyway)
MAX_FEATURES = 36_000  # ten hours at one frame a second
MAX_HASH_SECONDS = 120.0


@dataclass(frozen=True)
class VpdqFeature:
    """One hashed frame."""

    pdq_hex: str
    quality: int
    timestamp: float
    frame: int = 0

    def __str__(self) -> str:
        """The ThreatExchange compact form ``hex,quality,seconds``."""
        return f"{self.pdq_hex},{self.quality},{self.timestamp:.3f}"

    @classmethod
    def parse(cls, text: str, frame: int = 0) -> VpdqFeature:
        """A feature from its compact form, or from a vPDQ hasher line
        ``frame,quality,hex,seconds``; ValueError naming the text otherwise."""
        parts = [p.strip() for p in text.strip().split(",")]
        try:
            if len(parts) == 3:
                pdq, quality, seconds = parts[0], int(parts[1]), float(parts[2])
            elif len(parts) == 4:
                frame, quality, pdq, seconds = int(parts[0]), int(parts[1]), parts[2], float(parts[3])
            else:
                raise ValueError("expected hex,quality,seconds or frame,quality,hex,seconds")
            if not 0 <= quality <= 100 or not seconds >= 0 or frame < 0:
                raise ValueError("quality must be 0..100 and seconds and frame not negative")
            return cls(validate_hex(pdq), quality, round(seconds, 3), frame)
        except ValueError as exc:
            raise ValueError(f"not a vPDQ feature ({exc}): {text[:100]!r}") from exc


# ------------------------------------------------------------------ formats
def to_signal(features: Sequence[VpdqFeature]) -> str:
    """The ThreatExchange vPDQ signal string (a JSON list of compact features)."""
    return json.dumps([str(f) for f in features])


def from_signal(signal: str) -> list[VpdqFeature]:
    """Features from a ThreatExchange vPDQ signal string; ValueError when malformed."""
    try:
        items = json.loads(signal or "[]")
    except json.JSONDecodeError as exc:
        raise ValueError(f"a vPDQ signal is a JSON list of strings: {exc}") from exc
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise ValueError("a vPDQ signal is a JSON list of strings")
    return [VpdqFeature.parse(s, n) for n, s in enumerate(items)]


def to_hasher_file(features: Sequence[VpdqFeature]) -> str:
    """The vPDQ hasher's output: ``frame,quality,hex,seconds`` a line."""
    return "".join(f"{f.frame},{f.quality},{f.pdq_hex},{f.timestamp:.3f}\n" for f in features)


def from_hasher_file(text: str) -> list[VpdqFeature]:
    """Features from a vPDQ hasher file (blank and ``#`` lines skipped)."""
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip() and not line.lstrip().startswith("#"):
            try:
                out.append(VpdqFeature.parse(line))
            except ValueError as exc:
                raise ValueError(f"line {n}: {exc}") from exc
    return out


def parse_any(text: str) -> list[VpdqFeature]:
    """A video hash in either format, told by its first character."""
    return from_signal(text) if text.lstrip().startswith("[") else from_hasher_file(text)


# ------------------------------------------------------------------ matching
@dataclass(frozen=True)
class VpdqMatch:
    """How much of each video the other covers, in percent."""

    query_percent: float
    compared_percent: float

    def is_match(self, query_threshold: float = QUERY_MATCH_PERCENT,
                 compared_threshold: float = COMPARED_MATCH_PERCENT) -> bool:
        return self.query_percent >= query_threshold and self.compared_percent >= compared_threshold


def usable(features: Sequence[VpdqFeature], quality_tolerance: int = QUALITY_TOLERANCE) -> list[str]:
    """The distinct frame hashes at or above the quality tolerance, first seen first."""
    seen: dict[str, None] = {}
    for f in features:
        if f.pdq_hex not in seen and f.quality >= quality_tolerance:
            seen[f.pdq_hex] = None
    return list(seen)


def frame_rows(hashes: Sequence[str]) -> np.ndarray:
    """Hex hashes as (n, 4) uint64 rows (the index's layout)."""
    if not hashes:
        return np.zeros((0, 4), np.uint64)
    return np.frombuffer(bytes.fromhex("".join(hashes)), np.uint8).reshape(-1, 32).view(np.uint64)


def near_pairs(a: np.ndarray, b: np.ndarray, distance: int) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (i, j) with row a[i] within ``distance`` of row b[j] (all pairs)."""
    if not len(a) or not len(b):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    bits = np.zeros((len(a), len(b)), np.int64)
    for w in range(4):
        bits += np.bitwise_count(a[:, w][:, None] ^ b[:, w][None, :])
    i, j = np.nonzero(bits <= distance)
    return i, j


def compare(query: Sequence[VpdqFeature], compared: Sequence[VpdqFeature],
            quality_tolerance: int = QUALITY_TOLERANCE,
            distance_tolerance: int = DISTANCE_TOLERANCE) -> VpdqMatch:
    """vPDQ's two-way comparison of two video hashes (0% for a side with no usable frame)."""
    q, c = usable(query, quality_tolerance), usable(compared, quality_tolerance)
    i, j = near_pairs(frame_rows(q), frame_rows(c), distance_tolerance)
    return VpdqMatch(100.0 * len(np.unique(i)) / len(q) if q else 0.0,
                     100.0 * len(np.unique(j)) / len(c) if c else 0.0)


# ------------------------------------------------------------------ hashing
def hash_video(data: bytes, seconds_per_hash: float = 1.0,
               max_seconds: float = MAX_HASH_SECONDS) -> list[VpdqFeature]:
    """vPDQ features of a video: the first decoded frame at or after every multiple of
    ``seconds_per_hash`` (every frame when 0). Only reference frames are decoded (B-frames
    are skipped, so a sample may land a frame or two later) and without the deblocking
    filter, which together halve decoding; frames are scaled down by the decoder's scaler
    before PDQ. MediaError when nothing decodes."""
    import av
    import pdqhash

    from salingjaga.detection.media.video import checked_stream

    out: list[VpdqFeature] = []
    deadline = time.monotonic() + max_seconds
    next_at = 0.0
    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            stream = checked_stream(container)
            codec = stream.codec_context
            codec.thread_count = 1
            codec.skip_frame = "NONREF"
            # no deblocking: a fifth less decoding, and PDQ's 64x64 reduction does not see it
            codec.options = {"skip_loop_filter": "all"}
            for n, frame in enumerate(container.decode(stream)):
                if time.monotonic() > deadline or len(out) >= MAX_FEATURES:
                    break
                seconds = float(frame.time or 0.0)
                if seconds + 1e-6 < next_at:
                    continue
                if frame.width * frame.height > MAX_PIXELS:
                    raise MediaError(f"a video frame of {frame.width}x{frame.height} exceeds the pixel limit")
                scale = min(1.0, FRAME_EDGE / max(frame.width, frame.height))
                rgb = frame.to_ndarray(format="rgb24", width=max(1, round(frame.width * scale)) // 2 * 2,
                                       height=max(1, round(frame.height * scale)) // 2 * 2)
                bits, quality = pdqhash.compute(np.ascontiguousarray(rgb))
                out.append(VpdqFeature(bits_to_hex(bits), int(quality), round(seconds, 3), n))
                next_at = ((int(seconds / seconds_per_hash + 1e-9) + 1) * seconds_per_hash
                           if seconds_per_hash > 0 else seconds)
    except MediaError:
        raise
    except Exception as exc:  # PyAV raises many types on a hostile file: all mean "cannot decode"
        if out:
            return out
        raise MediaError(f"video cannot be decoded: {type(exc).__name__}: {exc}") from exc
    if not out:
        raise MediaError("no decodable frame in the video")
    return out
