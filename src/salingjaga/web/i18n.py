"""Translations from gettext catalogues (Babel). Messages are written in English in the
templates; ``locale/<lang>/LC_MESSAGES/*.po`` give the other language. The .po files are
compiled in memory at first use, so running needs no build step."""

from __future__ import annotations

import io
from functools import cache
from importlib import resources

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"


@cache
def translations(lang: str) -> NullTranslations:
    """The merged translations of every domain's catalogue for ``lang``."""
    from salingjaga.domains import DOMAINS

    merged: Translations | None = None
    for domain in DOMAINS:
        try:
            folder = resources.files(f"salingjaga.{domain}").joinpath(f"locale/{lang}/LC_MESSAGES")
        except ModuleNotFoundError:
            continue
        if not folder.is_dir():
            continue
        for item in sorted(folder.iterdir(), key=lambda p: p.name):
            if not item.name.endswith(".po"):
                continue
            catalog = read_po(io.StringIO(item.read_text("utf-8")), locale=lang)
            buf = io.BytesIO()
            write_mo(buf, catalog)
            buf.seek(0)
            t = Translations(buf)
            if merged is None:
                merged = t
            else:
                merged.merge(t)
    return merged if merged is not None else NullTranslations()


def gettext(lang: str, message: str) -> str:
    """Translate one message."""
    return translations(lang).gettext(message)


def pick_language(query: str | None, cookie: str | None, header: str | None) -> str:
    """Query parameter, then cookie, then Accept-Language, then Indonesian."""
    for candidate in (query, cookie):
        if candidate in LANGUAGES:
            return candidate
    if header:
        for part in header.split(","):
            code = part.split(";")[0].strip().lower()[:2]
            if code in LANGUAGES:
                return code
    return DEFAULT_LANGUAGE
