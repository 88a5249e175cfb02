"""PDQ perceptual hashes of images, decoded defensively.

Untrusted images are opened header-first: the pixel count is checked before any pixel is
decoded, so a decompression bomb is refused without allocating its memory. Hashes are 64
hex characters in the ThreatExchange bit order (first bit = most significant bit of the
first hex digit), so banks exported from ThreatExchange-based tools load unchanged.
"""

from __future__ import annotations

import io
import re
import warnings

import numpy as np
from PIL import Image, UnidentifiedImageError

# 40 megapixels: above any phone camera, far below a bomb's hundreds of megapixels.
MAX_PIXELS = 40_000_000
# PDQ reduces to 64x64 anyway; decoding to at most this edge keeps big photos cheap.
WORK_EDGE = 512
HEX_RE = re.compile(r"^[0-9a-f]{64}$")


class MediaError(ValueError):
    """A media file that cannot be scanned safely (broken, hostile, or unsupported)."""


def _to_array(image: Image.Image) -> np.ndarray:
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    if max(image.size) > WORK_EDGE:
        image.thumbnail((WORK_EDGE, WORK_EDGE), Image.Resampling.BILINEAR)
    array = np.asarray(image, dtype=np.uint8)
    if array.ndim == 2:
        array = np.repeat(array[:, :, None], 3, axis=2)
    return np.ascontiguousarray(array)


def open_image(data: bytes, max_pixels: int = MAX_PIXELS) -> Image.Image:
    """Open image bytes, refusing bombs and truncated files before decoding pixels."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width <= 0 or height <= 0 or width * height > max_pixels:
                raise MediaError(f"image of {width}x{height} pixels exceeds the limit of "
                                 f"{max_pixels} pixels (possible decompression bomb)")
            image.draft("RGB", (WORK_EDGE, WORK_EDGE))  # JPEG: decode at reduced scale
            image.load()
    except MediaError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise MediaError(f"image cannot be decoded: {exc}") from exc
    return image


def bits_to_hex(bits: np.ndarray) -> str:
    """256 hash bits (0/1) as 64 hex characters, most significant bit first."""
    return np.packbits(bits.astype(np.uint8)).tobytes().hex()


def pdq_from_array(array: np.ndarray) -> tuple[str, int]:
    """PDQ hash (hex) and quality (0..100) of an RGB uint8 array."""
    import pdqhash

    bits, quality = pdqhash.compute(np.ascontiguousarray(array, dtype=np.uint8))
    return bits_to_hex(bits), int(quality)


def pdq_dihedral_from_array(array: np.ndarray) -> tuple[list[str], int]:
    """The PDQ hashes of an RGB array in all eight orientations (``ORIENTATIONS`` order,
    the first is the plain hash) and the quality, from one DCT pass."""
    import pdqhash

    all_bits, quality = pdqhash.compute_dihedral(np.ascontiguousarray(array, dtype=np.uint8))
    return [bits_to_hex(bits) for bits in all_bits], int(quality)


def pdq_dihedral_from_image(image: Image.Image) -> tuple[list[str], int]:
    """The eight orientation hashes and quality of a decoded image."""
    return pdq_dihedral_from_array(_to_array(image))


def pdq_dihedral_from_bytes(data: bytes) -> tuple[list[str], int]:
    """The eight orientation hashes and quality of image bytes; MediaError on a bad file."""
    return pdq_dihedral_from_image(open_image(data))


def pdq_from_image(image: Image.Image) -> tuple[str, int]:
    """PDQ hash and quality of a decoded image."""
    return pdq_from_array(_to_array(image))


def pdq_from_bytes(data: bytes) -> tuple[str, int]:
    """PDQ hash and quality of image bytes; raises MediaError on a bad or hostile file."""
    return pdq_from_image(open_image(data))


def hamming(a: str, b: str) -> int:
    """Bits that differ between two hex hashes."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


def validate_hex(value: str) -> str:
    """A lower-case 64-hex-digit PDQ hash, or ValueError."""
    value = value.strip().lower()
    if not HEX_RE.match(value):
        raise ValueError(f"not a PDQ hash (64 hex digits): {value[:70]!r}")
    return value
