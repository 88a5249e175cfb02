"""The guide domain's errors (the election guide's editorial work, notice tags and reach
figures) as a page or an API client says them, keyed by the error's stable ``reason``: what
happened and what to do next, as English message ids translated through the domain's catalogue
(``locale/id/LC_MESSAGES/errors.po``). The shell merges every domain's (``web.reasons``,
registered at wiring from ``parts.ERROR_WORDS``)."""

from __future__ import annotations

from collections.abc import Mapping

from salingjaga.regions.error_words import ERRORS as REGION_ERRORS

# reason -> (what happened, what to do next)
ERRORS: Mapping[str, tuple[str, str]] = {
    # raised by the reach figures too, and said as the regions domain says them
    "election.unknown": REGION_ERRORS["election.unknown"],
    "region.unknown": REGION_ERRORS["region.unknown"],
    "guide.language_unknown": ("The guide has no language %(code)s.", "Choose Indonesian (id) or English (en)."),
    "guide.kind_unknown": ("That is not a kind of guide page.", "Choose a section, a region page or the notice tag."),
    "guide.no_elections": ("No election is set up yet.", "Ask an administrator to add the election calendar."),
    "guide.page_unknown": (
        "The guide has no page %(ref)s in this election and language.",
        "Open the page from the editor's list of pages."),
    "guide.version_unknown": (
        "This election's guide has no version %(ref)s.",
        "Open the page's history to find its versions."),
    "guide.section_key": (
        "A section's key may hold only lower-case letters, digits and dashes.",
        "Choose a key such as how-to-vote."),
    "guide.tag_key": ("The notice tag page has the fixed key %(ref)s.", "Use that key for it."),
    "guide.tag_too_long": (
        "The notice tag text is longer than %(n)s characters; it is shown over a video.",
        "Shorten it, then save again."),
    "guide.candidates_off_region": (
        "Candidates can be listed only on a region page.",
        "Put the candidates on the page of their region."),
    "guide.region_outside_election": (
        "The region %(code)s takes no part in this election.",
        "Choose a region where the election is held, or another election."),
    "guide.outside_area": (
        "Your organisation covers the region %(code)s: you may edit only region pages inside it.",
        "National pages are edited by national offices; ask one of them."),
    "guide.draft_open": (
        "This page already has an open draft.",
        "Open that draft: its author edits it, and another editor approves or rejects it first."),
    "guide.not_a_draft": (
        "This version is no longer a draft: it has been published or rejected.",
        "Open the page's history to see its current version, or start a new draft."),
    "guide.not_author": ("Only the author of a draft edits it.", "As a second editor, approve or reject it instead."),
    "guide.own_draft": (
        "You wrote this draft, so another guide editor must approve it.",
        "Ask a second guide editor to review it."),
    "guide.rejection_unexplained": (
        "No reason for rejecting the draft was given.",
        "Say why it is rejected, so its author can fix it."),
    "guide.never_published": (
        "This version was never published, so it cannot be restored.",
        "Choose a version that was published."),
    "guide.already_current": ("This version is already the current one.", "Nothing needs restoring."),
    "guide.tag_no_election": (
        "No election is held in this post's region.",
        "Name the election the notice tag should point to."),
    "guide.no_tag": (
        "The post %(ref)s carries no notice tag.",
        "Nothing needs removing; reload to see where it stands."),
    "guide.lookup_too_large": ("A look-up names at most %(n)s posts.", "Split it into several look-ups."),
    "guide.events_invalid": (
        "%(n)s events are not valid, so none was counted.",
        "Correct the events the answer lists, then send the whole batch again."),
    "guide.batch_too_large": ("A batch holds at most %(n)s events.", "Split the events over several smaller batches."),
    "guide.keep_too_short": (
        "Visitor records must be kept at least %(n)s days.",
        "Choose %(n)s days or more: the app may still send events that old."),
}
