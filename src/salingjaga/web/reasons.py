"""A service's error as a page says it: what went wrong and what to do next, in the page's
language, keyed by the error's stable ``reason`` (``core.errors.APIError``).

The API keeps its English ``message`` as part of its contract; the pages never show it
when they know the reason. Each domain keeps the words of its own errors in its
``error_words.py`` (pairs of English message ids: what happened, with the error's ``params``
filled in, and the next step) and their Indonesian in its catalogue's ``errors.po``. The
shell sits below the domains and may not import them, so the app registers every
catalogue here at wiring (``provide``, from ``parts.ERROR_WORDS``). An error without a
known reason falls back to the display layer's message filter.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

Translate = Callable[[str], str]
Label = Callable[[str, Any], str]
Catalogue = Mapping[str, tuple[str, str]]

# Parameters said through a display vocabulary (a code) or as a size (bytes).
PARAM_VOCABULARY: Mapping[str, str] = {"level": "level", "role": "role", "field": "field"}

# every known reason, registered at wiring (``provide``)
ERRORS: dict[str, tuple[str, str]] = {}


def merged(catalogues: Iterable[Catalogue]) -> dict[str, tuple[str, str]]:
    """Every catalogue's reasons in one mapping, refusing a reason two catalogues both
    word (one of them would silently say the other's words)."""
    found: dict[str, tuple[str, str]] = {}
    for catalogue in catalogues:
        for reason, words in catalogue.items():
            if reason in found and found[reason] != words:
                raise ValueError(f"error reason {reason!r} is worded by two catalogues")
            found[reason] = words
    return found


def provide(catalogues: Iterable[Catalogue]) -> None:
    """Set the error words of every domain and the shell (``parts.ERROR_WORDS``)."""
    known = merged(catalogues)
    ERRORS.clear()
    ERRORS.update(known)


def explain(translate: Translate, label: Label, size: Callable[[Any], str], error: Any) -> str | None:
    """The page's text for an error with a known ``reason`` (None when it has none)."""
    # an APIError, or an error as the API writes it (a bulk file's row: a mapping)
    found = error if isinstance(error, Mapping) else {"reason": getattr(error, "reason", None),
                                                     "params": getattr(error, "params", None)}
    reason = found.get("reason")
    if not reason or reason not in ERRORS:
        return None
    params: dict[str, Any] = dict(found.get("params") or {})
    for key, value in params.items():
        if key in PARAM_VOCABULARY:
            params[key] = label(PARAM_VOCABULARY[key], value)
        elif key == "limit":
            params[key] = size(value)
    what, then = ERRORS[reason]
    try:
        return f"{translate(what) % params} {translate(then) % params}"
    except (KeyError, TypeError, ValueError):  # a value missing: the caller falls back to the message
        return None
