"""The regions domain's errors as a page says them, keyed by the error's stable ``reason``:
what happened and what to do next, as English message ids translated through the
domain's catalogue (``locale/id/LC_MESSAGES/errors.po``). The shell merges every domain's
(``web.error_words``, registered at wiring from ``parts.ERROR_WORDS``)."""

from __future__ import annotations

from collections.abc import Mapping

# reason -> (what happened, what to do next)
ERRORS: Mapping[str, tuple[str, str]] = {
    "region.unknown": (
        "The region %(code)s is not known.",
        "Choose a region from the list, or write a Kemendagri code such as 32 or 32.73."),
    "election.unknown": ("The election %(code)s is not known.", "Choose an election from the list."),
}
