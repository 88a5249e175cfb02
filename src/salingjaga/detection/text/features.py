"""Hashed text features, vectorised over a whole batch with numpy.

Both the policy classifiers and the claim index need bags of character n-grams and words.
Building them in Python (a dict per text, a vocabulary lookup per n-gram) is what made the
classifier slow and the million-fact-check index build run out of memory. Here a batch of
already normalised texts becomes one array of code points; every n-gram is a substring
whose hash comes from prefix sums of a polynomial hash (arithmetic modulo 2**64), and the
bucket is the top ``bits`` bits of a multiplicative mix. No vocabulary, no per-n-gram
Python work, the same bucket in every process (the hash is not Python's salted ``hash``).

Character n-grams follow scikit-learn's ``char_wb``: n-grams inside words padded with one
space on each side.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

_BASE = np.uint64(0x100000001B3)  # odd, so it has an inverse modulo 2**64
_MIX = np.uint64(0x9E3779B97F4A7C15)
_SPACE = 32


def _inverse(value: int) -> int:
    """The inverse of an odd number modulo 2**64 (Newton's iteration)."""
    inv = value
    for _ in range(6):
        inv = (inv * (2 - value * inv)) % (1 << 64)
    return inv


_BASE_INV = np.uint64(_inverse(int(_BASE)))


_POWERS = np.ones(1, dtype=np.uint64)
_INVERSE = np.ones(1, dtype=np.uint64)


def _powers(size: int) -> tuple[np.ndarray, np.ndarray]:
    """BASE**i and BASE**-i for i < size (a table grown on demand and kept)."""
    global _POWERS, _INVERSE
    if _POWERS.size < size:
        grown = max(size, 2 * _POWERS.size, 1 << 16)
        powers = np.full(grown, _BASE, dtype=np.uint64)
        inverse = np.full(grown, _BASE_INV, dtype=np.uint64)
        powers[0] = inverse[0] = 1
        with np.errstate(over="ignore"):
            np.cumprod(powers, out=powers)
            np.cumprod(inverse, out=inverse)
        _POWERS, _INVERSE = powers, inverse
    return _POWERS, _INVERSE


class Batch:
    """A batch of normalised texts laid out for substring hashing.

    Each text becomes `` w1  w2  w3 `` (every word padded by its own spaces) and the texts
    are concatenated, so a window that crosses a word or text boundary has a space inside.
    """

    def __init__(self, texts: Sequence[str]) -> None:
        padded = [" " + " ".join(t.split()).replace(" ", "  ") + " " if t.strip() else "" for t in texts]
        lengths = np.fromiter((len(p) for p in padded), dtype=np.int64, count=len(padded))
        self.n_docs = len(padded)
        self.starts = np.zeros(self.n_docs + 1, dtype=np.int64)
        np.cumsum(lengths, out=self.starts[1:])
        joined = "".join(padded)
        self.codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
        size = self.codes.size
        self.doc = np.repeat(np.arange(self.n_docs, dtype=np.int32), lengths)
        self.space = self.codes == _SPACE
        self.space_before = np.zeros(size + 1, dtype=np.int32)  # spaces in codes[:i]
        np.cumsum(self.space, out=self.space_before[1:])
        # prefix[i] = sum_{j<i} (code_j + 1) * BASE**j; (prefix[e] - prefix[s]) * BASE**-s
        # is a position-free hash of codes[s:e].
        powers, self.inverse = _powers(size + 1)
        self.prefix = np.zeros(size + 1, dtype=np.uint64)
        with np.errstate(over="ignore"):
            np.cumsum((self.codes.astype(np.uint64) + np.uint64(1)) * powers[:size], out=self.prefix[1:])

    def hashes(self, begin: np.ndarray, end: np.ndarray, salt: int) -> np.ndarray:
        """64-bit hashes of the substrings ``codes[begin:end]`` (salted by feature kind)."""
        with np.errstate(over="ignore"):
            raw = (self.prefix[end] - self.prefix[begin]) * self.inverse[begin]
            return (raw + np.uint64(salt) * _MIX) * _MIX

    def char_ngrams(self, ns: Sequence[int] = (3, 4, 5)) -> tuple[np.ndarray, np.ndarray]:
        """(document, hash) of every within-word character n-gram."""
        docs: list[np.ndarray] = []
        out: list[np.ndarray] = []
        size = self.codes.size
        for n in ns:
            if size < n:
                continue
            begin = np.arange(size - n + 1, dtype=np.int64)
            # no space strictly inside the window: the n-gram stays within one padded word
            inside = self.space_before[begin + n - 1] - self.space_before[begin + 1]
            # ... and is not two padding spaces (possible for n = 2 only)
            blank = self.space[begin] & self.space[begin + 1]
            keep = begin[(inside == 0) & ~blank]
            docs.append(self.doc[keep])
            out.append(self.hashes(keep, keep + n, salt=n))
        if not out:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.uint64)
        return np.concatenate(docs), np.concatenate(out)

    def words(self, ns: Sequence[int] = (1,)) -> tuple[np.ndarray, np.ndarray]:
        """(document, hash) of every word n-gram (words within one text)."""
        size = self.codes.size
        if size < 2:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.uint64)
        word_start = np.flatnonzero(self.space[:-1] & ~self.space[1:]) + 1
        word_end = np.flatnonzero(~self.space[:-1] & self.space[1:]) + 1
        doc = self.doc[word_start]
        docs: list[np.ndarray] = []
        out: list[np.ndarray] = []
        for n in ns:
            if word_start.size < n:
                continue
            first = np.arange(word_start.size - n + 1)
            same = doc[first] == doc[first + n - 1]
            first = first[same]
            docs.append(doc[first])
            out.append(self.hashes(word_start[first], word_end[first + n - 1], salt=100 + n))
        if not out:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.uint64)
        return np.concatenate(docs), np.concatenate(out)


