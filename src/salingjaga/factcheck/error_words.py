"""The factcheck domain's errors as a page says them, keyed by the error's stable ``reason``:
what happened and what to do next, as English message ids translated through the
domain's catalogue (``locale/id/LC_MESSAGES/errors.po``). The shell merges every domain's
(``web.error_words``, registered at wiring from ``parts.ERROR_WORDS``)."""

from __future__ import annotations

from collections.abc import Mapping

# reason -> (what happened, what to do next)
ERRORS: Mapping[str, tuple[str, str]] = {
    "factcheck.claim_empty": ("The claim is empty.", "Write the claim as it circulates, then send again."),
}
