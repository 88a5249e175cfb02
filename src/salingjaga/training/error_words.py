"""The training domain's errors (the practice sandbox, its certificate and the offices'
progress) as a page or an API client says them, keyed by the error's stable ``reason``: what
happened and what to do next, as English message ids translated through the domain's catalogue
(``locale/id/LC_MESSAGES/errors.po``). The shell merges every domain's (``web.reasons``,
registered at wiring from ``parts.ERROR_WORDS``)."""

from __future__ import annotations

from collections.abc import Mapping

# reason -> (what happened, what to do next)
ERRORS: Mapping[str, tuple[str, str]] = {
    "training.module_unknown": ("There is no practice module %(ref)s.", "Choose a module from your training page."),
    "training.other_post": (
        "A practice notice can report only the module's own post (%(url)s).",
        "Report the post shown in the module."),
    "training.attempt_unknown": (
        "You have no practice notice %(ref)s.",
        "Open your practice notices from your training page."),
    "training.no_certificate": (
        "The certificate is issued once every module is passed.",
        "Finish the modules still open, then come back."),
    "training.office_unknown": ("The office %(ref)s is not known, or is not yours.", "Open your own office's page."),
    "training.office_unchosen": ("No office was chosen.", "Choose an office from the training overview."),
}
