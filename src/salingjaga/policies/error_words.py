"""The policies domain's errors as a page says them, keyed by the error's stable ``reason``:
what happened and what to do next, as English message ids translated through the
domain's catalogue (``locale/id/LC_MESSAGES/errors.po``). The shell merges every domain's
(``web.error_words``, registered at wiring from ``parts.ERROR_WORDS``)."""

from __future__ import annotations

from collections.abc import Mapping

# reason -> (what happened, what to do next)
ERRORS: Mapping[str, tuple[str, str]] = {
    "policy.unknown": ("The policy %(code)s is not known.", "Choose a policy from the list of the policy library."),
    "library.section_empty": ("A section of the page is empty.", "Write every section, then save again."),
    "library.section_too_long": (
        "A section is longer than %(n)s characters.", "Shorten it, then save again."),
    "four_eyes.own_draft": (
        "You wrote this draft, so another policy lead must approve or reject it.",
        "Ask another policy lead to review it."),
}
