"""Undoing the spellings people use to slip a claim past filters.

"P E M I L U", "p.e.m.i.l.u", zero-width spaces inside a word, Cyrillic "а" for Latin "a",
an emoji in the middle of a word, "#pemiludiundur": each rule here undoes one trick and
is tested on its own; ``normalize`` applies them in order. The rules are general (Unicode
categories, letter shapes, a dictionary of Indonesian root words), never a list of hoaxes.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from functools import cache
from importlib import resources

# Zero-width and formatting characters (category Cf: ZWSP, ZWJ, word joiner, BOM, soft
# hyphen, bidi overrides) and control characters other than line breaks and tabs.
_INVISIBLE = re.compile(r"[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f"
                        r"\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0"
                        r"\x00-\x08\x0b\x0c\x0e-\x1d\x1f\x7f-\x9f]")

# Letters of other scripts drawn like Latin ones (Cyrillic, Greek, Armenian, and a few
# Latin extensions), after Unicode's confusables data for the letters a hoax needs.
_CONFUSABLE_PAIRS = {
    "a": "аɑα", "A": "АΑᎪ", "b": "ЬЬ", "B": "ВΒᏴ", "c": "сϲ", "C": "СϹᏟ", "d": "ԁ",
    "e": "еєҽ", "E": "ЕΕᎬ", "g": "ɡ", "h": "һ", "H": "НΗᎻ", "i": "іιɩӏ", "I": "ІΙӀ",
    "j": "ј", "J": "ЈᎫ", "k": "κ", "K": "КΚᏦ", "l": "ⅼ", "M": "МΜᎷ", "n": "ո", "N": "Ν",
    "o": "оοօ", "O": "ОΟՕ", "p": "рρ", "P": "РΡᏢ", "q": "ԛ", "s": "ѕ", "S": "ЅᏚ",
    "T": "ТΤᎢ", "u": "υս", "v": "νѵ", "w": "ԝ", "x": "хχ", "X": "ХΧ", "y": "уү", "Y": "ҮΥ",
    "Z": "ΖᏃ",
}
_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_CONFUSABLES = str.maketrans({
    look: latin[-1] for latin, looks in _CONFUSABLE_PAIRS.items() for look in looks
})
_HAS_CONFUSABLE = re.compile("[" + "".join(sorted({c for looks in _CONFUSABLE_PAIRS.values() for c in looks})) + "]")

# Emoji, pictographs and symbols (and these punctuation marks) between two letters are
# padding to break a word, not part of it; hyphens and apostrophes are left (anak-anak,
# Jum'at), so are dots (a missing space after a full stop is common).
_SYMBOLS = re.compile(r"[*_|•·~^+=\u2000-\u2bff\u3000-\u303f\U0001f000-\U0001faff\ufe0e\ufe0f\u200d]+")


def strip_invisible(text: str) -> str:
    """``text`` without zero-width, formatting and control characters (line breaks and
    tabs stay)."""
    return _INVISIBLE.sub("", text)


def fold_confusables(text: str) -> str:
    """Look-alike letters of other scripts replaced by the Latin letters they imitate, and
    accents dropped (Indonesian uses none: "pémílü" is "pemilu")."""
    if text.isascii():
        return text
    if _HAS_CONFUSABLE.search(text):
        text = text.translate(_CONFUSABLES)
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", _COMBINING.sub("", decomposed))


def _drop_inside(match: re.Match[str]) -> str:
    text, start, end = match.string, match.start(), match.end()
    if start > 0 and end < len(text) and text[start - 1].isalpha() and text[end].isalpha():
        return ""
    return match.group(0)


def strip_inner_symbols(text: str) -> str:
    """Emoji and symbols inside a word removed: "pe🔥milu" is "pemilu"."""
    return _SYMBOLS.sub(_drop_inside, text)


def join_letters(words: list[str]) -> list[str]:
    """Runs of three or more one-character words, at least two of them letters, joined
    into one word: "p e m i l u" (from "P E M I L U", "p.e.m.i.l.u", "p-e-m-i-l-u") is
    "pemilu". Works on words split at punctuation, so every separator is handled alike."""
    out: list[str] = []
    run: list[str] = []
    for word in [*words, ""]:
        if len(word) == 1:
            run.append(word)
            continue
        if len(run) >= 3 and sum(c.isalpha() for c in run) >= 2:
            out.append("".join(run))
        else:
            out.extend(run)
        run = []
        if word:
            out.append(word)
    return out


@cache
def vocabulary() -> frozenset[str]:
    """Words a glued hashtag is cut into: Sastrawi's Indonesian root words (three letters
    or more), the stopwords, the slang map's words and the election terms in
    ``slang.toml``."""
    from Sastrawi.StopWordRemover.StopWordRemoverFactory import StopWordRemoverFactory

    roots = resources.files("Sastrawi.Stemmer").joinpath("data/kata-dasar.txt").read_text("utf-8")
    words = {w for w in roots.split() if len(w) >= 3}
    words |= set(StopWordRemoverFactory().get_stop_words())
    data = tomllib.loads(resources.files("salingjaga.detection.text").joinpath("slang.toml").read_text("utf-8"))
    for key, value in data["words"].items():
        words.add(key)
        words.update(value.split())
    words.update(data.get("terms", {}).get("words", []))
    # a one- or two-letter piece is almost always a wrong cut, unless a function word
    short = {w for w in StopWordRemoverFactory().get_stop_words() if len(w) == 2}
    return frozenset(w for w in words if w.isalpha() and (len(w) >= 3 or w in short))


MAX_WORD = 20


def segment(run: str) -> list[str] | None:
    """A glued lower-case run cut into dictionary words, fewest words first (ties: the
    longer first word); None when no cut covers all of it (a name, a new word)."""
    vocab = vocabulary()
    n = len(run)
    best: list[tuple[int, int] | None] = [None] * (n + 1)  # (words, start of the last word)
    best[0] = (0, 0)
    for end in range(1, n + 1):
        for start in range(max(0, end - MAX_WORD), end):
            prior = best[start]
            if prior is None or run[start:end] not in vocab:
                continue
            candidate = (prior[0] + 1, start)
            current = best[end]
            if current is None or candidate[0] < current[0] or (
                    candidate[0] == current[0] and candidate[1] > current[1]):
                best[end] = candidate
    if best[n] is None:
        return None
    out: list[str] = []
    end = n
    while end > 0:
        step = best[end]
        assert step is not None
        out.append(run[step[1]:end])
        end = step[1]
    return out[::-1]


def split_glued(word: str) -> str:
    """A hashtag word without case cues ("pemiludiundur") as its dictionary words
    ("pemilu di undur"), or unchanged when it is one word or cannot be cut."""
    if len(word) < 6 or not word.isalpha() or not (word.islower() or word.isupper()):
        return word
    lower = word.lower()
    if lower in vocabulary():
        return word
    parts = segment(lower)
    return " ".join(parts) if parts else word
