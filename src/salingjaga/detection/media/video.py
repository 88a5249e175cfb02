"""Keyframes of a video with PyAV, for PDQ matching. Truncated or hostile files fail with
MediaError (recorded as a signal error), never a crash or an unbounded decode."""

from __future__ import annotations

import io

from salingjaga.detection.media.pdq import MAX_PIXELS, MediaError, pdq_from_image

MAX_KEYFRAMES = 24
MAX_PACKETS = 20_000  # bounds work on a file with a huge or looping packet stream


def keyframe_hashes(data: bytes, max_frames: int = MAX_KEYFRAMES) -> list[tuple[float, str, int]]:
    """(time in seconds, PDQ hash, quality) of up to ``max_frames`` keyframes."""
    import av

    out: list[tuple[float, str, int]] = []
    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            if not container.streams.video:
                raise MediaError("the file has no video stream")
            stream = container.streams.video[0]
            stream.codec_context.skip_frame = "NONKEY"
            width, height = stream.codec_context.width, stream.codec_context.height
            if width * height > MAX_PIXELS:
                raise MediaError(f"video frames of {width}x{height} exceed the pixel limit")
            for packets, packet in enumerate(container.demux(stream), 1):
                if packets > MAX_PACKETS or len(out) >= max_frames:
                    break
                for frame in packet.decode():
                    seconds = float(frame.time or 0.0)
                    hash_hex, quality = pdq_from_image(frame.to_image())
                    out.append((seconds, hash_hex, quality))
    except MediaError:
        raise
    except (av.FFmpegError, OSError, ValueError, EOFError) as exc:
        if out:
            return out  # a truncated tail still yields the keyframes before it
        raise MediaError(f"video cannot be decoded: {exc}") from exc
    if not out:
        raise MediaError("no decodable keyframe in the video")
    return out
