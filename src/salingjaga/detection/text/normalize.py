"""Normalisation of informal Indonesian (and English) text before matching and classifying.

Social media text spells the same claim many ways: ``BURUAN!!! dpt 35jt gratisss``,
``rus4k``, ``masing2``, ``#PemiluDamai``, mathematical bold letters, emoji. Fact-checks
are written in standard Indonesian. Mapping both to one plain form is what lets lexical
evidence (word and character n-grams) line up; the rules are general, the word list is data
(``slang.toml``).
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from functools import cache, lru_cache
from importlib import resources

from salingjaga.detection.text.deobfuscate import (
    fold_confusables,
    join_letters,
    split_glued,
    strip_inner_symbols,
    strip_invisible,
)

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MENTION = re.compile(r"(?<!\w)@\w+")
_HASHTAG = re.compile(r"#(\w+)")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])")
# A word repeated with "2" (masing2, anak2) is Indonesian reduplication: masing-masing.
_REDUP = re.compile(r"\b([a-z]{2,})2\b")
# Digits standing in for letters inside a word (rus4k, b3nar, h0ax).
_LEET = re.compile(r"(?<=[a-z])[013457](?=[a-z])")
_LEET_MAP = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t"})
_ELONGATED = re.compile(r"([a-z])\1{2,}")
_DIGIT_ALPHA = re.compile(r"(?<=\d)(?=[a-z])|(?<=[a-z])(?=\d)")
# Keep decimal and thousands separators inside numbers (6,0 and 2.500.000) as one token.
_NUMBER_SEP = re.compile(r"(?<=\d)[.,](?=\d)")
_HAS_DIGIT = re.compile(r"\d")


@cache
def slang() -> dict[str, str]:
    """The informal-to-standard word map shipped in ``slang.toml``."""
    text = resources.files("salingjaga.detection.text").joinpath("slang.toml").read_text("utf-8")
    words: dict[str, str] = tomllib.loads(text)["words"]
    return words


def _split_hashtag(match: re.Match[str]) -> str:
    words = _CAMEL.sub(" ", match.group(1)).replace("_", " ").split()
    return " " + " ".join(split_glued(w) for w in words) + " "


# A fact-checker's verdict label in front of a headline ("[SALAH] ...", "[HOAKS] ...",
# "(DISINFORMASI) ...") says nothing about the claim itself; posts do not carry it.
_VERDICT_PREFIX = re.compile(
    r"^\s*[\[(]\s*(?:salah|hoaks|hoax|disinformasi|misinformasi|malinformasi|fitnah|keliru|"
    r"menyesatkan|penipuan|satire|satir|klarifikasi|cek fakta|konten [a-z ]+|false|misleading|"
    r"fake|scam|partly false|missing context|altered)\s*[\])]\s*[:\-\u2013\u2014]?\s*",
    re.IGNORECASE,
)


def strip_verdict(text: str) -> str:
    """``text`` without a leading bracketed verdict label."""
    return _VERDICT_PREFIX.sub("", text, count=1) if text[:1] in "[( " else text


# Claims are stated early; very long transcripts cost time without adding matches.
MAX_CHARS = 2000


def _strip_marks(text: str) -> str:
    # NFKC folds mathematical bold/italic letters and full-width forms to plain ones; emoji
    # and other symbols are non-word characters and fall away with the punctuation, except
    # inside a word, where they are padding and are removed to join it back.
    text = text[:MAX_CHARS]
    if text.isascii():
        return strip_invisible(text)
    return fold_confusables(unicodedata.normalize("NFKC", strip_invisible(text)))


def unleet(text: str) -> str:
    """Digits standing for letters inside lower-case words read as those letters ("rus4k",
    "h0aks"); digits at a word's edge stay (they are amounts: "5juta")."""
    return _LEET.sub(lambda m: m.group(0).translate(_LEET_MAP), text)


def collapse_repeats(text: str) -> str:
    """A letter repeated three times or more kept once ("gratisss", "hoaaaks")."""
    return _ELONGATED.sub(r"\1", text)


def _joined(words: list[str]) -> list[str]:
    """``join_letters``, reading the digits of a joined word ("p 3 m 1 l u") as letters."""
    if sum(len(w) == 1 for w in words) < 3:
        return words
    return [unleet(w) if len(w) > 2 and _HAS_DIGIT.search(w) else w for w in join_letters(words)]


def expand_slang(words: list[str]) -> list[str]:
    """Informal words and abbreviations replaced by their standard form (``slang.toml``)."""
    get = slang().get
    return list(map(get, words, words))


# Texts of a batch are normalised as one string joined by this separator: every rule is a
# C-speed regex pass over the whole batch instead of nine passes per text. It is
# whitespace (URLs stop at it) and not a word character (no rule joins across it).
_SEP = "\x1e"
_NON_WORD_KEEP_SEP = re.compile(r"[^\w\x1e]+")


def normalize_many(texts: list[str]) -> list[str]:
    """``normalize`` of every text, computed in one pass over the batch."""
    if not texts:
        return []
    text = _SEP.join(strip_verdict(_strip_marks(t)).replace(_SEP, " ") for t in texts)
    text = strip_inner_symbols(text)
    if "http" in text or "www" in text or "WWW" in text or "HTTP" in text:
        text = _URL.sub(" ", text)
    if "@" in text:
        text = _MENTION.sub(" ", text)
    if "#" in text:
        text = _HASHTAG.sub(_split_hashtag, text)
    text = text.lower()
    digits = _HAS_DIGIT.search(text) is not None
    if digits:
        text = _NUMBER_SEP.sub("", text)  # 2.500.000 -> 2500000, 6,0 -> 60: same on both sides
        text = _REDUP.sub(r"\1 \1", text)
        text = unleet(text)
    text = collapse_repeats(text)
    if digits:
        text = _DIGIT_ALPHA.sub(" ", text)
    text = _NON_WORD_KEEP_SEP.sub(" ", text).replace("_", " ")
    return [" ".join(expand_slang(_joined(part.split()))) for part in text.split(_SEP)]


def normalize(text: str) -> str:
    """Plain lower-case standard form of ``text``: no URLs, mentions, emoji or elongation,
    hashtags split into words, slang expanded, numbers kept whole."""
    return normalize_many([text])[0]


@cache
def _stopwords() -> frozenset[str]:
    from Sastrawi.StopWordRemover.StopWordRemoverFactory import StopWordRemoverFactory

    english = {
        "the", "a", "an", "of", "to", "in", "on", "and", "or", "is", "are", "was", "were", "be",
        "this", "that", "it", "for", "with", "as", "at", "by", "from", "has", "have", "will",
    }
    return frozenset(StopWordRemoverFactory().get_stop_words()) | english


@cache
def _stemmer() -> object:
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return StemmerFactory().create_stemmer()


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The Sastrawi stem of one word (cached: the vocabulary of a stream is small)."""
    if not word.isalpha() or len(word) <= 3:
        return word
    result: str = _stemmer().stem(word)  # type: ignore[attr-defined]
    return result or word


def content_words(normalized: str) -> list[str]:
    """Stemmed words of already normalised text, stopwords removed: the word-level
    evidence for matching."""
    stop = _stopwords()
    return [stem(w) for w in normalized.split() if w not in stop]
