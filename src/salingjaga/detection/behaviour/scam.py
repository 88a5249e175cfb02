"""Scam and fundraising patterns read from ``patterns.toml`` (data, not code).
Patterns are written in lower case and matched against the lower-cased text."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Pattern:
    """One named pattern: every regex must match."""

    kind: str  # "scam" or "fundraising"
    name: str
    explanation: str
    regexes: tuple[re.Pattern[str], ...]
    score: float


@cache
def patterns() -> tuple[Pattern, ...]:
    """Every pattern in the data file, compiled once."""
    raw = tomllib.loads(resources.files("salingjaga.detection.behaviour")
                        .joinpath("patterns.toml").read_text("utf-8"))
    out = []
    for kind in ("scam", "fundraising"):
        for p in raw.get(kind, []):
            out.append(Pattern(kind, p["name"], p["explanation"],
                               tuple(re.compile(r) for r in p["all"]),
                               float(p["score"])))
    return tuple(out)


def match_patterns(text: str) -> list[Pattern]:
    """The patterns whose every regex matches ``text`` (matched lower-cased: Python's
    case-insensitive Unicode matching is several times slower)."""
    lowered = text.lower()
    return [p for p in patterns() if all(r.search(lowered) for r in p.regexes)]
