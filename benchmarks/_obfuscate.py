"""Posts bent the way people dodge filters: leetspeak digits, letters spelled out with
spaces or dots, zero-width characters, look-alike Cyrillic letters, emoji inside words,
stretched letters, chat abbreviations and glued hashtags.

Seeded and blind to the posts: every word of any post is bent with the same odds, so the
held-back posts get the same treatment as the development ones.
"""

from __future__ import annotations

import re

import numpy as np

LEET = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7"}
CYRILLIC = {"a": "\u0430", "e": "\u0435", "o": "\u043e", "p": "\u0440", "c": "\u0441", "x": "\u0445",
            "y": "\u0443", "i": "\u0456"}
INVISIBLE = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff")
EMOJI = ("\U0001f525", "\U0001f631", "\u2757", "\U0001f64f", "\U0001f4af", "\u2728")
# The informal spellings of common words a post writer uses (the reverse direction of what
# the normaliser reads; written for this benchmark, not taken from its word list).
ABBREVIATIONS = {"yang": "yg", "dengan": "dgn", "untuk": "utk", "tidak": "gk", "sudah": "udh",
                 "karena": "krn", "juga": "jg", "dari": "dr", "sekarang": "skrg", "bisa": "bs"}
WORD = re.compile(r"[^\W\d_]{4,}")


def _inner(word: str, rng: np.random.Generator, table: dict[str, str]) -> str:
    """Replace one to three inner letters found in ``table``."""
    spots = [i for i in range(1, len(word) - 1) if word[i].lower() in table]
    if not spots:
        return word
    chosen = set(rng.choice(spots, size=min(len(spots), int(rng.integers(1, 4))), replace=False).tolist())
    return "".join(table[c.lower()] if i in chosen else c for i, c in enumerate(word))


def _bend(word: str, rng: np.random.Generator) -> str:
    kind = int(rng.integers(0, 7))
    if kind == 0:
        return _inner(word, rng, LEET)
    if kind == 1:
        return (" " if rng.random() < 0.5 else ".").join(word.upper() if rng.random() < 0.5 else word)
    if kind == 2:
        cut = int(rng.integers(1, len(word)))
        return word[:cut] + INVISIBLE[int(rng.integers(0, len(INVISIBLE)))] + word[cut:]
    if kind == 3:
        return _inner(word, rng, CYRILLIC)
    if kind == 4:
        cut = int(rng.integers(1, len(word)))
        return word[:cut] + EMOJI[int(rng.integers(0, len(EMOJI)))] + word[cut:]
    if kind == 5:
        return word + word[-1] * int(rng.integers(2, 5))
    return ABBREVIATIONS.get(word.lower(), word)


def perturb(text: str, rng: np.random.Generator, rate: float = 0.2) -> str:
    """``text`` with about ``rate`` of its words (four letters or more) bent, and with a
    glued hashtag of two or three of its words added half of the time."""
    words = WORD.findall(text)

    def bend(match: re.Match[str]) -> str:
        word = match.group(0)
        if word.lower() in ABBREVIATIONS and rng.random() < 0.5:
            return ABBREVIATIONS[word.lower()]
        return _bend(word, rng) if rng.random() < rate else word

    out = WORD.sub(bend, text)
    if len(words) >= 3 and rng.random() < 0.5:
        start = int(rng.integers(0, len(words) - 2))
        out += " #" + "".join(w.lower() for w in words[start:start + int(rng.integers(2, 4))])
    return out
