"""Near-duplicate text by SimHash: 64-bit fingerprints of word 3-shingles.

Two texts whose fingerprints differ in at most 3 bits are near-identical. Cutting the
fingerprint into 4 bands of 16 bits makes the search a database look-up: near-identical
texts share at least one band exactly (pigeonhole), so only items sharing a band are
compared.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

import numpy as np

NEAR_BITS = 3
BANDS = 4
MIN_TOKENS = 6  # shorter texts ("mantap!", "setuju") repeat innocently
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_URL = re.compile(r"https?://\S+|www\.\S+")


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens without URLs, accents or punctuation."""
    text = text.casefold()
    if not text.isascii():  # most captions are ASCII: skip the costly accent folding
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _WORD.findall(_URL.sub(" ", text))


def _shingle_hashes(words: list[str]) -> np.ndarray:
    data = [hashlib.blake2b(" ".join(words[i : i + 3]).encode(), digest_size=8).digest()
            for i in range(len(words) - 2)]
    return np.frombuffer(b"".join(data), dtype=">u8")


def simhash(text: str) -> int | None:
    """64-bit SimHash of the text's word 3-shingles; None when too short to compare."""
    words = tokens(text)
    if len(words) < MIN_TOKENS:
        return None
    hashes = _shingle_hashes(words)
    # bits as 0/1, most significant first; a bit is set when most shingles set it
    bits = np.unpackbits(hashes.astype(">u8").view(np.uint8).reshape(-1, 8), axis=1)
    votes = bits.sum(axis=0, dtype=np.int64) * 2 > len(hashes)
    return int.from_bytes(np.packbits(votes).tobytes(), "big")


def bands(fingerprint: int) -> list[str]:
    """Band keys ``t<band>:<hex>`` under which the fingerprint is stored and looked up."""
    return [f"t{b}:{(fingerprint >> (16 * b)) & 0xFFFF:04x}" for b in range(BANDS)]


def distance(a: int, b: int) -> int:
    """Bits that differ between two fingerprints."""
    return (a ^ b).bit_count()


def pdq_bands(hash_hex: str) -> list[str]:
    """Band keys of a PDQ hash: 16 x 16 bits, so reposts within 15 bits share one."""
    return [f"p{i}:{hash_hex[4 * i : 4 * i + 4]}" for i in range(16)]
