"""The factcheck domain's errors (fact-checks imported or recorded, and requests sent to fact-
checkers) as a page or an API client says them, keyed by the error's stable ``reason``: what
happened and what to do next, as English message ids translated through the domain's catalogue
(``locale/id/LC_MESSAGES/errors.po``). The shell merges every domain's (``web.reasons``,
registered at wiring from ``parts.ERROR_WORDS``)."""

from __future__ import annotations

from collections.abc import Mapping

# reason -> (what happened, what to do next)
ERRORS: Mapping[str, tuple[str, str]] = {
    "factcheck.claim_empty": ("The claim is empty.", "Write the claim as it circulates, then send again."),
    "factcheck.claim_too_long": (
        "The claim is longer than %(n)s characters.",
        "Shorten it to the claim itself, then send again."),
    "factcheck.verdict_missing": (
        "The fact-check has no verdict.",
        "Give the rating as the fact-checker published it, such as Salah or Hoaks, or choose a verdict from the list."),
    "factcheck.not_an_object": ("A fact-check record is not a JSON object.", "Send each ClaimReview as a JSON object."),
    "factcheck.not_utf8": ("The file is not UTF-8 text.", "Save it as UTF-8 text, then send it again."),
    "factcheck.body_empty": (
        "Nothing was sent.",
        "Send fact-checks as ClaimReview JSON-LD, Google Fact Check Tools JSON or CSV."),
    "factcheck.nothing_imported": (
        "No fact-check could be imported from the file.",
        "Correct the records the answer lists as refused, or check that the file is ClaimReview JSON-LD, Google Fact "
        "Check Tools JSON or CSV; then send it again."),
    "factcheck.csv_header_unreadable": (
        "The header of the CSV file cannot be read.",
        "Check that its first line names the columns, then send it again."),
    "factcheck.csv_unreadable": (
        "The CSV file cannot be read at line %(line)s.",
        "Look for an unclosed quotation mark or a stray character on that line, then send the file again."),
    "factcheck.csv_claim_column": (
        "The CSV file has no “claim” column.",
        "Start the file with a header row naming its columns, with at least “claim”, then send it again."),
    "factcheck.unknown": ("There is no fact-check %(ref)s.", "Check the reference, or search the fact-checks."),
    "factcheck.partner_not_fact_checker": (
        "%(name)s is not a fact-checking organisation.",
        "Send the claim to one of the fact-checking partners."),
    "factcheck.referral_unknown": (
        "There is no fact-check request %(ref)s for you.",
        "Open the request from your list of requests."),
    "factcheck.referral_done": (
        "This request already has a verdict.",
        "Reload the page to see it; a new verdict needs a new request."),
}
