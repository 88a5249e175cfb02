"""The transparency domain's errors (the transparency reports and their charts) as a page or an
API client says them, keyed by the error's stable ``reason``: what happened and what to do
next, as English message ids translated through the domain's catalogue
(``locale/id/LC_MESSAGES/errors.po``). The shell merges every domain's (``web.reasons``,
registered at wiring from ``parts.ERROR_WORDS``)."""

from __future__ import annotations

from collections.abc import Mapping

# reason -> (what happened, what to do next)
ERRORS: Mapping[str, tuple[str, str]] = {
    "transparency.chart_unknown": (
        "The report has no chart %(ref)s.",
        "Ask for the chart by policy, by day, or of the time to decision."),
    "transparency.partner_unknown": (
        "There is no report of the organisation %(ref)s that you may read.",
        "Ask for your own organisation's report."),
    "transparency.day_out_of_range": (
        "Reports cover the years %(first)s to %(last)s.",
        "Choose dates within those years."),
}
