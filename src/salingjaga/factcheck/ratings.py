"""What a fact-checker's rating means: a verdict class from the publisher's words (in any
language, negation understood) or from a numeric ``ratingValue``'s position on its scale.

Pure functions over the data in ``ratings.toml``; nothing here touches the database. The
rule that matters most: an uncertain rating is never ``true``. A ``true`` verdict keeps
content matching the fact-check out of review, so only an unqualified "true" earns it;
what nobody recognises is ``unrated`` and goes to a person with the publisher's words.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

# The classes a verdict may have. ``other`` is the older name for what is now
# ``unrated``; rows and callers that still use it stay valid and are routed the same way.
CLASSES = ("false", "misleading", "mixed", "true", "satire", "unproven", "other", "unrated")
UNRATED = "unrated"

# When a rating holds several phrases the most serious wins; ``true`` comes last, so one
# doubtful word is enough to keep a rating from being true.
SEVERITY = ("false", "misleading", "satire", "mixed", "unproven", "unrated", "other", "true")

# A rating longer than this many words is an explanation rather than a label: only a
# label at its start is read ("FALSO: As imagens foram ...").
LABEL_WORDS = 6

# schema.org Rating defaults when ``bestRating`` / ``worstRating`` are missing.
DEFAULT_BEST = 5.0
DEFAULT_WORST = 1.0

_SEPARATORS = re.compile(r"[.:;!?|/,()\[\]{}«»\"“”„‘’‚<>。，：；！？、（）【】「」『』…•·–—]+")
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\u3040-\u30ff]")
_BREAK = "|"


def _is_cjk(ch: str) -> bool:
    return bool(_CJK.match(ch))


def normalize(text: str) -> str:
    """Lower case, Latin accents dropped, punctuation as spaces and clause breaks as
    ``|``: the form both the vocabulary and ratings are compared in."""
    text = unicodedata.normalize("NFKC", str(text)).lower()
    text = re.sub(r"n['’]t\b", " not", text)  # isn't, doesn't
    decomposed = unicodedata.normalize("NFKD", text)
    kept: list[str] = []
    for ch in decomposed:
        # Only Latin letters lose their marks: Devanagari and Arabic marks are letters.
        if unicodedata.combining(ch) and kept and kept[-1].isascii():
            continue
        kept.append(ch)
    text = unicodedata.normalize("NFC", "".join(kept))
    text = _SEPARATORS.sub(f" {_BREAK} ", text)
    text = re.sub(r"[_\-'`´*#~^=+&%$@\\]+", " ", text)
    return " ".join(text.split())


@dataclass(frozen=True)
class Vocabulary:
    """The parsed ``ratings.toml``: phrases and the words that turn them around."""

    phrases: dict[str, str]
    negated: dict[str, str]
    negated_qualified: dict[str, str]
    negation_before: frozenset[str]
    negation_after: frozenset[str]
    negation_cjk: frozenset[str]
    copulas: frozenset[str]
    qualifiers: tuple[tuple[str, ...], ...]
    pattern: re.Pattern[str]


def _boundary_pattern(phrase: str) -> str:
    """A phrase on word boundaries, except beside Chinese or Japanese script, which has
    no spaces between words."""
    head = "" if _is_cjk(phrase[0]) else r"(?<![^\s|])"
    tail = "" if _is_cjk(phrase[-1]) else r"(?![^\s|])"
    return f"{head}{re.escape(phrase)}{tail}"


def build_vocabulary(raw: dict[str, Any]) -> Vocabulary:
    """Check and compile a rating vocabulary; two spellings of one phrase that disagree
    are refused, since which one won would depend on file order."""
    phrases: dict[str, str] = {}
    allowed = set(CLASSES) | {"proven", "ignore"}
    for phrase, verdict in raw.get("verdicts", {}).items():
        key = normalize(phrase).replace(_BREAK, " ")
        key = " ".join(key.split())
        if verdict not in allowed:
            raise ValueError(f"ratings: {phrase!r} maps to unknown class {verdict!r}")
        if key in phrases and phrases[key] != verdict:
            raise ValueError(f"ratings: {phrase!r} is both {phrases[key]!r} and {verdict!r}")
        if key:
            phrases[key] = verdict
    words = raw.get("words", {})
    ordered = sorted(phrases, key=len, reverse=True)  # at one position, the longest wins
    pattern = re.compile("|".join(_boundary_pattern(p) for p in ordered))
    return Vocabulary(
        phrases=phrases,
        negated=dict(raw.get("negated", {})),
        negated_qualified=dict(raw.get("negated_qualified", {})),
        negation_before=frozenset(normalize(w) for w in words.get("negation_before", [])),
        negation_after=frozenset(normalize(w) for w in words.get("negation_after", [])),
        negation_cjk=frozenset(words.get("negation_cjk", [])),
        copulas=frozenset(normalize(w) for w in words.get("copulas", [])),
        qualifiers=tuple(tuple(normalize(q).split()) for q in words.get("qualifiers", [])),
        pattern=pattern,
    )


@cache
def vocabulary() -> Vocabulary:
    """The shipped vocabulary (``ratings.toml``)."""
    text = resources.files("salingjaga.factcheck").joinpath("ratings.toml").read_text("utf-8")
    return build_vocabulary(tomllib.loads(text))


def _negation_before(vocab: Vocabulary, before: str) -> tuple[bool, bool]:
    """(negated, qualified) from the words just before a phrase, within its clause."""
    clause = before.rsplit(_BREAK, 1)[-1]
    if clause and _is_cjk(clause.rstrip()[-1:] or " "):
        tail = clause.rstrip().removesuffix("是")
        qualified = False
        for q in ("完全", "全"):
            if tail.endswith(q):
                tail, qualified = tail[: -len(q)].removesuffix("是"), True
                break
        return bool(tail) and tail[-1] in vocab.negation_cjk, qualified
    tokens = clause.split()
    qualified = False
    for _ in range(5):
        if not tokens:
            break
        if tokens[-1] in vocab.negation_before:
            return True, qualified
        for qualifier in vocab.qualifiers:
            if len(qualifier) <= len(tokens) and tuple(tokens[-len(qualifier):]) == qualifier:
                tokens, qualified = tokens[: -len(qualifier)], True
                break
        else:
            if tokens[-1] not in vocab.copulas:
                break
            tokens = tokens[:-1]
    return False, qualified


def _negation_after(vocab: Vocabulary, after: str) -> bool:
    tokens = after.split(_BREAK, 1)[0].split()[:2]
    return any(t in vocab.negation_after for t in tokens)


def _verdicts_in(vocab: Vocabulary, text: str, *, at_start: bool = False) -> list[str]:
    """The verdict of each phrase in ``text`` (negation applied); with ``at_start`` only a
    phrase that opens the text, perhaps after its negation, counts."""
    found: list[str] = []
    for match in vocab.pattern.finditer(text):
        cls = vocab.phrases[match.group(0)]
        if cls == "ignore":
            continue
        before, after = text[: match.start()], text[match.end():]
        if at_start and any(t not in vocab.negation_before and t not in vocab.copulas
                            for t in before.split()):
            break
        negated, qualified = _negation_before(vocab, before)
        if not negated and cls in ("true", "proven"):
            negated = _negation_after(vocab, after)
        if negated:
            table = vocab.negated_qualified if qualified else vocab.negated
            cls = table.get(cls, UNRATED)
        found.append("true" if cls == "proven" else cls)
        if at_start:
            break
    return found


def _most_serious(verdicts: list[str]) -> str | None:
    if not verdicts:
        return None
    return min(verdicts, key=SEVERITY.index)


def _words(text: str) -> int:
    return sum(len(t) if _is_cjk(t[0]) else 1 for t in text.replace(_BREAK, " ").split())


def classify_text(rating: str, vocab: Vocabulary | None = None) -> str | None:
    """The verdict a rating's words mean, or None when nothing in them is recognised.

    A short rating is read whole. A longer one is an explanation: its first clause is read
    if short (skipping a section name such as "Cek Fakta:"), otherwise only a label that
    opens it, and then never as ``true``, since an explanation that starts "Benar, ..." may
    go on to qualify it.
    """
    vocab = vocab or vocabulary()
    text = normalize(rating)
    if not text.replace(_BREAK, "").strip():
        return None
    exact = text.replace(_BREAK, " ").strip()
    if exact in CLASSES:
        return exact
    if _words(text) <= LABEL_WORDS:
        return _most_serious(_verdicts_in(vocab, text))
    clauses = [c.strip() for c in text.split(_BREAK) if c.strip()]
    while clauses and vocab.phrases.get(clauses[0]) == "ignore":
        clauses.pop(0)
    if not clauses:
        return None
    first = clauses[0]
    if _words(first) <= LABEL_WORDS:
        verdict = _most_serious(_verdicts_in(vocab, first))
    else:
        verdict = _most_serious(_verdicts_in(vocab, first, at_start=True))
    return UNRATED if verdict == "true" else verdict


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip().replace(",", "."))
        except ValueError:
            return None
    return None


def classify_value(value: Any, best: Any = None, worst: Any = None) -> str | None:
    """The verdict a numeric ``ratingValue`` means by its position between ``worstRating``
    and ``bestRating`` (schema.org defaults 1 and 5), or None when it cannot be placed.

    The bottom quarter is false, the next misleading, the rest mixed, and only the very
    top of the scale true: a 4 of 5 is "mostly", which is not true.
    """
    number = _number(value)
    if number is None:
        return None
    top = _number(best) if best not in (None, "") else DEFAULT_BEST
    bottom = _number(worst) if worst not in (None, "") else DEFAULT_WORST
    if top is None or bottom is None or top == bottom:
        return None
    position = (number - bottom) / (top - bottom)
    if not 0.0 <= position <= 1.0:
        return None
    if position < 0.25:
        return "false"
    if position < 0.5:
        return "misleading"
    if position < 1.0:
        return "mixed"
    return "true"


def rating_words(rating: dict[str, Any]) -> str:
    """The publisher's own words for a ``reviewRating``, kept for the moderator: its
    ``alternateName``, else its ``name``, else the number on its scale."""
    for key in ("alternateName", "name"):
        value = rating.get(key)
        if isinstance(value, list):
            value = " / ".join(str(v) for v in value if v)
        if isinstance(value, str | int | float) and str(value).strip():
            return " ".join(str(value).split())
    value = rating.get("ratingValue")
    if _number(value) is None:
        return ""
    best = rating.get("bestRating") or DEFAULT_BEST
    worst = rating.get("worstRating") or DEFAULT_WORST
    return f"{value} ({worst}-{best})"


def classify_rating(rating: dict[str, Any]) -> str:
    """The verdict of a schema.org ``reviewRating``: its words first (``alternateName``,
    then ``name``), then its ``ratingValue`` by position; ``unrated`` when neither tells.

    Publishers' numbers disagree with their own labels often enough (a "Falso" rated 4 of
    6) that words win; and a number at the top of the scale beside words nobody
    recognises is not taken as true.
    """
    had_words = False
    for key in ("alternateName", "name"):
        value = rating.get(key)
        if isinstance(value, list):
            value = " / ".join(str(v) for v in value if v)
        if isinstance(value, str) and value.strip():
            had_words = True
            verdict = classify_text(value)
            if verdict is not None:
                return verdict
    numeric = classify_value(rating.get("ratingValue"), rating.get("bestRating"),
                             rating.get("worstRating"))
    if numeric is None or (numeric == "true" and had_words):
        return UNRATED
    return numeric


def verdict_for(rating: str) -> str:
    """The verdict a rating word or phrase means; ``unrated`` when nobody recognises it."""
    return classify_text(rating) or UNRATED
