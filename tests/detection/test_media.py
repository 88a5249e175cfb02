"""PDQ hashing survives re-encoding and resizing; hostile media fails safely."""

from __future__ import annotations

import struct
import zlib

import pytest

from salingjaga.detection.banks import BankEntry, BankMatcher
from salingjaga.detection.media.pdq import MediaError, hamming, pdq_from_bytes
from salingjaga.detection.media.video import keyframe_hashes
from tests.detection.helpers import encode, picture, video


def test_reencoded_and_resized_image_still_matches_bank() -> None:
    original, quality = pdq_from_bytes(encode(picture(7), "PNG"))
    assert quality >= 50
    small = picture(7).resize((240, 180))
    altered, _ = pdq_from_bytes(encode(small, "JPEG", quality=20))
    assert hamming(original, altered) <= 31
    bank = BankMatcher([BankEntry(1, "hoaxes", "remove", "misinformation", "pdq", original, "ballot hoax")])
    [matches] = bank.match_pdq([altered])
    assert [m.entry.label for m in matches] == ["ballot hoax"]


def test_different_image_does_not_match() -> None:
    a, _ = pdq_from_bytes(encode(picture(1)))
    b, _ = pdq_from_bytes(encode(picture(2)))
    assert hamming(a, b) > 31
    bank = BankMatcher([BankEntry(1, "hoaxes", "remove", "misinformation", "pdq", a, "")])
    assert bank.match_pdq([b]) == [[]]


def test_per_bank_threshold() -> None:
    a, _ = pdq_from_bytes(encode(picture(3)))
    near = a[:-2] + format(int(a[-2:], 16) ^ 0xFF, "02x")  # 8 bits away
    strict = BankMatcher([BankEntry(1, "strict", "review", "misinformation", "pdq", a, "", threshold=4)])
    loose = BankMatcher([BankEntry(1, "loose", "review", "misinformation", "pdq", a, "", threshold=10)])
    assert strict.match_pdq([near]) == [[]]
    assert loose.match_pdq([near])[0][0].distance == 8


def _png_header_only(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


@pytest.mark.parametrize("side", [8_000, 100_000])  # above our limit; above Pillow's too
def test_decompression_bomb_is_refused_before_decoding(side: int) -> None:
    with pytest.raises(MediaError, match="decompression bomb"):
        pdq_from_bytes(_png_header_only(side, side))


def test_truncated_and_garbage_images_raise_media_error() -> None:
    data = encode(picture(4), "JPEG", quality=80)
    with pytest.raises(MediaError):
        pdq_from_bytes(data[: len(data) // 3])
    with pytest.raises(MediaError):
        pdq_from_bytes(b"not an image at all")


def test_video_keyframes_match_the_frame_image() -> None:
    data = video(5)
    frames = keyframe_hashes(data)
    assert len(frames) >= 2
    still, _ = pdq_from_bytes(encode(picture(5, (160, 120))))
    assert min(hamming(still, h) for _, h, _ in frames) <= 31


def test_truncated_video_fails_gracefully() -> None:
    data = video(6)
    with pytest.raises(MediaError):
        keyframe_hashes(data[:200])
