"""Keyframes of a video with PyAV, for PDQ matching and for reading their text.

A video file is the most hostile input detection reads: a container can name a codec no
decoder exists for, claim frames larger than memory, or loop its packets. Every way of
failing becomes MediaError (recorded for the item, never a crash of the scan), and the
work on one file is bounded by keyframes, packets, frame size and wall-clock time.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from typing import Any

from PIL import Image

from salingjaga.detection.media.pdq import MAX_PIXELS, MediaError, pdq_dihedral_from_image

MAX_KEYFRAMES = 24
MAX_PACKETS = 20_000  # bounds work on a file with a huge or looping packet stream
MAX_DECODE_SECONDS = 20.0  # wall-clock budget per file, whatever its packets claim


def checked_stream(container: Any) -> Any:
    """The first video stream of an open container, once it has a decoder and frames
    within the pixel limit; MediaError otherwise."""
    if not container.streams.video:
        raise MediaError("the file has no video stream")
    stream = container.streams.video[0]
    codec = stream.codec_context
    if codec is None:
        # the container names a codec no decoder exists for (or a mangled one)
        raise MediaError(f"no decoder for the video stream's codec "
                         f"({getattr(stream, 'codec_tag', '') or 'unknown'})")
    width, height = codec.width or 0, codec.height or 0
    if width * height > MAX_PIXELS:
        raise MediaError(f"video frames of {width}x{height} exceed the pixel limit")
    return stream


def keyframes(data: bytes, max_frames: int = MAX_KEYFRAMES,
              max_seconds: float = MAX_DECODE_SECONDS) -> Iterator[tuple[float, Image.Image]]:
    """(time in seconds, picture) of up to ``max_frames`` keyframes, decoded one at a time;
    MediaError when the file yields none."""
    import av

    count = 0
    deadline = time.monotonic() + max_seconds
    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            stream = checked_stream(container)
            stream.codec_context.skip_frame = "NONKEY"
            for packets, packet in enumerate(container.demux(stream), 1):
                if packets > MAX_PACKETS or count >= max_frames:
                    break
                if time.monotonic() > deadline:
                    if count:
                        break
                    raise MediaError(f"no keyframe decoded within {max_seconds:.0f} s")
                for frame in packet.decode():
                    if frame.width * frame.height > MAX_PIXELS:
                        raise MediaError(f"a video frame of {frame.width}x{frame.height} exceeds "
                                         "the pixel limit")
                    count += 1
                    yield float(frame.time or 0.0), frame.to_image()
    except MediaError:
        raise
    except Exception as exc:  # PyAV raises many types on a hostile file: all mean "cannot decode"
        if count:
            return  # a truncated or damaged tail still yields the keyframes before it
        raise MediaError(f"video cannot be decoded: {type(exc).__name__}: {exc}") from exc
    if not count:
        raise MediaError("no decodable keyframe in the video")


def keyframe_dihedral_hashes(data: bytes, max_frames: int = MAX_KEYFRAMES,
                             max_seconds: float = MAX_DECODE_SECONDS) -> list[tuple[float, list[str], int]]:
    """(time in seconds, the eight orientation PDQ hashes, quality) of up to ``max_frames``
    keyframes; MediaError when the file yields none."""
    out: list[tuple[float, list[str], int]] = []
    for seconds, image in keyframes(data, max_frames, max_seconds):
        hashes, quality = pdq_dihedral_from_image(image)
        out.append((seconds, hashes, quality))
    return out


def keyframe_hashes(data: bytes, max_frames: int = MAX_KEYFRAMES) -> list[tuple[float, str, int]]:
    """(time in seconds, PDQ hash, quality) of up to ``max_frames`` keyframes."""
    return [(seconds, hashes[0], quality)
            for seconds, hashes, quality in keyframe_dihedral_hashes(data, max_frames)]
