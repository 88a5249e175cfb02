"""Which words of a text carry a claim match, so a moderator sees why it matched.

Both sides go through the matcher's own analysis (normalisation, slang, stopwords, stems):
"rus4k" in a picture is marked when the fact-check says "rusak".
"""

from __future__ import annotations

import re

from salingjaga.detection.text.normalize import content_words, normalize, normalize_many

_TOKEN = re.compile(r"\w+|\W+")


def stems(text: str) -> set[str]:
    """The content-word stems of a text."""
    return set(content_words(normalize(text)))


def shared_words(text: str, claim: str) -> set[str]:
    """Stems the text shares with a fact-check's claim."""
    return stems(text) & stems(claim)


def mark(text: str, wanted: set[str]) -> list[tuple[str, bool]]:
    """``text`` cut into pieces, each with whether it is a word whose stem is ``wanted``;
    joined, the pieces give back ``text`` exactly."""
    pieces = _TOKEN.findall(text)
    words = [i for i, p in enumerate(pieces) if p[0].isalnum() or p[0] == "_"]
    hits = set()
    if wanted and words:
        for i, norm in zip(words, normalize_many([pieces[i] for i in words]), strict=True):
            if wanted.intersection(content_words(norm)):
                hits.add(i)
    return [(p, i in hits) for i, p in enumerate(pieces)]