def bucket(hashes: np.ndarray, bits: int) -> np.ndarray:
    """Column index in a space of ``2**bits`` features."""
    return (hashes >> np.uint64(64 - bits)).astype(np.int32)


def counts(docs: np.ndarray, columns: np.ndarray, n_docs: int, bits: int) -> sp.csr_matrix:
    """Term counts as a CSR matrix (duplicates summed, columns sorted)."""
    key = (docs.astype(np.int64) << bits) | columns
    key.sort()
    if key.size:
        change = np.empty(key.size, dtype=bool)
        change[0] = True
        np.not_equal(key[1:], key[:-1], out=change[1:])
        first = np.flatnonzero(change)
        unique = key[first]
        tf = np.diff(np.append(first, key.size)).astype(np.float32)
    else:
        unique = key
        tf = np.zeros(0, dtype=np.float32)
    rows = unique >> bits
    indptr = np.searchsorted(rows, np.arange(n_docs + 1), side="left").astype(np.int64)
    cols = (unique & ((1 << bits) - 1)).astype(np.int32)
    return sp.csr_matrix((tf, cols, indptr), shape=(n_docs, 1 << bits))


def char_columns(texts: Sequence[str], bits: int, ns: Sequence[int] = (3, 4, 5)) -> tuple[np.ndarray, np.ndarray]:
    """(document, column) of every hashed character n-gram of normalised texts."""
    docs, hashes = Batch(texts).char_ngrams(ns)
    return docs, bucket(hashes, bits)


def word_columns(texts: Sequence[str], bits: int, ns: Sequence[int] = (1,)) -> tuple[np.ndarray, np.ndarray]:
    """(document, column) of every hashed word n-gram of texts whose words are separated
    by spaces."""
    docs, hashes = Batch(texts).words(ns)
    return docs, bucket(hashes, bits)


def char_counts(texts: Sequence[str], bits: int, ns: Sequence[int] = (3, 4, 5)) -> sp.csr_matrix:
    """Hashed character n-gram counts of normalised texts."""
    return counts(*char_columns(texts, bits, ns), len(texts), bits)


def word_counts(texts: Sequence[str], bits: int, ns: Sequence[int] = (1,)) -> sp.csr_matrix:
    """Hashed word n-gram counts of texts whose words are separated by spaces."""
    return counts(*word_columns(texts, bits, ns), len(texts), bits)


def sublinear_l2(matrix: sp.csr_matrix, idf: np.ndarray | None = None,
                 value_weights: np.ndarray | None = None) -> sp.csr_matrix:
    """TF-IDF rows: ``1 + log(tf)``, times ``idf`` (one per column) or ``value_weights``
    (one per stored value) if given, L2-normalised (in place)."""
    data = matrix.data
    np.log(data, out=data)
    data += 1.0
    if idf is not None:
        data *= idf[matrix.indices]
    if value_weights is not None:
        data *= value_weights
    if data.size:
        # Sums over the non-empty rows only: reducing at every row start (clipped to the
        # data) cut the last value off a row's norm when the rows after it were empty.
        lengths = np.diff(matrix.indptr)
        filled = lengths > 0
        norms = np.ones(lengths.size, dtype=np.float32)
        norms[filled] = np.sqrt(np.add.reduceat(data * data, matrix.indptr[:-1][filled]))
        norms[norms == 0] = 1.0
        data /= np.repeat(norms, lengths)
    return matrix
