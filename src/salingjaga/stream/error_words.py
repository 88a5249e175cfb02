"""The stream domain's errors (reading the metrics) as a page or an API client says them, keyed
by the error's stable ``reason``: what happened and what to do next, as English message ids
translated through the domain's catalogue (``locale/id/LC_MESSAGES/errors.po``). The shell
merges every domain's (``web.reasons``, registered at wiring from ``parts.ERROR_WORDS``)."""

from __future__ import annotations

from collections.abc import Mapping

# reason -> (what happened, what to do next)
ERRORS: Mapping[str, tuple[str, str]] = {
    "stream.metrics_credential": (
        "Reading the metrics needs the metrics token or an API key allowed to read them.",
        "Send one of them as a bearer token; an administrator can give you a key."),
    "stream.metrics_forbidden": (
        "The role %(role)s may not read the metrics.",
        "Use the metrics token, or a key whose role may read them."),
}
