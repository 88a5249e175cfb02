"""Synthetic-media signals beyond the credentials themselves: public figures named in an
election context, matched from a data file of names."""

from __future__ import annotations

import re
import tomllib
from functools import cache
from importlib import resources


@cache
def _data() -> tuple[tuple[tuple[str, re.Pattern[str]], ...], re.Pattern[str]]:
    raw = tomllib.loads(resources.files("salingjaga.detection.media")
                        .joinpath("public_figures.toml").read_text("utf-8"))
    figures = []
    for f in raw["figures"]:
        names = [f["name"], *f.get("aliases", [])]
        alt = "|".join(re.escape(n) for n in names)
        figures.append((f["name"], re.compile(rf"(?<!\w)(?:{alt})(?!\w)", re.IGNORECASE)))
    terms = "|".join(re.escape(t) for t in raw["election_terms"])
    return tuple(figures), re.compile(rf"(?<!\w)(?:{terms})(?!\w)", re.IGNORECASE)


def public_figures_in(text: str) -> list[str]:
    """Names of the listed public figures the text mentions."""
    figures, _ = _data()
    return [name for name, rx in figures if rx.search(text)]


def election_terms_in(text: str) -> bool:
    """Whether the text uses election vocabulary."""
    return bool(_data()[1].search(text))
